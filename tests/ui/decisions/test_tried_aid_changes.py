"""Tried by hand: a signed decision when its aid is later updated or its file broken."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.decisions.content import decision_aids
from resources import decision_aids as shipped_pkg
from tests.support import pictures
from tests.ui.conftest import CLINICIAN, WAIT_MS, wait_idle
from tests.ui.decisions.test_tried_interleaved import _choose, _open, _two
from ui.app import MainWindow

PASSWORD = demo_password(CLINICIAN)
SHIPPED = Path(shipped_pkg.__file__).parent


def _sign_knee(qtbot: QtBot, window: MainWindow, clinic: Services, patient):
    screen = _open(window, clinic, patient)
    view, vm = screen.view, screen.view_model
    _choose(qtbot, window, screen, "knee_osteoarthritis")
    page = view.page
    qtbot.mouseClick(next(iter(page.choice_buttons.values())), Qt.MouseButton.LeftButton)
    page.decision_maker.setCurrentIndex(page.decision_maker.findData("patient"))
    view.password.setText(PASSWORD)
    with qtbot.waitSignal(vm.signed, timeout=WAIT_MS):
        view.sign_button.click()
    wait_idle(window)
    return screen, vm.record


def _print(qtbot, screen, tmp_path) -> str:
    delivery = screen.pdf_delivery
    delivery.choose_path = lambda _t, s: str(tmp_path / Path(s).name)
    delivery.has_printer = lambda: False
    opened: list[Path] = []
    delivery.open_file = opened.append
    screen.view.print_button.click()
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT_MS)
    return " ".join(
        subprocess.run(
            ["pdftotext", str(opened[0]), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )


def test_updated_aid_then_reprint_of_a_signed_decision(
    qtbot: QtBot,
    clinic: Services,
    signed_in: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = signed_in
    user = window.session.user
    a, _b = _two(clinic, window)
    screen, _record = _sign_knee(qtbot, window, clinic, a)
    before = _print(qtbot, screen, tmp_path)
    # The aid is updated (a new version with a new number) after the conversation.
    folder = tmp_path / "aids"
    folder.mkdir()
    for f in SHIPPED.glob("*.json"):
        shutil.copy(f, folder)
    knee = json.loads((folder / "knee_osteoarthritis.json").read_text())
    knee["version"] = "2.0"
    outcome = next(o for o in knee["options"] if o.get("outcomes"))["outcomes"][0]
    old_n = outcome["per_100"]
    outcome["per_100"] = 13
    (folder / "knee_osteoarthritis.json").write_text(json.dumps(knee))
    catalogue = decision_aids(folder)
    assert catalogue.get("knee_osteoarthritis").version == "2.0"
    monkeypatch.setattr(clinic.decisions, "aids", lambda: catalogue)
    (entry,) = clinic.timeline.for_patient(user, a).of_kind("sdm")
    window.open_screen("decision", entry)
    wait_idle(window)
    tmp2 = tmp_path / "again"
    tmp2.mkdir()
    after = _print(qtbot, screen, tmp2)
    assert f"{old_n} in 100" in before
    # Only the current version is kept: the reprint says the numbers changed since.
    assert "13 in 100" in after
    assert "Your conversation used version 1.0 of this decision aid" in after
    assert "Your conversation used version" not in before


def test_signed_decision_whose_aid_file_broke(
    qtbot: QtBot,
    clinic: Services,
    signed_in: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = signed_in
    user = window.session.user
    a, _b = _two(clinic, window)
    screen, _record = _sign_knee(qtbot, window, clinic, a)
    folder = tmp_path / "aids"
    folder.mkdir()
    for f in SHIPPED.glob("*.json"):
        shutil.copy(f, folder)
    (folder / "knee_osteoarthritis.json").write_text("{")
    catalogue = decision_aids(folder)
    monkeypatch.setattr(clinic.decisions, "aids", lambda: catalogue)
    (entry,) = clinic.timeline.for_patient(user, a).of_kind("sdm")
    screen.view_model.choose_again()
    window.open_screen("decision", entry)
    wait_idle(window)
    pictures.keep(window, "signed_aid_broken.png")
    # The record cannot be drawn as the aid's page without its aid; the clinician is told
    # so, and why, and reads what the record holds in plain words, read only.
    assert screen.view.page is None
    assert screen.view.notice.isVisible()
    assert "no longer offered" in screen.view.notice.text()
    recorded = screen.view.recorded
    assert recorded.isVisibleTo(screen.view)
    words = recorded.text()
    assert 'with the decision aid "knee osteoarthritis", version ' in words
    assert "signed " in words
    assert "Who decided: The patient" in words
    chosen = _record.choice.replace("_", " ")
    assert f"Choice: {chosen}" in words
    # Another patient's screen, or another aid, shows none of it.
    screen.view_model.choose_aid("scan")
    wait_idle(window)
    assert not recorded.isVisibleTo(screen.view)
