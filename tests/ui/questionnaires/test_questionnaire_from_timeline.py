"""A questionnaire on the timeline opens that response as recorded, its scores on the chart."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import NotFound
from clinic_app.people.views import PatientSummary
from clinic_app.records.timeline import TimelineEntry
from tests.ui.conftest import WAIT_MS, wait_idle
from ui.app import MainWindow


def test_a_pseq_entry_opens_the_pseq_with_its_history(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    user = window.session.require_user()
    _answers, _timepoint, entry = _recorded_pseq(clinic, user, seeded_patient)

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
    with pytest.raises(NotFound):
        clinic.questionnaires.response(user, others[0].id, entry.record_id)


def test_a_recorded_pseq_opened_from_the_timeline_shows_its_answers_read_only(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    user = window.session.require_user()
    answers, timepoint, entry = _recorded_pseq(clinic, user, seeded_patient)
    before = len(clinic.questionnaires.history(user, seeded_patient.id, "pseq"))

    window.open_screen("patient", clinic.patients.open(user, seeded_patient.id))
    wait_idle(window)
    window.screen_by_id("patient").view_model.open_entry(entry)
    screen = window.screen_by_id("questionnaire")
    model = screen.view_model
    qtbot.waitUntil(lambda: model.recorded_already, timeout=WAIT_MS)
    wait_idle(window)

    # What was recorded that day, at its own time point: read, never recorded again.
    assert model.answers == answers
    assert model.timepoint == str(timepoint)
    assert not model.can_record()
    assert not screen.view.form.isEnabled()
    assert "as recorded" in screen.view.timepoint_label.text()
    model.set_answer(next(iter(answers)), 1)
    model.record()
    wait_idle(window)
    assert model.answers == answers
    assert len(clinic.questionnaires.history(user, seeded_patient.id, "pseq")) == before


def _recorded_pseq(
    clinic: Services, user: CurrentUser, patient: PatientSummary
) -> tuple[dict[str, int | None], object, TimelineEntry]:
    """A PSEQ recorded for ``patient`` at their next time point, and its timeline entry."""
    definition = clinic.questionnaires.definition("pseq")
    answers: dict[str, int | None] = {item.code: 4 for item in definition.items}
    timepoint = clinic.questionnaires.next_timepoint(user, patient.id, "pseq")
    clinic.questionnaires.record(user, patient.id, "pseq", answers, timepoint, "clinician")
    (entry,) = clinic.timeline.for_patient(user, patient.id).of_kind("questionnaire_response")[:1]
    return answers, timepoint, entry
