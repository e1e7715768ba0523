"""Rows that never change once written, and the flush guard that keeps them so.

The guard sits in the model layer, under every service: whatever code holds a session, a
signed assessment's content, an addendum, a red-flag screening or its resolution cannot be
changed by setting an attribute and flushing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from clinic_app.kernel.errors import Conflict

#: Columns the sync hook stamps on every write; they are bookkeeping, not content.
STAMPS = frozenset({"updated_at", "updated_by", "device_id", "row_version"})


class AppendOnly:
    """Marks an entity whose rows are written once and never updated (or tombstoned)."""


class Signable:
    """Marks an entity that becomes immutable once its ``status`` is ``"signed"``."""

    status: Any


def changed_columns(obj: object) -> list[str]:
    """Names of the columns of ``obj`` changed in this session, bookkeeping left out."""
    state = inspect(obj)
    return [
        attr.key
        for attr in state.mapper.column_attrs
        if attr.key not in STAMPS and state.attrs[attr.key].history.has_changes()
    ]


def _was_signed(obj: Signable) -> bool:
    state = inspect(obj)
    before = state.committed_state.get("status", obj.status)
    return str(getattr(before, "value", before)) == "signed"


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_signed_rows(
    session: Session, _flush: UOWTransaction, _instances: object
) -> None:
    for obj in session.dirty:
        if not isinstance(obj, AppendOnly | Signable):
            continue
        if isinstance(obj, Signable) and not _was_signed(obj):
            continue
        changed = changed_columns(obj)
        if changed:
            raise Conflict(
                "record.immutable",
                table=getattr(type(obj), "__tablename__", type(obj).__name__),
                fields=sorted(changed),
            )
