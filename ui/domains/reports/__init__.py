"""Scan report screens: the report, the supervisor's queue, the logbook."""
