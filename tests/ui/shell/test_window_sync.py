"""The Sync screen: what it says with no server set up, and the changes the server refused."""

from __future__ import annotations

import os
from pathlib import Path

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.local import StoreMeta
from clinic_app.people.views import PatientSummary
from clinic_app.sync.client import WAITING_KEY
from clinic_app.sync.model import SyncIssue
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow


def test_a_standalone_device_says_it_is_not_syncing(qtbot: QtBot, signed_in: MainWindow) -> None:
    window = signed_in
    window.action("sync").trigger()
    qtbot.waitUntil(lambda: bool(window.screen_by_id("sync").view.summary.text()), timeout=WAIT_MS)
    wait_idle(window)
    view = window.screen_by_id("sync").view
    assert window.pages.currentWidget() is view
    assert view.summary.text().startswith("Not syncing (no server set up)")
    assert "not set up to sync" in view.server.text()
    assert not view.sync_button.isEnabled()
    assert view.choice_buttons == []
    assert window.status_strip.sync_label.text().startswith("Not syncing")


def test_the_sync_screen_words_a_refused_change_and_whose_changes_wait(
    qtbot: QtBot,
    clinic: Services,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
    window: MainWindow,
) -> None:
    # What a push left behind: a change the server refused for the role of its author, and
    # the clinician's changes waiting for her to sign in while connected.
    with clinic.context.store.sessions.begin() as session:
        session.add(
            SyncIssue(
                kind="rejected",
                table_name="patient",
                row_id=seeded_patient.id,
                reason="sync.not_allowed",
                change={"fields": {"phone": "0113 496 0999"}},
                user_id=clinician.id,
            )
        )
        session.add(StoreMeta(key=WAITING_KEY, value=str(clinician.id)))
    sign_in(qtbot, window, CLINICIAN)
    window.action("sync").trigger()
    view = window.screen_by_id("sync").view
    qtbot.waitUntil(lambda: bool(view.issue_labels), timeout=WAIT_MS)
    wait_idle(window)
    listed = view.issue_labels[0].text()
    assert seeded_patient.family_name.upper() in listed
    assert "phone — the role of the person who made it does not allow it" in listed
    assert f"changes made by {clinician.display_name} wait until they sign in" in (
        view.summary.text()
    )
    if folder := os.environ.get("ONESTOP_SHOTS"):
        window.grab().save(str(Path(folder) / "sync-refused.png"))
