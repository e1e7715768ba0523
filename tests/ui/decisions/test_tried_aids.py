"""Tried by hand: every shipped aid opened, rated, chosen, signed and printed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.decisions.content import decision_aids
from tests.support import pictures
from tests.ui.conftest import CLINICIAN, WAIT_MS, type_into, wait_idle
from ui.app import MainWindow
from ui.common.theme import apply_theme
from ui.domains.decisions.consultation.screens import DecisionScreen

PASSWORD = demo_password(CLINICIAN)
SHIPPED = decision_aids()


def _open(window: MainWindow, clinic: Services, patient) -> DecisionScreen:
    user = window.session.user
    window.open_screen("patient", clinic.patients.open(user, patient))
    wait_idle(window)
    window.action("decision").trigger()
    wait_idle(window)
    screen = window.screen_by_id("decision")
    assert isinstance(screen, DecisionScreen)
    return screen


def test_shipped_catalogue_is_clean() -> None:
    assert SHIPPED.refused == ()
    assert len(SHIPPED.offered) >= 9


@pytest.mark.parametrize("aid_id", sorted(a.id for a in SHIPPED.offered))
def test_each_shipped_aid(  # noqa: PLR0915 - one aid from opening to print, step by step
    aid_id: str, qtbot: QtBot, clinic: Services, signed_in: MainWindow, tmp_path: Path
) -> None:
    app = QApplication.instance()
    apply_theme(app)
    window = signed_in
    window.resize(1366, 768)
    user = window.session.user
    patient = clinic.patients.search(user, "999", limit=5)[2]
    screen = _open(window, clinic, patient.id)
    view, vm = screen.view, screen.view_model
    chooser = view.chooser
    ids = [chooser.aids.item(i).data(Qt.ItemDataRole.UserRole) for i in range(chooser.aids.count())]
    chooser.aids.setCurrentRow(ids.index(aid_id))
    qtbot.keyClick(chooser.aids, Qt.Key.Key_Return)
    wait_idle(window)
    page = view.page
    assert page is not None
    assert vm.aid.id == aid_id
    aid = vm.aid
    scroll = view.scroll_area
    # no horizontal scroll: page fits the viewport
    assert page.width() <= scroll.viewport().width(), (page.width(), scroll.viewport().width())
    assert page.minimumSizeHint().width() <= scroll.viewport().width(), page.minimumSizeHint()
    pictures.keep(window, f"aid_{aid_id}_top.png")
    pictures.keep(page, f"aid_{aid_id}_page.png")
    for i, (_mid, slider) in enumerate(page.matters.sliders.items()):
        slider.setValue(10 - i)
    option = aid.options[1]
    qtbot.mouseClick(page.choice_buttons[option.id], Qt.MouseButton.LeftButton)
    type_into(qtbot, page.choice_words, "Because of my grandchildren.")
    page.decision_maker.setCurrentIndex(page.decision_maker.findData("patient"))
    view.save_button.click()
    qtbot.waitUntil(lambda: vm.record is not None, timeout=WAIT_MS)
    wait_idle(window)
    type_into(qtbot, view.password, PASSWORD)
    with qtbot.waitSignal(vm.signed, timeout=WAIT_MS):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    wait_idle(window)
    stored = clinic.decisions.get(user, vm.record.id, patient.id)
    assert stored.is_signed
    assert stored.choice == option.id
    delivery = screen.pdf_delivery
    delivery.choose_path = lambda _t, suggested: str(tmp_path / Path(suggested).name)
    delivery.has_printer = lambda: False
    opened: list[Path] = []
    delivery.open_file = opened.append
    qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT_MS)
    wait_idle(window)
    [pdf] = opened
    pictures.keep_pdf(pdf, f"pdf_{aid_id}", resolution=60)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    missing = []
    for opt in aid.options:
        if opt.title not in flat:
            missing.append(("option", opt.title))
        for outcome in opt.outcomes:
            if f"{outcome.per_100} in 100" not in flat:
                missing.append((opt.id, outcome.id, outcome.per_100))
    assert option.title in flat
    assert "Because of my grandchildren." in flat
    assert missing == []
