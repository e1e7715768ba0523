"""The session class every unit of work uses, and who it acts for."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

READ_ONLY = "onestop_read_only"
"""Execution option set on a connection that will not write: on SQLite its transaction then
starts as a plain BEGIN instead of taking the write lock (BEGIN IMMEDIATE)."""


_MAY_WRITE = "onestop_may_write"
_BEFORE_COMMIT = "onestop_before_commit"


class WriteRefused(RuntimeError):
    """A unit of work tried to write what its mode does not allow: a fault in the code."""


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


def limit_writes(session: Session, may_write: Callable[[object], bool]) -> None:
    """Refuse, for the rest of ``session``'s life, any write ``may_write`` does not accept.

    Every new, changed or deleted object is checked at flush, before the outbox hooks run;
    bulk INSERT, UPDATE and DELETE statements are refused outright. ``WriteRefused`` is a
    fault in the code, never something a person can cause.
    """
    session.info[_MAY_WRITE] = may_write


def _limit(session: Session) -> Callable[[object], bool] | None:
    value = session.info.get(_MAY_WRITE)
    return value if callable(value) else None


def before_commit(session: Session, work: Callable[[Session], None]) -> None:
    """Run ``work`` once, after the unit of work's body and before it commits.

    It runs in the same transaction, so what it writes commits or rolls back with the rest;
    asking twice for the same work runs it once. What it asks for in its turn runs too.
    """
    pending: list[Callable[[Session], None]] = session.info.setdefault(_BEFORE_COMMIT, [])
    if work not in pending:
        pending.append(work)


def run_before_commit(session: Session) -> None:
    """Run the work asked for by :func:`before_commit`, until none is left."""
    pending: list[Callable[[Session], None]] = session.info.get(_BEFORE_COMMIT, [])
    while pending:
        pending.pop(0)(session)


@event.listens_for(ClinicSession, "before_commit")
def _run_work_left(session: Session) -> None:
    # A session opened outside a unit of work still runs what it asked for before it commits.
    run_before_commit(session)


@event.listens_for(ClinicSession, "before_flush")
def _refuse_writes_not_allowed(session: Session, _flush: UOWTransaction, _objects: object) -> None:
    may_write = _limit(session)
    if may_write is None:
        return
    changed = [obj for obj in session.dirty if session.is_modified(obj)]
    for obj in (*session.new, *changed, *session.deleted):
        if not may_write(obj):
            raise WriteRefused(f"this unit of work may not write {type(obj).__name__} rows")


@event.listens_for(ClinicSession, "do_orm_execute")
def _refuse_statements_not_allowed(state: ORMExecuteState) -> None:
    if _limit(state.session) is not None and (
        state.is_insert or state.is_update or state.is_delete
    ):
        raise WriteRefused("this unit of work may not run INSERT, UPDATE or DELETE statements")
