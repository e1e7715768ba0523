"""Possible duplicate patients: the list, both records side by side, merge or dismiss."""
