"""Pure rules of the clinic day: times, clashes, statuses, the non-attendance rule."""
