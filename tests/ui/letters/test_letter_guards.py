"""What the letter screen never shows as final, and where its refusals are said."""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.kernel.errors import FormErrors, ValidationError
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.model import Patient
from clinic_app.people.nhs_number import synthetic_numbers
from tests.core.reports.test_reports import PASSWORD, _content, _study, _user
from tests.ui.conftest import WAIT_MS, sign_in, wait_idle
from tests.ui.letters.helpers import (
    open_letter,
    patients_with_episodes,
    pdf_text,
    printing_to,
    set_row,
)
from ui.app import MainWindow
from ui.domains.letters.letter.view_model import section_problems


def _unused_number(clinic: Services) -> str:
    with clinic.context.store.sessions() as session:
        used = {row.nhs_number for row in session.query(Patient).all()}
    return next(n for n in synthetic_numbers(500, start=300) if n not in used)


def test_a_preliminary_trainee_report_is_never_printed_in_a_letter(
    qtbot: QtBot, window: MainWindow, clinic: Services, tmp_path: Path
) -> None:
    _user(clinic, "sam", Role.SUPERVISOR)
    writer = _user(clinic, "cal", Role.CLINICIAN)
    trainee = _user(clinic, "tia", Role.TRAINEE, supervisor="sam")
    image = _study(clinic, writer, nhs=_unused_number(clinic))
    waiting = clinic.reports.start(trainee, image.study_id)  # type: ignore[arg-type]
    words = dict(_content(image.id))
    words["findings"] = "Unverified trainee words about an effusion."
    clinic.reports.save(trainee, waiting.id, words)
    clinic.reports.submit(trainee, waiting.id)

    sign_in(qtbot, window, "cal", PASSWORD)
    screen = open_letter(window, clinic, waiting.patient_id)
    view = screen.view
    view.kind.setCurrentIndex(view.kind.findData("gp_clinic"))
    with qtbot.waitSignal(screen.view_model.letter_changed, timeout=WAIT_MS):
        view.draft_button.click()
    wait_idle(window)
    shown = " ".join(e.words.toPlainText() for e in view.sections.values())
    assert "Unverified trainee words" not in shown
    printed = printing_to(screen, tmp_path)
    with qtbot.waitSignal(screen.view_model.printed, timeout=WAIT_MS):
        qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    text = pdf_text(printed[0])
    assert "Unverified trainee words" not in text
    assert "Clinic letter" in text


def test_large_print_is_said_when_the_record_asks_for_it(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    ((patient, _episode),) = patients_with_episodes(clinic, 1)
    set_row(clinic, Patient, patient, accessible_information_needs=["large_print"])
    screen = open_letter(window, clinic, patient)
    view = screen.view
    view.kind.setCurrentIndex(view.kind.findData("patient"))
    with qtbot.waitSignal(screen.view_model.letter_changed, timeout=WAIT_MS):
        view.draft_button.click()
    wait_idle(window)
    assert screen.view_model.letter is not None
    assert screen.view_model.letter.large_print
    assert "large print" in view.status.text()


def test_each_refusal_is_put_beside_the_section_it_is_about() -> None:
    gp = ("patient_demographics", "clinical_summary", "investigation_results", "allergies")
    refused = FormErrors(
        [
            ValidationError("letter.mandatory_empty", field="allergies"),
            ValidationError(
                "letter.report_preliminary", field="sections", report=str(uuid.uuid4())
            ),
            ValidationError("letter.red_flag_no_action", field="sections", screen="Cauda equina"),
        ]
    )
    found = section_problems(refused, gp)
    assert "must say something" in found["allergies"]
    assert "not final" in found["investigation_results"]
    assert "Cauda equina" in found["clinical_summary"]
    # A letter to the patient: the scans and what was found.
    to_patient = ("actions", "found", "scans", "copies")
    found = section_problems(refused, to_patient)
    assert "not final" in found["scans"]
    assert "Cauda equina" in found["found"]
