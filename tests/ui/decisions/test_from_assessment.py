"""From an assessment's plan to a decision aid: the aid for the working diagnosis, this patient.

Two patients are interleaved: whatever the plan opens is for the patient in the banner, and
the assessment typed so far is kept before the decision screen takes over.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.people.views import PatientInput
from tests.support import pictures
from tests.ui.conftest import WAIT_MS, type_into, wait_idle
from ui.app import MainWindow
from ui.common import formatting
from ui.domains.assessments.assessment.screens import AssessmentScreen
from ui.domains.decisions.consultation.screens import DecisionScreen


def _two(clinic: Services, window: MainWindow) -> tuple[uuid.UUID, uuid.UUID]:
    user = window.session.user
    assert user is not None
    first, second = clinic.patients.search(user, "999", limit=2)
    return first.id, second.id


def _assess(window: MainWindow, clinic: Services, patient: uuid.UUID) -> AssessmentScreen:
    """The patient's record, then a new assessment from the patient menu."""
    user = window.session.user
    assert user is not None
    window.open_screen("patient", clinic.patients.open(user, patient))
    wait_idle(window)
    window.action("assessment").trigger()
    wait_idle(window)
    screen = window.screen_by_id("assessment")
    assert isinstance(screen, AssessmentScreen)
    if screen.stack.currentWidget() is screen.offer:
        screen.offer.new_requested.emit()
        wait_idle(window)
    assert screen.stack.currentWidget() is screen.view
    assert screen.view_model.patient_id == patient
    return screen


def _banner_is(
    window: MainWindow, clinic: Services, screen: DecisionScreen, patient: uuid.UUID
) -> None:
    user = window.session.user
    assert user is not None
    record = clinic.patients.open(user, patient)
    assert screen.banner.nhs_number_label.text() == formatting.nhs_number(record.nhs_number)


def _decide(qtbot: QtBot, window: MainWindow, screen: AssessmentScreen) -> DecisionScreen:
    view = screen.view
    assert view.plan_card.isVisibleTo(view)
    view.scroll_area.ensureWidgetVisible(view.decide_button)
    qtbot.mouseClick(view.decide_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    decision = window.screen_by_id("decision")
    assert isinstance(decision, DecisionScreen)
    assert window.showing(decision)
    return decision


def test_the_plan_opens_the_aid_for_the_working_diagnosis_of_the_patient_in_the_banner(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    first, second = _two(clinic, window)

    # The first patient: knee osteoarthritis, and the plan asks for a decision.
    screen = _assess(window, clinic, first)
    type_into(qtbot, screen.view.texts["presenting_complaint"], "Knee pain on stairs")
    screen.view.diagnosis.set_code("knee_osteoarthritis")
    screen.view.scroll_area.ensureWidgetVisible(screen.view.plan_card)
    pictures.keep(window, "assessment-plan.png")
    decision = _decide(qtbot, window, screen)
    assert window.context.patient is not None
    assert window.context.patient.id == first
    _banner_is(window, clinic, decision, first)
    assert decision.view_model.patient_id == first
    _banner_is(window, clinic, decision, first)
    qtbot.waitUntil(lambda: decision.view_model.aid is not None, timeout=WAIT_MS)
    assert decision.view_model.aid.id == "knee_osteoarthritis"  # type: ignore[union-attr]
    pictures.keep(window, "decision-from-assessment.png")
    # What was typed in the assessment was kept before the screen changed.
    user = window.session.user
    assert user is not None
    kept = clinic.assessments.get(user, screen.view_model.assessment.id)  # type: ignore[union-attr]
    assert kept.patient_id == first
    assert kept.content["presenting_complaint"] == "Knee pain on stairs"
    assert kept.content["diagnosis_code"] == "knee_osteoarthritis"

    # The second patient: a diagnosis no aid is written for offers the list of aids.
    screen = _assess(window, clinic, second)
    screen.view.diagnosis.set_code("gout")
    decision = _decide(qtbot, window, screen)
    assert window.context.patient is not None
    assert window.context.patient.id == second
    _banner_is(window, clinic, decision, second)
    assert decision.view_model.patient_id == second
    assert decision.view_model.aid is None
    assert decision.view.chooser.isVisibleTo(decision.view)

    # Back to the first: the plan opens the first patient's aid again, never the second's.
    screen = _assess(window, clinic, first)
    screen.view.diagnosis.set_code("sciatica")
    decision = _decide(qtbot, window, screen)
    assert decision.view_model.patient_id == first
    _banner_is(window, clinic, decision, first)
    qtbot.waitUntil(lambda: decision.view_model.aid is not None, timeout=WAIT_MS)
    assert decision.view_model.aid.id == "low_back_pain"  # type: ignore[union-attr]


def test_a_patient_who_needs_an_interpreter_starts_with_their_language_on_the_form(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    patient = clinic.patients.register(
        user,
        PatientInput(
            given_name="Zofia",
            family_name="Nowak",
            date_of_birth="1958-07-21",
            sex="2",
            interpreter_needed=True,
            interpreter_language="pl",
        ),
    )
    window.open_screen("patient", clinic.patients.open(user, patient.id))
    wait_idle(window)
    window.open_screen("decision", "knee_osteoarthritis")
    wait_idle(window)
    screen = window.screen_by_id("decision")
    assert isinstance(screen, DecisionScreen)
    page = screen.view.page
    assert page is not None
    assert page.record_language.isVisibleTo(page)
    assert "need an interpreter: Polish" in page.record_language.text()
    # The language is ready; that an interpreter took part is still the clinician's to say.
    assert page.language.text() == "Polish"
    assert not page.people["interpreter"][0].isChecked()
    page.people["interpreter"][0].setChecked(True)
    screen.save_now()
    wait_idle(window)
    (record,) = clinic.decisions.for_patient(user, patient.id)
    assert record.interpreter_language == "Polish"

    # The next patient, who needs no interpreter, starts with nothing about one.
    first, _second = _two(clinic, window)
    window.open_screen("patient", clinic.patients.open(user, first))
    wait_idle(window)
    window.open_screen("decision", "knee_osteoarthritis")
    wait_idle(window)
    page = screen.view.page
    assert page is not None
    assert not page.record_language.isVisibleTo(page)
    assert page.language.text() == ""
