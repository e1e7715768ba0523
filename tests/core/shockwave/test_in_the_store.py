"""What a session reads from the store: the patient's steroid injections, the device register,
the questionnaires answered; and the courses on the patient's timeline."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from clinic_app.demo import demo_password
from clinic_app.domains.injections.model import InjectionRecord
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.shockwave.record import COURSE
from clinic_app.domains.shockwave.views import DeviceInput, Outcome
from clinic_app.kernel.errors import FormErrors, PermissionDenied
from clinic_app.kernel.session import Actor
from clinic_app.kernel.vocabulary import ResponseMode, Timepoint
from tests.core.shockwave.conftest import Clinic, heel_course
from tests.support.merges import merged_by_sync


def _steroid_injection(
    clinic: Clinic, target: str, side: str, days_ago: int, patient: uuid.UUID | None = None
) -> None:
    """A signed steroid injection of the patient, as one synced from another laptop."""
    store = clinic.services.context.store
    session = store.sessions()
    try:
        session.actor = Actor(device_id=clinic.services.context.device_id)
        session.add(
            InjectionRecord(
                patient_id=patient or clinic.patient,
                status="signed",
                performed_on=date.today() - timedelta(days=days_ago),
                target=target,
                side=side,
                drugs=[{"product_id": "methylprednisolone_acetate_40", "mg": 40, "ml": 1}],
                signed_at=datetime.now(UTC),
                content_sha256="0" * 64,
            )
        )
        session.commit()
    finally:
        session.close()


def test_a_steroid_injection_at_the_shoulder_within_the_window_warns(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    clinic.set_rules(steroid_window_weeks=6)
    _steroid_injection(clinic, "subacromial_space", "right", days_ago=10)
    _steroid_injection(clinic, "knee_joint", "right", days_ago=5)
    device = clinic.device()
    shoulder = clinic.course(device, indication="calcific_shoulder", side="right")
    first = clinic.session(shoulder)

    warnings = services.shockwave.session_checks(clinician, first).warnings
    assert [(w.code, w.params.get("days")) for w in warnings] == [("recent_steroid", 10)]


def test_a_steroid_injection_under_a_registration_merged_into_the_record_warns(
    clinic: Clinic,
) -> None:
    services, clinician = clinic.services, clinic.clinician
    clinic.set_rules(steroid_window_weeks=6)
    # Injected under a second registration of the same person, since merged into this record.
    _steroid_injection(clinic, "subacromial_space", "right", days_ago=10, patient=clinic.other)
    shoulder = clinic.course(clinic.device(), indication="calcific_shoulder", side="right")
    first = clinic.session(shoulder)
    assert services.shockwave.session_checks(clinician, first).warnings == ()
    merged_by_sync(clinic.services, survivor=clinic.patient, merged=clinic.other)

    warnings = services.shockwave.session_checks(clinician, first).warnings
    assert [(w.code, w.params.get("days")) for w in warnings] == [("recent_steroid", 10)]


def test_with_no_window_set_the_latest_injection_at_the_shoulder_is_told_however_old(
    clinic: Clinic,
) -> None:
    services, clinician = clinic.services, clinic.clinician
    clinic.set_rules(steroid_window_weeks=None)  # the demo service set one; this one has not
    _steroid_injection(clinic, "subacromial_space", "right", days_ago=400)
    _steroid_injection(clinic, "glenohumeral_joint", "right", days_ago=200)
    shoulder = clinic.course(clinic.device(), indication="calcific_shoulder", side="right")
    first = clinic.session(shoulder)

    warnings = services.shockwave.session_checks(clinician, first).warnings
    assert [(w.code, w.params.get("days")) for w in warnings] == [("steroid_here_no_window", 200)]

    clinic.set_rules(steroid_window_weeks=6)
    assert services.shockwave.session_checks(clinician, first).warnings == ()


def test_with_no_service_interval_set_a_device_says_its_service_cannot_be_checked(
    clinic: Clinic,
) -> None:
    services, clinician = clinic.services, clinic.clinician
    clinic.set_rules(device_service_interval_months=None)  # the demo service set one
    device = clinic.device(last_service_on=date.today() - timedelta(days=800))
    assert device.service_unchecked
    assert device.service_due_on is None
    assert not device.overdue
    first = clinic.session(clinic.course(device))
    codes = [w.code for w in services.shockwave.session_checks(clinician, first).warnings]
    assert codes == ["device_service_unchecked"]

    clinic.set_rules(device_service_interval_months=24)
    codes = [w.code for w in services.shockwave.session_checks(clinician, first).warnings]
    assert codes == ["device_overdue"]
    [listed] = [d for d in services.eswt_devices.list(clinician) if d.id == device.id]
    assert listed.overdue
    assert not listed.service_unchecked
    assert listed.service_due_on is not None


def test_the_heel_is_not_warned_of_a_shoulder_injection(clinic: Clinic) -> None:
    _steroid_injection(clinic, "subacromial_space", "left", days_ago=10)
    course = clinic.course()
    first = clinic.session(course)
    assert clinic.services.shockwave.session_checks(clinic.clinician, first).can_sign


def test_the_register_is_kept_by_the_service_lead_and_shows_an_overdue_device(
    clinic: Clinic,
) -> None:
    services = clinic.services
    old = clinic.device(last_service_on=date.today() - timedelta(days=900), serial="RS-OLD")
    assert old.overdue
    assert not clinic.device(serial="RS-NEW").overdue
    assert {d.serial for d in services.eswt_devices.list(clinic.clinician)} >= {"RS-OLD", "RS-NEW"}

    with pytest.raises(PermissionDenied):
        services.eswt_devices.add(
            clinic.clinician, DeviceInput("Example", "Radial", "RS-X", "radial", date.today())
        )
    with pytest.raises(FormErrors) as refused:
        services.eswt_devices.add(
            clinic.lead,
            DeviceInput("", "Radial", "RS-OLD", "laser", date.today() + timedelta(days=1)),
        )
    assert {(e.code, e.field) for e in refused.value.errors} == {
        ("eswt_device.make_required", "make"),
        ("eswt_device.unknown_kind", "kind"),
        ("eswt_device.service_in_future", "last_service_on"),
    }
    serviced = services.eswt_devices.update(
        clinic.lead,
        old.id,
        DeviceInput("Example Medical", "Radial 2", "RS-OLD", "radial", date.today()),
    )
    assert not serviced.overdue


def _response(clinic: Clinic, total: int) -> uuid.UUID:
    session = clinic.services.context.store.sessions()
    try:
        session.actor = Actor(device_id=clinic.services.context.device_id)
        row = QuestionnaireResponse(
            patient_id=clinic.patient,
            questionnaire_id="example_foot_score",
            questionnaire_version="1",
            timepoint=Timepoint.BASELINE,
            mode=ResponseMode.CLINICIAN,
            complete=True,
            total=total,
        )
        session.add(row)
        session.commit()
        return row.id
    finally:
        session.close()


def test_questionnaires_named_before_and_after_show_their_change(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    before, after = _response(clinic, 40), _response(clinic, 22)
    device = clinic.device()
    course = clinic.course(device, outcome_before=Outcome(pain_nrs=8, responses=(before,)))
    with pytest.raises(FormErrors) as unknown:
        services.shockwave.save_course(
            clinician,
            course.id,
            heel_course(device, outcome_before=Outcome(responses=(uuid.uuid4(),))),
        )
    assert {(e.code, e.field) for e in unknown.value.errors} == {
        ("eswt.unknown_response", "outcome_before.responses")
    }
    clinic.sign(clinic.session(course))
    services.shockwave.close_course(
        clinician, course.id, Outcome(pain_nrs=4, responses=(after,)), demo_password("clinician")
    )

    change = services.shockwave.outcome_change(clinician, course.id)
    assert [(c.measure, c.words) for c in change.changes] == [
        ("pain_nrs", "8 -> 4"),
        ("example_foot_score", "40 -> 22"),
    ]


def test_the_course_and_its_sessions_are_on_the_timeline(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    course = clinic.course()
    first = clinic.session(course)
    clinic.sign(first)

    entries = [
        e
        for e in services.timeline.for_patient(clinician, clinic.patient).entries
        if e.kind in {"eswt_course", "eswt_session"}
    ]
    by_kind = {e.kind: e for e in entries}
    assert by_kind["eswt_course"].can_continue
    assert by_kind["eswt_course"].detail.startswith("Refractory plantar fasciitis, left")
    assert by_kind["eswt_session"].description.startswith("Shockwave session 1, signed")
    assert by_kind["eswt_session"].item_id == course.id


def test_a_closed_course_offers_a_letter_its_scores_before_and_after(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    course = clinic.course()
    clinic.sign(clinic.session(course))
    with services.context.store.sessions() as session:
        assert COURSE.letter_sections is not None
        assert COURSE.letter_sections(session, clinic.patient, None) == []
    services.shockwave.close_course(
        clinician, course.id, Outcome(pain_nrs=3), demo_password("clinician")
    )

    with services.context.store.sessions() as session:
        (offered,) = COURSE.letter_sections(session, clinic.patient, None)
    assert offered.final
    assert offered.text.splitlines() == [
        "Treated: Refractory plantar fasciitis, left, 3 sessions planned",
        "Sessions given: 1",
        "Pain (0-10): 7 -> 3",
    ]
