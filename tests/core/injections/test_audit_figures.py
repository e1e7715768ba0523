"""The injections audit counted on a seeded set: the service lead's and a clinician's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from clinic_app.domains.injections.figures import Count, InjectionFigures, range_bounds
from clinic_app.kernel.errors import PermissionDenied
from tests.core.injections.audit_seed import PGD_NAME, patient_identifiers, seed_injections
from tests.core.injections.conftest import Clinic


def _months(today: date) -> tuple[date, date]:
    first = (today.replace(day=1) - timedelta(days=330)).replace(day=1)
    return first, today


def test_the_service_lead_sees_everyone_and_each_clinician(clinic: Clinic) -> None:
    seed_injections(clinic.services, clinic.clinician, clinic.colleague, clinic.patient)
    first, last = _months(datetime.now(UTC).date())

    audit = clinic.services.injections.audit(clinic.lead, first, last)

    assert audit.everyone
    service = audit.overall
    assert service.clinician_id is None
    assert service.signed == 5
    assert service.by_target == (
        Count("knee_joint", "Knee joint", 3),
        Count("glenohumeral_joint", "Glenohumeral joint", 1),
        Count("subacromial_space", "Subacromial space", 1),
    )
    assert service.by_guidance == (Count("ultrasound", "", 3), Count("landmark", "", 2))
    assert {(c.key, c.label, c.count) for c in service.by_authority} == {
        (f"pgd:{PGD_NAME}:2.1", f"{PGD_NAME} (version 2.1)", 2),
        (f"pgd:{PGD_NAME}:2.0", f"{PGD_NAME} (version 2.0)", 1),
        ("psd", "", 1),
        ("prescriber", "", 1),
    }
    assert service.immediate_reactions == 1
    assert (service.with_addenda, service.addenda) == (2, 3)
    assert service.repeats == 3
    assert service.repeat_rate == pytest.approx(0.6)

    by_name = {row.name: row for row in audit.clinicians}
    assert set(by_name) == {
        "Priya Shah (Advanced Physiotherapist)",
        "Dr Helen Marsh (POCUS Supervisor)",
    }
    mine = by_name["Priya Shah (Advanced Physiotherapist)"]
    assert (mine.signed, mine.repeats, mine.with_addenda, mine.addenda) == (4, 2, 1, 2)
    assert mine.repeat_rate == pytest.approx(0.5)
    theirs = by_name["Dr Helen Marsh (POCUS Supervisor)"]
    assert (theirs.signed, theirs.repeats, theirs.addenda) == (1, 1, 1)
    assert theirs.by_authority == (Count(f"pgd:{PGD_NAME}:2.0", f"{PGD_NAME} (version 2.0)", 1),)


def test_a_clinician_sees_only_their_own(clinic: Clinic) -> None:
    seed_injections(clinic.services, clinic.clinician, clinic.colleague, clinic.patient)
    first, last = _months(datetime.now(UTC).date())

    audit = clinic.services.injections.audit(clinic.clinician, first, last)

    assert not audit.everyone
    assert audit.clinicians == ()
    mine = audit.overall
    assert mine.clinician_id == clinic.clinician.id
    assert mine.name == clinic.clinician.display_name
    assert (mine.signed, mine.repeats, mine.immediate_reactions) == (4, 2, 1)
    assert sum(c.count for c in mine.by_target) == 4


def test_the_range_is_whole_months_in_either_order(clinic: Clinic) -> None:
    seed_injections(clinic.services, clinic.clinician, clinic.colleague, clinic.patient)
    today = datetime.now(UTC).date()
    long_ago = today - timedelta(days=430)

    audit = clinic.services.injections.audit(clinic.lead, long_ago, long_ago)
    reversed_range = clinic.services.injections.audit(clinic.lead, today, long_ago)

    assert audit.first == long_ago.replace(day=1) == audit.last
    assert audit.overall.signed == 1
    assert audit.overall.repeats == 1
    assert reversed_range.first == long_ago.replace(day=1)
    assert reversed_range.last == today.replace(day=1)
    assert reversed_range.overall.signed == 6


def test_an_empty_range_has_no_rate(clinic: Clinic) -> None:
    audit = clinic.services.injections.audit(clinic.lead, date(2020, 1, 1), date(2020, 12, 1))

    assert audit.overall == InjectionFigures(None)
    assert audit.overall.repeat_rate is None
    assert audit.overall.reaction_rate is None
    assert audit.clinicians == ()
    mine = clinic.services.injections.audit(clinic.clinician, date(2020, 1, 1), date(2020, 1, 1))
    assert mine.overall.signed == 0


def test_range_bounds_cross_the_year() -> None:
    assert range_bounds(date(2025, 12, 9), date(2026, 12, 5)) == (
        datetime(2025, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )


def test_someone_who_neither_leads_nor_injects_is_refused(clinic: Clinic) -> None:
    trainee = clinic.login("trainee")
    with pytest.raises(PermissionDenied):
        clinic.services.injections.audit(trainee, date.today(), date.today())


def test_no_patient_is_in_the_figures(clinic: Clinic) -> None:
    seed_injections(clinic.services, clinic.clinician, clinic.colleague, clinic.patient)
    first, last = _months(datetime.now(UTC).date())

    shown = repr(clinic.services.injections.audit(clinic.lead, first, last))

    for identifier in patient_identifiers(clinic.services, clinic.patient):
        assert identifier not in shown
