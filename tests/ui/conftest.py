"""UI test set-up: offscreen Qt, the demo clinic, the main window, no work left behind."""

from __future__ import annotations

import os

# Before anything imports Qt: no display is needed or touched.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false;qt.qpa.*=false")

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import shiboken6
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientSummary
from ui.app import MainWindow, WindowState, build_main_window
from ui.common.patient_mode import PatientModeGuard
from ui.common.tasks import TaskRunner
from ui.shell import registry

CLINICIAN = "clinician"
SUPERVISOR = "supervisor"
#: Long enough for a loaded 2-core machine; a wait ends as soon as what it waits for holds.
WAIT_MS = 10_000
#: A first sign-in on a syncing laptop asks the server, which on a loaded machine is slower.
ONLINE_WAIT_MS = 20_000


def _worker_threads() -> set[threading.Thread]:
    return {
        thread
        for thread in threading.enumerate()
        if thread.name.startswith(("clinic-store", "clinic-io"))
    }


@pytest.fixture(scope="session", autouse=True)
def _error_words() -> None:
    """Every domain's words for its error codes, as the app registers them at start-up."""
    registry.register_words()


@pytest.fixture
def runner(qapp: QApplication) -> Iterator[TaskRunner]:
    """The task runner; the test fails if work is still pending or a worker thread lives on."""
    # Threads an earlier test left running are that test's failure, never this one's (each
    # pool names its threads from 0 again, so they are told apart by object, not by name).
    before = _worker_threads()
    task_runner = TaskRunner()
    yield task_runner
    left_pending = not task_runner.is_idle()
    task_runner.shutdown()
    assert not left_pending, "the test ended with background work still pending"
    left = sorted(thread.name for thread in _worker_threads() - before)
    assert not left, f"worker threads still running: {left}"


@pytest.fixture
def clinic(demo: Services) -> Services:
    """The demo clinic's services (60 synthetic patients, a user for each role)."""
    return demo


@pytest.fixture
def clinician(clinic: Services) -> CurrentUser:
    """The demo clinician, signed in directly through the service (for test set-up only)."""
    return clinic.auth.login(CLINICIAN, demo_password(CLINICIAN))


@pytest.fixture
def seeded_patient(clinic: Services, clinician: CurrentUser) -> PatientSummary:
    """A demo patient with an NHS number whose surname is shared by few others."""
    everyone = clinic.patients.search(clinician, "999", limit=60)
    by_surname: dict[str, list[PatientSummary]] = {}
    for patient in everyone:
        by_surname.setdefault(patient.family_name, []).append(patient)
    rarest = min(by_surname.values(), key=len)
    return rarest[0]


@dataclass
class WindowFactory:
    """Builds the main window against the demo clinic, with the test's task runner."""

    qtbot: QtBot
    clinic: Services
    runner: TaskRunner
    built: list[MainWindow]

    def __call__(self, idle_lock_seconds: int = 0) -> MainWindow:
        window = build_main_window(
            self.clinic, runner=self.runner, idle_lock_seconds=idle_lock_seconds
        )
        # Closed by close_all, not by pytest-qt: its close comes before the fixtures end, and
        # a window the patient holds refuses it, to be deleted later under the test's feet.
        window.resize(1280, 800)
        window.show()
        self.qtbot.waitExposed(window)
        window.activateWindow()
        self.built.append(window)
        return window

    def close_all(self) -> None:
        """Shut every window down, as quitting the app does, and delete it before going on.

        Work still queued is finished first, as the window's own shutdown finishes it. A
        window left with the patient holding the device is taken out of patient mode first:
        its guard, installed on the application, refuses the close and drops every click and
        key outside its page, and the window deleted later would be deleted under the next
        test's feet.
        """
        alive = [window for window in self.built if shiboken6.isValid(window)]
        self.built.clear()
        problems: list[Exception] = []
        for window in alive:
            window.idle.stop()
        try:
            self.runner.wait_idle()
        except TimeoutError as problem:
            problems.append(problem)
        # Every window is shut down and deleted whatever went wrong before it: a window left
        # alive (shown, its timers running, its filters on the application) would act in every
        # later test of this process and fail them for this test's fault.
        for window in alive:
            for guard in window.findChildren(PatientModeGuard):
                guard.set_active(False)
            try:
                window.shutdown()
            except Exception as problem:  # noqa: BLE001 - raised below, once all are closed
                problems.append(problem)
            finally:
                window.close()
                window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if problems:
            raise problems[0]


