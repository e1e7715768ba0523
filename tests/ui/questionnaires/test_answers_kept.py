"""MSK-HQ answers a clinician has ticked are what they typed: going to the patient's record and
coming back to the questionnaire, or seeing another patient and coming back, must not throw
them away without a word."""

from __future__ import annotations

import uuid

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import WAIT_MS, click, wait_idle
from ui.app import MainWindow


def _patients(clinic: Services, window: MainWindow) -> list[uuid.UUID]:
    user = window.session.require_user()
    return [p.id for p in clinic.patients.search(user, "999", limit=2)]


def _open_record(window: MainWindow, clinic: Services, patient: uuid.UUID) -> None:
    window.open_screen("patient", clinic.patients.open(window.session.require_user(), patient))
    wait_idle(window)


def _open_msk_hq(qtbot: QtBot, window: MainWindow):
    action = window.action("questionnaire")
    assert action.isEnabled()
    action.trigger()
    screen = window.screen_by_id("questionnaire")
    qtbot.waitUntil(lambda: window.showing(screen), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(screen.view_model.items), timeout=WAIT_MS)
    wait_idle(window)
    return screen


def _tick_first_answers(qtbot: QtBot, screen, count: int) -> dict[str, int | None]:
    for item in screen.view_model.items[:count]:
        group = screen.view._item_groups[item.code]
        button = group.buttons()[1]
        click(qtbot, button)
    answered = {c: v for c, v in screen.view_model.answers.items() if v is not None}
    assert len(answered) == count
    return answered


def test_ticked_answers_survive_a_look_at_the_record_of_the_same_patient(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    a, _b = _patients(clinic, window)
    _open_record(window, clinic, a)
    screen = _open_msk_hq(qtbot, window)
    answered = _tick_first_answers(qtbot, screen, 6)

    # A glance at the same patient's record (to check a date), then back to the questionnaire.
    _open_record(window, clinic, a)
    screen = _open_msk_hq(qtbot, window)

    kept = {c: v for c, v in screen.view_model.answers.items() if v is not None}
    assert kept == answered, "the six answers ticked for this patient were silently discarded"


def test_ticked_answers_survive_seeing_another_patient(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    a, b = _patients(clinic, window)
    _open_record(window, clinic, a)
    screen = _open_msk_hq(qtbot, window)
    answered = _tick_first_answers(qtbot, screen, 6)

    _open_record(window, clinic, b)
    screen = _open_msk_hq(qtbot, window)
    assert not any(v is not None for v in screen.view_model.answers.values())  # none of A's

    _open_record(window, clinic, a)
    screen = _open_msk_hq(qtbot, window)
    kept = {c: v for c, v in screen.view_model.answers.items() if v is not None}
    assert kept == answered, "A's ticked answers were discarded on opening B, with no word said"


def test_answers_kept_are_the_clinicians_own_and_end_once_recorded(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    from tests.ui.conftest import CLINICIAN, SUPERVISOR, sign_in

    window = signed_in
    clinician = window.session.require_user()
    a, _b = _patients(clinic, window)
    _open_record(window, clinic, a)
    screen = _open_msk_hq(qtbot, window)
    answered = _tick_first_answers(qtbot, screen, 6)

    # Another user on the laptop: none of the clinician's answers.
    window.switch_user()
    wait_idle(window)
    sign_in(qtbot, window, SUPERVISOR)
    _open_record(window, clinic, a)
    screen = _open_msk_hq(qtbot, window)
    assert not any(v is not None for v in screen.view_model.answers.values())

    # The clinician again: their answers, every one, then the rest answered and recorded.
    window.switch_user()
    wait_idle(window)
    sign_in(qtbot, window, CLINICIAN)
    _open_record(window, clinic, a)
    screen = _open_msk_hq(qtbot, window)
    qtbot.waitUntil(
        lambda: {c: v for c, v in screen.view_model.answers.items() if v is not None} == answered,
        timeout=WAIT_MS,
    )
    for item in screen.view_model.items:
        if screen.view_model.answers[item.code] is None:
            screen.view_model.set_answer(item.code, 1)
    qtbot.waitUntil(screen.view.record_button.isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(screen.view_model.recorded, timeout=WAIT_MS):
        click(qtbot, screen.view.record_button)
    wait_idle(window)
    assert not [key for key in _draft_keys(clinic, clinician) if key.startswith(f"{a}|")], (
        "the recorded answers are still kept as a draft"
    )


def _draft_keys(clinic: Services, user) -> list[str]:
    from sqlalchemy import select

    from clinic_app.kernel.local import Draft

    with clinic.context.store.sessions.begin() as session:
        return list(
            session.scalars(
                select(Draft.subject).where(
                    Draft.user_id == user.id, Draft.kind == "questionnaire.answers"
                )
            )
        )
