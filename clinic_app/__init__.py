"""OneStop MSK: the clinic core, usable from the app, a script, a test or the server."""

__version__ = "0.1.0"
