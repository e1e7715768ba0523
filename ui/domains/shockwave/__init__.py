"""Shockwave therapy: its words."""
