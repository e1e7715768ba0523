"""Measures of shared decision-making taken from the patient (items and their sources)."""
