"""The injections audit: counts and rates over a range of months, saved as CSV (no patient)."""
