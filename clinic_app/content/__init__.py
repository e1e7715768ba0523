"""Loads and validates the data files shipped under ``resources/``."""
