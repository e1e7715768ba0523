"""The window's notices gather: a later word never hides an earlier one not yet read."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in
from tests.ui.late_answers import (
    Gate,
    choose_meanwhile,
    in_banner,
    open_record,
    settle,
    two_patients,
)
from ui.app import MainWindow
from ui.common.widgets import NoticeBar


def _bar(qtbot: QtBot) -> NoticeBar:
    bar = NoticeBar()
    qtbot.addWidget(bar)
    return bar


def test_a_later_notice_joins_the_one_on_show_and_the_tone_stays_a_problem(qtbot: QtBot) -> None:
    bar = _bar(qtbot)
    bar.add_notice("The letter for SMITH, Jane was not printed.", "problem")
    bar.add_notice("1 scan report(s) wait for your review.", "info")

    assert bar.message.text() == (
        "The letter for SMITH, Jane was not printed.\n1 scan report(s) wait for your review."
    )
    assert bar.property("tone") == "problem"


def test_the_same_words_again_are_shown_once_and_move_last(qtbot: QtBot) -> None:
    bar = _bar(qtbot)
    bar.add_notice("Synced.", "info")
    bar.add_notice("Saved.", "success")
    bar.add_notice("Synced.", "info")

    assert bar.message.text() == "Saved.\nSynced."
    assert bar.property("tone") == "info"


def test_past_the_most_the_oldest_goes_but_a_problem_stays(qtbot: QtBot) -> None:
    bar = _bar(qtbot)
    bar.add_notice("The letter for SMITH, Jane was not printed.", "problem")
    for number in range(1, 5):
        bar.add_notice(f"Word {number}.", "info")

    lines = bar.message.text().split("\n")
    assert len(lines) == NoticeBar.MOST_GATHERED
    assert lines[0] == "The letter for SMITH, Jane was not printed."
    assert lines[1:] == ["Word 3.", "Word 4."]
    assert bar.property("tone") == "problem"


def test_dismissed_or_replaced_nothing_earlier_comes_back(qtbot: QtBot) -> None:
    bar = _bar(qtbot)
    bar.add_notice("The letter for SMITH, Jane was not printed.", "problem")
    bar.close_button.click()
    bar.add_notice("Synced.", "info")
    assert bar.message.text() == "Synced."
    assert bar.property("tone") == "info"

    bar.show_notice("Saved.", "success")
    bar.add_notice("Synced again.", "info")
    assert bar.message.text() == "Saved.\nSynced again."


def test_a_name_that_looks_like_markup_is_shown_as_written(qtbot: QtBot) -> None:
    bar = _bar(qtbot)
    bar.add_notice("The letter for <b>O'NEIL</b>, Pat was not printed.", "problem")
    assert bar.message.text() == "The letter for <b>O'NEIL</b>, Pat was not printed."
    assert bar.message.textFormat().name == "PlainText"


def test_the_reports_count_after_a_sync_leaves_a_patients_warning_on_show(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    """A sync's count of reports waiting came after a letter was dropped and hid it."""
    sign_in(qtbot, window, CLINICIAN)
    first, second = two_patients(clinic, window)
    open_record(qtbot, window, second.id)
    warning = f"The letter for {first.family_name.upper()} was not printed."
    window.context.say(warning)

    window.background._say_report_queues((0, 1))

    text = window.notice.message.text()
    assert warning in text
    assert "came back with feedback" in text
    assert window.notice.property("tone") == "problem"

    # Choosing another patient clears the window's notices, all of them.
    open_record(qtbot, window, first.id)
    settle(qtbot, window)
    assert window.notice.isHidden()
    window.context.say("Synced.", "info")
    assert window.notice.message.text() == "Synced."


def test_words_said_while_the_next_patient_loads_stay_when_they_come(
    qtbot: QtBot, window: MainWindow, clinic: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Choosing a patient closes the last one at once; their record comes later.

    What was on show for the last patient goes at once. A word said meanwhile (work left
    behind for the patient closed, naming them) stays when the next record comes.
    """
    sign_in(qtbot, window, CLINICIAN)
    first, second = two_patients(clinic, window)
    open_record(qtbot, window, first.id)
    window.context.say("A word about the first patient's page.", "info")
    gate = Gate(monkeypatch, clinic.patients, "open")
    choose_meanwhile(window, second.id)
    gate.wait_entered(qtbot)
    assert window.context.patient is None
    assert window.notice.isHidden()
    left = f"The letter for {first.family_name.upper()} was not printed."
    window.context.say(left)

    gate.release()
    qtbot.waitUntil(lambda: in_banner(window, second.id), timeout=WAIT_MS)
    settle(qtbot, window)

    assert window.notice.message.text() == left
