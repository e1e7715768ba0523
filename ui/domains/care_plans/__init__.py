"""The care plan's words (its screens come later)."""
