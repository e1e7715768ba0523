"""Its use cases: one call, one user action, one transaction."""
