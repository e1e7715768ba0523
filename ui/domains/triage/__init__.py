"""Triage screens: the worklist and the service's waiting-time targets."""
