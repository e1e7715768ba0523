"""A slow store on purpose: one service call held on the store worker until the test lets go.

With it a test moves the window to another patient while an answer for the first is still on
its way, and checks where that answer lands.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, wait_idle
from ui.app import MainWindow


class Gate:
    """``owner.name`` made to wait, on the thread that calls it, until :meth:`release`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> None:
        self.entered = threading.Event()
        self._go = threading.Event()
        self._held = False
        original: Callable[..., Any] = getattr(owner, name)

        def held(*args: Any, **kwargs: Any) -> Any:
            if not self._held:  # only the first call waits
                self._held = True
                self.entered.set()
                assert self._go.wait(20), "the test never let the held call go"
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, held)

    def wait_entered(self, qtbot: QtBot) -> None:
        qtbot.waitUntil(self.entered.is_set, timeout=WAIT_MS)

    def release(self) -> None:
        self._go.set()


def two_patients(clinic: Services, window: MainWindow) -> tuple[PatientSummary, PatientSummary]:
    """Two demo patients with NHS numbers and different surnames."""
    user = window.session.user
    assert user is not None
    everyone = [p for p in clinic.patients.search(user, "999", limit=60) if p.nhs_number]
    first = everyone[0]
    return first, next(p for p in everyone if p.family_name != first.family_name)


def open_record(qtbot: QtBot, window: MainWindow, patient_id: uuid.UUID) -> None:
    """Choose a patient in the search panel and wait until everything about them is shown."""
    window.screen_by_id("search").view_model.choose_patient(patient_id)
    qtbot.waitUntil(lambda: in_banner(window, patient_id), timeout=WAIT_MS)
    wait_idle(window)


def choose_meanwhile(window: MainWindow, patient_id: uuid.UUID) -> None:
    """Click another patient while the store is still busy (their record queues behind)."""
    window.screen_by_id("search").view_model.choose_patient(patient_id)
    QApplication.processEvents()


def settle(qtbot: QtBot, window: MainWindow) -> None:
    """Let every answer on its way arrive and reach the screen."""
    wait_idle(window)
    qtbot.wait(50)
    wait_idle(window)


def in_banner(window: MainWindow, patient_id: uuid.UUID) -> bool:
    banner = window.context.patient
    return banner is not None and banner.id == patient_id


def print_refused_with_its_save(qtbot: QtBot, window: MainWindow, view: Any, vm: Any) -> str:
    """Click Print while words wait to be saved and the save is refused; what was said.

    Only a print waited: nothing is printed, no sign is said to have failed, the page is
    not left busy, and the refusal is said on the page's notice.
    """
    sign_failures: list[str] = []
    delivered: list[bytes] = []
    vm.sign_failed.connect(sign_failures.append)
    vm.printed.connect(delivered.append)
    with qtbot.waitSignal(vm.problem, timeout=WAIT_MS):
        qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert delivered == []
    assert sign_failures == []
    assert not view.sign_problem.isVisibleTo(view)
    assert view.sign_button.isEnabled()
    said: str = view.notice.text()
    assert said
    return said
