"""Tried by hand: print, sign and hand-back while the store is busy, with the patient changed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.ui.conftest import CLINICIAN, type_into, wait_idle
from tests.ui.decisions.test_tried_interleaved import _block_store, _choose, _open, _two
from ui.app import MainWindow, WindowState
from ui.common import formatting

PASSWORD = demo_password(CLINICIAN)


def _catch_pdfs(screen, tmp_path):
    delivery = screen.pdf_delivery
    delivery.choose_path = lambda _t, s: str(tmp_path / Path(s).name)
    delivery.has_printer = lambda: False
    opened: list[Path] = []
    delivery.open_file = opened.append
    return opened


def test_print_then_next_patient_before_the_pdf_is_made(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, tmp_path: Path
) -> None:
    window = signed_in
    user = window.session.user
    a, b = _two(clinic, window)
    screen = _open(window, clinic, a)
    _choose(qtbot, window, screen, "scan")
    opened = _catch_pdfs(screen, tmp_path)
    _block_store(window, 0.8)
    screen.view.print_button.click()
    window.context.set_patient(clinic.patients.open(user, b))
    window.action("decision").trigger()
    wait_idle(window)
    assert opened == [], "A's summary delivered while B is in the banner"
    assert clinic.decisions.for_patient(user, b) == []


def test_sign_then_next_patient_while_the_store_is_busy(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    user = window.session.user
    a, b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view, _vm = screen.view, screen.view_model
    _choose(qtbot, window, screen, "scan")
    page = view.page
    qtbot.mouseClick(next(iter(page.choice_buttons.values())), Qt.MouseButton.LeftButton)
    page.decision_maker.setCurrentIndex(page.decision_maker.findData("patient"))
    _block_store(window, 0.8)
    type_into(qtbot, view.password, PASSWORD)
    qtbot.keyClick(view.password, Qt.Key.Key_Return)
    window.context.set_patient(clinic.patients.open(user, b))
    wait_idle(window)
    # The sign asked for goes through, for A only, and the window says so, naming A.
    (record,) = clinic.decisions.for_patient(user, a)
    assert record.is_signed
    assert clinic.decisions.for_patient(user, b) == []
    a_name = formatting.patient_name(*_names(clinic, user, a))
    assert window.notice.text() == f"The shared decision for {a_name} was signed."


def test_a_refused_sign_then_next_patient_says_the_draft_is_kept(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    user = window.session.user
    a, b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view = screen.view
    _choose(qtbot, window, screen, "scan")
    page = view.page
    qtbot.mouseClick(next(iter(page.choice_buttons.values())), Qt.MouseButton.LeftButton)
    page.decision_maker.setCurrentIndex(page.decision_maker.findData("patient"))
    _block_store(window, 0.8)
    type_into(qtbot, view.password, "not the password")
    qtbot.keyClick(view.password, Qt.Key.Key_Return)
    window.context.set_patient(clinic.patients.open(user, b))
    wait_idle(window)
    (record,) = clinic.decisions.for_patient(user, a)
    assert not record.is_signed
    assert record.choice is not None
    assert clinic.decisions.for_patient(user, b) == []
    a_name = formatting.patient_name(*_names(clinic, user, a))
    said = window.notice.text()
    assert said.startswith(f"The shared decision for {a_name} was not signed: ")
    assert "password" in said
    assert said.endswith("It is kept as a draft: open it from their record to sign it.")


def _names(clinic: Services, user, patient) -> tuple[str, str, str]:
    record = clinic.patients.open(user, patient)
    return record.family_name, record.given_name, record.title


def test_switch_user_with_a_long_busy_store_keeps_what_was_typed(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    first = window.session.user
    a, _b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view, _vm = screen.view, screen.view_model
    _choose(qtbot, window, screen, "scan")
    type_into(qtbot, view.page.questions, "One")
    _block_store(window, 0.5)
    screen.save_now()
    type_into(qtbot, view.page.questions, " two")
    window.switch_user()
    assert window.state is WindowState.SIGNED_OUT
    wait_idle(window)
    (rec,) = clinic.decisions.for_patient(first, a)
    assert rec.questions == "One two"
