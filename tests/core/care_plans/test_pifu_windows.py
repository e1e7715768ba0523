"""Open PIFU windows and those about to lapse: per clinician, and for the service lead."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from clinic_app.domains.care_plans.rules import pifu_ends_on
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import PermissionDenied
from tests.core.care_plans.conftest import TODAY, Clinic, agreed_plan
from tests.support.merges import merged_by_sync

ENDS = pifu_ends_on(TODAY, 6)


def _sign(clinic: Clinic, who: CurrentUser, patient: uuid.UUID, **change: object) -> uuid.UUID:
    plans = clinic.services.care_plans
    started = plans.start(who, patient)
    plans.save(who, started.id, patient, replace(agreed_plan(), **change))
    return plans.sign(who, started.id, patient, f"{who.username}-demo-2026").id


def test_a_clinician_sees_the_windows_of_the_plans_they_signed(clinic: Clinic) -> None:
    supervisor = clinic.login("supervisor")
    mine = _sign(clinic, clinic.clinician, clinic.patient)
    theirs = _sign(clinic, supervisor, clinic.other, pifu_months=3)
    plans = clinic.services.care_plans

    [window] = plans.pifu_windows(clinic.clinician)

    assert (window.plan_id, window.patient_id, window.starts_on, window.ends_on) == (
        mine,
        clinic.patient,
        TODAY,
        ENDS,
    )
    assert window.clinician.startswith("Priya Shah")
    assert window.patient_name
    assert window.nhs_number.count(" ") == 2
    service = plans.pifu_windows(supervisor, whole_service=True)
    # The shorter window ends first.
    assert [w.plan_id for w in service] == [theirs, mine]
    lead = plans.pifu_windows(clinic.login("admin"), whole_service=True)
    assert [w.plan_id for w in lead] == [theirs, mine]


def test_who_may_see_which_list(clinic: Clinic) -> None:
    plans = clinic.services.care_plans

    with pytest.raises(PermissionDenied):
        plans.pifu_windows(clinic.clinician, whole_service=True)
    with pytest.raises(PermissionDenied):
        plans.pifu_windows(clinic.login("admin"))


def test_a_window_about_to_lapse_is_flagged_at_the_warning_days(clinic: Clinic) -> None:
    _sign(clinic, clinic.clinician, clinic.patient)
    plans = clinic.services.care_plans

    def seen(days_before_end: int) -> list[tuple[int, bool]]:
        on = ENDS - timedelta(days=days_before_end)
        return [(w.days_left, w.about_to_lapse) for w in plans.pifu_windows(clinic.clinician, on)]

    assert seen(15) == [(15, False)]
    assert seen(14) == [(14, True)]
    assert seen(0) == [(0, True)]
    assert seen(-1) == []
    assert plans.pifu_windows(clinic.clinician, TODAY - timedelta(days=1)) == []


def test_a_plan_with_no_window_or_a_replaced_one_is_not_listed(clinic: Clinic) -> None:
    plans = clinic.services.care_plans
    first = _sign(clinic, clinic.clinician, clinic.patient)
    _sign(clinic, clinic.clinician, clinic.other, pifu_months=None)

    review = plans.review(clinic.clinician, first, clinic.patient)
    plans.save(clinic.clinician, review.id, clinic.patient, replace(agreed_plan(), pifu_months=2))
    # A draft review leaves the signed version's window open.
    assert [w.plan_id for w in plans.pifu_windows(clinic.clinician)] == [first]
    plans.sign(clinic.clinician, review.id, clinic.patient, "clinician-demo-2026")

    [window] = plans.pifu_windows(clinic.clinician)
    assert (window.plan_id, window.ends_on) == (review.id, pifu_ends_on(TODAY, 2))


def test_reading_the_list_is_audited(clinic: Clinic) -> None:
    clinic.services.care_plans.pifu_windows(clinic.clinician)

    with clinic.services.context.store.sessions() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None
    assert (entry.action, entry.user_id) == ("care_plan.pifu_list", clinic.clinician.id)


def test_a_window_of_a_plan_under_a_merged_registration_names_the_surviving_record(
    clinic: Clinic,
) -> None:
    # The plan was signed under a second registration, since merged into clinic.patient's.
    _sign(clinic, clinic.clinician, clinic.other)
    merged_by_sync(clinic.services, survivor=clinic.patient, merged=clinic.other)
    survivor = clinic.services.patients.open(clinic.clinician, clinic.patient)

    [window] = clinic.services.care_plans.pifu_windows(clinic.clinician)

    assert window.patient_id == clinic.patient
    assert window.patient_name == f"{survivor.family_name.upper()}, {survivor.given_name}"
