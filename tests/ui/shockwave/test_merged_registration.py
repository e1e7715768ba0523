"""Shockwave courses recorded under a registration since merged: opened from the survivor."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.people.views import PatientSummary
from tests.core.shockwave.conftest import heel_course, radial_session
from tests.support.merges import merged_by_sync
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.late_answers import in_banner, open_record, settle
from tests.ui.records import second_registration
from tests.ui.shockwave.helpers import add_device, user_of
from ui.app import MainWindow
from ui.domains.shockwave.course.screens import ShockwaveScreen


def test_a_course_under_a_merged_registration_is_continued_from_the_survivor(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    user = user_of(window)
    # At another clinic, under the registration since merged: a course, its first session
    # begun, and the PSEQ answered there before it.
    questionnaires = clinic.questionnaires
    answers = {item.code: 3 for item in questionnaires.definition("pseq").items}
    timepoint = questionnaires.next_timepoint(user, seeded_patient.id, "pseq")
    answered = questionnaires.record(
        user, seeded_patient.id, "pseq", answers, timepoint, "clinician"
    )
    started = clinic.shockwave.start_course(user, seeded_patient.id)
    clinic.shockwave.save_course(user, started.id, heel_course(add_device(clinic)))
    view = clinic.shockwave.add_session(user, started.id)
    draft = next(s for s in view.sessions if not s.is_signed)
    clinic.shockwave.save_session(user, draft.id, radial_session(pulses=1800))
    survivor = second_registration(clinic, seeded_patient)
    merged_by_sync(clinic, survivor, seeded_patient.id)

    open_record(qtbot, window, survivor)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(lambda: record.view_model.timeline is not None, timeout=WAIT_MS)
    (entry,) = [
        e
        for e in record.view_model.timeline.entries
        if e.patient_id == seeded_patient.id and e.kind == "eswt_course"
    ]
    record.view_model.open_entry(entry)
    settle(qtbot, window)

    screen = window.screen_by_id("shockwave")
    assert isinstance(screen, ShockwaveScreen)
    assert window.showing(screen), record.view.notice.text()
    assert in_banner(window, survivor)
    vm = screen.view_model
    assert vm.course is not None
    assert vm.course.id == started.id
    assert screen.view.indication.currentData() == "plantar_fasciitis"
    assert screen.view.pulses.text() == "1800"
    # The questionnaire answered under the merged registration is offered to count.
    assert answered.id in {r.id for r in vm.responses}

    # Continued there: the session's pulses changed are kept on the same session.
    screen.view.pulses.clear()
    type_into(qtbot, screen.view.pulses, "2100")
    vm.save_now()
    wait_idle(window)
    wait_idle(window)
    assert not window.notice.isVisible(), window.notice.text()
    kept = clinic.shockwave.get(user, started.id)
    assert [s.fields.pulses for s in kept.sessions] == [2100]
    assert [c.id for c in clinic.shockwave.for_patient(user, survivor)] == [started.id]
