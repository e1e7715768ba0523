"""The injection screens: the record at the bedside and the service lead's PGD register."""
