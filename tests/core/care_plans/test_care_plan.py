"""The care plan: drafted with the patient, checked, signed, immutable, reviewed as versions."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from clinic_app.domains.care_plans.content import SETTING
from clinic_app.domains.care_plans.model import CarePlan
from clinic_app.domains.care_plans.record import CARE_PLAN
from clinic_app.domains.care_plans.rules import pifu_ends_on
from clinic_app.domains.care_plans.views import PlanAction, SupportChoice
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.errors import (
    AuthenticationFailed,
    Conflict,
    FormErrors,
    NotFound,
    PermissionDenied,
)
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.people.episodes import open_episode_id
from clinic_app.people.model import Patient
from tests.core.care_plans.conftest import TODAY, Clinic, agreed_plan, writing

PASSWORD = "clinician-demo-2026"


def _errors(raised: pytest.ExceptionInfo[FormErrors]) -> list[tuple[str, str | None]]:
    return [(error.code, error.field) for error in raised.value.errors]


def _signed(clinic: Clinic) -> uuid.UUID:
    plans = clinic.services.care_plans
    started = plans.start(clinic.clinician, clinic.patient)
    plans.save(clinic.clinician, started.id, clinic.patient, agreed_plan())
    return plans.sign(clinic.clinician, started.id, clinic.patient, PASSWORD).id


def test_a_draft_starts_in_the_open_episode_with_the_service_s_window_and_the_patient_s_needs(
    clinic: Clinic,
) -> None:
    with writing(clinic.services, clinic.clinician) as session:
        patient = session.get(Patient, clinic.patient)
        assert patient is not None
        patient.accessible_information_needs = ["large_print"]
        patient.interpreter_needed = True
        patient.interpreter_language = "pl"
        episode = open_episode_id(session, clinic.patient)

    started = clinic.services.care_plans.start(clinic.clinician, clinic.patient)

    assert (started.status, started.episode_id, started.plan.pifu_months) == ("draft", episode, 6)
    assert (started.information_needs, started.language) == (("large_print",), "pl")
    # Starting again continues the same draft.
    again = clinic.services.care_plans.start(clinic.clinician, clinic.patient)
    assert again.id == started.id


def test_saving_keeps_the_goals_in_the_patient_s_words_and_records_who_took_consent(
    clinic: Clinic,
) -> None:
    plans = clinic.services.care_plans
    started = plans.start(clinic.clinician, clinic.patient)

    saved = plans.save(clinic.clinician, started.id, clinic.patient, agreed_plan())

    assert saved.plan.goals == (
        "Walk to the shops and back without stopping",
        "Sleep through the night",
    )
    assert saved.plan.support_services[1] == SupportChoice(
        None, "Riverside walking club, Thursdays"
    )
    assert saved.gp_consent_recorded_by == clinic.clinician.id
    assert saved.gp_consent_recorded_at is not None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"goals": ("Walk further", "   ")}, ("care_plan.goal_empty", "goals")),
        ({"pifu_months": 0}, ("care_plan.pifu_out_of_range", "pifu_months")),
        ({"pifu_months": 7}, ("care_plan.pifu_out_of_range", "pifu_months")),
        (
            {"review_on": TODAY - timedelta(days=1)},
            ("care_plan.review_in_past", "review_on"),
        ),
        ({"actions": (PlanAction("  ", "Me"),)}, ("care_plan.action_empty", "actions")),
        (
            {"support_services": (SupportChoice("not_a_service"),)},
            ("care_plan.unknown_service", "support_services"),
        ),
        (
            {"support_services": (SupportChoice(None, " "),)},
            ("care_plan.service_empty", "support_services"),
        ),
        ({"safety_nets": ("made_up",)}, ("care_plan.unknown_safety_net", "safety_nets")),
        (
            {"gp_consent_given_by": "neighbour"},
            ("care_plan.unknown_consent_giver", "gp_consent_given_by"),
        ),
        ({"goals": ("x" * 501,)}, ("text.too_long", "goals")),
    ],
)
def test_bad_input_is_refused_naming_its_field(
    clinic: Clinic, change: dict[str, object], expected: tuple[str, str]
) -> None:
    plans = clinic.services.care_plans
    started = plans.start(clinic.clinician, clinic.patient)

    with pytest.raises(FormErrors) as refused:
        plans.save(clinic.clinician, started.id, clinic.patient, replace(agreed_plan(), **change))

    assert _errors(refused) == [expected]


def test_the_edges_of_the_window_and_the_review_date_are_kept(clinic: Clinic) -> None:
    plans = clinic.services.care_plans
    started = plans.start(clinic.clinician, clinic.patient)

    for months in (1, 6, None):
        saved = plans.save(
            clinic.clinician,
            started.id,
            clinic.patient,
            replace(agreed_plan(), pifu_months=months, review_on=TODAY),
        )
        assert (saved.plan.pifu_months, saved.plan.review_on) == (months, TODAY)


def test_a_service_that_allows_two_months_refuses_three(clinic: Clinic) -> None:

    with writing(clinic.services, clinic.login("admin")) as session:
        session.add(
            ServiceSetting(
                id=setting_id(SETTING),
                key=SETTING,
                value={"pifu_max_months": 2, "pifu_default_months": 2},
            )
        )
    plans = clinic.services.care_plans
    started = plans.start(clinic.clinician, clinic.patient)
    assert started.plan.pifu_months == 2

    with pytest.raises(FormErrors) as refused:
        plans.save(
            clinic.clinician, started.id, clinic.patient, replace(agreed_plan(), pifu_months=3)
        )
    assert refused.value.errors[0].params == {"least": 1, "most": 2}


def test_signing_needs_goals_a_contact_a_review_date_consent_and_no_past_action(
    clinic: Clinic,
) -> None:
    plans = clinic.services.care_plans
    started = plans.start(clinic.clinician, clinic.patient)
    plans.save(
        clinic.clinician,
        started.id,
        clinic.patient,
        replace(
            agreed_plan(),
            goals=(),
            named_contact="",
            review_on=None,
            gp_consent=None,
            actions=(
                PlanAction("Today is fine", "Me", TODAY),
                PlanAction("Yesterday is not", "Me", TODAY - timedelta(days=1)),
            ),
        ),
    )

    with pytest.raises(FormErrors) as refused:
        plans.sign(clinic.clinician, started.id, clinic.patient, PASSWORD)
    assert _errors(refused) == [
        ("care_plan.no_goals", "goals"),
        ("care_plan.action_in_past", "actions"),
        ("care_plan.no_review_date", "review_on"),
        ("care_plan.no_contact", "named_contact"),
        ("care_plan.no_gp_consent", "gp_consent"),
    ]
    assert refused.value.errors[1].params == {"number": 2}
    with pytest.raises(AuthenticationFailed):
        plans.sign(clinic.clinician, started.id, clinic.patient, "wrong password")


def test_signing_opens_the_pifu_window_and_seals_the_plan(clinic: Clinic) -> None:
    plans = clinic.services.care_plans

    signed = plans.get(clinic.clinician, _signed(clinic), clinic.patient)

    assert signed.is_signed
    assert signed.is_current
    assert signed.intact
    assert (signed.pifu_starts_on, signed.pifu_ends_on) == (TODAY, pifu_ends_on(TODAY, 6))
    assert signed.attestation


def test_a_signed_plan_never_changes(clinic: Clinic) -> None:
    plans = clinic.services.care_plans
    plan_id = _signed(clinic)

    with pytest.raises(Conflict) as saving:
        plans.save(
            clinic.clinician, plan_id, clinic.patient, replace(agreed_plan(), goals=("Other",))
        )
    assert saving.value.code == "care_plan.signed"
    with clinic.services.context.store.sessions() as session:
        row = session.get(CarePlan, plan_id)
        assert row is not None
        row.goals = ["Something else"]
        with pytest.raises(Conflict) as guarded:
            session.flush()
        assert guarded.value.code == "record.immutable"
        session.rollback()
    # Changed outside the app, it says so and is never printed.
    with clinic.services.context.store.engine.begin() as conn:
        conn.execute(update(CarePlan).where(CarePlan.id == plan_id).values(named_contact="X"))
    assert not plans.get(clinic.clinician, plan_id, clinic.patient).intact
    with pytest.raises(Conflict) as printing:
        plans.printable(clinic.clinician, plan_id, clinic.patient)
    assert printing.value.code == "care_plan.not_intact"


def test_a_review_is_a_new_version_and_the_old_one_is_kept_as_signed(clinic: Clinic) -> None:
    plans = clinic.services.care_plans
    first = _signed(clinic)

    review = plans.review(clinic.clinician, first, clinic.patient)
    assert (review.status, review.supersedes_id) == ("draft", first)
    assert review.plan.goals == plans.get(clinic.clinician, first, clinic.patient).plan.goals
    # Consent and the review date are asked again.
    assert (review.plan.gp_consent, review.plan.review_on) == (None, None)
    # Until the review is signed, the first version is still current.
    assert plans.get(clinic.clinician, first, clinic.patient).is_current
    plans.save(
        clinic.clinician,
        review.id,
        clinic.patient,
        replace(agreed_plan(), goals=("Walk to the park",)),
    )
    second = plans.sign(clinic.clinician, review.id, clinic.patient, PASSWORD)

    old = plans.get(clinic.clinician, first, clinic.patient)
    assert (old.is_current, old.superseded_by, old.intact) == (False, second.id, True)
    assert old.plan.goals[0] == "Walk to the shops and back without stopping"
    assert second.is_current
    history = plans.for_patient(clinic.clinician, clinic.patient)
    assert [(v.id, v.superseded_by) for v in history] == [(second.id, None), (first, second.id)]
    # Only the current version is reviewed.
    with pytest.raises(Conflict) as again:
        plans.review(clinic.clinician, first, clinic.patient)
    assert again.value.code == "care_plan.superseded"


def test_one_current_plan_per_patient_and_episode(clinic: Clinic) -> None:
    plans = clinic.services.care_plans
    first = _signed(clinic)

    with pytest.raises(Conflict) as starting:
        plans.start(clinic.clinician, clinic.patient)
    assert starting.value.code == "care_plan.current_exists"
    # Two reviews of the same version: the second to be signed is refused.
    mine = plans.review(clinic.clinician, first, clinic.patient)
    colleague = clinic.login("supervisor")
    with pytest.raises(Conflict) as crowded:
        plans.review(colleague, first, clinic.patient)
    assert crowded.value.code == "care_plan.draft_exists"
    plans.save(clinic.clinician, mine.id, clinic.patient, agreed_plan())
    plans.sign(clinic.clinician, mine.id, clinic.patient, PASSWORD)
    with clinic.services.context.store.sessions() as session:
        current = session.scalars(
            select(CarePlan).where(
                CarePlan.patient_id == clinic.patient,
                CarePlan.status == "signed",
                CarePlan.id.not_in(
                    select(CarePlan.supersedes_id).where(CarePlan.supersedes_id.is_not(None))
                ),
            )
        ).all()
    assert [row.id for row in current] == [mine.id]


def test_every_action_refuses_a_plan_of_another_patient(clinic: Clinic) -> None:
    plans = clinic.services.care_plans
    started = plans.start(clinic.clinician, clinic.patient)

    with pytest.raises(Conflict) as saving:
        plans.save(clinic.clinician, started.id, clinic.other, agreed_plan())
    with pytest.raises(Conflict) as signing:
        plans.sign(clinic.clinician, started.id, clinic.other, PASSWORD)
    with pytest.raises(NotFound) as opening:
        plans.get(clinic.clinician, started.id, clinic.other)
    with pytest.raises(NotFound) as printing:
        plans.printable(clinic.clinician, started.id, clinic.other)

    assert saving.value.code == signing.value.code == "care_plan.wrong_patient"
    assert opening.value.code == printing.value.code == "care_plan.not_found"
    plans.save(clinic.clinician, started.id, clinic.patient, agreed_plan())
    plans.sign(clinic.clinician, started.id, clinic.patient, PASSWORD)
    with pytest.raises(Conflict) as reviewing:
        plans.review(clinic.clinician, started.id, clinic.other)
    assert reviewing.value.code == "care_plan.wrong_patient"
    assert plans.for_patient(clinic.clinician, clinic.other) == []


def test_only_the_author_changes_signs_or_prints_a_draft(clinic: Clinic) -> None:
    plans = clinic.services.care_plans
    started = plans.start(clinic.clinician, clinic.patient)
    plans.save(clinic.clinician, started.id, clinic.patient, agreed_plan())
    colleague = clinic.login("supervisor")

    with pytest.raises(PermissionDenied) as saving:
        plans.save(colleague, started.id, clinic.patient, agreed_plan())
    with pytest.raises(PermissionDenied) as signing:
        plans.sign(colleague, started.id, clinic.patient, "supervisor-demo-2026")
    with pytest.raises(PermissionDenied) as printing:
        plans.printable(colleague, started.id, clinic.patient)
    with pytest.raises(Conflict) as starting:
        plans.start(colleague, clinic.patient)

    assert saving.value.code == signing.value.code == "care_plan.not_author"
    assert printing.value.code == "care_plan.draft_not_yours"
    assert starting.value.code == "care_plan.draft_exists"


def test_the_service_lead_makes_no_plan(clinic: Clinic) -> None:
    admin = clinic.login("admin")

    with pytest.raises(PermissionDenied):
        clinic.services.care_plans.start(admin, clinic.patient)


def test_opening_a_plan_is_audited_and_it_is_on_the_timeline(clinic: Clinic) -> None:
    plans = clinic.services.care_plans
    plan_id = _signed(clinic)

    plans.get(clinic.clinician, plan_id, clinic.patient)

    with clinic.services.context.store.sessions() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None
    assert (entry.action, entry.patient_id, entry.entity_id) == (
        "care_plan.open",
        clinic.patient,
        plan_id,
    )
    timeline = clinic.services.timeline.for_patient(clinic.clinician, clinic.patient)
    [entry_line] = [e for e in timeline.entries if e.kind == "care_plan"]
    assert entry_line.record_id == plan_id
    assert entry_line.detail.startswith("Goal: Walk to the shops")


def test_a_letter_is_offered_the_current_signed_version_only(clinic: Clinic) -> None:
    plans = clinic.services.care_plans
    first = _signed(clinic)
    review = plans.review(clinic.clinician, first, clinic.patient)
    assert CARE_PLAN.letter_sections is not None

    def offered() -> list[uuid.UUID]:
        with clinic.services.context.store.sessions() as session:
            sections = CARE_PLAN.letter_sections(session, clinic.patient, review.episode_id)
        return [section.source_id for section in sections]

    # The draft review is never offered; the signed version is until the review is signed.
    assert offered() == [first]
    plans.save(clinic.clinician, review.id, clinic.patient, agreed_plan())
    plans.sign(clinic.clinician, review.id, clinic.patient, PASSWORD)
    assert offered() == [review.id]
    with clinic.services.context.store.sessions() as session:
        [section] = CARE_PLAN.letter_sections(session, clinic.patient, review.episode_id)
    assert "Goal, in the patient's words: Walk to the shops" in section.text
    assert "can book straight back until" in section.text
