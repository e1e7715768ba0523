"""Tried by hand: broken aid files for the service lead, CollaboRATE, change of mind, signing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.decisions.content import decision_aids
from resources import decision_aids as shipped_pkg
from tests.support import pictures
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.decisions.test_tried_interleaved import _choose, _open, _two
from ui.app import MainWindow
from ui.common.theme import apply_theme

PASSWORD = demo_password(CLINICIAN)
SHIPPED = Path(shipped_pkg.__file__).parent


def _broken_folder(tmp: Path) -> Path:
    folder = tmp / "aids"
    folder.mkdir()
    for f in SHIPPED.glob("*.json"):
        shutil.copy(f, folder)
    knee = json.loads((folder / "knee_osteoarthritis.json").read_text())
    next(o for o in knee["options"] if o.get("outcomes"))["outcomes"][0]["per_100"] = 150
    (folder / "knee_osteoarthritis.json").write_text(json.dumps(knee))
    hip = (folder / "hip_osteoarthritis.json").read_text()
    (folder / "hip_osteoarthritis.json").write_text(hip[: len(hip) // 2])
    scan = json.loads((folder / "scan.json").read_text())
    scan["review_by"] = "2001-01-01"
    (folder / "scan.json").write_text(json.dumps(scan))
    cts = json.loads((folder / "carpal_tunnel.json").read_text())
    next(o for o in cts["options"] if o.get("outcomes"))["outcomes"][0]["source"] = "nobody_2020"
    (folder / "carpal_tunnel.json").write_text(json.dumps(cts))
    dup = json.loads((folder / "dupuytrens.json").read_text())
    next(o for o in dup["options"] if o.get("outcomes"))["outcomes"][0]["per_100"] = "40"
    (folder / "dupuytrens.json").write_text(json.dumps(dup))
    lbp = json.loads((folder / "low_back_pain.json").read_text())
    lbp["options"] = [o for o in lbp["options"] if o["kind"] != "not_now"]
    (folder / "low_back_pain.json").write_text(json.dumps(lbp))
    sh = json.loads((folder / "subacromial_shoulder_pain.json").read_text())
    sh["written"] = "2024-05-01"
    sh["review_by"] = "2024-11-01"  # past review, but valid
    (folder / "subacromial_shoulder_pain.json").write_text(json.dumps(sh))
    # the same id in two files
    inj = json.loads((folder / "steroid_injection.json").read_text())
    (folder / "steroid_injection_copy.json").write_text(json.dumps(inj))
    (folder / "notes.txt").write_text("not an aid")
    (folder / "empty.json").write_text("")
    return folder


def test_the_service_lead_is_told_which_file_and_why(
    qtbot: QtBot,
    clinic: Services,
    window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    apply_theme(QApplication.instance())
    catalogue = decision_aids(_broken_folder(tmp_path))
    monkeypatch.setattr(clinic.decisions, "aids", lambda: catalogue)
    window.resize(1366, 768)
    sign_in(qtbot, window, "admin")
    window.action("decision_aids_review").trigger()
    wait_idle(window)
    view = window.screen_by_id("decision_aids_review").view
    pictures.keep(window, "review_broken.png")
    rows = [
        tuple(view.refused.item(r, c).text() for c in range(view.refused.columnCount()))
        for r in range(view.refused.rowCount())
    ]
    due = [
        tuple(view.due.item(r, c).text() for c in range(view.due.columnCount()))
        for r in range(view.due.rowCount())
    ]
    files = {r[0] for r in rows}
    # Each problem is worded for the service lead: none falls back to the catch-all words,
    # and no row shows the file's inner names.
    assert all(r[2] != "This part is not in the form a decision aid needs." for r in rows), rows
    assert not any("[" in r[1] or "per_100" in r[1] for r in rows), rows
    expected = {
        "knee_osteoarthritis.json",
        "hip_osteoarthritis.json",
        "scan.json",
        "carpal_tunnel.json",
        "dupuytrens.json",
        "low_back_pain.json",
        "empty.json",
    }
    assert expected <= files, expected - files
    assert any(r[0] == "subacromial_shoulder_pain.json" for r in due) or any(
        "subacromial" in r[0] for r in due
    )
    # duplicate id: one of the two files refused or named
    assert "steroid_injection_copy.json" in files or "steroid_injection.json" in files


def test_collaborate_zero_can_be_answered_by_the_patient(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    a, _b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view, _vm = screen.view, screen.view_model
    _choose(qtbot, window, screen, "knee_osteoarthritis")
    qtbot.mouseClick(view.page.hand_over_button, Qt.MouseButton.LeftButton)
    panel = view.patient_panel
    # The patient means "0: no effort was made" for the first item: Home, then Left.
    s0 = panel.answers.sliders[0]
    s0.setFocus()
    qtbot.keyClick(s0, Qt.Key.Key_Home)
    qtbot.keyClick(s0, Qt.Key.Key_Left)
    # and clicks the left end of the second
    s1 = panel.answers.sliders[1]
    qtbot.mouseClick(
        s1, Qt.MouseButton.LeftButton, pos=s1.rect().center().__class__(3, s1.height() // 2)
    )
    texts = [v.text() for v in panel.answers.values]
    pictures.keep(window, "collaborate_zero.png")
    assert texts[0] == "0 out of 9", texts
    assert texts[1] == "0 out of 9", texts


def test_matters_zero_can_be_rated(qtbot: QtBot, clinic: Services, signed_in: MainWindow) -> None:
    window = signed_in
    a, _b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view, vm = screen.view, screen.view_model
    _choose(qtbot, window, screen, "knee_osteoarthritis")
    first_id, slider = next(iter(view.page.matters.sliders.items()))
    slider.setFocus()
    view.page.matters.values[first_id].text()
    qtbot.keyClick(slider, Qt.Key.Key_Home)
    after = view.page.matters.values[first_id].text()
    screen.save_now()
    view.save_button.click()
    wait_idle(window)
    qtbot.waitUntil(lambda: vm.record is not None, timeout=WAIT_MS)
    stored = dict(clinic.decisions.get(window.session.user, vm.record.id, a).ratings)
    assert after == "0 out of 10"
    assert stored == {first_id: 0}


def test_change_of_mind_and_reopen_from_timeline(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    window.resize(1366, 768)
    user = window.session.user
    a, _b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view, vm = screen.view, screen.view_model
    _choose(qtbot, window, screen, "steroid_injection")
    page = view.page
    first = next(iter(page.choice_buttons))
    qtbot.mouseClick(page.choice_buttons[first], Qt.MouseButton.LeftButton)
    page.decision_maker.setCurrentIndex(page.decision_maker.findData("patient"))
    # wrong password first
    type_into(qtbot, view.password, "wrong")
    with qtbot.waitSignal(vm.sign_failed, timeout=WAIT_MS):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    assert view.password.text() == ""
    type_into(qtbot, view.password, PASSWORD)
    with qtbot.waitSignal(vm.signed, timeout=WAIT_MS):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    wait_idle(window)
    signed_id = vm.record.id
    # change of mind
    qtbot.mouseClick(view.change_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: vm.record is not None and not vm.is_signed, timeout=WAIT_MS)
    wait_idle(window)
    pictures.keep(window, "change_of_mind.png")
    # Now open the old signed one from the timeline, and press change of mind again
    entries = clinic.timeline.for_patient(user, a).of_kind("sdm")
    old = next(e for e in entries if e.item_id == signed_id)
    window.open_screen("decision", old)
    wait_idle(window)
    pictures.keep(window, "old_signed_reopened.png")
    if view.change_button.isVisibleTo(view):
        qtbot.mouseClick(view.change_button, Qt.MouseButton.LeftButton)
        wait_idle(window)
    drafts = [r for r in clinic.decisions.for_patient(user, a) if not r.is_signed]
    assert len(drafts) == 1, "two change-of-mind drafts replace the same signed decision"
