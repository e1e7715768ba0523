"""Injections: recording, checking and signing them, and the PGD register."""
