"""The SDM record: started with an aid, saved as the conversation goes, signed, superseded."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, update

from clinic_app.domains.decisions.model import DecisionRecord
from clinic_app.domains.decisions.views import DecisionInput, Participant
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.errors import (
    AuthenticationFailed,
    Conflict,
    FormErrors,
    NotFound,
    PermissionDenied,
)
from clinic_app.people.episodes import open_episode_id
from clinic_app.people.model import Patient
from tests.core.decisions.conftest import AID, Clinic
from tests.support.printed import page_words, pages_missing, without_nhs_number

PASSWORD = "clinician-demo-2026"

TALKED_THROUGH = DecisionInput(
    options_discussed=("injection", "self_management", "not_now"),
    ratings={"avoid_needles": 3, "quick_relief": 9},
    leaning="injection",
    choice="injection",
    choice_words="  I want to get back to work quickly.  ",
    questions="Will it hurt?",
    participants=(Participant("carer", "  Ann   Smith "), Participant("interpreter", "Ravi")),
    interpreter_language="Gujarati",
    teach_back=True,
    decision_maker="patient_and_carer",
    collaborate=(9, 8, 9),
    sdm_q9=(5, 4, 5, 5, 3, 5, 4, 5, None),
)


def _errors(raised: pytest.ExceptionInfo[FormErrors]) -> list[tuple[str, str | None]]:
    return [(error.code, error.field) for error in raised.value.errors]


def test_a_draft_names_the_aid_version_and_the_patient_s_open_episode(clinic: Clinic) -> None:
    decisions = clinic.services.decisions

    started = decisions.start(clinic.clinician, clinic.patient, AID)

    with clinic.services.context.store.sessions() as session:
        episode = open_episode_id(session, clinic.patient)
    assert started.status == "draft"
    assert (started.aid_id, started.aid_version) == (AID, "1.0")
    assert started.patient_id == clinic.patient
    assert started.episode_id == episode
    assert started.options_discussed == ("self_management", "injection", "scan", "not_now")
    assert started.discussed_leads_to == ("injection", "imaging")
    assert started.choice is None
    assert started.summary.startswith("Shared decision, draft, ")
    assert [r.id for r in decisions.for_patient(clinic.clinician, clinic.patient)] == [started.id]
    assert decisions.for_patient(clinic.clinician, clinic.other) == []


def test_starting_again_continues_one_s_own_draft(clinic: Clinic) -> None:
    decisions = clinic.services.decisions
    started = decisions.start(clinic.clinician, clinic.patient, AID)
    decisions.save(clinic.clinician, started.id, clinic.patient, TALKED_THROUGH)

    again = decisions.start(clinic.clinician, clinic.patient, AID)
    colleague = decisions.start(clinic.login("supervisor"), clinic.patient, AID)
    elsewhere = decisions.start(clinic.clinician, clinic.other, AID)

    assert again.id == started.id
    assert again.choice == "injection"
    assert colleague.id != started.id
    assert elsewhere.id != started.id
    assert elsewhere.patient_id == clinic.other
    decisions.sign(clinic.clinician, started.id, clinic.patient, PASSWORD)
    assert decisions.start(clinic.clinician, clinic.patient, AID).id != started.id


def test_saving_keeps_what_the_patient_said_in_the_aid_s_order(clinic: Clinic) -> None:
    decisions = clinic.services.decisions
    started = decisions.start(clinic.clinician, clinic.patient, AID)

    saved = decisions.save(clinic.clinician, started.id, clinic.patient, TALKED_THROUGH)

    assert saved.options_discussed == ("self_management", "injection", "not_now")
    assert saved.discussed_leads_to == ("injection",)
    assert dict(saved.ratings) == {"avoid_needles": 3, "quick_relief": 9}
    assert (saved.leaning, saved.choice, saved.choice_leads_to) == (
        "injection",
        "injection",
        "injection",
    )
    assert saved.choice_words == "I want to get back to work quickly."
    assert saved.participants == (
        Participant("carer", "Ann Smith"),
        Participant("interpreter", "Ravi"),
    )
    assert (saved.interpreter_language, saved.teach_back, saved.decision_maker) == (
        "Gujarati",
        True,
        "patient_and_carer",
    )
    assert saved.collaborate == (9, 8, 9)
    assert saved.sdm_q9 == (5, 4, 5, 5, 3, 5, 4, 5, None)
    reopened = decisions.get(clinic.clinician, started.id, clinic.patient)
    assert reopened.as_input() == replace(
        TALKED_THROUGH,
        options_discussed=saved.options_discussed,
        ratings=reopened.ratings,
        choice_words="I want to get back to work quickly.",
        participants=saved.participants,
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"choice": "surgery"}, ("decision.unknown_option", "choice")),
        ({"leaning": "surgery"}, ("decision.unknown_option", "leaning")),
        (
            {"options_discussed": ("injection", "surgery")},
            ("decision.unknown_option", "options_discussed"),
        ),
        ({"ratings": {"quick_relief": 11}}, ("decision.rating_out_of_range", "ratings")),
        ({"ratings": {"quick_relief": -1}}, ("decision.rating_out_of_range", "ratings")),
        ({"ratings": {"cost": 5}}, ("decision.unknown_matter", "ratings")),
        ({"collaborate": (9, 10, 9)}, ("decision.score_out_of_range", "collaborate")),
        ({"collaborate": (9, 9)}, ("decision.wrong_item_count", "collaborate")),
        ({"sdm_q9": (5, 5, 5, 5, 5, 5, 5, 5, 6)}, ("decision.score_out_of_range", "sdm_q9")),
        ({"sdm_q9": (-1,) * 9}, ("decision.score_out_of_range", "sdm_q9")),
        (
            {"participants": (Participant("neighbour", "Bo"),)},
            ("decision.unknown_role", "participants"),
        ),
        ({"decision_maker": "clinician"}, ("decision.unknown_decision_maker", "decision_maker")),
        ({"choice_words": "x" * 4001}, ("text.too_long", "choice_words")),
    ],
)
def test_what_the_aid_does_not_allow_is_refused_naming_the_field(
    clinic: Clinic, change: dict[str, Any], expected: tuple[str, str]
) -> None:
    decisions = clinic.services.decisions
    started = decisions.start(clinic.clinician, clinic.patient, AID)

    with pytest.raises(FormErrors) as raised:
        decisions.save(
            clinic.clinician, started.id, clinic.patient, replace(TALKED_THROUGH, **change)
        )

    assert _errors(raised) == [expected]
    assert decisions.get(clinic.clinician, started.id, clinic.patient).choice is None


def test_the_edges_of_every_scale_are_kept(clinic: Clinic) -> None:
    decisions = clinic.services.decisions
    started = decisions.start(clinic.clinician, clinic.patient, AID)

    saved = decisions.save(
        clinic.clinician,
        started.id,
        clinic.patient,
        replace(
            TALKED_THROUGH,
            ratings={"avoid_needles": 0, "quick_relief": 10},
            collaborate=(0, 9, None),
            sdm_q9=(0, 5, 0, 5, 0, 5, 0, 5, 0),
        ),
    )

    assert dict(saved.ratings) == {"avoid_needles": 0, "quick_relief": 10}
    assert saved.collaborate == (0, 9, None)
    assert saved.sdm_q9 == (0, 5, 0, 5, 0, 5, 0, 5, 0)


def test_signing_needs_a_choice_the_decision_maker_and_the_password(clinic: Clinic) -> None:
    decisions = clinic.services.decisions
    started = decisions.start(clinic.clinician, clinic.patient, AID)
    decisions.save(
        clinic.clinician,
        started.id,
        clinic.patient,
        replace(TALKED_THROUGH, choice=None, decision_maker=None, interpreter_language=None),
    )

    with pytest.raises(FormErrors) as raised:
        decisions.sign(clinic.clinician, started.id, clinic.patient, PASSWORD)
    assert _errors(raised) == [
        ("decision.no_choice", "choice"),
        ("decision.no_decision_maker", "decision_maker"),
        ("decision.interpreter_language", "interpreter_language"),
    ]

    decisions.save(
        clinic.clinician, started.id, clinic.patient, replace(TALKED_THROUGH, choice="undecided")
    )
    with pytest.raises(AuthenticationFailed):
        decisions.sign(clinic.clinician, started.id, clinic.patient, "not the password")
    assert not decisions.get(clinic.clinician, started.id, clinic.patient).is_signed

    signed = decisions.sign(clinic.clinician, started.id, clinic.patient, PASSWORD)

    assert signed.is_signed
    assert signed.undecided
    assert signed.choice_leads_to is None
    assert signed.signed_by == clinic.clinician.id
    assert signed.attestation
    assert signed.intact


def test_a_signed_record_never_changes(clinic: Clinic) -> None:
    decisions = clinic.services.decisions
    started = decisions.start(clinic.clinician, clinic.patient, AID)
    decisions.save(clinic.clinician, started.id, clinic.patient, TALKED_THROUGH)
    decisions.sign(clinic.clinician, started.id, clinic.patient, PASSWORD)

    with pytest.raises(Conflict) as raised:
        decisions.save(
            clinic.clinician, started.id, clinic.patient, replace(TALKED_THROUGH, choice="not_now")
        )
    assert raised.value.code == "decision.signed"
    with pytest.raises(Conflict):
        decisions.sign(clinic.clinician, started.id, clinic.patient, PASSWORD)
    with clinic.services.context.store.sessions() as session:
        row = session.get(DecisionRecord, started.id)
        assert row is not None
        row.choice = "not_now"
        with pytest.raises(Conflict) as guarded:
            session.flush()
        assert guarded.value.code == "record.immutable"
        session.rollback()
    assert decisions.get(clinic.clinician, started.id, clinic.patient).choice == "injection"


def test_a_record_changed_outside_the_app_says_so(clinic: Clinic) -> None:
    decisions = clinic.services.decisions
    started = decisions.start(clinic.clinician, clinic.patient, AID)
    decisions.save(clinic.clinician, started.id, clinic.patient, TALKED_THROUGH)
    decisions.sign(clinic.clinician, started.id, clinic.patient, PASSWORD)
    with clinic.services.context.store.engine.begin() as conn:
        conn.execute(
            update(DecisionRecord).where(DecisionRecord.id == started.id).values(choice="not_now")
        )

    assert not decisions.get(clinic.clinician, started.id, clinic.patient).intact
    # Its summary is never printed for the patient.
    with pytest.raises(Conflict) as refused:
        decisions.printable(clinic.clinician, started.id, clinic.patient, date(2026, 12, 5))
    assert refused.value.code == "decision.not_intact"


def test_every_action_refuses_a_record_of_another_patient(clinic: Clinic) -> None:
    decisions = clinic.services.decisions
    started = decisions.start(clinic.clinician, clinic.patient, AID)

    with pytest.raises(Conflict) as saving:
        decisions.save(clinic.clinician, started.id, clinic.other, TALKED_THROUGH)
    with pytest.raises(Conflict) as signing:
        decisions.sign(clinic.clinician, started.id, clinic.other, PASSWORD)
    with pytest.raises(NotFound) as opening:
        decisions.get(clinic.clinician, started.id, clinic.other)

    assert saving.value.code == signing.value.code == "decision.wrong_patient"
    assert opening.value.code == "decision.not_found"
    decisions.save(clinic.clinician, started.id, clinic.patient, TALKED_THROUGH)
    decisions.sign(clinic.clinician, started.id, clinic.patient, PASSWORD)
    with pytest.raises(Conflict) as changing:
        decisions.change_of_mind(clinic.clinician, started.id, clinic.other)
    assert changing.value.code == "decision.wrong_patient"
    assert decisions.for_patient(clinic.clinician, clinic.other) == []


def test_only_the_author_changes_or_signs_a_draft(clinic: Clinic) -> None:
    decisions = clinic.services.decisions
    started = decisions.start(clinic.clinician, clinic.patient, AID)
    colleague = clinic.login("supervisor")

    with pytest.raises(PermissionDenied) as saving:
        decisions.save(colleague, started.id, clinic.patient, TALKED_THROUGH)
    with pytest.raises(PermissionDenied) as signing:
        decisions.sign(colleague, started.id, clinic.patient, "supervisor-demo-2026")

    assert saving.value.code == signing.value.code == "decision.not_author"
    assert decisions.get(colleague, started.id, clinic.patient).id == started.id


def test_the_service_lead_records_no_decision_but_reviews_the_aids(clinic: Clinic) -> None:
    admin = clinic.login("admin")
    decisions = clinic.services.decisions

    with pytest.raises(PermissionDenied):
        decisions.start(admin, clinic.patient, AID)
    with pytest.raises(PermissionDenied):
        decisions.for_patient(admin, clinic.patient)
    assert [aid.id for aid in decisions.catalogue(admin).offered] == [AID]


def test_an_aid_not_offered_cannot_be_started(clinic: Clinic) -> None:
    with pytest.raises(NotFound) as raised:
        clinic.services.decisions.start(clinic.clinician, clinic.patient, "knee_surgery")

    assert raised.value.code == "decision.unknown_aid"
    assert clinic.services.decisions.for_patient(clinic.clinician, clinic.patient) == []


def test_a_change_of_mind_is_a_new_record_superseding_the_signed_one(clinic: Clinic) -> None:
    decisions = clinic.services.decisions
    first = decisions.start(clinic.clinician, clinic.patient, AID)
    with pytest.raises(Conflict) as too_soon:
        decisions.change_of_mind(clinic.clinician, first.id, clinic.patient)
    assert too_soon.value.code == "decision.not_signed"
    decisions.save(clinic.clinician, first.id, clinic.patient, TALKED_THROUGH)
    decisions.sign(clinic.clinician, first.id, clinic.patient, PASSWORD)

    second = decisions.change_of_mind(clinic.clinician, first.id, clinic.patient)

    assert second.id != first.id
    assert second.supersedes_id == first.id
    assert second.status == "draft"
    assert second.choice is None
    assert second.collaborate is None
    assert dict(second.ratings) == dict(TALKED_THROUGH.ratings)
    assert second.episode_id == first.episode_id
    # Asking again continues the same draft.
    assert decisions.change_of_mind(clinic.clinician, first.id, clinic.patient).id == second.id
    decisions.save(
        clinic.clinician,
        second.id,
        clinic.patient,
        replace(TALKED_THROUGH, choice="not_now", collaborate=None, sdm_q9=None),
    )
    decisions.sign(clinic.clinician, second.id, clinic.patient, PASSWORD)

    earlier = decisions.get(clinic.clinician, first.id, clinic.patient)
    assert earlier.superseded_by == second.id
    assert earlier.choice == "injection"
    with pytest.raises(Conflict) as again:
        decisions.change_of_mind(clinic.clinician, first.id, clinic.patient)
    assert again.value.code == "decision.superseded"
    listed = {
        r.id: r.superseded_by for r in decisions.for_patient(clinic.clinician, clinic.patient)
    }
    assert listed == {first.id: second.id, second.id: None}


def test_opening_a_record_is_audited_naming_the_patient(clinic: Clinic) -> None:
    decisions = clinic.services.decisions
    started = decisions.start(clinic.clinician, clinic.patient, AID)

    decisions.get(clinic.clinician, started.id, clinic.patient)

    with clinic.services.context.store.sessions() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None
    assert (entry.action, entry.patient_id, entry.entity_id, entry.user_id) == (
        "sdm.open",
        clinic.patient,
        started.id,
        clinic.clinician.id,
    )


def test_the_record_is_on_the_patient_s_timeline(clinic: Clinic) -> None:
    decisions = clinic.services.decisions
    started = decisions.start(clinic.clinician, clinic.patient, AID)

    timeline = clinic.services.timeline.for_patient(clinic.clinician, clinic.patient)

    entries = [entry for entry in timeline.entries if entry.kind == "sdm"]
    assert [(e.record_id, e.screen_id, e.can_continue) for e in entries] == [
        (started.id, "decision", True)
    ]


def test_printing_the_summary_names_the_patient_from_their_record_and_is_audited(
    clinic: Clinic,
) -> None:
    decisions = clinic.services.decisions
    started = decisions.start(clinic.clinician, clinic.patient, AID)
    decisions.save(clinic.clinician, started.id, clinic.patient, TALKED_THROUGH)
    with clinic.services.context.store.sessions() as session:
        patient = session.get(Patient, clinic.patient)
        assert patient is not None
        family, number = patient.family_name, patient.nhs_number

    pdf = decisions.printable(clinic.clinician, started.id, clinic.patient, date(2026, 12, 5))

    words = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert family.upper() in words
    assert f"{number[:3]} {number[3:6]} {number[6:]}" in " ".join(words.split())
    assert "I want to get back to work quickly." in words
    with clinic.services.context.store.sessions() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None
    assert (entry.action, entry.patient_id, entry.entity_id) == (
        "sdm.print",
        clinic.patient,
        started.id,
    )
    # Never for another patient, whatever the screen asks.
    with pytest.raises(NotFound):
        decisions.printable(clinic.clinician, started.id, clinic.other, date(2026, 12, 5))


def test_a_draft_prints_only_for_its_clinician_and_a_signed_decision_for_any(
    clinic: Clinic,
) -> None:
    decisions = clinic.services.decisions
    started = decisions.start(clinic.clinician, clinic.patient, AID)
    decisions.save(clinic.clinician, started.id, clinic.patient, TALKED_THROUGH)
    colleague = clinic.login("supervisor")
    with pytest.raises(PermissionDenied) as refused:
        decisions.printable(colleague, started.id, clinic.patient, date(2026, 12, 5))
    assert refused.value.code == "decision.draft_not_yours"

    # The draft its clinician prints says on every page that nothing is agreed yet.
    draft = _words(decisions.printable(clinic.clinician, started.id, clinic.patient, TODAY))
    assert "DRAFT: this has not been agreed" in draft
    assert draft.count("Your decision: DRAFT") == draft.count("Page ")
    assert "Your clinician will arrange" not in draft
    # The aid by its title, never by its file's id.
    assert "Decision aid: " in draft
    assert f"Decision aid {AID}" not in draft

    decisions.sign(clinic.clinician, started.id, clinic.patient, PASSWORD)
    pdf = decisions.printable(colleague, started.id, clinic.patient, TODAY)
    assert pdf.startswith(b"%PDF")
    assert "DRAFT" not in _words(pdf)


TODAY = date(2026, 12, 5)


def _words(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_a_summary_for_a_patient_with_no_nhs_number_has_their_date_of_birth_on_every_page(
    clinic: Clinic,
) -> None:
    born = without_nhs_number(clinic.services, clinic.clinician, clinic.patient)
    decisions = clinic.services.decisions
    started = decisions.start(clinic.clinician, clinic.patient, AID)
    decisions.save(clinic.clinician, started.id, clinic.patient, TALKED_THROUGH)

    pdf = decisions.printable(clinic.clinician, started.id, clinic.patient, date(2026, 12, 5))

    assert len(page_words(pdf)) > 1
    assert pages_missing(pdf, born) == []
