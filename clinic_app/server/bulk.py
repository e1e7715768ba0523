"""Many new rows of one table written at once: COPY on PostgreSQL, one executemany elsewhere.

A push of 500 new records writes each record's row, its change-log entry and the laptop's
hold on its patient. Sent as one statement per row (psycopg's pipelined executemany) that is
three server round trips of work per record; COPY streams the same rows in one go and takes
about a quarter of the time. The rows go through the same SQLAlchemy type conversions an
executemany applies, so what is stored is the same either way, and a refusal by the
database (a broken rule, a value a column cannot hold) is raised as the same SQLAlchemy
error, so callers' savepoints and fallbacks work unchanged.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Column, ColumnDefault, Connection, Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

#: A single row goes as a plain insert; two or more by COPY (which every push with more
#: than one new row of a table then exercises, in the tests as in service).
_COPY_FROM = 2

_Convert = Callable[[Any], Any] | None


def _converters(table: Table, names: Sequence[str], dialect: Dialect) -> list[_Convert]:
    columns: list[Column[Any]] = [table.columns[name] for name in names]
    return [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]


def _defaults(table: Table, given: set[str]) -> dict[str, Callable[[], Any]] | None:
    """How to fill each column left out of the rows that has a Python-side default.

    COPY applies only the database's own defaults, so these are filled here as SQLAlchemy's
    executemany would fill them; None when one is of a kind only SQLAlchemy can work out
    (a SQL expression or a sequence).
    """
    fill: dict[str, Callable[[], Any]] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None:
            continue
        if isinstance(default, ColumnDefault) and default.is_scalar:
            fill[column.name] = functools.partial(_same, default.arg)
        elif isinstance(default, ColumnDefault) and default.is_callable:
            # SQLAlchemy wraps the function to take an execution context; it uses none.
            fill[column.name] = functools.partial(default.arg, None)
        else:
            return None
    return fill


def _same(value: Any) -> Any:
    return value


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (each with the same columns) into ``table`` in ``conn``'s transaction.

    Raises:
        sqlalchemy.exc.DBAPIError: the database refused a row (``IntegrityError``,
            ``DataError``, ...), as ``conn.execute(insert(table), rows)`` would raise it.
    """
    if not rows:
        return
    names = list(rows[0])
    fill = _defaults(table, set(names)) if conn.dialect.name == "postgresql" else None
    if fill is None or len(rows) < _COPY_FROM:
        conn.execute(insert(table), list(rows))
        return
    _copy(conn, table, names, rows, fill)


def _copy(
    conn: Connection,
    table: Table,
    names: list[str],
    rows: Sequence[Mapping[str, Any]],
    fill: Mapping[str, Callable[[], Any]],
) -> None:
    import psycopg  # noqa: PLC0415 - the driver, installed only where the server runs on PostgreSQL

    filled = list(fill)
    converters = _converters(table, [*names, *filled], conn.dialect)
    preparer = conn.dialect.identifier_preparer
    statement = (
        f"COPY {preparer.format_table(table)} "
        f"({', '.join(preparer.quote(name) for name in [*names, *filled])}) FROM STDIN"
    )
    raw = conn.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    # Only the columns with a conversion are touched row by row (most have none on
    # PostgreSQL: ids, text, dates and numbers go to the driver as they are).
    converting = [(index, convert) for index, convert in enumerate(converters) if convert]
    take = operator.itemgetter(*names) if len(names) > 1 else None
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            makers = list(fill.values())
            for row in rows:
                values = list(take(row)) if take is not None else [row[names[0]]]
                values.extend(make() for make in makers)
                for index, convert in converting:
                    values[index] = convert(values[index])
                copy.write_row(values)
    except psycopg.Error as error:
        raise DBAPIError.instance(
            statement, None, error, psycopg.Error, dialect=conn.dialect
        ) from error
