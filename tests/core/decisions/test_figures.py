"""The month's shared-decision figures per clinician, counted on a seeded month."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from clinic_app.domains.decisions.figures import DecisionFigures, month_bounds
from clinic_app.domains.decisions.model import DecisionRecord
from clinic_app.domains.decisions.views import DecisionInput
from clinic_app.domains.injections.model import InjectionRecord
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import PermissionDenied
from clinic_app.kernel.session import Actor
from clinic_app.kernel.vocabulary import RecordStatus
from tests.core.decisions.conftest import AID, Clinic

BASE = DecisionInput(decision_maker="patient", choice="not_now")


def _sign(clinic: Clinic, who: CurrentUser, password: str, data: DecisionInput) -> None:
    decisions = clinic.services.decisions
    started = decisions.start(who, clinic.patient, AID)
    decisions.save(who, started.id, clinic.patient, data)
    decisions.sign(who, started.id, clinic.patient, password)


def _seed(clinic: Clinic) -> None:
    clinician = clinic.clinician
    password = "clinician-demo-2026"
    # 26 signed by the clinician: 25 CollaboRATE responses (20 top box), 16 leading to a
    # procedure (10 injections, 6 scans).
    for number in range(26):
        choice = "injection" if number < 10 else "scan" if number < 16 else "not_now"
        scores = None if number == 25 else (9, 9, 9) if number < 20 else (9, 8, 9)
        _sign(clinic, clinician, password, replace(BASE, choice=choice, collaborate=scores))
    # 3 by the supervisor, all top box: too few to rate.
    supervisor = clinic.login("supervisor")
    for _ in range(3):
        _sign(
            clinic,
            supervisor,
            "supervisor-demo-2026",
            replace(BASE, choice="injection", collaborate=(9, 9, 9)),
        )
    # A draft never counts.
    clinic.services.decisions.start(clinician, clinic.patient, AID)


def test_the_month_is_counted_per_clinician_with_the_too_few_rule(clinic: Clinic) -> None:
    _seed(clinic)
    admin = clinic.login("admin")
    today = datetime.now(UTC).date()

    month = clinic.services.decisions.figures(admin, today)

    assert month.month == today.replace(day=1)
    by_name = {row.name: row for row in month.clinicians}
    mine = by_name["Priya Shah (Advanced Physiotherapist)"]
    assert (mine.sdm_records, mine.leading_to_procedure) == (26, 16)
    # No injection (or other record a decision leads to) yet: the measure is not a rate.
    assert mine.aids_used is None
    assert (mine.collaborate_responses, mine.collaborate_top_box) == (25, 20)
    assert not mine.too_few_to_rate
    assert mine.collaborate_rate == pytest.approx(0.8)
    assert mine.collaborate_shown == "80% (25 responses)"
    theirs = by_name["Dr Helen Marsh (POCUS Supervisor)"]
    assert (theirs.sdm_records, theirs.collaborate_responses) == (3, 3)
    assert theirs.too_few_to_rate
    assert theirs.collaborate_rate is None
    assert theirs.collaborate_shown == "too few to rate (3 responses)"
    assert (month.service.sdm_records, month.service.leading_to_procedure) == (29, 19)
    assert (month.service.collaborate_responses, month.service.collaborate_top_box) == (28, 23)


def test_a_record_counts_in_the_month_it_was_signed(clinic: Clinic) -> None:
    _sign(clinic, clinic.clinician, "clinician-demo-2026", replace(BASE, collaborate=(9, 9, 9)))
    _sign(clinic, clinic.clinician, "clinician-demo-2026", BASE)
    start, _end = month_bounds(datetime.now(UTC).date())
    earlier = start - timedelta(days=3)
    with clinic.services.context.store.sessions.begin() as session:
        session.execute(
            update(DecisionRecord)
            .where(DecisionRecord.collaborate.is_not(None))
            .values(signed_at=earlier)
            .execution_options(synchronize_session=False)
        )
    admin = clinic.login("admin")

    now = clinic.services.decisions.figures(admin, start.date())
    before = clinic.services.decisions.figures(admin, earlier.date())

    assert (now.service.sdm_records, now.service.collaborate_responses) == (1, 0)
    assert (before.service.sdm_records, before.service.collaborate_responses) == (1, 1)
    assert before.month == earlier.date().replace(day=1)


def test_an_empty_month_has_no_ratio_and_is_too_few_to_rate(clinic: Clinic) -> None:
    month = clinic.services.decisions.figures(clinic.login("admin"), date(2020, 12, 31))

    assert month.clinicians == ()
    assert month.service == DecisionFigures(None, 0, 0, 0, 0)
    assert month.service.aids_used is None
    assert month.service.too_few_to_rate


def test_month_bounds_cross_the_year() -> None:
    start, end = month_bounds(date(2026, 12, 5))
    assert (start, end) == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )


def test_a_clinician_does_not_see_the_service_figures(clinic: Clinic) -> None:
    with pytest.raises(PermissionDenied):
        clinic.services.decisions.figures(clinic.clinician, date.today())


def test_aids_used_is_procedures_naming_a_decision_over_all_procedures(clinic: Clinic) -> None:
    """The service's measure, seeded: signed injections of the month, with and without a
    shared decision behind them; drafts, deleted records and other months do not count."""
    _sign(clinic, clinic.clinician, "clinician-demo-2026", replace(BASE, choice="injection"))
    (decision,) = clinic.services.decisions.for_patient(clinic.clinician, clinic.patient)
    supervisor = clinic.login("supervisor")
    now = datetime.now(UTC)
    start, _end = month_bounds(now.date())

    def injection(by: CurrentUser, *, sdm: bool, **columns: object) -> InjectionRecord:
        values: dict[str, object] = {
            "patient_id": clinic.patient,
            "status": RecordStatus.SIGNED.value,
            "signed_at": now,
            "signed_by": by.id,
            "created_by": by.id,
            "sdm_record_id": decision.id if sdm else None,
            "sdm_missing_reason": None if sdm else "Seen urgently; talked through on the day.",
        }
        values.update(columns)
        return InjectionRecord(**values)

    with clinic.services.context.store.sessions.begin() as session:
        session.actor = Actor(
            device_id=clinic.services.context.device_id, user_id=clinic.clinician.id
        )
        session.add_all(
            [
                injection(clinic.clinician, sdm=True),
                injection(clinic.clinician, sdm=True),
                injection(clinic.clinician, sdm=False),
                injection(supervisor, sdm=False),
                # None of these count.
                injection(
                    clinic.clinician,
                    sdm=False,
                    status=RecordStatus.DRAFT.value,
                    signed_at=None,
                    signed_by=None,
                ),
                injection(clinic.clinician, sdm=False, deleted=True),
                injection(clinic.clinician, sdm=False, signed_at=start - timedelta(days=1)),
            ]
        )

    month = clinic.services.decisions.figures(clinic.login("admin"), now.date())

    by_name = {row.name: row for row in month.clinicians}
    mine = by_name["Priya Shah (Advanced Physiotherapist)"]
    assert (mine.procedures, mine.procedures_with_aid) == (3, 2)
    assert mine.aids_used == pytest.approx(2 / 3)
    theirs = by_name["Dr Helen Marsh (POCUS Supervisor)"]
    assert (theirs.sdm_records, theirs.procedures, theirs.procedures_with_aid) == (0, 1, 0)
    assert theirs.aids_used == 0
    assert (month.service.procedures, month.service.procedures_with_aid) == (4, 2)
    assert month.service.aids_used == pytest.approx(0.5)
