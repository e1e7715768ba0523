"""The clinic day's service rules as data files, such as the non-attendance rule."""
