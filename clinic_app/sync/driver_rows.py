"""Whole rows inserted through the database driver, each value converted as SQLAlchemy would.

A first sync stores thousands of rows. Through SQLAlchemy, an insert of many rows builds a
parameter dictionary per row before the driver sees it, which took more of the laptop's
time than the database's own work. Here the statement is compiled once per table, each
column's own conversion (ids, times, dates, JSON, yes/no) is applied to the values in
column order, and the driver gets plain tuples. Only rows carrying every column of their
table go this way; any other row is left to SQLAlchemy, which fills in defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.engine import Dialect

Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class PreparedInsert:
    """An INSERT of every column of one table, with each column's conversion."""

    sql: str
    names: tuple[str, ...]
    converts: tuple[Convert | None, ...]

    @classmethod
    def of(cls, table: Table, dialect: Dialect) -> PreparedInsert | None:
        """The prepared insert, or None when the dialect's parameters are not positional."""
        compiled = insert(table).compile(dialect=dialect)
        order = compiled.positiontup
        columns = {column.key: column for column in table.columns}
        if order is None or sorted(order) != sorted(columns):
            return None
        # The type as this dialect stores it (a decorated type's own conversion included).
        converts = tuple(
            columns[name].type.dialect_impl(dialect).bind_processor(dialect) for name in order
        )
        return cls(str(compiled), tuple(order), converts)

    def takes(self, row: Mapping[str, Any]) -> bool:
        """Whether ``row`` names every column (and no other)."""
        return len(row) == len(self.names) and all(name in row for name in self.names)

    def execute(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert ``rows`` (each one :meth:`takes`) in one call of the driver."""
        pairs = tuple(zip(self.names, self.converts, strict=True))
        # Every value goes through its column's conversion, None too (JSON keeps a null).
        conn.exec_driver_sql(
            self.sql,
            [
                tuple(
                    row[name] if convert is None else convert(row[name]) for name, convert in pairs
                )
                for row in rows
            ],
        )
