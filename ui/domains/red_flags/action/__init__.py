"""Red-flag actions: the details of what was done for an outcome, until it is done."""
