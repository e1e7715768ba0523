"""The Sync screen against a real server: a conflict made on two laptops is chosen by a person.

Both laptops are real stores enrolled through the app's own sync service; the server is a
real ``onestop-server`` process over PostgreSQL; the window is the app's main window.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from clinic_app.bootstrap import create_clinic
from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.session import Actor
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.model import Patient
from clinic_app.people.views import PatientInput
from clinic_app.sync.model import SyncIssue
from tests.support.sync_server import SyncServer
from tests.ui.conftest import ONLINE_WAIT_MS, WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow, build_main_window

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with SyncServer(postgres_url, tmp_path / "server.log") as running:
        yield running


def _laptop(server: SyncServer, path: Path, name: str) -> Services:
    services = create_clinic(path)
    services.sync.enrol(SYSTEM, server.url, name)
    server.approve(services.context.device_id)
    return services


def _edit_phone(services: Services, user: CurrentUser, patient_id: uuid.UUID, phone: str) -> None:
    context = services.context
    with context.store.sessions.begin() as session:
        session.actor = Actor(device_id=context.device_id, user_id=user.id)
        patient = session.get(Patient, patient_id)
        assert patient is not None
        patient.phone = phone


def _phone(services: Services, patient_id: uuid.UUID) -> str | None:
    with services.context.store.sessions() as session:
        patient = session.get(Patient, patient_id)
        assert patient is not None
        return patient.phone


def test_a_conflict_is_shown_where_the_record_is_and_chosen_on_the_sync_screen(
    qtbot: QtBot, server: SyncServer, tmp_path: Path
) -> None:
    a = _laptop(server, tmp_path / "a.db", "reception")
    b = _laptop(server, tmp_path / "b.db", "clinic room 2")
    try:
        server.add_user("priya", "Priya Shah", "clinician", PASSWORD)
        # Her first sign-in on each laptop goes through the server: her changes go as hers.
        on_a, on_b = a.auth.login("priya", PASSWORD), b.auth.login("priya", PASSWORD)
        record = a.patients.register(
            on_a,
            PatientInput(
                given_name="Ada",
                family_name="Lovelace",
                date_of_birth="1960-03-14",
                sex="2",
                nhs_number="9990000018",
                phone="0113 496 0000",
            ),
        )
        a.sync.sync_now()
        b.sync.sync_now()  # the user and the patient reach laptop B
        _edit_phone(a, on_a, record.id, "0113 496 0001")
        _edit_phone(b, on_b, record.id, "07700 900123")
        a.sync.sync_now()
        b.sync.sync_now()
        with b.context.store.sessions() as session:
            assert session.scalars(select(SyncIssue.kind)).all() == ["conflict"]

        window: MainWindow = build_main_window(b, idle_lock_seconds=0)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        try:
            sign_in(qtbot, window, "priya", PASSWORD, wait_ms=ONLINE_WAIT_MS)
            window.screen_by_id("search").view_model.choose_patient(record.id)
            qtbot.waitUntil(
                lambda: window.pages.currentWidget() is window.screen_by_id("patient").view,
                timeout=WAIT_MS,
            )
            wait_idle(window)
            assert window.screen_by_id("patient").view_model.record is not None
            assert window.screen_by_id("patient").view_model.record.sync_state == "conflict"

            window.action("sync").trigger()
            qtbot.waitUntil(
                lambda: len(window.screen_by_id("sync").view.choice_buttons) == 2, timeout=WAIT_MS
            )
            wait_idle(window)
            assert "Server: " in window.screen_by_id("sync").view.server.text()
            kept, other = window.screen_by_id("sync").view.choice_buttons
            assert "0113 496 0001" in kept.text()
            assert "07700 900123" in other.text()
            if folder := os.environ.get("ONESTOP_SHOTS"):
                window.grab().save(str(Path(folder) / "sync-conflict.png"))
            with qtbot.waitSignal(window.screen_by_id("sync").view_model.resolved, timeout=WAIT_MS):
                qtbot.mouseClick(other, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(
                lambda: not window.screen_by_id("sync").view.choice_buttons, timeout=WAIT_MS
            )
            wait_idle(window)
        finally:
            window.shutdown()
        a.sync.sync_now()
        b.sync.sync_now()
        assert _phone(a, record.id) == _phone(b, record.id) == "07700 900123"
        with b.context.store.sessions() as session:
            assert (
                session.scalars(select(SyncIssue.kind).where(SyncIssue.resolved.is_(False))).all()
                == []
            )
    finally:
        a.close()
        b.close()
