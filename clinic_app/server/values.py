"""Whether a pushed value fits its column, checked before the database sees it.

A value of the wrong kind (text in a yes/no field, a number for a name), text longer than
its column, or a number no column holds would otherwise be refused by the database in the
middle of a batch, and each engine refuses different things (SQLite stores almost anything).
Checked here, on both engines alike, such a change is refused on its own, with a reason,
and the rest of its batch goes on.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Table,
)

from clinic_app.kernel.base import UtcDateTime

#: The largest magnitude each kind of integer column holds (both engines).
_INTEGER_BITS: tuple[tuple[type[Integer], int], ...] = (
    (SmallInteger, 15),
    (BigInteger, 63),
    (Integer, 31),
)
_JSON_INTEGER_BITS = 63


def _whole_number(value: Any, bits: int) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and -(2**bits) <= value <= 2**bits - 1
    )


def _json_fits(value: Any, depth: int = 0) -> bool:  # noqa: PLR0911 - one per JSON kind
    """JSON any engine stores and any device reads back: no NUL, no number beyond 64 bits."""
    if depth > 64:
        return False
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return _whole_number(value, _JSON_INTEGER_BITS)
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, list):
        return all(_json_fits(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(
            isinstance(key, str) and "\x00" not in key and _json_fits(item, depth + 1)
            for key, item in value.items()
        )
    return False


def _is_datetime(value: Any) -> bool:
    return isinstance(value, datetime)


def _is_date(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _anything(value: Any) -> bool:
    return True


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_finite_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and abs(value) < 1e300


def _kind_check(column: Column[Any]) -> Callable[[Any], bool]:  # noqa: PLR0911 - one per kind
    """How a (not None) value is checked against ``column``'s kind, worked out once."""
    kind = column.type
    if isinstance(kind, UtcDateTime | DateTime):
        return _is_datetime
    if isinstance(kind, Date):
        return _is_date
    if isinstance(kind, Enum):
        return _anything  # decoded into its enum already, or refused
    if isinstance(kind, Boolean):
        return _is_bool
    if isinstance(kind, Integer):
        bits = next(b for cls, b in _INTEGER_BITS if isinstance(kind, cls))
        return lambda value: _whole_number(value, bits)
    if isinstance(kind, Float | Numeric):
        return _is_finite_number
    if isinstance(kind, String):
        length = kind.length

        def fits_text(value: Any) -> bool:
            return (
                isinstance(value, str)
                and "\x00" not in value
                and (length is None or len(value) <= length)
            )

        return fits_text
    if isinstance(kind, JSON):
        return _json_fits
    return _anything  # ids, files: decoded and checked by their own code


@cache
def _checks(table: Table) -> tuple[frozenset[str], dict[str, Callable[[Any], bool]]]:
    """The columns that may not be None, and how a value of each other kind is checked.

    Columns whose values need no check here (ids, enums, files: decoded and checked by
    their own code) are left out: a push checks every value of thousands of rows.
    """
    required = frozenset(column.key for column in table.columns if not column.nullable)
    checks = {column.key: _kind_check(column) for column in table.columns}
    return required, {name: fits for name, fits in checks.items() if fits is not _anything}


def unfit_fields(table: Table, values: Mapping[str, Any]) -> list[str]:
    """The names of the values (decoded from the wire) their columns of ``table`` cannot hold.

    A value may be None only where the column allows it. ``values`` name columns of
    ``table`` only (``SyncedTable.decode`` refuses any other).
    """
    required, checks = _checks(table)
    unfit = []
    for name, value in values.items():
        if value is None:
            if name in required:
                unfit.append(name)
        elif (fits := checks.get(name)) is not None and not fits(value):
            unfit.append(name)
    return unfit
