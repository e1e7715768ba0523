"""The service's own settings: its waiting-time targets."""
