"""Red-flag screens, one JSON file per screen, each with its source and licence."""
