"""Service rules set by the commissioners, such as waiting-time targets, as data files."""
