"""Alembic migration scripts; HEAD names the revision this code expects."""

HEAD = "0032"
