"""The clinic day's screens: the day lists, booking, sessions."""
