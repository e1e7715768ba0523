"""The working-day calendar a figure's statement counts working days with.

Each day from a first to a last is given its working-day number: how many working days
(Monday to Friday, less England and Wales bank holidays, from ``working_days``) fall before
it in the calendar. The working days from one day to another are then the difference of
their numbers, which keeps the conventions of ``clinic_app.domains.triage.working_days``: a
non-working day belongs to the next working day, and the day of receipt is day 0. The
calendar travels in the statement as a VALUES list, so no table is needed on either engine.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Integer, column, values

from clinic_app.domains.triage.working_days import is_working_day


def working_day_numbers(first: date, last: date) -> list[tuple[date, int]]:
    """Each day from ``first`` to ``last`` with the working days before it since ``first``."""
    numbered: list[tuple[date, int]] = []
    before = 0
    day = first
    while day <= last:
        numbered.append((day, before))
        before += is_working_day(day)
        day += timedelta(days=1)
    return numbered


def calendar_table(first: date, last: date, name: str) -> Any:
    """The calendar from ``first`` to ``last``: a common table (day, n) of a VALUES list.

    A common table rather than a VALUES list in FROM: SQLite names a VALUES list's columns
    only in a WITH clause.
    """
    return (
        values(column("day", Date), column("n", Integer), name=name)
        .data(working_day_numbers(first, last))
        .cte(name)
    )
