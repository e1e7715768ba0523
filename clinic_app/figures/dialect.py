"""The few expressions that differ between SQLite (a laptop) and PostgreSQL (the server).

Every other part of a figure's statement is the same on both. Days are UTC days: a
timestamp's day is its date in UTC on both engines (SQLite keeps timestamps in UTC without a
zone; PostgreSQL's are converted to UTC before the date is taken), so a fact just after
midnight in summer time counts on the day before, the same on both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Integer, String, case, cast, func
from sqlalchemy.types import TypeDecorator

POSTGRESQL = "postgresql"
SQLITE = "sqlite"


def _is_timestamp(column: Any) -> bool:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return isinstance(kind, DateTime)


def day_of(dialect: str, column: Any) -> Any:
    """The UTC day of a timestamp, or the day itself, as a date on both engines."""
    if dialect == POSTGRESQL:
        if _is_timestamp(column):
            return cast(func.timezone("UTC", column), Date)
        return cast(column, Date)
    return func.date(column, type_=Date)


def month_of(dialect: str, day: Any) -> Any:
    """A day's month as text, ``YYYY-MM``."""
    if dialect == POSTGRESQL:
        return func.to_char(day, "YYYY-MM", type_=String)
    return func.strftime("%Y-%m", day, type_=String)


def days_between(dialect: str, first: Any, last: Any) -> Any:
    """Whole days from one day to another (negative when ``last`` is earlier)."""
    if dialect == POSTGRESQL:
        return cast(last - first, Integer)
    return cast(func.julianday(last) - func.julianday(first), Integer)


def whole_years(dialect: str, born: Any, on: Any) -> Any:
    """Age in whole years on the day ``on`` of someone born on the day ``born``."""
    if dialect == POSTGRESQL:
        return cast(func.date_part("year", func.age(on, born)), Integer)
    years = cast(func.strftime("%Y", on), Integer) - cast(func.strftime("%Y", born), Integer)
    before_birthday = func.strftime("%m-%d", on) < func.strftime("%m-%d", born)
    return years - case((before_birthday, 1), else_=0)


def day_within(column: Any, first: date, end: date) -> list[Any]:
    """Conditions that the column's UTC day is from ``first`` to ``end`` (excluded).

    They are put on the column itself, so an index on it serves them: a timestamp from
    midnight UTC of ``first`` to midnight UTC of ``end``; a day as it is.
    """
    if _is_timestamp(column):
        return [
            column >= datetime(first.year, first.month, first.day, tzinfo=UTC),
            column < datetime(end.year, end.month, end.day, tzinfo=UTC),
        ]
    return [column >= first, column < end]
