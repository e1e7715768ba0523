"""Rows inserted straight through the driver are stored exactly as SQLAlchemy stores them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Enum,
    Float,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    Uuid,
    insert,
)
from sqlalchemy.exc import SQLAlchemyError

from clinic_app.container import Services
from clinic_app.kernel.base import UtcDateTime
from clinic_app.sync.driver_rows import PreparedInsert
from clinic_app.sync.wire import synced_tables


def _value(column: Column[Any], variant: int) -> Any:  # noqa: PLR0911 - one per kind
    """A value ``column`` holds; variant 1 leaves every optional column empty."""
    kind = column.type
    if variant == 1 and column.nullable and not column.primary_key:
        return None
    if isinstance(kind, Uuid):
        return uuid.uuid4()
    if isinstance(kind, UtcDateTime):
        return datetime(2026, 12, 3, 9, 15, 30, 123456, tzinfo=UTC)
    if isinstance(kind, Date):
        return date(1971, 5, 2)
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return next(iter(kind.enum_class))
    if isinstance(kind, Enum):
        return kind.enums[0]
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, Integer):
        return 1
    if isinstance(kind, Float | Numeric):
        return 1.5
    if isinstance(kind, JSON):
        return {"items": ["a", 1, None], "note": "é"}
    if isinstance(kind, String | Text):
        return "x"
    raise AssertionError(f"no sample value for {kind!r}")


def _stored_by(engine: Any, table: Table, write: Any) -> tuple[Any, ...] | None:
    """The one row ``write`` stores, as the database holds it (None if a rule refused it)."""
    with engine.connect() as conn:
        transaction = conn.begin()
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        try:
            write(conn)
        except SQLAlchemyError:
            transaction.rollback()
            return None
        (row,) = conn.exec_driver_sql(f"SELECT * FROM {table.name}").all()
        transaction.rollback()
    return tuple(row)


def _through_sqlalchemy(table: Table, row: dict[str, Any]) -> Any:
    return lambda conn: conn.execute(insert(table), [row])


def _through_driver(prepared: PreparedInsert, row: dict[str, Any]) -> Any:
    return lambda conn: prepared.execute(conn, [row])


def test_every_synced_table_stores_the_same_values_either_way(services: Services) -> None:
    engine = services.context.store.engine
    compared = 0
    for name, synced in sorted(synced_tables().items()):
        table = synced.table
        prepared = PreparedInsert.of(table, engine.dialect)
        assert prepared is not None, name
        for variant in (0, 1):
            values = {column.key: _value(column, variant) for column in table.columns}
            assert prepared.takes(values)
            expected = _stored_by(engine, table, _through_sqlalchemy(table, values))
            if expected is None:
                continue  # a rule of the table refuses the sample: not comparable
            assert _stored_by(engine, table, _through_driver(prepared, values)) == expected, name
            compared += 1
    # Every table takes the samples both ways: nothing is left out of the comparison.
    assert compared == 2 * len(synced_tables()), compared


def test_a_row_missing_a_column_is_not_taken(services: Services) -> None:
    table = synced_tables()["patient"].table
    prepared = PreparedInsert.of(table, services.context.store.engine.dialect)
    assert prepared is not None
    whole = {column.key: None for column in table.columns}
    assert prepared.takes(whole)
    assert not prepared.takes({k: v for k, v in whole.items() if k != "deleted"})
    assert not prepared.takes({**whole, "not_a_column": 1})
