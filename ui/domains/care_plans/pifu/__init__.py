"""The open patient-initiated follow-up (PIFU) windows, and those about to lapse."""
