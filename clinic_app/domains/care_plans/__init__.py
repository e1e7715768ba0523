"""Personalised care and support plans: made with the patient, signed, reviewed as versions."""
