"""The first-run window: connect to the service's server, or set up a standalone clinic."""
