"""Red-flag actions: a note typed on one outstanding action survives another marked done."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, type_into, wait_idle
from tests.ui.red_flags.test_actions_window import _open
from ui.app import MainWindow

DETAILS = {
    "hospital": "Leeds General Infirmary",
    "department": "Emergency department",
    "handed_over_to": "Dr Sam Okafor",
    "handed_over_to_role": "ED registrar",
    "travel": "ambulance",
}


def _details() -> dict[str, str]:
    when = datetime.now().replace(second=0, microsecond=0) - timedelta(minutes=20)
    return {**DETAILS, "handed_over_at": when.strftime("%Y-%m-%dT%H:%M")}


def test_a_note_typed_on_one_outstanding_action_is_not_lost_when_another_is_marked_done(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    codes = red_flag_screen("cauda_equina").question_codes
    recorded = []
    for _ in range(2):
        screening = clinic.red_flags.record(
            user, seeded_patient.id, "cauda_equina", dict.fromkeys(codes, "yes")
        )
        waiting = next(
            a
            for a in clinic.red_flags.awaiting_action(user, seeded_patient.id)
            if a.screening.id == screening.id
        )
        recorded.append(
            clinic.red_flags.record_action(
                user, seeded_patient.id, screening.id, waiting.kinds[0], _details()
            )
        )
    _open(qtbot, window, seeded_patient)
    window.open_screen("red_flag_actions")
    actions = window.screen_by_id("red_flag_actions")
    qtbot.waitUntil(lambda: len(actions.view.outstanding) == 2, timeout=WAIT_MS)
    first, second = (actions.view.outstanding[a.id] for a in recorded)

    # A note for the first handover, typed, not yet marked done...
    type_into(qtbot, first.note, "Confirmed arrival with ED nurse in charge")
    # ...then the second is marked done: the list is read again.
    qtbot.mouseClick(second.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(actions.view.outstanding) == 1, timeout=WAIT_MS)
    wait_idle(window)

    (still,) = actions.view.outstanding.values()
    assert still.action.id == recorded[0].id
    assert still.note.text() == "Confirmed arrival with ED nurse in charge", (
        "the note typed on the first outstanding action was silently emptied when the "
        "second was marked done"
    )
