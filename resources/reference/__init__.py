"""Reference code lists, one JSON file per list, each with its source and licence."""
