"""Reading dates as clinic staff type them: 12/03/1975, 12-03-1975, 12.3.1975 or 1975-03-12."""

from __future__ import annotations

import re
from datetime import date

from clinic_app.kernel.errors import ValidationError

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def read_date(text: str) -> date | None:
    """The date written in ``text`` (UK day-first or ISO), or None if it is not one."""
    value = text.strip()
    match = _ISO.match(value)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _UK.match(value)
        if not match:
            return None
        day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str, field: str) -> date:
    """Like ``read_date`` but raising a field error.

    Raises:
        ValidationError: ``date.required`` for an empty field, ``date.invalid`` otherwise.
    """
    if not text.strip():
        raise ValidationError("date.required", field=field)
    parsed = read_date(text)
    if parsed is None:
        raise ValidationError("date.invalid", field=field)
    return parsed
