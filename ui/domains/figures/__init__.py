"""The service figures dashboard: the whole service's measures, and a clinician's own."""
