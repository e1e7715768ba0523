"""The record's timeline, used as a clinician would: find finished work, continue it, add to it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.triage.views import TriageInput
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientSummary, ReferralInput
from tests.support import pictures
from tests.ui.conftest import WAIT_MS, type_into, wait_idle
from ui.app import MainWindow

SIGNED_COMPLAINT = "Right knee pain on stairs"
DRAFT_COMPLAINT = "Knee review after six weeks"
OTHER_COMPLAINT = "Shoulder pain reaching overhead"


@dataclass
class OnFile:
    patient: PatientSummary
    other: PatientSummary
    referral: uuid.UUID
    signed: uuid.UUID
    draft: uuid.UUID
    other_draft: uuid.UUID


def _patients(clinic: Services, clinician: CurrentUser) -> tuple[PatientSummary, PatientSummary]:
    everyone = clinic.patients.search(clinician, "999", limit=60)
    by_surname: dict[str, list[PatientSummary]] = {}
    for patient in everyone:
        by_surname.setdefault(patient.family_name, []).append(patient)
    rare = sorted(by_surname.values(), key=len)
    return rare[0][0], rare[1][0]


@pytest.fixture
def on_file(clinic: Services, clinician: CurrentUser) -> OnFile:
    """A patient referred urgent, triaged routine, with a signed assessment and a draft."""
    patient, other = _patients(clinic, clinician)
    referral = clinic.referrals.create(
        clinician,
        ReferralInput(
            patient_id=patient.id,
            source="gp",
            received_on="2025-03-03",
            referrer_name="Dr A Hughes",
            reason="Knee pain on stairs, worse for a month",
            specialty="physiotherapy",
            priority="urgent",
        ),
    ).id
    clinic.triage.triage(
        clinician,
        referral,
        TriageInput(outcome="appointment", priority="routine", pathway="physiotherapy"),
    )
    signed = clinic.assessments.save_draft(
        clinician, patient.id, {"presenting_complaint": SIGNED_COMPLAINT}
    )
    clinic.assessments.sign(clinician, signed.id, demo_password(clinician.username))
    draft = clinic.assessments.save_draft(
        clinician, patient.id, {"presenting_complaint": DRAFT_COMPLAINT}
    )
    other_draft = clinic.assessments.save_draft(
        clinician, other.id, {"presenting_complaint": OTHER_COMPLAINT}
    )
    return OnFile(patient, other, referral, signed.id, draft.id, other_draft.id)


def _open_record(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> None:
    window.screen_by_id("search").view_model.choose_patient(patient.id)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(
        lambda: (
            window.pages.currentWidget() is record.view
            and record.view_model.timeline is not None
            and record.view_model.timeline.patient_id == patient.id
        ),
        timeout=WAIT_MS,
    )
    wait_idle(window)


def _back_to_record(qtbot: QtBot, window: MainWindow) -> None:
    window.open_screen("patient")
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("patient").view,
        timeout=WAIT_MS,
    )
    wait_idle(window)


def _open_entry(qtbot: QtBot, window: MainWindow, record_id: uuid.UUID, button_words: str) -> None:
    timeline = window.screen_by_id("patient").view.timeline
    qtbot.waitUntil(lambda: timeline.select_entry(record_id), timeout=WAIT_MS)
    assert timeline.open_button.text() == button_words
    qtbot.mouseClick(timeline.open_button, Qt.MouseButton.LeftButton)
    wait_idle(window)


def test_the_record_shows_the_timeline_by_episode_with_the_triaged_priority(
    qtbot: QtBot, signed_in: MainWindow, on_file: OnFile
) -> None:
    """The record lists the referral, its triage (a downgrade) and both assessments."""
    window = signed_in
    _open_record(qtbot, window, on_file.patient)
    view = window.screen_by_id("patient").view
    rows = view.timeline.rows()
    headings = [row[0] for row in rows if len(row) == 1]
    assert headings[0].startswith("Physiotherapy")
    assert "open since" in headings[0]
    text = "\n".join(" | ".join(row) for row in rows)
    assert "Referral from" in text
    assert "routine" in text
    assert "downgraded from urgent" in text
    assert f"Assessment (draft) | Draft | {DRAFT_COMPLAINT}" in text
    assert f"Assessment | Signed | {SIGNED_COMPLAINT}" in text
    [referral_row] = [r for r in view.referral_rows() if "Knee pain on stairs" in r[5]]
    assert referral_row[3] == "Routine (referred urgent)"


def test_a_clinician_continues_a_draft_adds_an_addendum_and_moves_to_another_patient(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, on_file: OnFile, tmp_path: Path
) -> None:
    """Open the draft from the timeline and continue it; open the signed one and add to it."""
    window = signed_in
    _open_record(qtbot, window, on_file.patient)
    window.resize(1366, 768)
    wait_idle(window)
    window.grab().save(str(tmp_path / "record-timeline.png"))
    pictures.keep(window, "timeline-record-1366x768.png")

    # The draft: continued where it was left.
    _open_entry(qtbot, window, on_file.draft, "Continue draft")
    screen = window.screen_by_id("assessment")
    assert window.pages.currentWidget() is screen.page
    qtbot.waitUntil(
        lambda: (
            screen.view_model.assessment is not None
            and screen.view_model.assessment.id == on_file.draft
        ),
        timeout=WAIT_MS,
    )
    complaint = screen.view.texts["presenting_complaint"]
    assert complaint.toPlainText() == DRAFT_COMPLAINT
    complaint.moveCursor(complaint.textCursor().MoveOperation.End)
    type_into(qtbot, complaint, "; better on the flat")
    screen.save_now()
    wait_idle(window)
    user = window.session.user
    assert user is not None
    kept = clinic.assessments.get(user, on_file.draft)
    assert kept.content["presenting_complaint"] == f"{DRAFT_COMPLAINT}; better on the flat"

    # The signed one: read, and added to long after signing.
    _back_to_record(qtbot, window)
    _open_entry(qtbot, window, on_file.signed, "Read or add addendum")
    qtbot.waitUntil(
        lambda: (
            screen.view_model.assessment is not None
            and screen.view_model.assessment.id == on_file.signed
        ),
        timeout=WAIT_MS,
    )
    assert screen.view_model.is_signed
    assert screen.view.signed_card.isVisible()
    type_into(qtbot, screen.view.addendum_text, "Telephoned: walking further.")
    type_into(qtbot, screen.view.addendum_password, demo_password(user.username))
    qtbot.mouseClick(screen.view.addendum_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            screen.view_model.assessment is not None
            and len(screen.view_model.assessment.addenda) == 1
        ),
        timeout=WAIT_MS,
    )
    pictures.keep(window, "timeline-addendum-1366x768.png")

    # Back on the record the addendum is on the timeline.
    _back_to_record(qtbot, window)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(
        lambda: (
            record.view_model.timeline is not None
            and bool(record.view_model.timeline.of_kind("assessment_addendum"))
        ),
        timeout=WAIT_MS,
    )
    wait_idle(window)
    assert any(
        "Addendum to the assessment" in row[1]
        for row in record.view.timeline.rows()
        if len(row) > 1
    )

    # Another patient: only theirs.
    _open_record(qtbot, window, on_file.other)
    shown = record.view.timeline.entries()
    assert shown
    assert {entry.patient_id for entry in shown} == {on_file.other.id}
    ids = {entry.record_id for entry in shown}
    assert on_file.other_draft in ids
    assert not ids & {on_file.draft, on_file.signed, on_file.referral}
    assert on_file.patient.family_name not in record.view.banner.name_label.text()


def test_the_assessment_offers_the_draft_and_the_signed_one_before_a_new_one(
    qtbot: QtBot, signed_in: MainWindow, on_file: OnFile
) -> None:
    """Ctrl+Shift+A with a draft and a signed assessment on file offers both first."""
    window = signed_in
    _open_record(qtbot, window, on_file.patient)
    qtbot.keyClick(
        window,
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    screen = window.screen_by_id("assessment")
    offer = screen.offer
    qtbot.waitUntil(offer.draft_row.isVisible, timeout=WAIT_MS)
    assert screen.stack.currentWidget() is offer
    assert DRAFT_COMPLAINT in offer.draft_words.text()
    assert offer.signed_row.isVisible()
    assert SIGNED_COMPLAINT in offer.signed_words.text()
    pictures.keep(window, "timeline-assessment-offer.png")

    qtbot.mouseClick(offer.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            screen.view_model.assessment is not None
            and screen.view_model.assessment.id == on_file.signed
        ),
        timeout=WAIT_MS,
    )
    assert screen.stack.currentWidget() is screen.view
    assert screen.view.signed_card.isVisible()

    # A patient with nothing on file of theirs starts a new assessment at once.
    _open_record(qtbot, window, on_file.other)
    window.open_screen("assessment")
    qtbot.waitUntil(offer.draft_row.isVisible, timeout=WAIT_MS)
    assert OTHER_COMPLAINT in offer.draft_words.text()
    assert not offer.signed_row.isVisible()
    qtbot.mouseClick(offer.new_button, Qt.MouseButton.LeftButton)
    assert screen.stack.currentWidget() is screen.view
    assert screen.view_model.assessment is None
    assert screen.view_model.patient_id == on_file.other.id
    wait_idle(window)


def test_an_episode_is_discharged_and_reopened_from_the_record_with_reasons(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, on_file: OnFile
) -> None:
    """Discharge needs a reason; the closed episode says why; reopening says so too."""
    window = signed_in
    _open_record(qtbot, window, on_file.patient)
    record = window.screen_by_id("patient")
    timeline = record.view.timeline
    episode = record.view_model.record.open_episode
    assert episode is not None
    assert timeline.select_episode(episode.id)
    assert not timeline.close_button.isEnabled()  # no reason yet
    assert not timeline.reopen_button.isEnabled()  # it is open
    type_into(qtbot, timeline.reason, "Goals met; self-managing")
    assert timeline.close_button.isEnabled()
    qtbot.mouseClick(timeline.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            record.view_model.record is not None
            and record.view_model.record.open_episode is None
            and record.view_model.timeline is not None
            and any(e.status == "closed" for e in record.view_model.timeline.of_kind("episode"))
        ),
        timeout=WAIT_MS,
    )
    wait_idle(window)
    headings = [row[0] for row in timeline.rows() if len(row) == 1]
    assert "closed (Goals met; self-managing)" in headings[0]
    assert any(
        row[1:3] == ["Discharged: episode closed", "Closed"]
        for row in timeline.rows()
        if len(row) > 1
    )

    assert timeline.select_episode(episode.id)
    type_into(qtbot, timeline.reason, "Pain back within six weeks")
    assert timeline.reopen_button.isEnabled()
    assert not timeline.close_button.isEnabled()
    qtbot.mouseClick(timeline.reopen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            record.view_model.record is not None
            and record.view_model.record.open_episode is not None
        ),
        timeout=WAIT_MS,
    )
    wait_idle(window)
    user = window.session.user
    assert user is not None
    changes = clinic.timeline.for_patient(user, on_file.patient.id).of_kind("episode")
    assert [e.detail for e in changes if e.detail] == [
        "Pain back within six weeks",
        "Goals met; self-managing",
    ]


def test_a_populated_timeline_fits_a_laptop_screen(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, on_file: OnFile
) -> None:
    """Every kind on one record, at 1366 by 768: the page fits and every kind is listed."""
    user = signed_in.session.user
    assert user is not None
    patient = on_file.patient.id
    clinic.questionnaires.record(
        user, patient, "pain_nrs", {"pain_now": 6}, "baseline", "clinician"
    )
    clinic.red_flags.record(
        user,
        patient,
        "cauda_equina",
        {
            "back_or_leg_pain": "yes",
            "bladder_change": "no",
            "bowel_change": "no",
            "saddle_numbness": "no",
            "bilateral_leg_symptoms": "no",
            "sexual_dysfunction": "no",
        },
    )
    clinic.assessments.add_addendum(
        user, on_file.signed, "Telephoned: walking further.", demo_password(user.username)
    )
    frame = np.random.default_rng(2).integers(0, 90, (96, 128, 3), dtype=np.uint8)
    image = clinic.imaging.capture_still(user, patient, frame, body_part="KNEE", laterality="R")
    assert image.study_id is not None
    report = clinic.reports.start(user, image.study_id)
    clinic.reports.save(
        user,
        report.id,
        {
            "findings": "Small suprapatellar effusion.",
            "impression": "Effusion.",
            "body_region": "Knee",
            "key_images": [str(image.id)],
        },
    )
    clinic.reports.sign(user, report.id, demo_password(user.username))

    window = signed_in
    window.resize(1366, 768)
    _open_record(qtbot, window, on_file.patient)
    page = window.screen_by_id("patient").view
    kinds = {entry.kind for entry in page.timeline.entries()}
    assert kinds >= {
        "referral",
        "triage_decision",
        "episode",
        "assessment",
        "assessment_addendum",
        "red_flag_screening",
        "questionnaire_response",
        "imaging_study",
        "scan_report",
    }
    hint = page.minimumSizeHint()
    assert hint.width() <= 1366
    assert hint.height() <= 700
    qtbot.wait(100)  # the scroll area lays out its grown page on the next passes
    # The list is as tall as its rows (up to a limit) and its card holds it whole.
    tree = page.timeline.tree
    card_bottom = page.timeline.mapTo(page, page.timeline.rect().bottomLeft()).y()
    tree_bottom = tree.mapTo(page, tree.rect().bottomLeft()).y()
    assert tree_bottom < card_bottom
    pictures.keep(window, "timeline-populated-1366x768.png")
