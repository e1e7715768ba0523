"""A screening recorded on an earlier day is read again from the patient's timeline."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import CLINICIAN, WAIT_MS, wait_idle
from ui.app import MainWindow


def _record(clinic: Services, patient_id: object, screen_id: str) -> object:
    user = clinic.auth.login(CLINICIAN, demo_password(CLINICIAN))
    answers = dict.fromkeys(red_flag_screen(screen_id).question_codes, "no")
    return clinic.red_flags.record(user, patient_id, screen_id, answers)


def test_a_timeline_entry_opens_the_screening_it_names_and_only_for_its_patient(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    user = window.session.require_user()
    recorded = _record(clinic, seeded_patient.id, "cauda_equina")
    record = clinic.patients.open(user, seeded_patient.id)
    (entry,) = [
        e
        for e in clinic.timeline.for_patient(user, seeded_patient.id).of_kind("red_flag_screening")
        if e.record_id == recorded.id  # type: ignore[attr-defined]
    ]
    # Through the record: signing in lands on the day list, where patient actions are off.
    window.open_screen("patient", record)
    window.open_screen(entry.screen_id or "", entry)
    flags = window.screen_by_id("red_flags")
    panel = flags.view.recorded_panel
    qtbot.waitUntil(lambda: panel.isVisibleTo(flags.view), timeout=WAIT_MS)
    assert "Suspected cauda equina syndrome" in panel.title.text()
    assert "Outcome: " in panel.body.text()
    first_question = red_flag_screen("cauda_equina").questions[0].text
    assert f"{first_question} — No" in panel.body.text()

    # Another patient's screening id never shows under this patient's banner.
    others = clinic.patients.search(user, "999", limit=10)
    other = next(p for p in others if p.id != seeded_patient.id)
    elsewhere = _record(clinic, other.id, "cauda_equina")
    panel.hide()
    window.open_screen("red_flags", elsewhere.id)  # type: ignore[attr-defined]
    wait_idle(window)
    QApplication.processEvents()
    assert not panel.isVisibleTo(flags.view)
    assert "not in this patient's record" in flags.view.message.text()
