"""Schema migrations (Alembic), run from code: the same scripts on SQLite and PostgreSQL."""

from __future__ import annotations

import logging

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from clinic_app.kernel.migrations import HEAD
from clinic_app.kernel.session import reader

log = logging.getLogger(__name__)


def current_revision(engine: Engine) -> str | None:
    """The store's schema revision, or None for an empty database."""
    # Only reading: on SQLite this must not wait for (or take) the write lock.
    with reader(engine).connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run every migration up to ``revision`` in one transaction."""
    # Alembic is imported only when a schema must change: opening an up-to-date
    # store at start-up stays quick.
    from alembic import command  # noqa: PLC0415
    from alembic.config import Config  # noqa: PLC0415

    config = Config()
    config.set_main_option("script_location", "clinic_app.kernel:migrations")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def ensure_schema(engine: Engine) -> None:
    """Bring the schema to the revision this code was written for (one log line if it moved)."""
    before = current_revision(engine)
    if before != HEAD:
        upgrade(engine)
        log.info("schema brought from revision %s to %s", before or "none (new)", HEAD)
