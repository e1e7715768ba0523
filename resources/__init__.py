"""Data files shipped with the app (not code), loaded with importlib.resources."""
