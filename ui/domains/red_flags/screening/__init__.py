"""Red-flag screens for the regions picked, and the emergency banner that waits for an action."""
