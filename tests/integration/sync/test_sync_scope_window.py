"""A patient of another clinic, found and opened in the main window through the server.

Ann's laptop at Northgate holds Northgate's patients only. She types a Southfield patient's
name: nobody on her laptop matches, so the search falls through to the service's server and
says so; opening the result brings the whole record to her laptop and opens it under the
banner, with the fetch recorded in the laptop's audit trail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from clinic_app.bootstrap import create_clinic
from clinic_app.domains.triage.views import TriageInput
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientInput, ReferralInput
from tests.support.sync_server import SyncServer
from tests.ui.conftest import ONLINE_WAIT_MS, WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow, build_main_window

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with SyncServer(postgres_url, tmp_path / "server.log", scope=None) as running:
        running.set_scope({"awaiting_triage": False})
        running.add_user("ann", "Ann North", "clinician", PASSWORD)
        running.add_user("ben", "Ben South", "clinician", PASSWORD)
        running.set_user_site("ann", running.add_site("Northgate Health Centre"))
        running.set_user_site("ben", running.add_site("Southfield Clinic"))
        yield running


def test_a_search_with_no_match_here_falls_through_to_the_server_and_opens_the_record(
    qtbot: QtBot, server: SyncServer, tmp_path: Path
) -> None:
    south = create_clinic(tmp_path / "south.db")
    north = create_clinic(tmp_path / "north.db")
    try:
        for services, name in ((south, "southfield"), (north, "northgate")):
            services.sync.enrol(SYSTEM, server.url, name)
            server.approve(services.context.device_id)
            services.sync.sync_now()
        ben = south.auth.login("ben", PASSWORD)
        patient = south.patients.register(
            ben,
            PatientInput(
                given_name="Grace",
                family_name="Southwell",
                date_of_birth="1958-07-02",
                sex="2",
                nhs_number="9990000069",
            ),
        )
        referral = south.referrals.create(
            ben,
            ReferralInput(
                patient_id=patient.id,
                source="gp",
                received_on="2026-11-20",
                referrer_name="Dr A Hughes",
                reason="Shoulder pain reaching overhead",
                specialty="physiotherapy",
            ),
        ).id
        south.triage.triage(
            ben,
            referral,
            TriageInput(outcome="appointment", priority="routine", pathway="physiotherapy"),
        )
        south.sync.sync_now()
        north.auth.login("ann", PASSWORD)  # her first sign-in here goes through the server
        north.sync.sync_now()

        window: MainWindow = build_main_window(north, idle_lock_seconds=0)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        sign_in(qtbot, window, "ann", PASSWORD, wait_ms=ONLINE_WAIT_MS)
        search = window.screen_by_id("search")
        # Sign-in lands on the day list; Ctrl+F takes the keyboard to the search box.
        qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(search.view.search_box.hasFocus, timeout=WAIT_MS)
        qtbot.keyClicks(search.view.search_box, "Southwell")
        qtbot.waitUntil(lambda: search.view_model.server_note != "", timeout=WAIT_MS * 2)
        assert search.view_model.server_note == "found", search.view.hint.text()
        wait_idle(window)
        assert [row.family_name for row in search.view_model.results] == ["Southwell"]
        assert all(row.on_server for row in search.view_model.results)
        assert "server" in search.view.hint.text()
        column = search.view.model.COLUMNS.index("alerts")
        assert search.view.model.index(0, column).data() == "On the server"
        if folder := os.environ.get("ONESTOP_SHOTS"):
            window.grab().save(str(Path(folder) / "search-on-server.png"))

        qtbot.keyClick(search.view.search_box, Qt.Key.Key_Return)
        qtbot.waitUntil(
            lambda: window.pages.currentWidget() is window.screen_by_id("patient").view,
            timeout=WAIT_MS * 2,
        )
        wait_idle(window)
        record = window.screen_by_id("patient").view_model.record
        assert record is not None
        assert record.id == patient.id
        assert record.family_name == "Southwell"
        with north.context.store.sessions() as session:
            actions = session.scalars(
                select(AuditEntry.action).where(AuditEntry.patient_id == patient.id)
            ).all()
        assert "patient.fetch" in actions
        if folder := os.environ.get("ONESTOP_SHOTS"):
            window.grab().save(str(Path(folder) / "search-fetched-record.png"))
        window.close()
    finally:
        north.close()
        south.close()
