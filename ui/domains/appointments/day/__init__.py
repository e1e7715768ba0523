"""A clinician's day list and a site's day."""
