"""Red-flag screening: screens as data, outcomes, the actions they need, safety-net cards."""
