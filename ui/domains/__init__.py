"""Screens, one package per domain: each screen area declares its screens in screens.py."""
