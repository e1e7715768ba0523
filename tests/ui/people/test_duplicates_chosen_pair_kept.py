"""Possible duplicates: a pair chosen, its record to keep ticked and the reason typed, then a
sync round re-reads the list. The supervisor's choice must still be the one on show."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.late_answers import settle, two_patients
from tests.ui.records import second_registration
from ui.app import MainWindow


def test_a_sync_round_keeps_the_pair_the_record_to_keep_and_the_reason_chosen(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    sign_in(qtbot, window, "supervisor")
    first, other = two_patients(clinic, window)
    second_registration(clinic, first)
    second_registration(clinic, other)
    window.action("duplicates").trigger()
    screen = window.screen_by_id("duplicates")
    view = screen.view
    qtbot.waitUntil(lambda: view.pairs.count() == 2, timeout=WAIT_MS)
    wait_idle(window)

    # The supervisor chooses the second pair, keeps Record 2 and gives the reason.
    view.pairs.setCurrentRow(1)
    chosen = view.chosen()
    assert chosen is not None
    assert chosen.first.family_name == other.family_name
    view.keep[1].click()
    reason = "Same NHS number; address confirmed with the patient"
    type_into(qtbot, view.reason, reason)
    survivor_meant = chosen.second.id

    # A sync round brings something in (nothing about these pairs): the list reads itself again.
    window.context.announce("sync.received", None)
    settle(qtbot, window)

    after = view.chosen()
    assert after is not None
    assert after.id == chosen.id, (
        f"the pair on show moved from {chosen.first.family_name} "
        f"to {after.first.family_name} under the supervisor"
    )
    assert view._side_id() == survivor_meant, "the record to keep flipped to the other side"
    assert view.reason.toPlainText() == reason, "the reason typed was wiped"


def test_a_sync_round_keeps_the_record_to_keep_of_the_only_pair(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    second_registration(clinic, seeded_patient)
    sign_in(qtbot, window, "supervisor")
    window.action("duplicates").trigger()
    view = window.screen_by_id("duplicates").view
    qtbot.waitUntil(lambda: view.pairs.count() == 1, timeout=WAIT_MS)
    wait_idle(window)
    view.keep[1].click()
    survivor_meant = view._side_id()
    type_into(qtbot, view.reason, "Same person")

    window.context.announce("sync.received", None)
    settle(qtbot, window)

    assert view._side_id() == survivor_meant, (
        "a sync round silently flipped the record to keep back to Record 1"
    )
    assert view.reason.toPlainText() == "Same person"
