"""Driving the first-run window as a person would, for the wizard's tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from clinic_app import bootstrap
from clinic_app.container import Services
from tests.ui.conftest import sign_in
from ui import runtime
from ui.common.screen import WindowState
from ui.domains.first_run.wizard.pages import ConnectPage, StandalonePage
from ui.domains.first_run.wizard.view import FirstRunWindow
from ui.domains.first_run.wizard.view_model import Page

WAIT_MS = 20_000
PASSWORD = "correct horse battery"


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    edit.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClicks(edit, text)


def click(qtbot: QtBot, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def wait_page(qtbot: QtBot, wizard: FirstRunWindow, page: Page) -> None:
    qtbot.waitUntil(lambda: wizard.vm.page is page and not wizard.vm.busy, timeout=WAIT_MS)


@contextmanager
def first_run(
    qtbot: QtBot, store: Path, *, insecure: bool = False, poll_ms: int = 200
) -> Iterator[runtime.FirstRun]:
    """``onestop run`` with no store at ``store``: the first-run window, sized for a laptop."""

    def open_services() -> Services:
        return bootstrap.open_clinic(store, allow_insecure_keyring=insecure)

    run = runtime.start_first_run(
        store,
        open_services,
        runtime.DefaultSettings(idle_lock_seconds=0),
        allow_insecure_keyring=insecure,
        poll_ms=poll_ms,
    )
    wizard = run.wizard
    assert isinstance(wizard, FirstRunWindow)
    wizard.resize(1366, 768)
    try:
        yield run
    finally:
        if not run.runner.closed:
            if wizard.vm.has_work_to_lose():
                wizard.vm.give_up(to=None)
            run.runner.wait_idle(timeout=WAIT_MS / 1000)
        run.close_down()
        wizard.close()
        # The main window the set-up opened is shut down with it; closed and deleted here too,
        # so that it never stays on screen, its timers running, into the next test.
        if run.signed_in is not None:
            window, _services = run.signed_in
            window.close()
            window.deleteLater()
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def fill_standalone(qtbot: QtBot, page: StandalonePage, **answers: str) -> None:
    values = {
        "clinic": "Riverside MSK",
        "username": "amina",
        "name": "Amina Okafor",
        "password": PASSWORD,
        "again": PASSWORD,
    } | answers
    type_into(qtbot, page.clinic_edit, values["clinic"])
    type_into(qtbot, page.username_edit, values["username"])
    type_into(qtbot, page.display_edit, values["name"])
    type_into(qtbot, page.password_edit, values["password"])
    type_into(qtbot, page.again_edit, values["again"])


def fill_connect(
    qtbot: QtBot, page: ConnectPage, address: str, *, name: str = "", ca: str = ""
) -> None:
    type_into(qtbot, page.address_edit, address)
    if ca:
        type_into(qtbot, page.ca_edit, ca)
    if name:
        type_into(qtbot, page.name_edit, name)


def sign_in_after(qtbot: QtBot, run: runtime.FirstRun, username: str, password: str) -> None:
    """The sign-in window that took the wizard's place: sign in there."""
    qtbot.waitUntil(lambda: run.signed_in is not None, timeout=WAIT_MS)
    assert run.signed_in is not None
    window, services = run.signed_in
    qtbot.waitUntil(services.is_ready, timeout=WAIT_MS)
    sign_in(qtbot, window, username, password, wait_ms=WAIT_MS)
    assert window.state is WindowState.WORKING, window.login_view.message_text()
