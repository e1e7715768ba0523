"""A questionnaire's answers recorded just before the next patient is chosen, and refused."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.kernel.errors import Conflict
from tests.ui.conftest import WAIT_MS
from tests.ui.late_answers import choose_meanwhile, in_banner, open_record, settle, two_patients
from ui.app import MainWindow


def test_answers_refused_after_the_next_patient_was_chosen_are_said_not_recorded(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    a, b = two_patients(clinic, window)
    open_record(qtbot, window, a.id)
    before = len(clinic.questionnaires.history(user, a.id, "msk_hq"))
    screen = window.screen_by_id("questionnaire")
    window.action("questionnaire").trigger()
    qtbot.waitUntil(lambda: window.showing(screen), timeout=WAIT_MS)
    model = screen.view_model
    qtbot.waitUntil(lambda: bool(model.items), timeout=WAIT_MS)
    for item in model.items:
        model.set_answer(item.code, 2)

    # Record clicked; the store holds it, the next patient is clicked, then it is refused.
    entered, go = threading.Event(), threading.Event()

    def refused(*_args: Any, **_kwargs: Any) -> Any:
        entered.set()
        assert go.wait(20)
        raise Conflict("record.changed")

    monkeypatch.setattr(clinic.questionnaires, "record", refused)
    problems: list[str] = []
    model.problem.connect(problems.append)
    model.record()
    qtbot.waitUntil(entered.is_set, timeout=WAIT_MS)
    choose_meanwhile(window, b.id)
    go.set()
    qtbot.waitUntil(lambda: in_banner(window, b.id), timeout=WAIT_MS)
    settle(qtbot, window)

    assert len(clinic.questionnaires.history(user, a.id, "msk_hq")) == before  # not kept
    said = window.notice.text()
    # A's answers are gone from the screen and not in the record: the clinician hears so.
    title = clinic.questionnaires.definition("msk_hq").title
    assert said.startswith(
        f"The {title} answers for {a.family_name.upper()}, {a.given_name} were not recorded: "
    ), (said, problems)
    assert said.endswith("open the questionnaire again from their record to enter them.")
    assert problems == []  # nothing said on B's page
