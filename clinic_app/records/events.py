"""What happens to a clinical record (signed, amended), and the handlers that follow it.

A record event is raised inside the unit of work that signs or amends the record, and its
handlers run in the same transaction, once the service's body is done and before it commits:
what a handler writes commits with the signature or rolls back with it. Handlers are
registered by each domain's ``handlers`` module, keyed by the event's type and the record
type's code. They work on the store only: no Qt, no network, no files outside the store.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from clinic_app.kernel.session import before_commit

_PENDING = "onestop_record_events"


@dataclass(frozen=True)
class RecordEvent:
    """Something that happened to one record.

    Attributes:
        record_type: the record type's code, e.g. ``scan_report``.
        record_id: the row it happened to.
        patient_id: whose record it is.
        episode_id: the episode of care it belongs to, if any.
        actor: who did it (None for the command-line system actor).
    """

    record_type: str
    record_id: uuid.UUID
    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    actor: uuid.UUID | None


@dataclass(frozen=True)
class RecordSigned(RecordEvent):
    """A record became final: signed by its author, or verified by a supervisor.

    Attributes:
        step: the lifecycle step that made it final (``sign`` or ``verify``).
    """

    step: str = "sign"


@dataclass(frozen=True)
class RecordAmended(RecordEvent):
    """A signed record was added to: a signed note, or a signed new version.

    ``record_id`` names the signed record added to.

    Attributes:
        addition_id: the note or the new version that adds to it.
    """

    addition_id: uuid.UUID | None = None


E = TypeVar("E", bound=RecordEvent)
#: A handler: the session of the unit of work, and the event.
Handler = Callable[[Session, Any], None]

_HANDLERS: dict[tuple[type[RecordEvent], str], list[Handler]] = {}


def register_handler(
    event_type: type[E], record_type: str, handler: Callable[[Session, E], None]
) -> None:
    """Run ``handler`` for every ``event_type`` of a record of ``record_type``.

    Registering the same handler twice (a module imported again) keeps one.
    """
    handlers = _HANDLERS.setdefault((event_type, record_type), [])
    if handler not in handlers:
        handlers.append(handler)


def unregister_handler(
    event_type: type[E], record_type: str, handler: Callable[[Session, E], None]
) -> None:
    """Stop running ``handler`` for ``event_type`` (a test's stand-in handler)."""
    handlers = _HANDLERS.get((event_type, record_type), [])
    if handler in handlers:
        handlers.remove(handler)


def handles(
    event_type: type[E], record_type: str
) -> Callable[[Callable[[Session, E], None]], Callable[[Session, E], None]]:
    """Decorator form of :func:`register_handler`."""

    def decorate(handler: Callable[[Session, E], None]) -> Callable[[Session, E], None]:
        register_handler(event_type, record_type, handler)
        return handler

    return decorate


def handlers_for(event: RecordEvent) -> tuple[Handler, ...]:
    """The handlers of ``event``, in the order they were registered."""
    return tuple(_HANDLERS.get((type(event), event.record_type), ()))


def raise_event(session: Session, event: RecordEvent) -> None:
    """Keep ``event`` for its handlers, which run before ``session`` commits."""
    pending: list[RecordEvent] = session.info.setdefault(_PENDING, [])
    pending.append(event)
    before_commit(session, dispatch_pending)


def pending_events(session: Session) -> tuple[RecordEvent, ...]:
    """The events raised in ``session`` whose handlers have not run yet."""
    return tuple(session.info.get(_PENDING, ()))


def dispatch_pending(session: Session) -> None:
    """Run the handlers of every event raised in ``session``, oldest first.

    An event a handler raises runs too; a handler's error propagates, so the whole unit of
    work rolls back with it.
    """
    pending: list[RecordEvent] = session.info.get(_PENDING, [])
    while pending:
        event = pending.pop(0)
        for handler in handlers_for(event):
            handler(session, event)
