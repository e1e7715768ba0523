"""Rows as JSON on the wire, and back into the column types of the shared model.

Sync ships rows of the shared model (``clinic_app.schema``), not a second representation:
every syncable table is found from the model itself, so a new record type syncs without sync
code of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, cached_property
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Enum,
    Integer,
    String,
    Table,
    Text,
    Uuid,
)

from clinic_app.kernel.base import Base, Syncable, UtcDateTime
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.ids import read_uuid
from clinic_app.kernel.outbox import wire_value as to_wire
from clinic_app.kernel.signed import AppendOnly, Signable

#: Columns the sync machinery owns: never merged field by field.
BOOKKEEPING = frozenset({"id", "row_version"})
#: Column types whose values the database hands back as plain str, int or bool.
_PLAIN_TYPES: frozenset[type[Any]] = frozenset({String, Text, Integer, BigInteger, Boolean})


def _to_uuid(value: Any) -> uuid.UUID:
    return read_uuid(value if type(value) is str else str(value))


def _to_timestamp(value: Any) -> datetime:
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        raise ValueError("a timestamp without a zone")
    return parsed


def _to_date(value: Any) -> date:
    return date.fromisoformat(str(value))


def _as_is(value: Any) -> Any:
    return value


def _reader(column: Column[Any]) -> Callable[[Any], Any]:
    """How a (not None) JSON value of ``column`` becomes its Python type."""
    kind = column.type
    if isinstance(kind, Uuid):
        return _to_uuid
    if isinstance(kind, UtcDateTime):
        return _to_timestamp
    if isinstance(kind, Date):
        return _to_date
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return kind.enum_class
    return _as_is


def _writer(column: Column[Any]) -> Callable[[Any], Any]:
    """How a (not None) stored value of ``column`` becomes JSON, as ``wire_value`` would.

    Ids become text and plain text, numbers and yes/no pass as read from the database;
    anything else (timestamps, dates, enums, JSON) goes through ``wire_value`` itself.
    """
    kind = column.type
    if isinstance(kind, Uuid):
        return str
    if type(kind) in _PLAIN_TYPES:
        return _as_is
    return to_wire


def from_wire(column: Column[Any], value: Any) -> Any:
    """A JSON value back in the Python type ``column`` stores.

    Raises:
        ValueError: the value cannot be that type (the caller rejects the change).
    """
    if value is None:
        return None
    return _reader(column)(value)


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

    @cached_property
    def _readers(self) -> dict[str, Callable[[Any], Any]]:
        # Worked out once per table: a pull or push decodes every field of thousands of rows.
        return {column.key: _reader(column) for column in self.table.columns}

    @cached_property
    def _converting(self) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
        # Most columns are text, numbers and yes/no, taken as they come: only the others
        # (ids, timestamps, dates, enums) are converted, a pull or push decodes thousands.
        return tuple((name, read) for name, read in self._readers.items() if read is not _as_is)

    def decode(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Wire values of some columns in their Python types (unknown columns refused)."""
        readers = self._readers
        decoded = dict(values)
        if len(decoded) > len(readers) or not readers.keys() >= decoded.keys():
            name = next(name for name in decoded if name not in readers)
            raise ClinicError("sync.unknown_field", table=self.name, field=name)
        for name, read in self._converting:
            value = decoded.get(name)
            if value is not None:
                decoded[name] = read(value)
        return decoded

    @cached_property
    def _writers(self) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
        return tuple((column.name, _writer(column)) for column in self.table.columns)

    def encode(self, row: Mapping[Any, Any]) -> dict[str, Any]:
        """A whole stored row as wire values."""
        return {
            name: None if (value := row[name]) is None else write(value)
            for name, write in self._writers
        }


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
