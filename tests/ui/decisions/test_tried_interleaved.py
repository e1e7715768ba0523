"""Tried by hand: two patients and two users interleaved on the shared-decision screen."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.errors import ClinicError
from tests.support import pictures
from tests.ui.conftest import CLINICIAN, SUPERVISOR, WAIT_MS, sign_in, type_into, wait_idle
from ui.app import MainWindow, WindowState
from ui.domains.decisions.consultation.screens import DecisionScreen

PASSWORD = demo_password(CLINICIAN)


def _two(clinic: Services, window: MainWindow):
    first, second = clinic.patients.search(window.session.user, "999", limit=2)
    return first.id, second.id


def _open(window: MainWindow, clinic: Services, patient, item=None) -> DecisionScreen:
    user = window.session.user
    window.open_screen("patient", clinic.patients.open(user, patient))
    wait_idle(window)
    if item is None:
        window.action("decision").trigger()
    else:
        window.open_screen("decision", item)
    wait_idle(window)
    screen = window.screen_by_id("decision")
    assert isinstance(screen, DecisionScreen)
    return screen


def _choose(qtbot: QtBot, window: MainWindow, screen: DecisionScreen, aid_id: str) -> None:
    chooser = screen.view.chooser
    ids = [chooser.aids.item(i).data(Qt.ItemDataRole.UserRole) for i in range(chooser.aids.count())]
    chooser.aids.setCurrentRow(ids.index(aid_id))
    chooser.aids.setFocus()
    qtbot.keyClick(chooser.aids, Qt.Key.Key_Return)
    wait_idle(window)
    assert screen.view.page is not None


def _block_store(window: MainWindow, seconds: float) -> threading.Event:
    """The store worker busy with something else (a sync round, a long read)."""
    started = threading.Event()

    def slow() -> None:
        started.set()
        time.sleep(seconds)

    window.runner.run_store(slow, on_done=lambda _r: None)
    started.wait(2)
    return started


def test_patient_switch_and_back_keeps_each_to_their_own(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    window.resize(1366, 768)
    user = window.session.user
    a, b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view, _vm = screen.view, screen.view_model
    _choose(qtbot, window, screen, "knee_osteoarthritis")
    type_into(qtbot, view.page.questions, "A-question: will it hurt?")
    qtbot.mouseClick(
        view.page.choice_buttons["exercise"]
        if "exercise" in view.page.choice_buttons
        else next(iter(view.page.choice_buttons.values())),
        Qt.MouseButton.LeftButton,
    )
    # Straight to B (no pause for autosave)
    window.context.set_patient(clinic.patients.open(user, b))
    wait_idle(window)
    assert view.page is None
    window.action("decision").trigger()
    wait_idle(window)
    assert view.page is None  # B gets the chooser, not A's draft
    pictures.keep(window, "inter_b_chooser.png")
    _choose(qtbot, window, screen, "knee_osteoarthritis")
    assert view.page.questions.toPlainText() == ""
    assert not any(bt.isChecked() for bt in view.page.choice_buttons.values())
    type_into(qtbot, view.page.questions, "B-question")
    screen.save_now()
    wait_idle(window)
    # back to A
    screen = _open(window, clinic, a)
    assert view.page is not None
    assert view.page.questions.toPlainText() == "A-question: will it hurt?"
    recs_a = clinic.decisions.for_patient(user, a)
    recs_b = clinic.decisions.for_patient(user, b)
    assert [r.questions for r in recs_a] == ["A-question: will it hurt?"]
    assert [r.questions for r in recs_b] == ["B-question"]


def test_typing_while_the_store_is_busy_then_another_patient_loses_nothing(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    """An autosave queued behind other work, more typed, then the next patient opened."""
    window = signed_in
    user = window.session.user
    a, b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view, vm = screen.view, screen.view_model
    _choose(qtbot, window, screen, "knee_osteoarthritis")
    type_into(qtbot, view.page.questions, "First words")
    _block_store(window, 1.0)
    screen.save_now()  # the autosave fires; it waits behind the busy store
    assert vm._saving
    type_into(qtbot, view.page.questions, " and more words")
    # The clinician opens the next patient from the search panel.
    window.context.set_patient(clinic.patients.open(user, b))
    wait_idle(window)
    (record,) = clinic.decisions.for_patient(user, a)
    assert record.questions == "First words and more words"


def test_typing_while_the_store_is_busy_then_quit_loses_nothing(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    user = window.session.user
    a, _b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view, _vm = screen.view, screen.view_model
    _choose(qtbot, window, screen, "knee_osteoarthritis")
    type_into(qtbot, view.page.questions, "First words")
    _block_store(window, 1.0)
    screen.save_now()
    type_into(qtbot, view.page.questions, " and more words")
    window.save_every_screen()
    wait_idle(window)
    (record,) = clinic.decisions.for_patient(user, a)
    assert record.questions == "First words and more words"


def test_switch_user_mid_conversation(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, tmp_path: Path
) -> None:
    window = signed_in
    first = window.session.user
    a, _b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view, vm = screen.view, screen.view_model
    _choose(qtbot, window, screen, "knee_osteoarthritis")
    type_into(qtbot, view.page.questions, "Priya's draft")
    view.password.setText(PASSWORD)  # typed but not yet sent
    qtbot.keyClick(
        window,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    wait_idle(window)
    assert window.state is WindowState.SIGNED_OUT
    assert view.password.text() == ""
    sign_in(qtbot, window, SUPERVISOR)
    assert window.state is WindowState.WORKING
    second = window.session.user
    (draft,) = clinic.decisions.for_patient(second, a)
    assert draft.questions == "Priya's draft"
    assert draft.created_by == first.id
    screen = _open(window, clinic, a)
    assert view.page is None  # the other user's draft is not continued as one's own
    # From the timeline: read only, and cannot be signed
    (entry,) = clinic.timeline.for_patient(second, a).of_kind("sdm")
    window.open_screen("decision", entry)
    wait_idle(window)
    assert view.page is not None
    pictures.keep(window, "inter_other_users_draft.png")
    assert not view.sign_button.isVisibleTo(view)
    assert not vm.may_write
    assert "Another clinician" in view.state.text()
    # Keyboard: Alt+N (sign mnemonic) does nothing
    vm.sign(demo_password(SUPERVISOR))
    wait_idle(window)
    assert not clinic.decisions.get(second, draft.id, a).is_signed
    # The service itself refuses too.
    with pytest.raises(ClinicError) as refused:
        clinic.decisions.sign(second, draft.id, a, demo_password(SUPERVISOR))
    assert refused.value.code == "decision.not_author"
    # Another's draft is not printed for the patient: no button, and a print asked for all
    # the same (a shortcut) is refused in words, with nothing delivered.
    assert not view.print_button.isVisibleTo(view)
    delivery = screen.pdf_delivery
    delivery.choose_path = lambda _t, s: str(tmp_path / Path(s).name)
    delivery.has_printer = lambda: False
    opened: list[Path] = []
    delivery.open_file = opened.append
    vm.print_summary()
    wait_idle(window)
    assert opened == []
    assert list(tmp_path.glob("*.pdf")) == []
    assert "only they can print it" in view.notice.text()


def test_lock_and_unlock_keeps_the_conversation(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    user = window.session.user
    a, _b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view, _vm = screen.view, screen.view_model
    _choose(qtbot, window, screen, "knee_osteoarthritis")
    type_into(qtbot, view.page.questions, "Before lock")
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    wait_idle(window)
    assert window.state is WindowState.LOCKED
    (rec,) = clinic.decisions.for_patient(user, a)
    assert rec.questions == "Before lock"
    pictures.keep(window, "inter_locked.png")
    lv = window.login_view
    type_into(qtbot, lv.password_edit, PASSWORD)
    qtbot.keyClick(lv.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.state is WindowState.WORKING, timeout=WAIT_MS)
    wait_idle(window)
    assert view.page is not None
    assert view.page.questions.toPlainText() == "Before lock"
    type_into(qtbot, view.page.questions, " after")
    screen.save_now()
    wait_idle(window)
    (rec,) = clinic.decisions.for_patient(user, a)
    assert rec.questions == "Before lock after"


def test_hand_over_blocks_lock_switch_and_patient_actions(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    window.resize(1366, 768)
    a, _b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view, _vm = screen.view, screen.view_model
    _choose(qtbot, window, screen, "knee_osteoarthritis")
    qtbot.mouseClick(view.page.hand_over_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert window.facts().handed_over
    pictures.keep(window, "inter_handed_over.png")
    panel = view.patient_panel
    for key, mods in [
        (Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier),
        (Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier),
        (Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier),
    ]:
        qtbot.keyClick(panel.answers.sliders[0], key, mods)
        wait_idle(window)
        assert window.facts().handed_over, (key, mods)
        assert window.state is WindowState.WORKING
        assert view.stack.currentWidget() is panel, (key, mods, QApplication.focusWidget())
        fw = QApplication.focusWidget()
        assert fw is None or panel.isAncestorOf(fw) or fw is panel, (key, mods, fw)
    # Tab cycles only inside the patient's panel
    seen = []
    panel.answers.sliders[0].setFocus()
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    outside = [
        type(w).__name__ + ":" + (w.accessibleName() or getattr(w, "text", lambda: "")())
        for w in seen
        if w is not None and not panel.isAncestorOf(w)
    ]
    assert outside == [], outside
    # The service changes patient in the background? banner patient stays A
    assert window.context.patient.id == a


def test_while_handed_over_the_window_stays_and_a_change_elsewhere_waits_for_the_hand_back(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    a, _b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view, vm = screen.view, screen.view_model
    _choose(qtbot, window, screen, "knee_osteoarthritis")
    qtbot.mouseClick(view.page.hand_over_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    panel = view.patient_panel
    for slider in panel.answers.sliders:
        slider.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.keyClick(slider, Qt.Key.Key_End)
    record = window.screen_by_id("patient")
    read_again: list[int] = []
    monkeypatch.setattr(record.view_model, "reload", lambda: read_again.append(1))

    # The patient cannot close the app, and a sync round (a merge, say) does not read the
    # record again under their answers.
    window.close()
    QApplication.processEvents()
    assert window.isVisible()
    assert window.facts().handed_over
    window.context.announce("sync.received", None)
    wait_idle(window)
    assert read_again == []
    assert [v.text() for v in panel.answers.values] == ["9 out of 9"] * 3
    # Nor is a notice for the clinician put in front of the patient: it waits for them.
    window.context.say("2 scan reports wait for your review.", "info")
    assert not window.notice.isVisible()

    type_into(qtbot, panel.password, PASSWORD)
    with qtbot.waitSignal(vm.patient_mode_changed, timeout=WAIT_MS):
        qtbot.mouseClick(panel.take_back_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert read_again, "the record is read again once the device is handed back"
    assert window.notice.isVisible()
    assert "2 scan reports wait for your review." in window.notice.text()
    assert [v.text() for v in view.page.collaborate.values] == ["9 out of 9"] * 3
