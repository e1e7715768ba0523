"""What other packages ask to run on a device after a page of pulled rows is stored.

The sync engine knows no table; a package above it (people, for possible duplicates)
registers a hook here, and the pull runs it in the page's own transaction, so what the hook
records commits with the rows and the cursor that follows them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

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
