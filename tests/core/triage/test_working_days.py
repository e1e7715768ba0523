"""Working days in England and Wales: bank holidays, day 0 and counting across them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic_app.domains.triage.working_days import (
    add_working_days,
    bank_holidays,
    is_working_day,
    working_days_between,
)
from clinic_app.kernel.errors import ClinicError

# Dates checked against the published England and Wales bank holidays.
EASTER = {
    2025: (date(2025, 4, 18), date(2025, 4, 21)),
    2026: (date(2026, 4, 3), date(2026, 4, 6)),
}
MAY_AND_AUGUST = {
    2025: (date(2025, 5, 5), date(2025, 5, 26), date(2025, 8, 25)),
    2026: (date(2026, 5, 4), date(2026, 5, 25), date(2026, 8, 31)),
}


@pytest.mark.parametrize("year", sorted(EASTER))
def test_good_friday_and_easter_monday_are_closed(year: int) -> None:
    good_friday, easter_monday = EASTER[year]
    assert good_friday.weekday() == 4
    assert easter_monday.weekday() == 0
    assert {good_friday, easter_monday} <= bank_holidays(year)
    assert not is_working_day(good_friday)
    assert not is_working_day(easter_monday)
    assert is_working_day(good_friday - timedelta(days=1))
    assert is_working_day(easter_monday + timedelta(days=1))


@pytest.mark.parametrize("year", sorted(MAY_AND_AUGUST))
def test_early_may_spring_and_august_bank_holidays(year: int) -> None:
    for monday in MAY_AND_AUGUST[year]:
        assert monday.weekday() == 0
        assert monday in bank_holidays(year)
        assert not is_working_day(monday)


def test_christmas_on_weekdays() -> None:
    # 2025: Thursday and Friday, so no substitute day.
    assert not is_working_day(date(2025, 12, 25))
    assert not is_working_day(date(2025, 12, 26))
    assert is_working_day(date(2025, 12, 29))


def test_boxing_day_on_a_saturday_moves_to_monday() -> None:
    # 2026: Christmas Day Friday, Boxing Day Saturday -> substitute Monday 28 December.
    assert not is_working_day(date(2026, 12, 25))
    assert date(2026, 12, 26) in bank_holidays(2026)
    assert not is_working_day(date(2026, 12, 28))
    assert is_working_day(date(2026, 12, 29))


def test_christmas_on_a_weekend_moves_to_monday_and_tuesday() -> None:
    # 2027: Christmas Day Saturday, Boxing Day Sunday -> substitutes Monday 27, Tuesday 28.
    assert date(2027, 12, 25).weekday() == 5
    assert not is_working_day(date(2027, 12, 27))
    assert not is_working_day(date(2027, 12, 28))
    assert is_working_day(date(2027, 12, 29))
    assert add_working_days(date(2027, 12, 24), 1) == date(2027, 12, 29)


def test_one_off_bank_holidays_come_from_the_library() -> None:
    # Announced bank holidays that no rule of the calendar predicts.
    assert not is_working_day(date(2022, 9, 19))  # state funeral
    assert not is_working_day(date(2023, 5, 8))  # coronation


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_wales_has_the_same_bank_holidays_as_england(year: int) -> None:
    england = holidays.country_holidays("GB", subdiv="ENG", years=year)
    wales = holidays.country_holidays("GB", subdiv="WLS", years=year)
    assert set(england) == set(wales)
    assert bank_holidays(year) == frozenset(wales)


def test_bank_holidays_are_cached() -> None:
    assert bank_holidays(2026) is bank_holidays(2026)


def test_received_on_a_working_day_is_day_zero() -> None:
    tuesday = date(2025, 3, 11)
    assert add_working_days(tuesday, 0) == tuesday
    assert add_working_days(tuesday, 3) == date(2025, 3, 14)


def test_received_on_a_saturday_counts_from_monday() -> None:
    saturday = date(2025, 3, 8)
    assert add_working_days(saturday, 0) == date(2025, 3, 10)
    assert add_working_days(saturday, 3) == date(2025, 3, 13)
    # Same due date as a referral that arrived on the Monday itself.
    assert add_working_days(saturday, 3) == add_working_days(date(2025, 3, 10), 3)


def test_received_on_a_bank_holiday_weekend_counts_from_tuesday() -> None:
    # Saturday 3 May 2025, then Sunday and the early May bank holiday: day 0 is Tuesday 6 May.
    assert add_working_days(date(2025, 5, 3), 0) == date(2025, 5, 6)
    assert add_working_days(date(2025, 5, 3), 3) == date(2025, 5, 9)


def test_three_working_days_across_easter_2025() -> None:
    # Thursday 17 April is day 0; Good Friday and Easter Monday are skipped.
    assert add_working_days(date(2025, 4, 17), 3) == date(2025, 4, 24)
    assert working_days_between(date(2025, 4, 17), date(2025, 4, 24)) == 3


def test_five_working_days_across_the_august_bank_holiday_2026() -> None:
    # Thursday 27 August is day 0; Monday 31 August is a bank holiday.
    assert add_working_days(date(2026, 8, 27), 5) == date(2026, 9, 4)


def test_counting_across_the_year_end() -> None:
    # Wednesday 24 December 2025: Christmas, Boxing Day and New Year's Day are skipped.
    start = date(2025, 12, 24)
    assert add_working_days(start, 3) == date(2025, 12, 31)
    assert add_working_days(start, 4) == date(2026, 1, 2)
    assert add_working_days(start, 5) == date(2026, 1, 5)
    assert working_days_between(start, date(2026, 1, 5)) == 5
    assert working_days_between(date(2026, 1, 5), start) == -5


def test_counting_backwards() -> None:
    assert add_working_days(date(2025, 4, 22), -1) == date(2025, 4, 17)
    assert add_working_days(date(2025, 4, 19), -1) == date(2025, 4, 17)


def test_between_treats_a_weekend_as_the_next_working_day() -> None:
    friday, saturday, monday = date(2025, 3, 7), date(2025, 3, 8), date(2025, 3, 10)
    assert working_days_between(saturday, monday) == 0
    assert working_days_between(friday, saturday) == 1
    assert working_days_between(saturday, friday) == -1
    assert working_days_between(friday, friday) == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda: is_working_day(datetime(2025, 12, 25, 9, 0)),
        lambda: add_working_days(datetime(2025, 12, 24, 9, 0), 1),
        lambda: working_days_between(date(2025, 12, 24), datetime(2025, 12, 29, 9, 0)),
    ],
)
def test_a_datetime_is_refused(call: Callable[[], object]) -> None:
    with pytest.raises(ClinicError) as caught:
        call()
    assert caught.value.code == "working_days.not_a_date"


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
counts = st.integers(min_value=-400, max_value=400)


@settings(database=None, deadline=None)
@given(start=days, n=counts)
def test_adding_lands_on_a_working_day_and_between_inverts_it(start: date, n: int) -> None:
    due = add_working_days(start, n)
    assert is_working_day(due)
    assert working_days_between(start, due) == n


@settings(database=None, deadline=None)
@given(start=days, n=counts)
def test_adding_is_strictly_increasing_in_n(start: date, n: int) -> None:
    assert add_working_days(start, n) < add_working_days(start, n + 1)


@settings(database=None, deadline=None)
@given(start=days, end=days)
def test_between_is_antisymmetric_and_reaches_the_end(start: date, end: date) -> None:
    count = working_days_between(start, end)
    assert working_days_between(end, start) == -count
    assert add_working_days(start, count) == add_working_days(end, 0)


@settings(database=None, deadline=None)
@given(start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
def test_between_matches_counting_day_by_day(start: date) -> None:
    end = start + timedelta(days=60)
    first, last = add_working_days(start, 0), add_working_days(end, 0)
    between = (first + timedelta(days=offset) for offset in range(1, (last - first).days + 1))
    assert working_days_between(start, end) == sum(1 for day in between if is_working_day(day))
