"""Signing in, and unlocking a locked session."""
