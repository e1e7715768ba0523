"""A shockwave course opened, given session by session (each signed), and closed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from clinic_app.demo import demo_password
from clinic_app.domains.shockwave.record import COURSE, SESSION
from clinic_app.domains.shockwave.views import Outcome
from clinic_app.kernel.errors import (
    AuthenticationFailed,
    Conflict,
    FormErrors,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from clinic_app.records.registry import record_types
from tests.core.shockwave.conftest import ALL_NO, Clinic, heel_course, radial_session


def _codes(error: FormErrors) -> set[tuple[str, str | None]]:
    return {(e.code, e.field) for e in error.errors}


def test_the_course_and_its_sessions_are_registered_record_types() -> None:
    assert record_types()["eswt_course"] is COURSE
    assert record_types()["eswt_session"] is SESSION


def test_a_course_is_given_session_by_session_and_closed_with_its_scores(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    course = clinic.course()
    assert course.fields.indication == "plantar_fasciitis"
    assert course.local_anaesthetic_note.startswith("Local anaesthesia may be used")

    first = clinic.session(course)
    assert services.shockwave.session_checks(clinician, first).can_sign
    signed = clinic.sign(first)
    given = signed.sessions[0]
    assert (given.number, given.is_signed, given.intact) == (1, True, True)
    assert given.device_serial
    assert given.device_kind == "radial"

    services.shockwave.add_session(clinician, course.id)
    with pytest.raises(Conflict) as closing_early:
        services.shockwave.close_course(
            clinician, course.id, Outcome(pain_nrs=3), demo_password("clinician")
        )
    assert closing_early.value.code == "eswt.session_open"

    closed = services.shockwave.get(clinician, course.id)
    second = next(s for s in closed.sessions if not s.is_signed)
    services.shockwave.save_session(clinician, second.id, radial_session(performed_on=date.today()))
    # The first session was today too: under the week apart, which warns.
    checks = services.shockwave.session_checks(clinician, second.id)
    assert "too_soon" in {w.code for w in checks.warnings}
    services.shockwave.acknowledge(clinician, second.id, "too_soon")
    clinic.sign(second.id)

    closed = services.shockwave.close_course(
        clinician, course.id, Outcome(pain_nrs=3), demo_password("clinician")
    )
    assert closed.is_closed
    assert closed.intact
    change = services.shockwave.outcome_change(clinician, course.id)
    assert [(c.measure, c.words) for c in change.changes] == [("pain_nrs", "7 -> 3")]
    assert [c.id for c in services.shockwave.for_patient(clinician, clinic.patient)] == [course.id]


def test_a_signed_session_and_a_closed_course_never_change(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    course = clinic.course()
    first = clinic.session(course)
    with pytest.raises(AuthenticationFailed):
        services.shockwave.sign_session(clinician, first, "not the password")
    clinic.sign(first)

    with pytest.raises(Conflict) as edited:
        services.shockwave.save_session(clinician, first, radial_session(pulses=2500))
    assert edited.value.code == "eswt.session_signed"
    with pytest.raises(Conflict) as started:
        services.shockwave.save_course(
            clinician, course.id, heel_course(clinic.device(), side="right")
        )
    assert started.value.code == "eswt.course_started"

    services.shockwave.close_course(
        clinician, course.id, Outcome(pain_nrs=2), demo_password("clinician")
    )
    with pytest.raises(Conflict) as closed:
        services.shockwave.add_session(clinician, course.id)
    assert closed.value.code == "eswt.course_closed"


def test_session_n_above_the_plan_is_refused(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    course = clinic.course(planned_sessions=1)
    first = clinic.session(course)
    # One session planned is fewer than a typical course: it warns, and is acknowledged.
    services.shockwave.acknowledge(clinician, first, "sessions_out_of_range")
    clinic.sign(first)

    with pytest.raises(ValidationError) as beyond:
        services.shockwave.add_session(clinician, course.id)
    assert (beyond.value.code, beyond.value.field) == ("eswt.session_beyond_plan", "number")


def test_the_plan_goes_no_lower_than_the_sessions_begun(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    device = clinic.device()
    course = clinic.course(device)
    clinic.sign(clinic.session(course))
    services.shockwave.add_session(clinician, course.id)

    with pytest.raises(ValidationError) as lowered:
        services.shockwave.save_course(
            clinician, course.id, heel_course(device, planned_sessions=1)
        )
    assert (lowered.value.code, lowered.value.field) == (
        "eswt.plan_below_given",
        "planned_sessions",
    )
    kept = services.shockwave.save_course(
        clinician, course.id, heel_course(device, planned_sessions=4)
    )
    assert kept.fields.planned_sessions == 4


def test_impossible_values_are_refused_with_the_field_named(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    course = clinic.course()
    view = services.shockwave.add_session(clinician, course.id)
    draft = view.sessions[0].id

    cases = {
        "pulses": (radial_session(pulses=-100), "eswt.pulses_out_of_bounds"),
        "performed_on": (
            radial_session(performed_on=date.today() + timedelta(days=1)),
            "eswt.session_in_future",
        ),
        "pain_during": (radial_session(pain_during=11), "eswt.pain_out_of_range"),
        "energy_mj_mm2": (radial_session(energy_mj_mm2=0.2), "eswt.wrong_measure"),
        "side_effects": (radial_session(side_effects=("dizziness",)), "eswt.unknown_side_effect"),
    }
    for field, (fields, code) in cases.items():
        with pytest.raises(FormErrors) as refused:
            services.shockwave.save_session(clinician, draft, fields)
        assert (code, field) in _codes(refused.value), field


def test_hard_stops_an_absolute_contraindication_and_governance_not_ticked(
    clinic: Clinic,
) -> None:
    services, clinician = clinic.services, clinic.clinician
    course = clinic.course(
        contraindications={**ALL_NO, "pregnancy": "yes"},
        governance={"nice_information_given": True, "audit_entered": False},
    )
    first = clinic.session(course)

    with pytest.raises(FormErrors) as stopped:
        clinic.sign(first)
    assert {
        ("eswt.absolute_contraindication", "contraindications.pregnancy"),
        ("eswt.governance_not_ticked", "governance.audit_entered"),
    } <= _codes(stopped.value)
    assert not services.shockwave.get(clinician, course.id).sessions[0].is_signed


def test_warnings_are_acknowledged_and_kept_with_who_and_when(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    clinic.set_rules(device_service_interval_months=12)
    device = clinic.device(last_service_on=date.today() - timedelta(days=800))
    course = clinic.course(device, contraindications={**ALL_NO, "implants": "yes"})
    first = clinic.session(course, pressure_bar=4.5)

    warned = {w.code for w in services.shockwave.session_checks(clinician, first).warnings}
    assert warned == {
        "relative_contraindication.implants",
        "pressure_out_of_range",
        "device_overdue",
    }
    with pytest.raises(FormErrors) as unacknowledged:
        clinic.sign(first)
    assert ("eswt.warning_not_acknowledged", "device_overdue") in _codes(unacknowledged.value)
    with pytest.raises(ValidationError) as not_warned:
        services.shockwave.acknowledge(clinician, first, "recent_steroid")
    assert not_warned.value.code == "eswt.not_warned"

    for code in sorted(warned):
        services.shockwave.acknowledge(clinician, first, code)
    given = clinic.sign(first).sessions[0]
    assert {a.code for a in given.acknowledgements} == warned
    assert {a.by for a in given.acknowledgements} == {clinician.id}


def test_only_the_author_signs_and_another_patient_is_refused(clinic: Clinic) -> None:
    services = clinic.services
    course = clinic.course()
    first = clinic.session(course)

    with pytest.raises(PermissionDenied):
        services.shockwave.sign_session(clinic.colleague, first, demo_password("supervisor"))
    with pytest.raises(Conflict) as wrong:
        services.shockwave.save_session(
            clinic.clinician, first, radial_session(), patient_id=clinic.other
        )
    assert wrong.value.code == "eswt.wrong_patient"
    with pytest.raises(NotFound):
        services.shockwave.get(clinic.clinician, course.id, patient_id=clinic.other)
    with pytest.raises(PermissionDenied):
        services.shockwave.start_course(clinic.lead, clinic.patient)


def test_closing_needs_its_follow_up_scores(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    course = clinic.course()
    clinic.sign(clinic.session(course))

    with pytest.raises(FormErrors) as empty:
        services.shockwave.close_course(clinician, course.id, Outcome(), demo_password("clinician"))
    assert ("eswt.required_to_close", "outcome_after") in _codes(empty.value)
    with pytest.raises(FormErrors) as out_of_range:
        services.shockwave.close_course(
            clinician, course.id, Outcome(pain_nrs=11), demo_password("clinician")
        )
    assert ("eswt.pain_out_of_range", "outcome_after.pain_nrs") in _codes(out_of_range.value)


def test_with_no_shared_decision_and_no_reason_the_first_session_asks_for_one(
    clinic: Clinic,
) -> None:
    course = clinic.course(sdm_missing_reason=None)
    assert course.fields.sdm_missing_reason is None
    first = clinic.session(course)

    with pytest.raises(FormErrors) as asked:
        clinic.sign(first)
    assert ("decision.none_in_episode", "sdm_missing_reason") in _codes(asked.value)


def test_signing_names_every_part_still_missing(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    course = clinic.course(
        contraindications={"infection": "no"}, outcome_before=Outcome(), side=None
    )
    first = clinic.session(course, pressure_bar=None, applicator="", frequency_hz=None)

    with pytest.raises(FormErrors) as missing:
        clinic.sign(first)
    codes = _codes(missing.value)
    assert {
        ("eswt.required_to_sign", "side"),
        ("eswt.required_to_sign", "outcome_before"),
        ("eswt.contraindication_unanswered", "contraindications.pregnancy"),
        ("eswt.required_to_sign", "applicator"),
        ("eswt.required_to_sign", "frequency_hz"),
        ("eswt.required_to_sign", "pressure_bar"),
    } <= codes
    assert not services.shockwave.get(clinician, course.id).sessions[0].is_signed


def test_a_focused_device_is_set_by_energy_and_checked_by_hand(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    course = clinic.course(clinic.device(kind="focused", model="Focus 1"))
    view = services.shockwave.add_session(clinician, course.id)
    draft = view.sessions[0].id

    with pytest.raises(FormErrors) as in_bar:
        services.shockwave.save_session(clinician, draft, radial_session())
    assert ("eswt.wrong_measure", "pressure_bar") in _codes(in_bar.value)
    services.shockwave.save_session(
        clinician, draft, radial_session(pressure_bar=None, energy_mj_mm2=0.15)
    )
    warned = {w.code for w in services.shockwave.session_checks(clinician, draft).warnings}
    assert warned == {"no_typical_energy"}
    services.shockwave.acknowledge(clinician, draft, "no_typical_energy")
    given = clinic.sign(draft).sessions[0]
    assert (given.device_kind, given.fields.energy_mj_mm2) == ("focused", 0.15)
