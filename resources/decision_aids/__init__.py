"""Decision aids, one JSON file per aid, each with its sources and licence."""