@pytest.fixture
def make_window(
    qtbot: QtBot, clinic: Services, runner: TaskRunner
) -> Iterator[Callable[..., MainWindow]]:
    """A function that builds the window; at the end every window is shut down cleanly."""
    factory = WindowFactory(qtbot, clinic, runner, [])
    yield factory
    factory.close_all()


@pytest.fixture
def window(make_window: Callable[..., MainWindow]) -> MainWindow:
    """The main window on the sign-in screen, idle lock off."""
    return make_window()


def wait_idle(window: MainWindow) -> None:
    """Let queued work finish and its results reach the screen."""
    window.runner.wait_idle(timeout=WAIT_MS / 1000)
    QApplication.processEvents()
    # A result delivered last may have filled a form; its layout is done on the rounds after
    # (a form whose buttons are not laid out yet takes no click where they will be).
    QApplication.sendPostedEvents()
    QApplication.processEvents()


def click(qtbot: QtBot, widget: QWidget) -> None:
    """Click a widget as a person would: once it is laid out and on show where it is clicked.

    A click goes to whatever the window has at that point. On a loaded machine a form just
    filled may not be laid out yet; a person could not see the button to click it then.
    """
    window = widget.window()

    def under_pointer() -> bool:
        QApplication.processEvents()
        if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
            return False
        # Scrolled to, as a person scrolls to a question further down the form.
        outer = widget.parentWidget()
        while outer is not None:
            if isinstance(outer, QScrollArea):
                outer.ensureWidgetVisible(widget)
            outer = outer.parentWidget()
        at = window.childAt(widget.mapTo(window, widget.rect().center()))
        return at is widget or (at is not None and widget.isAncestorOf(at))

    qtbot.waitUntil(under_pointer, timeout=WAIT_MS)
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Click into a field and type, as a person would."""
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClicks(widget, text)


def sign_in(
    qtbot: QtBot,
    window: MainWindow,
    username: str,
    password: str | None = None,
    *,
    wait_ms: int = WAIT_MS,
) -> None:
    """Type a user name and password on the sign-in screen and press Enter.

    A first sign-in on a laptop that syncs asks the server: ``wait_ms`` gives it longer.
    """
    view = window.login_view
    type_into(qtbot, view.username_edit, username)
    qtbot.keyClick(view.username_edit, Qt.Key.Key_Return)
    type_into(qtbot, view.password_edit, password or demo_password(username))
    qtbot.keyClick(view.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.state is not WindowState.SIGNED_OUT or bool(view.message_text()),
        timeout=wait_ms,
    )
    window.runner.wait_idle(timeout=wait_ms / 1000)
    QApplication.processEvents()


def switch_user_to(qtbot: QtBot, window: MainWindow, username: str) -> None:
    """Switch user from the Session menu's way in, then sign in as ``username``."""
    window.switch_user()
    wait_idle(window)
    sign_in(qtbot, window, username)
    assert window.state is WindowState.WORKING


@pytest.fixture
def signed_in(window: MainWindow, qtbot: QtBot) -> MainWindow:
    """The main window with the demo clinician signed in."""
    sign_in(qtbot, window, CLINICIAN)
    assert window.state is WindowState.WORKING
    return window


def search_for(qtbot: QtBot, window: MainWindow, text: str) -> list[PatientSummary]:
    """Type into the search box and wait for the answer to that exact text."""
    box = window.screen_by_id("search").view.search_box
    box.clear()
    type_into(qtbot, box, text)
    qtbot.waitUntil(
        lambda: (
            window.screen_by_id("search").view_model.answered_query == text
            and window.runner.is_idle()
        ),
        timeout=WAIT_MS,
    )
    return window.screen_by_id("search").view_model.results
