"""Rows as JSON on the wire, and back into the column types of the shared model.

Sync ships rows of the shared model (``clinic_app.schema``), not a second representation:
every syncable table is found from the model itself, so a new record type syncs without sync
code of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Column, Date, Enum, Table, Uuid

from clinic_app.kernel.base import Base, Syncable, UtcDateTime
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.outbox import wire_value as to_wire
from clinic_app.kernel.signed import AppendOnly, Signable

#: Columns the sync machinery owns: never merged field by field.
BOOKKEEPING = frozenset({"id", "row_version"})


def from_wire(column: Column[Any], value: Any) -> Any:
    """A JSON value back in the Python type ``column`` stores.

    Raises:
        ValueError: the value cannot be that type (the caller rejects the change).
    """
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, Uuid):
        return uuid.UUID(str(value))
    if isinstance(kind, UtcDateTime):
        parsed = datetime.fromisoformat(str(value))
        if parsed.tzinfo is None:
            raise ValueError("a timestamp without a zone")
        return parsed
    if isinstance(kind, Date):
        return date.fromisoformat(str(value))
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return kind.enum_class(value)
    return value


@dataclass(frozen=True)
class SyncedTable:
    """One table that syncs, and how its rows may change."""

    name: str
    table: Table
    #: Rows are written once and never changed (screenings, decisions, addenda).
    append_only: bool
    #: Rows become immutable once signed (assessments, reports).
    signable: bool

    def column(self, name: str) -> Column[Any]:
        """The column called ``name``.

        Raises:
            ClinicError: ``sync.unknown_field`` for a name the table does not have.
        """
        try:
            return self.table.columns[name]
        except KeyError:
            raise ClinicError("sync.unknown_field", table=self.name, field=name) from None

    def decode(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Wire values of some columns in their Python types (unknown columns refused)."""
        return {name: from_wire(self.column(name), value) for name, value in values.items()}

    def encode(self, row: Mapping[Any, Any]) -> dict[str, Any]:
        """A whole stored row as wire values."""
        return {column.name: to_wire(row[column.name]) for column in self.table.columns}


@cache
def synced_tables() -> dict[str, SyncedTable]:
    """Every table of the model whose rows sync, by table name."""
    found: dict[str, SyncedTable] = {}
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if not issubclass(cls, Syncable):
            continue
        table = mapper.local_table
        if not isinstance(table, Table):
            continue
        found[table.name] = SyncedTable(
            name=table.name,
            table=table,
            append_only=issubclass(cls, AppendOnly),
            signable=issubclass(cls, Signable),
        )
    return found


def synced_table(name: str) -> SyncedTable:
    """The syncing table called ``name``.

    Raises:
        ClinicError: ``sync.unknown_table``.
    """
    table = synced_tables().get(name)
    if table is None:
        raise ClinicError("sync.unknown_table", table=name)
    return table
