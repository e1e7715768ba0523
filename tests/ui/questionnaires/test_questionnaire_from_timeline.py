"""A questionnaire on the timeline opens that questionnaire, its scores on the chart."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.kernel.errors import NotFound
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, wait_idle
from ui.app import MainWindow


def test_a_pseq_entry_opens_the_pseq_with_its_history(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    user = window.session.require_user()
    definition = clinic.questionnaires.definition("pseq")
    answers: dict[str, int | None] = {item.code: 4 for item in definition.items}
    timepoint = clinic.questionnaires.next_timepoint(user, seeded_patient.id, "pseq")
    clinic.questionnaires.record(user, seeded_patient.id, "pseq", answers, timepoint, "clinician")
    (entry,) = clinic.timeline.for_patient(user, seeded_patient.id).of_kind(
        "questionnaire_response"
    )[:1]

    # Through the record: signing in lands on the day list, where patient actions are off.
    window.open_screen("patient", clinic.patients.open(user, seeded_patient.id))
    window.open_screen("questionnaire", entry)
    screen = window.screen_by_id("questionnaire")
    qtbot.waitUntil(
        lambda: (
            screen.view_model.definition is not None and screen.view_model.definition.id == "pseq"
        ),
        timeout=WAIT_MS,
    )
    wait_idle(window)
    qtbot.waitUntil(screen.score_chart.isVisible, timeout=WAIT_MS)

    others = [p for p in clinic.patients.search(user, "999", limit=5) if p.id != seeded_patient.id]
    with pytest.raises(NotFound):
        clinic.questionnaires.questionnaire_of(user, others[0].id, entry.record_id)
