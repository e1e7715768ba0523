"""The same measures give the same figures on PostgreSQL (the server) as on SQLite (a laptop)."""

from __future__ import annotations

import math
from datetime import date

import pytest

from clinic_app.figures.definitions import measure_file
from clinic_app.figures.results import Figures
from tests.core.figures.conftest import Service

pytestmark = pytest.mark.postgres

DEC, FEB = date(2026, 12, 1), date(2027, 2, 1)


def _same(on_sqlite: Figures, on_postgres: Figures) -> bool:
    if on_sqlite.status != on_postgres.status or len(on_sqlite.rows) != len(on_postgres.rows):
        return False
    for mine, theirs in zip(on_sqlite.rows, on_postgres.rows, strict=True):
        if (mine.key, mine.label, mine.numerator, mine.denominator, mine.status) != (
            theirs.key,
            theirs.label,
            theirs.numerator,
            theirs.denominator,
            theirs.status,
        ):
            return False
        if (mine.value is None) != (theirs.value is None):
            return False
        both = isinstance(mine.value, float) and isinstance(theirs.value, float)
        if both and not math.isclose(float(mine.value or 0), float(theirs.value or 0)):
            return False
    return True


def test_every_measure_and_breakdown_agrees(service: Service, pg_service: Service) -> None:
    compared = 0
    for measure in measure_file().measures:
        for breakdown in ("all", *measure.breakdowns):
            on_sqlite = service.figures(measure.id, DEC, FEB, breakdown)
            on_postgres = pg_service.figures(measure.id, DEC, FEB, breakdown)
            assert _same(on_sqlite, on_postgres), (measure.id, breakdown, on_sqlite, on_postgres)
            compared += 1
    assert compared > 100


def test_the_worked_figures_hold_on_postgresql(pg_service: Service) -> None:
    bank_holidays = pg_service.figures("triage_within_3_working_days", DEC)
    ages = pg_service.figures("did_not_attend_rate", date(2027, 1, 1), breakdown="age_band")
    wait = pg_service.figures("wait_to_first_contact", date(2027, 1, 1))

    assert [(r.numerator, r.denominator, r.value) for r in bank_holidays.rows] == [(2, 4, 0.5)]
    assert [(r.label, r.numerator, r.denominator) for r in ages.rows] == [
        ("25 to 29", 0, 1),
        ("45 to 49", 0, 1),
        ("65 to 69", 0, 1),
        ("75 to 79", 1, 2),
    ]
    assert [(r.denominator, r.value) for r in wait.rows] == [(3, 28.0)]


def test_a_clinicians_own_figures_agree(service: Service, pg_service: Service) -> None:
    for measure in ("did_not_attend_rate", "msk_hq_improved", "injections_given"):
        mine = service.figures(measure, DEC, FEB, "month", clinician_id=service.people.ann.id)
        theirs = pg_service.figures(
            measure, DEC, FEB, "month", clinician_id=pg_service.people.ann.id
        )
        assert _same(mine, theirs), measure
