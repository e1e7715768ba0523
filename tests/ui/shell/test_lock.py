"""Locking keeps unsaved work behind the lock; switching user saves it as a draft."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.current_user import CurrentUser
from tests.ui.conftest import CLINICIAN, SUPERVISOR, WAIT_MS, sign_in, type_into, wait_idle
from ui.app import MainWindow, WindowState
from ui.domains.people.register.view_model import DRAFT_KEY, DRAFT_KIND
from ui.shell.login.view_model import LoginMode

PASSWORD_WRONG = "definitely-not-it"


def _unlock(qtbot: QtBot, window: MainWindow, password: str) -> None:
    view = window.login_view
    type_into(qtbot, view.password_edit, password)
    qtbot.keyClick(view.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.login_vm.busy, timeout=WAIT_MS)
    wait_idle(window)


def test_idle_lock_keeps_unsaved_typing_and_returns_to_it(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    clinic: Services,
    clinician: CurrentUser,
) -> None:
    window = make_window(idle_lock_seconds=1)
    sign_in(qtbot, window, CLINICIAN)
    window.open_screen("register")
    form = window.screen_by_id("register").view
    type_into(qtbot, form.given_name, "Unsaved")
    assert form.given_name.hasFocus()

    qtbot.waitUntil(lambda: window.state is WindowState.LOCKED, timeout=WAIT_MS)
    wait_idle(window)

    login = window.login_view
    assert window.top.currentWidget() is login
    assert not window.workspace.isVisible()
    assert login.heading.text() == "Locked — Priya Shah (Advanced Physiotherapist)"
    assert login.explanation.text() == "Enter your password to return to your work."
    assert login.switch_button.isVisible()
    assert not window.action("lock").isEnabled()
    draft = clinic.drafts.load(clinician, DRAFT_KIND, DRAFT_KEY)
    assert draft is not None
    assert draft["given_name"] == "Unsaved"

    _unlock(qtbot, window, PASSWORD_WRONG)
    assert window.state is WindowState.LOCKED
    assert login.message_text().startswith("The user name or password is not right")
    assert login.password_edit.text() == ""

    window.idle.stop()  # the test's own pauses must not lock the window again
    _unlock(qtbot, window, demo_password(CLINICIAN))
    assert window.state is WindowState.WORKING
    assert window.pages.currentWidget() is form
    assert form.given_name.text() == "Unsaved"
    assert form.given_name.hasFocus()

    window.screen_by_id("register").view_model.clear_form()
    wait_idle(window)


def test_lock_shortcut_and_switch_user_bring_the_draft_back(
    qtbot: QtBot, signed_in: MainWindow
) -> None:
    window = signed_in
    window.open_screen("register")
    form = window.screen_by_id("register").view
    type_into(qtbot, form.given_name, "Halfway")
    type_into(qtbot, form.family_name, "Through")

    qtbot.keyClick(form.family_name, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.state is WindowState.LOCKED
    assert window.login_vm.mode is LoginMode.LOCKED

    qtbot.mouseClick(window.login_view.switch_button, Qt.MouseButton.LeftButton)
    assert window.state is WindowState.SIGNED_OUT
    assert window.login_view.heading.text() == "Sign in"
    assert window.login_view.username_edit.text() == ""
    assert form.given_name.text() == ""
    assert window.session.user is None

    sign_in(qtbot, window, SUPERVISOR)
    assert window.state is WindowState.WORKING
    assert form.given_name.text() == ""
    assert window.home_page.notice.text() == ""
    assert "unfinished" not in window.screen_by_id("today").view.notice.text()

    focus = window.screen_by_id("search").view.search_box
    qtbot.keyClick(
        focus,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.state is WindowState.SIGNED_OUT
    wait_idle(window)

    sign_in(qtbot, window, CLINICIAN)
    qtbot.waitUntil(lambda: form.given_name.text() == "Halfway", timeout=WAIT_MS)
    assert form.family_name.text() == "Through"
    # Said on the page the clinician starts on (their day list), as on the home page.
    assert "unfinished patient registration" in window.screen_by_id("today").view.notice.text()
    assert form.draft_status.text() == "Your unfinished form was restored."

    window.screen_by_id("register").view_model.clear_form()
    wait_idle(window)


def test_what_comes_while_locked_is_kept_off_the_lock_screen_and_all_said_on_unlocking(
    qtbot: QtBot, window: MainWindow
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    window.lock()
    assert window.state is WindowState.LOCKED
    # Two late answers, each naming a patient, arrive while the clinician is away.
    window.context.say("The letter for SMITH, Jane was not printed.")
    window.context.say("The care plan for JONES, Sam was signed.", "info")
    window.context.say("The letter for SMITH, Jane was not printed.")
    assert not window.notice.isVisible()

    _unlock(qtbot, window, demo_password(CLINICIAN))
    # Both are said, once each, as a problem (one of them is).
    assert window.notice.isVisible()
    assert window.notice.message.text() == (
        "The letter for SMITH, Jane was not printed. The care plan for JONES, Sam was signed."
    )
    assert window.notice.property("tone") == "problem"
