"""Records a decision leads to name the SDM record, or keep the reason to go on without one."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from clinic_app.domains.decisions.handlers import decision_link_refusal
from clinic_app.domains.decisions.service import DecisionLink, check_decision
from clinic_app.domains.decisions.views import DecisionInput, DecisionRecordView
from clinic_app.kernel.errors import Conflict, NotFound, ValidationError
from clinic_app.people.episodes import open_episode_id
from clinic_app.sync.hooks import change_checks
from tests.core.decisions.conftest import AID, Clinic

PASSWORD = "clinician-demo-2026"
CHOSE_INJECTION = DecisionInput(
    options_discussed=("self_management", "injection", "not_now"),
    ratings={"quick_relief": 8},
    choice="injection",
    decision_maker="patient",
    collaborate=(9, 9, 9),
)


def _signed(clinic: Clinic, patient: uuid.UUID, data: DecisionInput) -> DecisionRecordView:
    decisions = clinic.services.decisions
    started = decisions.start(clinic.clinician, patient, AID)
    decisions.save(clinic.clinician, started.id, patient, data)
    return decisions.sign(clinic.clinician, started.id, patient, PASSWORD)


def _check(
    clinic: Clinic,
    leads_to: str,
    *,
    sdm_id: uuid.UUID | None = None,
    reason: str | None = None,
    patient: uuid.UUID | None = None,
    episode: uuid.UUID | str | None = "the patient's",
) -> DecisionLink:
    patient = patient or clinic.patient
    with clinic.services.context.store.sessions.begin() as session:
        if episode == "the patient's":
            episode = open_episode_id(session, patient)
        assert not isinstance(episode, str)
        return check_decision(session, patient, episode, leads_to, sdm_id=sdm_id, reason=reason)


def test_with_no_decision_in_the_episode_the_warning_asks_for_a_reason(clinic: Clinic) -> None:
    with pytest.raises(ValidationError) as warned:
        _check(clinic, "injection")
    assert (warned.value.code, warned.value.field) == (
        "decision.none_in_episode",
        "sdm_missing_reason",
    )
    with pytest.raises(ValidationError):
        _check(clinic, "injection", reason="   ")

    link = _check(clinic, "injection", reason="  Patient declined the aid; wants it today. ")

    assert link == DecisionLink(None, "Patient declined the aid; wants it today.")


def test_a_draft_or_a_decision_about_something_else_does_not_count(clinic: Clinic) -> None:
    decisions = clinic.services.decisions
    _signed(
        clinic,
        clinic.patient,
        replace(
            CHOSE_INJECTION, options_discussed=("self_management", "not_now"), choice="not_now"
        ),
    )
    draft = decisions.start(clinic.clinician, clinic.patient, AID)
    decisions.save(clinic.clinician, draft.id, clinic.patient, CHOSE_INJECTION)

    with pytest.raises(ValidationError) as warned:
        _check(clinic, "injection")

    assert warned.value.code == "decision.none_in_episode"


def test_a_signed_decision_in_the_episode_is_found_and_linked(clinic: Clinic) -> None:
    signed = _signed(clinic, clinic.patient, CHOSE_INJECTION)

    assert _check(clinic, "injection") == DecisionLink(signed.id, None)
    assert _check(clinic, "injection", sdm_id=signed.id) == DecisionLink(signed.id, None)
    found = clinic.services.decisions.decision_for(
        clinic.clinician, clinic.patient, signed.episode_id, "injection"
    )
    assert [record.id for record in found] == [signed.id]
    assert (
        clinic.services.decisions.decision_for(
            clinic.clinician, clinic.patient, signed.episode_id, "imaging"
        )
        == []
    )
    with pytest.raises(ValidationError) as wrong_kind:
        _check(clinic, "imaging", sdm_id=signed.id)
    assert (wrong_kind.value.code, wrong_kind.value.field) == (
        "decision.not_for_this",
        "sdm_record_id",
    )


def test_a_decision_discussing_an_option_counts_whatever_was_chosen(clinic: Clinic) -> None:
    # The decision was shared: choosing not to have the injection today is still one.
    signed = _signed(clinic, clinic.patient, replace(CHOSE_INJECTION, choice="undecided"))

    assert _check(clinic, "injection") == DecisionLink(signed.id, None)


def test_a_decision_of_another_patient_is_refused(clinic: Clinic) -> None:
    theirs = _signed(clinic, clinic.other, CHOSE_INJECTION)

    with pytest.raises(Conflict) as refused:
        _check(clinic, "injection", sdm_id=theirs.id)

    assert refused.value.code == "decision.wrong_patient"
    assert (
        clinic.services.decisions.decision_for(
            clinic.clinician, clinic.patient, theirs.episode_id, "injection"
        )
        == []
    )


def test_a_draft_another_episode_or_no_record_is_refused_by_name(clinic: Clinic) -> None:
    decisions = clinic.services.decisions
    signed = _signed(clinic, clinic.patient, CHOSE_INJECTION)
    draft = decisions.start(clinic.clinician, clinic.patient, AID)

    with pytest.raises(Conflict) as not_signed:
        _check(clinic, "injection", sdm_id=draft.id)
    with pytest.raises(Conflict) as elsewhere:
        _check(clinic, "injection", sdm_id=signed.id, episode=None)
    with pytest.raises(NotFound) as missing:
        _check(clinic, "injection", sdm_id=uuid.uuid4())

    assert not_signed.value.code == "decision.not_signed"
    assert elsewhere.value.code == "decision.other_episode"
    assert missing.value.code == "decision.not_found"


def test_a_superseded_decision_gives_way_to_the_change_of_mind(clinic: Clinic) -> None:
    decisions = clinic.services.decisions
    first = _signed(clinic, clinic.patient, CHOSE_INJECTION)
    second = decisions.change_of_mind(clinic.clinician, first.id, clinic.patient)
    decisions.save(
        clinic.clinician,
        second.id,
        clinic.patient,
        replace(CHOSE_INJECTION, options_discussed=("scan", "not_now"), choice="scan"),
    )
    decisions.sign(clinic.clinician, second.id, clinic.patient, PASSWORD)

    with pytest.raises(ValidationError):
        _check(clinic, "injection")
    assert _check(clinic, "imaging") == DecisionLink(second.id, None)
    assert [
        r.id
        for r in decisions.decision_for(
            clinic.clinician, clinic.patient, first.episode_id, "imaging"
        )
    ] == [second.id]


def test_an_unknown_kind_of_record_is_refused(clinic: Clinic) -> None:
    with pytest.raises(ValidationError) as refused:
        clinic.services.decisions.decision_for(clinic.clinician, clinic.patient, None, "massage")
    assert refused.value.code == "decision.unknown_leads_to"
    with pytest.raises(ValueError, match="massage"):
        _check(clinic, "massage")


def test_the_server_refuses_a_link_to_another_patient_s_decision(clinic: Clinic) -> None:
    theirs = _signed(clinic, clinic.other, CHOSE_INJECTION)
    mine = _signed(clinic, clinic.patient, CHOSE_INJECTION)

    with clinic.services.context.store.engine.connect() as conn:
        wrong = decision_link_refusal(
            conn, {"patient_id": clinic.patient, "sdm_record_id": theirs.id}
        )
        right = decision_link_refusal(
            conn, {"patient_id": clinic.patient, "sdm_record_id": mine.id}
        )
        superseding = [
            check(conn, {"patient_id": clinic.patient, "supersedes_id": theirs.id}, None)
            for check in change_checks("sdm_records")
        ]

    assert wrong == "sync.wrong_patient"
    assert right is None
    assert "sync.wrong_patient" in superseding
