"""Alembic environment: always run from code with a connection handed in."""

from __future__ import annotations

from alembic import context

from clinic_app.kernel.base import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run through clinic_app.kernel.migrate, with a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
