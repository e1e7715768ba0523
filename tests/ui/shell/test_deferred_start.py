"""``onestop run``: the sign-in window shows first and the store opens behind it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from clinic_app.bootstrap import open_clinic
from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.errors import StoreError
from clinic_app.kernel.security import keychain
from tests.ui.conftest import WAIT_MS, sign_in
from ui.app import MainWindow, WindowState
from ui.runtime import DefaultSettings, start_deferred


@pytest.fixture
def demo_path(clinic: Services) -> Path:
    """The demo store, closed so the app can open it again as it would at start-up."""
    path = clinic.context.store.path
    assert path is not None
    return path


@contextmanager
def _started(qtbot: QtBot, opener: object) -> Iterator[MainWindow]:
    _app, window, services = start_deferred(opener, DefaultSettings(idle_lock_seconds=0))  # type: ignore[arg-type]
    qtbot.addWidget(window)
    try:
        yield window
    finally:
        window.shutdown()
        opened = services.opened()
        if opened is not None:
            opened.close()


def test_sign_in_waits_for_the_store_then_works(qtbot: QtBot, demo_path: Path) -> None:
    gate = threading.Event()

    def slow_open() -> Services:
        # The store opens only when the test says so: sign-in must wait, not fail.
        gate.wait(timeout=10)
        return open_clinic(demo_path)

    with _started(qtbot, slow_open) as window:
        qtbot.waitExposed(window)
        assert window.state is WindowState.SIGNED_OUT
        assert not window.workspace_built
        window.login_vm.sign_in("clinician", demo_password("clinician"))
        qtbot.wait(100)
        assert window.state is WindowState.SIGNED_OUT
        gate.set()
        qtbot.waitUntil(lambda: window.state is WindowState.WORKING, timeout=WAIT_MS)
        assert window.screen_by_id("search").view.isVisible()
        window.runner.wait_idle()


def test_a_store_that_cannot_be_opened_is_explained_on_the_sign_in_screen(
    qtbot: QtBot, demo_path: Path
) -> None:
    keychain.forget_store_key(demo_path)
    before = demo_path.read_bytes()

    with _started(qtbot, lambda: open_clinic(demo_path)) as window:
        view = window.login_view
        qtbot.waitUntil(lambda: bool(view.message_text()), timeout=WAIT_MS)
        assert "key" in view.message_text().lower()
        # Trying to sign in anyway gives the same plain explanation, and nothing else.
        sign_in(qtbot, window, "clinician")
        assert window.state is WindowState.SIGNED_OUT
        assert "key" in view.message_text().lower()
        window.runner.wait_idle()
    assert demo_path.read_bytes() == before
    with pytest.raises(StoreError):
        open_clinic(demo_path)
