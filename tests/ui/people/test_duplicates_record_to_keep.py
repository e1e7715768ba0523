"""Possible duplicates: a supervisor has chosen a pair, ticked the record to keep and typed the
reason, when a sync round brings another supervisor's decision on a pair listed above it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.ui.conftest import WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.late_answers import settle, two_patients
from tests.ui.records import second_registration
from tests.ui.shell.test_screens_follow_changes import sync_round_brought_something
from ui.app import MainWindow


def test_a_pair_above_settled_elsewhere_leaves_the_record_to_keep_ticked(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    """Two pairs wait (patient A registered twice, then patient B registered twice). The
    supervisor chooses B's pair, ticks "Keep this record" under Record 2 and types why. A
    sync round brings the service lead's decision on A's pair, made on another laptop: the
    list reads itself again and B's pair is still on show with the reason typed, but the
    tick has silently moved back to Record 1. Merge now keeps the registration the
    supervisor chose to merge away (the record it reads is the old row number in the new
    list). The merge reaches the wrong record with nothing on screen to say so."""
    sign_in(qtbot, window, "supervisor")
    a, b = two_patients(clinic, window)
    second_registration(clinic, a)
    second_registration(clinic, b)
    window.action("duplicates").trigger()
    screen = window.screen_by_id("duplicates")
    view = screen.view
    qtbot.waitUntil(lambda: view.pairs.count() == 2, timeout=WAIT_MS)
    wait_idle(window)
    pair_of_a, pair_of_b = screen.view_model.pairs
    assert pair_of_b.first.family_name == b.family_name

    view.pairs.setCurrentRow(1)
    view.keep[1].click()
    type_into(qtbot, view.reason, "Same NHS number; address confirmed with the patient")
    meant_to_keep = pair_of_b.second.id
    assert view._side_id() == meant_to_keep

    # The service lead, on another laptop, says A's two records are two people; it syncs in.
    lead = clinic.auth.login("admin", demo_password("admin"))
    clinic.duplicates.dismiss(lead, pair_of_a.id, "Twins: different first names")
    sync_round_brought_something(window)
    settle(qtbot, window)

    chosen = view.chosen()
    assert chosen is not None
    assert chosen.id == pair_of_b.id
    assert view.reason.toPlainText().startswith("Same NHS number")
    tick_on_record_2 = view.keep[1].isChecked()

    # The supervisor, who ticked Record 2 a moment ago, clicks Merge.
    with qtbot.waitSignal(screen.view_model.resolved, timeout=WAIT_MS):
        qtbot.mouseClick(view.merge_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    supervisor = window.session.require_user()
    kept = clinic.patients.open(supervisor, pair_of_b.first.id).id
    assert kept == meant_to_keep, (
        "the merge kept Record 1, not the Record 2 the supervisor ticked "
        f"(tick still on Record 2 after the round: {tick_on_record_2})"
    )
