"""Triage, red flags, questionnaires and assessments through the real services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select, text

from clinic_app.container import Services
from clinic_app.domains.assessments.model import Assessment, AssessmentAddendum
from clinic_app.domains.questionnaires.content import questionnaire
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.questionnaires.rules import ImportantChange
from clinic_app.domains.red_flags.model import RedFlagResolution, RedFlagScreening
from clinic_app.domains.red_flags.rules import Level, RecordedAction
from clinic_app.domains.triage.model import TriageDecision
from clinic_app.domains.triage.rules import TargetState, Tier
from clinic_app.domains.triage.views import TriageInput
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import (
    AuthenticationFailed,
    Conflict,
    FormErrors,
    PermissionDenied,
    ValidationError,
)
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.session import Actor
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import AssessmentStatus, ReferralStatus, Role
from clinic_app.people.views import PatientInput, ReferralInput

PASSWORD = "correct horse battery"
AUGUST_BANK_HOLIDAY_TUESDAY = date(2024, 8, 27)  # Monday 26 August 2024 was a bank holiday

CES_EMERGENCY = {
    "back_or_leg_pain": "yes",
    "bladder_change": "yes",
    "bowel_change": "no",
    "saddle_numbness": "no",
    "bilateral_leg_symptoms": "no",
    "sexual_dysfunction": "no",
}


@dataclass
class Clinic:
    services: Services
    clinician: CurrentUser
    trainee: CurrentUser
    admin: CurrentUser
    patient_id: uuid.UUID


def _user(services: Services, name: str, role: Role) -> CurrentUser:
    services.users.add(
        SYSTEM, username=name, display_name=name.title(), role=role, password=PASSWORD
    )
    return services.auth.login(name, PASSWORD)


def _patient(services: Services, nhs: str, family: str = "Ashworth") -> uuid.UUID:
    record = services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Harriet",
            family_name=family,
            date_of_birth="1961-07-04",
            sex="2",
            nhs_number=nhs,
        ),
    )
    return record.id


@pytest.fixture
def clinic(services: Services) -> Clinic:
    return Clinic(
        services=services,
        clinician=_user(services, "physio", Role.CLINICIAN),
        trainee=_user(services, "learner", Role.TRAINEE),
        admin=_user(services, "lead", Role.ADMIN),
        patient_id=_patient(services, "9990000018"),
    )


def _referral(
    clinic: Clinic,
    received: date,
    *,
    specialty: str = "physiotherapy",
    priority: str = "routine",
    patient_id: uuid.UUID | None = None,
) -> uuid.UUID:
    made = clinic.services.referrals.create(
        SYSTEM,
        ReferralInput(
            patient_id=patient_id or clinic.patient_id,
            source="gp",
            received_on=received.isoformat(),
            referrer_name="Dr A Hughes",
            reason="Knee pain",
            specialty=specialty,
            priority=priority,
        ),
    )
    return made.id


# ---------------------------------------------------------------- triage


def test_worklist_orders_by_due_date_across_a_bank_holiday(clinic: Clinic) -> None:
    other = _patient(clinic.services, "9990000026", "Begum")
    routine = _referral(clinic, date(2024, 8, 22))  # return rule: 5 working days -> Fri 30th
    priority = _referral(clinic, date(2024, 8, 22), priority="priority", patient_id=other)
    tier2 = _referral(clinic, date(2024, 8, 20), specialty="rheumatology")
    done = _referral(clinic, date(2024, 8, 19), priority="urgent")
    clinic.services.triage.triage(
        clinic.clinician, done, TriageInput(outcome="signpost", priority="urgent")
    )

    items = clinic.services.triage.worklist(clinic.admin, today=AUGUST_BANK_HOLIDAY_TUESDAY)

    assert [i.referral_id for i in items] == [tier2, priority, routine]
    first, second, third = items
    # Tier 2, 3 working days from Tue 20th: due Fri 23rd, one working day late (26th is off).
    assert (first.tier, first.due, first.days_left, first.state) == (
        Tier.TIER_2,
        date(2024, 8, 23),
        -1,
        TargetState.OVERDUE,
    )
    # Priority, 3 working days from Thu 22nd, skipping the bank holiday: due Wed 28th.
    assert (second.due, second.days_left, second.state) == (date(2024, 8, 28), 1, TargetState.NEAR)
    assert (second.nhs_number, second.family_name) == ("9990000026", "Begum")
    assert (third.tier, third.due, third.days_left, third.state) == (
        Tier.TIER_1,
        date(2024, 8, 30),
        3,
        TargetState.OK,
    )
    assert {t.rule_id for t in third.targets} == {"return_incomplete", "appointment_routine"}


def test_triage_moves_the_referral_on_and_records_the_decision(clinic: Clinic) -> None:
    booked = _referral(clinic, date(2024, 5, 1))
    returned = _referral(clinic, date(2024, 5, 2))
    triage = clinic.services.triage
    view = triage.triage(
        clinic.clinician,
        booked,
        TriageInput(
            outcome="appointment_after_diagnostics", priority="priority", pathway="rheumatology"
        ),
    )
    assert (view.referral_status, view.tier, view.with_diagnostics) == (
        ReferralStatus.TRIAGED,
        Tier.TIER_2,
        True,
    )
    view = triage.triage(
        clinic.clinician,
        returned,
        TriageInput(outcome="return_to_referrer", priority="routine", reason="No examination"),
    )
    assert view.referral_status is ReferralStatus.RETURNED
    statuses = {
        r.id: r.status for r in clinic.services.referrals.for_patient(SYSTEM, clinic.patient_id)
    }
    assert statuses == {booked: ReferralStatus.TRIAGED, returned: ReferralStatus.RETURNED}
    with pytest.raises(Conflict) as caught:
        triage.triage(clinic.clinician, booked, TriageInput(outcome="signpost", priority="routine"))
    assert caught.value.code == "referral.already_triaged"


def test_triage_reports_every_bad_field(clinic: Clinic) -> None:
    referral = _referral(clinic, date(2024, 5, 1))
    with pytest.raises(FormErrors) as caught:
        clinic.services.triage.triage(
            clinic.clinician,
            referral,
            TriageInput(outcome="nonsense", priority="soon", pathway="x"),
        )
    assert {(e.code, e.field) for e in caught.value.errors} == {
        ("code.unknown", "outcome"),
        ("code.unknown", "priority"),
        ("code.unknown", "pathway"),
    }
    with pytest.raises(FormErrors) as caught:
        clinic.services.triage.triage(
            clinic.clinician,
            referral,
            TriageInput(outcome="return_to_referrer", priority="routine"),
        )
    assert [(e.code, e.field) for e in caught.value.errors] == [
        ("triage.reason_required", "reason")
    ]
    with pytest.raises(FormErrors) as caught:
        clinic.services.triage.triage(
            clinic.clinician, referral, TriageInput(outcome="appointment", priority="routine")
        )
    assert [(e.code, e.field) for e in caught.value.errors] == [("code.required", "pathway")]


def test_admin_sees_the_worklist_but_cannot_triage(clinic: Clinic) -> None:
    referral = _referral(clinic, date(2024, 5, 1))
    assert [i.referral_id for i in clinic.services.triage.worklist(clinic.admin)] == [referral]
    for actor in (clinic.admin, clinic.trainee):
        with pytest.raises(PermissionDenied):
            clinic.services.triage.triage(
                actor,
                referral,
                TriageInput(outcome="return_to_referrer", priority="routine", reason="Incomplete"),
            )


# ---------------------------------------------------------------- red flags


def test_emergency_stays_unresolved_until_an_action_is_recorded(clinic: Clinic) -> None:
    flags = clinic.services.red_flags
    offered = [
        s.screen_id for s in flags.screens_for(clinic.trainee, clinic.patient_id, ["lumbar_spine"])
    ]
    assert "cauda_equina" in offered
    screening = flags.record(clinic.trainee, clinic.patient_id, "cauda_equina", CES_EMERGENCY)
    assert (screening.level, screening.fired_rules) == (Level.EMERGENCY, ("ces_suspected",))
    assert [s.id for s in flags.unresolved(clinic.clinician, clinic.patient_id)] == [screening.id]

    # A trainee may not override; an override needs a reason; a wrong action is refused.
    with pytest.raises(PermissionDenied):
        flags.resolve(clinic.trainee, screening.id, RecordedAction.CLINICIAN_OVERRIDE, "x" * 40)
    with pytest.raises(ValidationError) as caught:
        flags.resolve(clinic.clinician, screening.id, RecordedAction.CLINICIAN_OVERRIDE)
    assert caught.value.code == "red_flags.override_reason_required"
    with pytest.raises(ValidationError) as caught:
        flags.resolve(clinic.clinician, screening.id, RecordedAction.TWO_WEEK_WAIT_REFERRAL)
    assert caught.value.code == "red_flags.action_not_accepted"
    assert len(flags.unresolved(clinic.clinician, clinic.patient_id)) == 1

    resolved = flags.resolve(
        clinic.trainee, screening.id, RecordedAction.SAME_DAY_EMERGENCY_DEPARTMENT
    )
    assert resolved.resolution is not None
    assert resolved.resolution.recorded_by == clinic.trainee.id
    assert flags.unresolved(clinic.clinician, clinic.patient_id) == []
    with pytest.raises(Conflict) as conflict:
        flags.resolve(clinic.clinician, screening.id, RecordedAction.CLINICIAN_OVERRIDE, "y" * 40)
    assert conflict.value.code == "red_flag.already_resolved"


def test_override_with_a_reason_resolves(clinic: Clinic) -> None:
    flags = clinic.services.red_flags
    screening = flags.record(clinic.clinician, clinic.patient_id, "cauda_equina", CES_EMERGENCY)
    with pytest.raises(ValidationError) as caught:
        flags.resolve(clinic.clinician, screening.id, "clinician_override", "too short")
    assert caught.value.code == "red_flags.override_reason_too_short"
    flags.resolve(
        clinic.clinician,
        screening.id,
        "clinician_override",
        "Long-standing symptoms, investigated last month, unchanged",
    )
    assert flags.unresolved(clinic.clinician, clinic.patient_id) == []


def test_unasked_questions_never_read_as_clear(clinic: Clinic) -> None:
    screening = clinic.services.red_flags.record(
        clinic.clinician, clinic.patient_id, "cauda_equina", {"back_or_leg_pain": "yes"}
    )
    assert screening.level is Level.INCOMPLETE
    assert screening.answers["saddle_numbness"] == "not_asked"


def test_admin_sees_no_red_flags(clinic: Clinic) -> None:
    with pytest.raises(PermissionDenied):
        clinic.services.red_flags.unresolved(clinic.admin, clinic.patient_id)


# ---------------------------------------------------------------- questionnaires


def _msk_hq(each: int) -> dict[str, int | None]:
    items = questionnaire("msk_hq").scored_items
    return {item.code: each for item in items}


def test_incomplete_response_is_stored_without_a_total(clinic: Clinic) -> None:
    answers = _msk_hq(2)
    answers["mskhq_03"] = None
    view = clinic.services.questionnaires.record(
        clinic.trainee, clinic.patient_id, "msk_hq", answers, "baseline", "patient"
    )
    assert (view.complete, view.total, view.missing_items) == (False, None, ("mskhq_03",))
    with clinic.services.context.store.sessions() as session:
        row = session.get(QuestionnaireResponse, view.id)
        assert row is not None
        assert (row.complete, row.total, row.subscales) == (False, None, {})


def test_history_flags_the_minimal_important_change(clinic: Clinic) -> None:
    record = clinic.services.questionnaires.record
    base = record(
        clinic.clinician, clinic.patient_id, "msk_hq", _msk_hq(1), "baseline", "clinician"
    )
    small = _msk_hq(1)
    small["mskhq_01"] = 4  # +3: below 5.5
    record(clinic.clinician, clinic.patient_id, "msk_hq", small, "follow_up", "clinician")
    record(clinic.clinician, clinic.patient_id, "msk_hq", _msk_hq(2), "follow_up", "patient")
    record(clinic.clinician, clinic.patient_id, "msk_hq", _msk_hq(0), "follow_up", "patient")
    history = clinic.services.questionnaires.history(clinic.clinician, clinic.patient_id, "msk_hq")
    assert [h.response.total for h in history] == [14, 17, 28, 0]
    assert [h.change for h in history] == [
        None,
        None,
        ImportantChange.IMPROVED,
        ImportantChange.WORSENED,
    ]
    assert {h.baseline_id for h in history[1:]} == {base.id}


def test_next_timepoint_is_baseline_until_a_complete_baseline_exists(clinic: Clinic) -> None:
    questionnaires = clinic.services.questionnaires
    assert questionnaires.next_timepoint(clinic.clinician, clinic.patient_id, "msk_hq") == (
        "baseline"
    )
    partial = _msk_hq(1)
    partial["mskhq_02"] = None
    questionnaires.record(
        clinic.clinician, clinic.patient_id, "msk_hq", partial, "baseline", "clinician"
    )
    # An incomplete baseline is not a baseline to measure change from.
    assert questionnaires.next_timepoint(clinic.clinician, clinic.patient_id, "msk_hq") == (
        "baseline"
    )
    questionnaires.record(
        clinic.clinician, clinic.patient_id, "msk_hq", _msk_hq(1), "baseline", "clinician"
    )
    assert questionnaires.next_timepoint(clinic.clinician, clinic.patient_id, "msk_hq") == (
        "follow_up"
    )
    assert questionnaires.next_timepoint(clinic.clinician, clinic.patient_id, "pain_nrs") == (
        "baseline"
    )


def test_bad_timepoint_and_answer_are_refused(clinic: Clinic) -> None:
    record = clinic.services.questionnaires.record
    with pytest.raises(ValidationError) as caught:
        record(clinic.clinician, clinic.patient_id, "msk_hq", _msk_hq(1), "later", "clinician")
    assert caught.value.code == "code.unknown"
    with pytest.raises(ValidationError) as caught:
        record(clinic.clinician, clinic.patient_id, "msk_hq", _msk_hq(9), "baseline", "clinician")
    assert caught.value.code == "questionnaire.answer_out_of_range"


# ---------------------------------------------------------------- assessments

CONTENT = {
    "presenting_complaint": "  Right knee pain on stairs ",
    "body_regions": ["knee_right_front"],
    "pain_now": 3,
    "pain_best": 1,
    "pain_worst": 7,
    "medicines": [{"name": "Codeine", "dose": "30 mg", "flags": ["opioid"]}],
    "medicine_review": {"reviewed": True, "outcome": "continue"},
}


def test_sign_makes_an_assessment_immutable(clinic: Clinic) -> None:
    assessments = clinic.services.assessments
    draft = assessments.save_draft(clinic.trainee, clinic.patient_id, CONTENT)
    assert draft.content["presenting_complaint"] == "Right knee pain on stairs"
    assert draft.medicines_for_review == ("Codeine",)
    draft = assessments.save_draft(
        clinic.trainee, clinic.patient_id, {**CONTENT, "pain_now": 4}, draft.id
    )
    with pytest.raises(AuthenticationFailed):
        assessments.sign(clinic.trainee, draft.id, "wrong password")
    assert assessments.get(clinic.trainee, draft.id).status is AssessmentStatus.DRAFT

    signed = assessments.sign(clinic.trainee, draft.id, PASSWORD)
    assert (signed.status, signed.intact, signed.signed_by) == (
        AssessmentStatus.SIGNED,
        True,
        clinic.trainee.id,
    )
    assert signed.content_sha256 is not None
    assert len(signed.content_sha256) == 64

    with pytest.raises(Conflict) as caught:
        assessments.save_draft(clinic.trainee, clinic.patient_id, CONTENT, draft.id)
    assert caught.value.code == "assessment.signed"
    with pytest.raises(Conflict):
        assessments.sign(clinic.trainee, draft.id, PASSWORD)


def test_signed_assessment_refuses_a_direct_change_at_flush(clinic: Clinic) -> None:
    assessments = clinic.services.assessments
    draft = assessments.save_draft(clinic.clinician, clinic.patient_id, CONTENT)
    assessments.sign(clinic.clinician, draft.id, PASSWORD)
    sessions = clinic.services.context.store.sessions
    for change in (
        lambda a: setattr(a, "content", {"presenting_complaint": "Something else"}),
        lambda a: setattr(a, "status", AssessmentStatus.DRAFT),
        lambda a: a.tombstone(),
    ):
        with sessions.begin() as session:
            session.actor = Actor(device_id=clinic.services.context.device_id)
            row = session.get(Assessment, draft.id)
            assert row is not None
            change(row)
            with pytest.raises(Conflict) as caught:
                session.flush()
            session.rollback()
        assert caught.value.code == "record.immutable"
    assert assessments.get(clinic.clinician, draft.id).content["presenting_complaint"] == (
        "Right knee pain on stairs"
    )


def test_addenda_chain_onto_the_signed_assessment(clinic: Clinic) -> None:
    assessments = clinic.services.assessments
    draft = assessments.save_draft(clinic.clinician, clinic.patient_id, CONTENT)
    with pytest.raises(Conflict) as caught:
        assessments.add_addendum(clinic.clinician, draft.id, "Too early", PASSWORD)
    assert caught.value.code == "assessment.not_signed"
    signed = assessments.sign(clinic.clinician, draft.id, PASSWORD)
    with pytest.raises(AuthenticationFailed):
        assessments.add_addendum(clinic.clinician, draft.id, "Scan booked", "wrong")
    assessments.add_addendum(clinic.clinician, draft.id, "Scan booked", PASSWORD)
    view = assessments.add_addendum(clinic.trainee, draft.id, "Reviewed with supervisor", PASSWORD)
    assert [a.text for a in view.addenda] == ["Scan booked", "Reviewed with supervisor"]
    assert all(a.intact for a in view.addenda)
    assert view.content_sha256 == signed.content_sha256

    # An addendum itself can never be changed either.
    sessions = clinic.services.context.store.sessions
    with sessions.begin() as session:
        session.actor = Actor(device_id=clinic.services.context.device_id)
        row = session.get(AssessmentAddendum, view.addenda[0].id)
        assert row is not None
        row.text = "Rewritten"
        with pytest.raises(Conflict):
            session.flush()
        session.rollback()


def test_tampered_content_is_reported_not_hidden(clinic: Clinic) -> None:
    assessments = clinic.services.assessments
    draft = assessments.save_draft(clinic.clinician, clinic.patient_id, CONTENT)
    assessments.sign(clinic.clinician, draft.id, PASSWORD)
    assessments.add_addendum(clinic.clinician, draft.id, "Scan booked", PASSWORD)
    # Behind the app's back (the flush guard cannot see raw SQL): the digest shows it.
    with clinic.services.context.store.engine.begin() as conn:
        conn.execute(
            text("UPDATE assessment SET content = :c WHERE id = :i"),
            {"c": '{"presenting_complaint": "Changed"}', "i": draft.id.hex},
        )
    view = assessments.get(clinic.clinician, draft.id)
    assert view.content["presenting_complaint"] == "Changed"
    assert view.intact is False


def test_draft_checks_and_authorship(clinic: Clinic) -> None:
    assessments = clinic.services.assessments
    with pytest.raises(FormErrors) as caught:
        assessments.save_draft(
            clinic.clinician,
            clinic.patient_id,
            {"pain_now": 11, "medicines": [{"flags": ["opioid"]}], "mood": "x"},
        )
    assert {(e.code, e.field) for e in caught.value.errors} == {
        ("assessment.unknown_field", "mood"),
        ("assessment.pain_out_of_range", "pain_now"),
        ("assessment.medicine_name_required", "medicines.0"),
    }
    draft = assessments.save_draft(clinic.clinician, clinic.patient_id, {"pain_now": 2})
    with pytest.raises(PermissionDenied) as denied:
        assessments.save_draft(clinic.trainee, clinic.patient_id, {"pain_now": 3}, draft.id)
    assert denied.value.code == "assessment.not_author"
    with pytest.raises(FormErrors) as caught:
        assessments.sign(clinic.clinician, draft.id, PASSWORD)
    assert [e.field for e in caught.value.errors] == ["presenting_complaint"]
    with pytest.raises(PermissionDenied):
        assessments.get(clinic.admin, draft.id)


# ---------------------------------------------------------------- sync and audit


def test_every_new_row_is_queued_and_audited(clinic: Clinic) -> None:
    services = clinic.services
    referral = _referral(clinic, date(2024, 5, 1))
    services.triage.triage(clinic.clinician, referral, TriageInput("signpost", "routine"))
    screening = services.red_flags.record(
        clinic.clinician, clinic.patient_id, "cauda_equina", CES_EMERGENCY
    )
    services.red_flags.resolve(
        clinic.clinician, screening.id, RecordedAction.SAME_DAY_EMERGENCY_DEPARTMENT
    )
    services.questionnaires.record(
        clinic.clinician, clinic.patient_id, "pain_nrs", {"pain_now": 4}, "baseline", "clinician"
    )
    draft = services.assessments.save_draft(clinic.clinician, clinic.patient_id, CONTENT)
    services.assessments.sign(clinic.clinician, draft.id, PASSWORD)
    services.assessments.add_addendum(clinic.clinician, draft.id, "Scan booked", PASSWORD)

    models = (
        TriageDecision,
        RedFlagScreening,
        RedFlagResolution,
        QuestionnaireResponse,
        Assessment,
        AssessmentAddendum,
    )
    with services.context.store.sessions() as session:
        queued = {
            (row.table_name, row.row_id, row.operation)
            for row in session.scalars(select(OutboxEntry))
        }
        for model in models:
            ids = list(session.scalars(select(model.id)))
            assert ids, model.__tablename__
            for row_id in ids:
                assert (model.__tablename__, row_id, "insert") in queued
        assert ("assessment", draft.id, "update") in queued  # signing is a synced change
        audit = list(session.execute(select(AuditEntry.action, AuditEntry.patient_id)))
    actions = {action for action, _ in audit}
    assert {
        "triage.decide",
        "red_flag.record",
        "red_flag.resolve",
        "questionnaire.record",
        "assessment.create",
        "assessment.sign",
        "assessment.addendum",
    } <= actions
    assert all(p == clinic.patient_id for a, p in audit if a.startswith(("red_flag", "assess")))
