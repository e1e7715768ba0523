"""Assessment screens."""
