"""The shared save-as-you-go state: late answers never reach another patient's form."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from ui.common.draft_saver import DraftSaver


def _saver(saves: list[str], busy: list[bool], ms: int = 20) -> tuple[QObject, DraftSaver]:
    owner = QObject()
    return owner, DraftSaver(
        owner, save_now=lambda: saves.append("save"), on_busy=busy.append, autosave_ms=ms
    )


def test_an_answer_after_the_patient_changed_is_dropped_or_told_as_late(qtbot: QtBot) -> None:
    saves: list[str] = []
    busy: list[bool] = []
    _owner, drafts = _saver(saves, busy)
    shown: list[str] = []
    late: list[str] = []
    for_a = drafts.guard(shown.append)
    sign_for_a = drafts.guard_or(shown.append, late.append)
    drafts.set_busy(True)

    drafts.forget()  # patient B now in the banner

    for_a("A's draft")
    sign_for_a("A's sign")
    assert shown == []
    assert late == ["A's sign"]
    assert busy == [True, False]
    # Answers asked for after the change are B's and are shown.
    drafts.guard(shown.append)("B's draft")
    assert shown == ["B's draft"]


def test_typing_saves_once_the_changes_pause_and_forgetting_cancels_it(qtbot: QtBot) -> None:
    saves: list[str] = []
    _owner, drafts = _saver(saves, [])
    drafts.later()
    drafts.later()
    qtbot.waitUntil(lambda: saves == ["save"], timeout=1000)
    drafts.later()
    drafts.forget()
    qtbot.wait(60)
    assert saves == ["save"]


def test_what_waits_for_a_save_runs_after_it_and_after_what_was_typed_meanwhile(
    qtbot: QtBot,
) -> None:
    saves: list[str] = []
    _owner, drafts = _saver(saves, [])
    ran: list[str] = []
    drafts.then(lambda: ran.append("print"), unsaved=False)
    assert ran == ["print"]
    assert saves == []

    drafts.then(lambda: ran.append("sign"), unsaved=True)
    assert saves == ["save"]
    assert ran == ["print"]
    drafts.follow_on(more_typed=True)  # more typed while it saved: saved again first
    assert saves == ["save", "save"]
    assert ran == ["print"]
    drafts.follow_on(more_typed=False)
    assert ran == ["print", "sign"]


def test_a_refused_save_lets_go_of_what_waited(qtbot: QtBot) -> None:
    _owner, drafts = _saver([], [])
    drafts.saving = True
    drafts.sign_waiting = "secret"
    drafts.then(lambda: None, unsaved=True)
    assert drafts.save_failed()  # a sign waited: it is refused with the save
    assert (drafts.saving, drafts.sign_waiting, drafts.after_save) == (False, None, None)


def test_a_refused_save_with_only_a_print_waiting_is_no_sign_refused(qtbot: QtBot) -> None:
    _owner, drafts = _saver([], [])
    drafts.saving = True
    drafts.then(lambda: None, unsaved=True)
    assert not drafts.save_failed()
    assert drafts.after_save is None


def test_an_answer_after_its_form_was_closed_for_good_goes_nowhere(qtbot: QtBot) -> None:
    # The window shut while a save was on its way: the save is made, and its answer is not
    # handed to a view model that no longer exists.
    saves: list[str] = []
    busy: list[bool] = []
    owner, drafts = _saver(saves, busy)
    shown: list[str] = []
    late: list[str] = []
    saved = drafts.guard(shown.append)
    signed = drafts.guard_or(shown.append, late.append)

    owner.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(owner))

    saved("the draft")
    signed("the sign")
    assert shown == []
    assert late == []


def test_what_waits_for_a_save_and_is_dropped_by_a_patient_change_is_told_once(
    qtbot: QtBot,
) -> None:
    saves: list[str] = []
    _owner, drafts = _saver(saves, [])
    ran: list[str] = []
    dropped: list[str] = []
    drafts.saving = True
    drafts.then(lambda: ran.append("print"), unsaved=True, dropped=lambda: dropped.append("A"))
    drafts.forget()  # patient B now in the banner
    drafts.forget()
    assert ran == []
    assert dropped == ["A"]

    # Run after its save, or stopped by a refused save, it is never told as dropped.
    drafts.then(lambda: ran.append("print"), unsaved=True, dropped=lambda: dropped.append("B"))
    drafts.follow_on(more_typed=False)
    drafts.then(lambda: ran.append("print"), unsaved=True, dropped=lambda: dropped.append("C"))
    drafts.save_failed()
    drafts.forget()
    assert ran == ["print"]
    assert dropped == ["A"]
