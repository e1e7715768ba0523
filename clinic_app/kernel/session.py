"""The session class every unit of work uses, and who it acts for."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

READ_ONLY = "onestop_read_only"
"""Execution option set on a connection that will not write: on SQLite its transaction then
starts as a plain BEGIN instead of taking the write lock (BEGIN IMMEDIATE)."""


def reader(engine: Engine) -> Engine:
    """The same engine and pool, for connections that only read (no write lock on SQLite)."""
    return engine.execution_options(**{READ_ONLY: True})


@dataclass(frozen=True)
class Actor:
    """Who is writing, from which device; stamped on every row and outbox entry."""

    device_id: uuid.UUID
    user_id: uuid.UUID | None = None


class ClinicSession(Session):
    """A session that knows its actor; writes without one are refused at flush."""

    @property
    def actor(self) -> Actor | None:
        """The actor set by the unit of work, if any."""
        value = self.info.get("actor")
        return value if isinstance(value, Actor) else None

    @actor.setter
    def actor(self, value: Actor) -> None:
        self.info["actor"] = value
