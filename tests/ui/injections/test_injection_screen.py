"""The injection screen as a clinician uses it: the decision behind it, the form, the checks, the
signature, through the real window and the real store."""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.demo_imaging import add_demo_imaging
from clinic_app.people.nhs_number import synthetic_numbers
from tests.support import pictures
from tests.ui.conftest import WAIT_MS, type_into, wait_idle
from tests.ui.injections.helpers import (
    PASSWORD,
    REASON,
    add_pgd,
    fill_knee_injection,
    open_injection,
    patients,
    pick,
    sign_decision,
    user_of,
)
from ui.app import MainWindow
from ui.domains.injections.injection.screens import InjectionScreen


def _block_store(window: MainWindow, seconds: float) -> None:
    """The store worker busy with something else for a moment (a sync round, a long read)."""
    started = threading.Event()

    def slow() -> None:
        started.set()
        time.sleep(seconds)

    window.runner.run_store(slow, on_done=lambda _r: None)
    started.wait(2)


def _save(window: MainWindow, screen: InjectionScreen) -> None:
    screen.view_model.save_now()
    wait_idle(window)
    wait_idle(window)


def _sign(qtbot: QtBot, window: MainWindow, screen: InjectionScreen) -> None:
    form = screen.view
    type_into(qtbot, form.password, PASSWORD)
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not screen.view_model.busy, timeout=WAIT_MS)
    wait_idle(window)
    wait_idle(window)


def _acknowledge_every_warning(qtbot: QtBot, window: MainWindow, screen: InjectionScreen) -> None:
    for _ in range(10):
        buttons = list(screen.view.acknowledge_buttons.values())
        if not buttons:
            return
        qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
        wait_idle(window)
        wait_idle(window)


def _open_again_signed(
    window: MainWindow,
    clinic: Services,
    screen: InjectionScreen,
    patient: uuid.UUID,
    record_id: uuid.UUID,
) -> None:
    """Opened again from the patient's timeline: the signed record, read only; a new
    injection from the menu starts empty."""
    form = screen.view
    window.open_screen("patient", clinic.patients.open(user_of(window), patient))
    wait_idle(window)
    window.open_screen("injection", record_id)
    wait_idle(window)
    assert window.showing(screen)
    assert screen.view_model.record is not None
    assert screen.view_model.record.id == record_id
    assert form.target.currentData() == "knee_joint"
    assert form.reason.toPlainText() == REASON
    assert not form.target.isEnabled()
    assert not form.sign_button.isEnabled()
    assert form.state.text().startswith("Signed on ")
    window.action("injection").trigger()
    wait_idle(window)
    assert screen.view_model.record is None
    assert form.target.currentData() is None
    assert form.target.isEnabled()


