"""The decision aids due for review, and those not offered and why (for the service lead)."""
