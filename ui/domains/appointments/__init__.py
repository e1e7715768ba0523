"""The clinic day's screens: the day lists, booking, and clinicians' regular sessions."""
