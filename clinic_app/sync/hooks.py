"""What other packages ask to run when rows arrive (on a device's pull, at a server's push).

The sync engine knows no table; a package above it (people, for possible duplicates; the
clinic day, for double bookings) registers a hook here. A pull runs its hooks in the page's
own transaction, so what a hook records commits with the rows and the cursor that follows
them; the server runs its hooks in the push's transaction, and adds the rows they return as
its own changes, so every device pulls them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

#: A hook gets the page's connection and the (table, row id) of every row it stored.
PulledHook = Callable[[Connection, Sequence[tuple[str, uuid.UUID]]], None]

_HOOKS: dict[str, PulledHook] = {}


def on_pulled(name: str, hook: PulledHook) -> None:
    """Run ``hook`` after each stored page of pulled rows (one hook per name)."""
    _HOOKS[name] = hook


def run_pulled(conn: Connection, stored: Sequence[tuple[str, uuid.UUID]]) -> None:
    """Run every registered hook over the rows a page stored."""
    if not stored:
        return
    for hook in _HOOKS.values():
        hook(conn, stored)


#: A server hook gets the transaction's connection and the id of a row of its table that a
#: push has just added or changed, and returns the rows the server is to add because of it
#: (table name, every column with the id; ``row_version`` is the server's to set). It is
#: called again for every later change of the row, so it returns only rows not yet held.
AppliedHook = Callable[[Connection, uuid.UUID], Sequence[tuple[str, dict[str, Any]]]]

_APPLIED: dict[str, dict[str, AppliedHook]] = {}


def on_applied(table: str, name: str, hook: AppliedHook) -> None:
    """Run ``hook`` on the server after a pushed change to a row of ``table`` is applied."""
    _APPLIED.setdefault(table, {})[name] = hook


def applied_hooks(table: str) -> tuple[AppliedHook, ...]:
    """The hooks registered for ``table`` (none for most tables)."""
    return tuple(_APPLIED.get(table, {}).values())


#: A server check gets the push's connection, the row as it would be after the change (every
#: column) and the row as stored (None for a new one); it returns the code of its refusal, or
#: None. A domain checks here what only it knows, such as that the records a row links to are
#: the same patient's.
ChangeCheck = Callable[[Connection, Mapping[str, Any], Mapping[str, Any] | None], str | None]

_CHECKS: dict[str, dict[str, ChangeCheck]] = {}


def on_checked(table: str, name: str, check: ChangeCheck) -> None:
    """Check every pushed change to a row of ``table`` on the server before it is applied."""
    _CHECKS.setdefault(table, {})[name] = check


def change_checks(table: str) -> tuple[ChangeCheck, ...]:
    """The checks registered for ``table`` (none for most tables)."""
    return tuple(_CHECKS.get(table, {}).values())


#: A check of the row alone: the row after the change and as stored (None for a new one).
RowCheck = Callable[[Mapping[str, Any], Mapping[str, Any] | None], str | None]

_ROW_CHECKS: dict[str, dict[str, RowCheck]] = {}


def on_row_checked(table: str, name: str, check: RowCheck) -> None:
    """Check every pushed change to ``table`` by its values alone, asking the database nothing.

    Such a check runs before the batch's waiting rows are written, so a first sync's many
    new rows are still inserted together.
    """
    _ROW_CHECKS.setdefault(table, {})[name] = check


def row_checks(table: str) -> tuple[RowCheck, ...]:
    """The row-alone checks registered for ``table``."""
    return tuple(_ROW_CHECKS.get(table, {}).values())
