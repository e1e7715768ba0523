"""Possible duplicates: a supervisor compares two records side by side and merges them."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, wait_idle
from tests.ui.late_answers import open_record, settle
from tests.ui.records import merge_keeping_the_second, second_registration
from ui.app import MainWindow


def test_a_supervisor_merges_two_records_of_one_patient_with_a_reason(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    second = second_registration(clinic, seeded_patient)
    sign_in(qtbot, window, "supervisor")
    window.action("duplicates").trigger()
    screen = window.screen_by_id("duplicates")
    view = screen.view
    qtbot.waitUntil(lambda: view.pairs.count() == 1, timeout=WAIT_MS)
    wait_idle(window)
    assert window.pages.currentWidget() is view
    nhs = {view.cells[("nhs", 0)].text(), view.cells[("nhs", 1)].text()}
    assert nhs == {seeded_patient.nhs_number}
    addresses = {view.cells[("address", 0)].text(), view.cells[("address", 1)].text()}
    assert "2 Mill Lane, Leeds" in addresses
    assert "same NHS number" in view.matched.text()
    _screenshot(window, "duplicates.png")

    # No reason: the merge is refused and the reason asked for under the box.
    qtbot.mouseClick(view.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.reason_error.isVisibleTo(view), timeout=WAIT_MS)
    assert view.reason_error.text()
    assert view.pairs.count() == 1

    merge_keeping_the_second(qtbot, window)
    assert "Merged" in view.notice.message.text()
    assert view.empty.isVisibleTo(view)

    clinician = clinic.auth.login(CLINICIAN, f"{CLINICIAN}-demo-2026")
    found = clinic.patients.search(clinician, seeded_patient.nhs_number or "")
    assert [p.id for p in found] == [second]
    assert clinic.patients.open(clinician, seeded_patient.id).id == second


def test_the_list_is_offered_to_supervisors_and_the_service_lead_only(
    qtbot: QtBot, window: MainWindow
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    assert not window.action("duplicates").isEnabled()


def _screenshot(window: MainWindow, name: str) -> None:
    folder = os.environ.get("ONESTOP_SCREENSHOTS")
    if not folder:
        return
    window.resize(1366, 768)
    wait_idle(window)
    Path(folder).mkdir(parents=True, exist_ok=True)
    window.grab().save(str(Path(folder) / name))


def test_every_entry_of_a_merged_registration_opens_from_the_surviving_record(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    sign_in(qtbot, window, "supervisor")
    user = window.session.require_user()
    definition = clinic.questionnaires.definition("pseq")
    answers = {item.code: 4 for item in definition.items}
    timepoint = clinic.questionnaires.next_timepoint(user, seeded_patient.id, "pseq")
    clinic.questionnaires.record(user, seeded_patient.id, "pseq", answers, timepoint, "clinician")
    clinic.assessments.save_draft(user, seeded_patient.id, {"presenting_complaint": "Knee pain"})
    frame = np.random.default_rng(7).integers(0, 90, (96, 128, 3), dtype=np.uint8)
    clinic.imaging.capture_still(user, seeded_patient.id, frame, body_part="KNEE", laterality="R")
    survivor = second_registration(clinic, seeded_patient)
    window.action("duplicates").trigger()
    view = window.screen_by_id("duplicates").view
    qtbot.waitUntil(lambda: view.pairs.count() == 1, timeout=WAIT_MS)
    wait_idle(window)
    merge_keeping_the_second(qtbot, window)
    settle(qtbot, window)

    open_record(qtbot, window, survivor)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(lambda: record.view_model.timeline is not None, timeout=WAIT_MS)
    merged = [
        e
        for e in record.view_model.timeline.entries
        if e.patient_id != survivor and e.screen_id is not None
    ]
    assert {e.screen_id for e in merged} >= {"questionnaire", "assessment", "imaging"}, merged
    # Each opens on its own screen, under the surviving record's banner.
    for entry in merged:
        window.context.open("patient", window.context.patient)
        wait_idle(window)
        record.view_model.open_entry(entry)
        settle(qtbot, window)
        assert window.showing(window.screen_by_id(entry.screen_id)), (
            entry,
            record.view.notice.text(),
        )
        assert window.context.patient is not None
        assert window.context.patient.id == survivor
