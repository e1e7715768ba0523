"""A signed assessment under a registration since merged into the record, read from the record."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.people.views import PatientSummary
from tests.support.merges import merged_by_sync
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, type_into
from tests.ui.late_answers import in_banner, open_record, settle, two_patients
from tests.ui.records import second_registration
from ui.app import MainWindow


def _signed(clinic: Services, window: MainWindow, patient_id: uuid.UUID, words: str) -> uuid.UUID:
    user = window.session.require_user()
    draft = clinic.assessments.save_draft(user, patient_id, {"presenting_complaint": words})
    return clinic.assessments.sign(user, draft.id, demo_password(CLINICIAN)).id


def test_a_signed_assessment_under_a_merged_registration_is_read_and_added_to_from_the_record(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    # Assessed at another clinic under a second registration, since merged into this one.
    signed = _signed(clinic, window, seeded_patient.id, "Locking of the left knee on stairs")
    survivor = second_registration(clinic, seeded_patient)
    merged_by_sync(clinic, survivor, seeded_patient.id)

    open_record(qtbot, window, survivor)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(lambda: record.view_model.timeline is not None, timeout=WAIT_MS)
    (entry,) = [
        e
        for e in record.view_model.timeline.entries
        if e.kind == "assessment" and e.item_id == signed
    ]
    assert entry.patient_id == seeded_patient.id
    record.view_model.open_entry(entry)
    settle(qtbot, window)

    screen = window.screen_by_id("assessment")
    assert window.showing(screen)
    assert in_banner(window, survivor)
    qtbot.waitUntil(lambda: screen.view_model.assessment is not None, timeout=WAIT_MS)
    assert screen.view_model.assessment.id == signed
    complaint = screen.view.texts["presenting_complaint"].toPlainText()
    assert "Locking of the left knee" in complaint

    # Added to from the surviving record, as any signed assessment is.
    type_into(qtbot, screen.view.addendum_text, "Seen again: the locking has settled.")
    type_into(qtbot, screen.view.addendum_password, demo_password(CLINICIAN))
    qtbot.mouseClick(screen.view.addendum_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    user = window.session.require_user()
    kept = clinic.assessments.get(user, signed)
    assert [a.text for a in kept.addenda] == ["Seen again: the locking has settled."]


def test_another_patients_assessment_is_never_shown_under_the_banner(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    a, b = two_patients(clinic, window)
    of_b = _signed(clinic, window, b.id, "Right shoulder pain at night")
    open_record(qtbot, window, a.id)

    # Asked to open B's assessment while A is in the banner (a stale link, a wrong id).
    window.open_screen("assessment", of_b)
    settle(qtbot, window)

    screen = window.screen_by_id("assessment")
    assert in_banner(window, a.id)
    assert screen.view_model.assessment is None
    assert "Right shoulder" not in screen.view.texts["presenting_complaint"].toPlainText()
    assert "could not be found" in screen.view.draft_status.text()
