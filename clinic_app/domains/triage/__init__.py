"""Triage: waiting-time targets, the worklist and triage decisions."""
