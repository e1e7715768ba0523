"""Working days in England and Wales: Monday to Friday, less the bank holidays.

Conventions, used by every waiting-time target counted in working days:

- **A non-working day belongs to the next working day.** A referral that arrives on a
  Saturday, a Sunday or a bank holiday is treated as if it had arrived on the next working
  day; "today" on a weekend is likewise treated as the coming working day.
- **The day a referral arrives is day 0.** "Within 3 working days of receipt" means by the end
  of the 3rd working day after the (working) day it arrived: a referral received on Monday
  5 May 2025 (a bank holiday) counts from Tuesday 6 May and is due by the end of Friday 9 May.

Bank holidays come from the maintained ``holidays`` library (England; Wales shares the same
list), never from a list written here, so a newly announced one-off bank holiday arrives with
an update of that library.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache

from clinic_app.kernel.errors import ClinicError

# England and Wales share one list of bank holidays; the library keeps it under England.
_COUNTRY = "GB"
_SUBDIVISION = "ENG"
_SATURDAY = 5
_DAYS_IN_WEEK = 7
_WORKING_DAYS_IN_WEEK = 5


def _require_day(value: date) -> None:
    # A datetime is a date to the type checker but never equals one, so a bank holiday
    # given as a datetime would silently count as a working day.
    if isinstance(value, datetime):
        raise ClinicError("working_days.not_a_date", given=type(value).__name__)


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in one year (cached after the first call per year).

    Substitute days are included: when Christmas Day falls on a Saturday, the following
    Monday is a bank holiday too. The weekend date itself is also in the set.

    Args:
        year: the calendar year.

    Returns:
        Every bank holiday date of that year.
    """
    # The library loads on the first date worked out, not with the app (sign-in stays quick).
    import holidays  # noqa: PLC0415

    calendar = holidays.country_holidays(_COUNTRY, subdiv=_SUBDIVISION, years=year)
    return frozenset(calendar.keys())


def is_working_day(day: date) -> bool:
    """Tell whether a day is a working day in England and Wales.

    Args:
        day: a calendar date (not a datetime).

    Returns:
        True for Monday to Friday when the day is not a bank holiday.

    Raises:
        ClinicError: ``working_days.not_a_date`` when given a datetime.
    """
    _require_day(day)
    return day.weekday() < _SATURDAY and day not in bank_holidays(day.year)


def _on_or_after(day: date) -> date:
    """The working day a day belongs to: itself, or the next working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, n: int) -> date:
    """The day that is ``n`` working days after ``start``.

    ``start`` is day 0 when it is a working day; otherwise the next working day is day 0.
    So ``add_working_days(received, 3)`` is the last day on which a "within 3 working days"
    target is met, and ``add_working_days(day, 0)`` is the working day ``day`` belongs to.

    Args:
        start: the day the clock starts (e.g. the day a referral was received).
        n: how many working days to count; negative counts backwards.

    Returns:
        Always a working day.

    Raises:
        ClinicError: ``working_days.not_a_date`` when ``start`` is a datetime.
    """
    _require_day(start)
    day = _on_or_after(start)
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def _weekdays_after(after: date, upto: date) -> int:
    """Count Mondays to Fridays in ``(after, upto]``; ``after <= upto``."""
    full_weeks, extra = divmod((upto - after).days, _DAYS_IN_WEEK)
    first = after.weekday()
    tail = sum(1 for offset in range(1, extra + 1) if (first + offset) % 7 < _SATURDAY)
    return full_weeks * _WORKING_DAYS_IN_WEEK + tail


def _working_days_after(after: date, upto: date) -> int:
    """Count working days in ``(after, upto]``; ``after <= upto``."""
    closed_weekdays = sum(
        1
        for year in range(after.year, upto.year + 1)
        for holiday in bank_holidays(year)
        if after < holiday <= upto and holiday.weekday() < _SATURDAY
    )
    return _weekdays_after(after, upto) - closed_weekdays


def working_days_between(start: date, end: date) -> int:
    """How many working days ``end`` lies after ``start`` (negative when it lies before).

    Each non-working day counts as the working day it belongs to (the next one), so the
    count is the same as between those working days. This makes it the inverse of
    :func:`add_working_days`: ``working_days_between(d, add_working_days(d, n)) == n``
    for every day ``d`` and every ``n``. It is also antisymmetric and additive.

    Args:
        start: the earlier day (e.g. today, or the day a referral was received).
        end: the later day (e.g. a due date).

    Returns:
        The signed number of working days from ``start`` to ``end``; 0 when both belong
        to the same working day.

    Raises:
        ClinicError: ``working_days.not_a_date`` when either day is a datetime.
    """
    _require_day(start)
    _require_day(end)
    first, last = _on_or_after(start), _on_or_after(end)
    if first <= last:
        return _working_days_after(first, last)
    return -_working_days_after(last, first)
