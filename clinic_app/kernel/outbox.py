"""Session hooks that stamp every syncable row and queue its change in the outbox.

They run inside the flush, so the row and its outbox entry commit (or roll back)
together, and no feature can write a syncable row without its change being queued.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from clinic_app.kernel.base import Syncable, utcnow
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.session import Actor, ClinicSession

_BOOKKEEPING = frozenset({"row_version"})


def wire_value(value: Any) -> Any:
    """Turn a column value into plain JSON (the form sync ships)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [wire_value(v) for v in value]
    return value


def apply_defaults(obj: Syncable) -> None:
    """Fill Python-side column defaults now, so the outbox carries the row as it is stored.

    SQLAlchemy applies ``mapped_column(default=...)`` at INSERT time, after this hook.
    """
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        column = attr.columns[0]
        default = column.default
        if default is None or getattr(obj, attr.key) is not None:
            continue
        if default.is_scalar:
            setattr(obj, attr.key, default.arg)
        elif default.is_callable:
            setattr(obj, attr.key, default.arg(None))


def _column_values(obj: Syncable, only_changed: bool) -> dict[str, Any]:
    state = inspect(obj)
    values: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in _BOOKKEEPING:
            continue
        if only_changed:
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            values[key] = wire_value(history.added[0] if history.added else None)
        else:
            values[key] = wire_value(getattr(obj, key))
    return values


@event.listens_for(ClinicSession, "before_flush")
def _stamp_and_queue(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    syncable_new = [o for o in session.new if isinstance(o, Syncable)]
    syncable_dirty = [
        o
        for o in session.dirty
        if isinstance(o, Syncable) and session.is_modified(o, include_collections=False)
    ]
    for obj in session.deleted:
        if isinstance(obj, Syncable):
            raise ClinicError("store.hard_delete", table=type(obj).__tablename__)  # type: ignore[attr-defined]
    if not syncable_new and not syncable_dirty:
        return
    actor = session.info.get("actor")
    if not isinstance(actor, Actor):
        raise ClinicError("store.no_actor")
    now = utcnow()
    for obj in syncable_new:
        obj.created_at = obj.updated_at = now
        obj.created_by = obj.updated_by = actor.user_id
        obj.device_id = actor.device_id
        apply_defaults(obj)
        session.add(_entry(obj, "insert", _column_values(obj, only_changed=False), 0, actor))
    for obj in syncable_dirty:
        obj.updated_at = now
        obj.updated_by = actor.user_id
        obj.device_id = actor.device_id
        changed = _column_values(obj, only_changed=True)
        operation = "tombstone" if "deleted" in changed and obj.deleted else "update"
        base = obj.row_version
        session.add(_entry(obj, operation, changed, base, actor))


def _entry(
    obj: Syncable, operation: str, changed: dict[str, Any], base: int, actor: Actor
) -> OutboxEntry:
    return OutboxEntry(
        table_name=type(obj).__tablename__,  # type: ignore[attr-defined]
        row_id=obj.id,
        operation=operation,
        changed=changed,
        base_version=base,
        new_version=base + 1,
        device_id=actor.device_id,
        user_id=actor.user_id,
    )
