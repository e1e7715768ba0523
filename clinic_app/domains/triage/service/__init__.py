"""Triage use cases: the worklist and decisions, and a service's own targets."""
