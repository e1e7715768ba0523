"""Clinicians' regular sessions."""
