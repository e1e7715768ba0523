"""The contact note screen: written at the appointment, signed, added to."""
