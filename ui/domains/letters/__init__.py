"""Letters' words (their screens come later)."""
