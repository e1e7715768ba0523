"""Red-flag screening screens."""
