"""The shockwave audit: closed courses per indication and their changes, saved as CSV."""
