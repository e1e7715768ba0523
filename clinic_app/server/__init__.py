"""The central server: an HTTP API over the same model, PostgreSQL or an SQLite file behind it."""
