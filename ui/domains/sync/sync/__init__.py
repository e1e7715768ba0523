"""The sync screen: the state of sync, and the problems that wait for a person."""
