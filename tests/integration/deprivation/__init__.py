"""Deprivation lookup and the Friends and Family Test on a real PostgreSQL server."""