def test_with_no_shared_decision_signing_waits_for_a_reason_and_keeps_it(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    patient = patients(clinic, window, 1)[0]
    pgd = add_pgd(clinic, window)
    screen = open_injection(window, clinic, patient)
    form = screen.view

    # The decision comes first: none is recorded, so the screen says so in plain words.
    assert form.decision_warning.isVisible()
    assert form.decision_warning.text().startswith(
        "No shared decision about an injection is recorded in this episode."
    )
    assert form.reason_field.isVisible()
    assert form.share_button.isVisible()
    assert not form.decision_words.isVisible()
    # Nothing is kept before anything is typed.
    assert clinic.injections.for_patient(user_of(window), patient) == []

    fill_knee_injection(qtbot, form, pgd)
    _save(window, screen)
    record = screen.view_model.record
    assert record is not None
    assert record.fields.target == "knee_joint"
    assert record.fields.drugs[0].batch == "MP1234"
    pictures.keep(window, "injection_no_decision.png")

    # Signing is refused until a reason is given: the reason box says why, nothing is lost.
    _acknowledge_every_warning(qtbot, window, screen)
    _sign(qtbot, window, screen)
    assert screen.view_model.record is not None
    assert not screen.view_model.record.is_signed
    assert form.sign_problem.isVisible()
    assert form.reason_field.error()
    assert form.target.currentData() == "knee_joint"
    assert form.drug_rows[0].batch.text() == "MP1234"

    type_into(qtbot, form.reason, REASON)
    _save(window, screen)
    _acknowledge_every_warning(qtbot, window, screen)
    assert not form.acknowledge_buttons
    assert screen.view_model.checks is not None
    assert screen.view_model.checks.can_sign, form.check_lines
    _sign(qtbot, window, screen)

    signed = clinic.injections.get(user_of(window), record.id, patient_id=patient)
    assert signed.is_signed
    assert signed.fields.sdm_missing_reason == REASON
    assert signed.fields.sdm_record_id is None
    assert signed.fields.pgd_id == pgd.id
    assert "signed" in form.state.text().lower()
    assert not form.password.text()
    QApplication.processEvents()
    pictures.keep(window, "injection_signed.png")

    _open_again_signed(window, clinic, screen, patient, record.id)


def test_with_a_signed_shared_decision_the_injection_names_it(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, tmp_path: Path
) -> None:
    window = signed_in
    patient = patients(clinic, window, 1)[0]
    decision = sign_decision(clinic, window, patient)
    pgd = add_pgd(clinic, window)
    screen = open_injection(window, clinic, patient)
    form = screen.view

    assert not form.decision_warning.isVisible()
    assert not form.reason_field.isVisible()
    assert form.decision_words.isVisible()
    assert form.decision_words.text().startswith("Follows the shared decision of ")

    fill_knee_injection(qtbot, form, pgd)
    _save(window, screen)
    _acknowledge_every_warning(qtbot, window, screen)
    _sign(qtbot, window, screen)

    record = screen.view_model.record
    assert record is not None
    signed = clinic.injections.get(user_of(window), record.id, patient_id=patient)
    assert signed.is_signed
    assert signed.fields.sdm_record_id == decision
    assert signed.fields.sdm_missing_reason is None

    # The aftercare leaflet, from the signed record, saved under the patient's name.
    assert form.print_button.isVisibleTo(form)
    folder = tmp_path / "leaflets"
    folder.mkdir()
    delivery = screen.pdf_delivery
    delivery.choose_path = lambda _title, suggested: str(folder / Path(suggested).name)
    delivery.has_printer = lambda: False
    opened: list[Path] = []
    delivery.open_file = opened.append
    qtbot.mouseClick(form.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT_MS)
    [pdf] = opened
    record_of = clinic.patients.open(user_of(window), patient)
    assert pdf.name.startswith(record_of.family_name.upper())
    words = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "After your steroid injection" in words
    assert "Left knee" in words
    assert "40 mg in 1 mL" in words


def test_a_sign_asked_for_just_before_the_patient_changes_is_done_for_that_patient_and_said(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    a, b = patients(clinic, window)
    pgd = add_pgd(clinic, window)
    screen = open_injection(window, clinic, a)
    form = screen.view
    fill_knee_injection(qtbot, form, pgd)
    type_into(qtbot, form.reason, REASON)
    _save(window, screen)
    _acknowledge_every_warning(qtbot, window, screen)
    record = screen.view_model.record
    assert record is not None

    # One more word typed, Sign pressed while the store is busy, then the banner changes.
    type_into(qtbot, form.reaction, "None seen")
    _block_store(window, 0.3)
    type_into(qtbot, form.password, PASSWORD)
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    window.open_screen("patient", clinic.patients.open(user_of(window), b))
    wait_idle(window)
    wait_idle(window)

    signed = clinic.injections.get(user_of(window), record.id, patient_id=a)
    assert signed.is_signed
    assert signed.fields.immediate_reaction == "None seen"
    assert "was signed" in window.notice.text()
    assert clinic.injections.for_patient(user_of(window), b) == []
    assert form.reaction.text() == ""


def test_an_ultrasound_guided_knee_injection_from_start_to_signed_with_aftercare_printed(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, tmp_path: Path
) -> None:
    """The clinician's whole path: the patient's own scan chosen for guidance, a shared
    decision behind it, checks acknowledged, signed with the password, leaflet printed."""
    window = signed_in
    window.resize(1366, 768)
    add_demo_imaging(clinic, clinic.auth.login("sonographer", demo_password("sonographer")), 60)
    patient = clinic.patients.search(user_of(window), next(synthetic_numbers(1)), limit=1)[0].id
    (study, *_rest) = clinic.imaging.studies(user_of(window), patient)
    decision = sign_decision(clinic, window, patient)
    pgd = add_pgd(clinic, window)

    screen = open_injection(window, clinic, patient)
    form = screen.view
    fill_knee_injection(qtbot, form, pgd)
    pick(form.guidance, "ultrasound")
    pick(form.study, str(study.id))
    _save(window, screen)
    _acknowledge_every_warning(qtbot, window, screen)
    _sign(qtbot, window, screen)

    record = screen.view_model.record
    assert record is not None
    signed = clinic.injections.get(user_of(window), record.id, patient_id=patient)
    assert signed.is_signed
    assert (signed.fields.guidance, signed.fields.imaging_study_id) == ("ultrasound", study.id)
    assert signed.fields.sdm_record_id == decision
    assert signed.patient_id == patient

    delivery = screen.pdf_delivery
    delivery.choose_path = lambda _title, suggested: str(tmp_path / Path(suggested).name)
    delivery.has_printer = lambda: False
    opened: list[Path] = []
    delivery.open_file = opened.append
    qtbot.mouseClick(form.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT_MS)
    words = " ".join(
        subprocess.run(
            ["pdftotext", str(opened[0]), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    number = clinic.patients.open(user_of(window), patient).nhs_number or ""
    assert f"{number[:3]} {number[3:6]} {number[6:]}" in words
    assert "Left knee" in words
    pictures.keep(window, "injection_signed_us_guided.png")
