"""Registering a new patient."""
