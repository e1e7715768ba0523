"""The red-flag action form: fill the details, see what is missing, save, reopen, mark done."""

from __future__ import annotations

import os
import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.domains.red_flags.rules import Answer, Level
from clinic_app.domains.red_flags.views import ActionKind, ActionStatus
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientSummary
from tests.core.red_flags.test_actions import answers_giving
from tests.ui.conftest import WAIT_MS, type_into
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.common.theme import apply_theme
from ui.common.widgets import ChoiceCombo
from ui.domains.red_flags.action.view import RedFlagActionsView
from ui.domains.red_flags.action.view_model import RedFlagActionsViewModel
from ui.domains.red_flags.screening.view import RedFlagsView
from ui.domains.red_flags.screening.view_model import RedFlagsViewModel

SHOTS = os.environ.get("ONESTOP_SCREENSHOTS", "")


def _emergency(clinic: Services, user: CurrentUser, patient_id: uuid.UUID) -> uuid.UUID:
    codes = red_flag_screen("cauda_equina").question_codes
    screening = clinic.red_flags.record(
        user, patient_id, "cauda_equina", dict.fromkeys(codes, "yes")
    )
    assert screening.level is Level.EMERGENCY
    return screening.id


def _open(
    qtbot: QtBot, clinic: Services, runner: TaskRunner, user: CurrentUser, patient_id: uuid.UUID
) -> tuple[RedFlagActionsViewModel, RedFlagActionsView]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    session = UserSession()
    session.sign_in(user)
    vm = RedFlagActionsViewModel(clinic.red_flags, clinic.drafts, runner=runner, session=session)
    view = RedFlagActionsView(vm)
    vm.setParent(view)  # goes with the view: no draft saved once the test is over
    qtbot.addWidget(view)
    view.resize(1366 - 300, 700)  # the page beside the search panel on a 1366 by 768 screen
    view.show()
    vm.start(patient_id)
    qtbot.waitUntil(lambda: runner.is_idle() and vm.patient_id == patient_id, timeout=WAIT_MS)
    QApplication.processEvents()
    return vm, view


def _shot(view: RedFlagActionsView, name: str) -> None:
    if SHOTS:
        # Let the layout settle as it does before a person sees it.
        for _ in range(3):
            QApplication.processEvents()
        os.makedirs(SHOTS, exist_ok=True)
        view.grab().save(os.path.join(SHOTS, name))


def _choose(combo: object, code: str) -> None:
    assert isinstance(combo, ChoiceCombo)
    combo.set_code(code)


def test_handover_form_is_filled_refused_when_short_saved_reopened_and_marked_done(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    screening_id = _emergency(clinic, clinician, seeded_patient.id)
    vm, view = _open(qtbot, clinic, runner, clinician, seeded_patient.id)
    qtbot.waitUntil(lambda: screening_id in view.forms, timeout=WAIT_MS)
    form = view.forms[screening_id]
    assert form.kind is ActionKind.ED_HANDOVER  # the usual action for an emergency comes first
    assert form.findChildren(type(view.heading), "requiredAction")  # the content's words
    details = form.form
    type_into(qtbot, details.editor("hospital"), "Leeds General Infirmary")
    type_into(qtbot, details.editor("department"), "Emergency department")
    _shot(view, "red_flag_action_form.png")

    # Saving without the person handed over to, their role or the travel is refused.
    with qtbot.waitSignal(vm.save_failed, timeout=WAIT_MS):
        view.scroll_area.ensureWidgetVisible(form.save_button)
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.summary.isVisibleTo(view)
    assert "3 answers" in form.summary.text()
    assert details.fields["handed_over_to"].error() == (
        "Fill in handed over to (name): this action needs it."
    )
    assert details.fields["travel"].error()
    assert details.fields["hospital"].error() is None
    assert clinic.red_flags.actions(clinician, seeded_patient.id) == []
    _shot(view, "red_flag_action_form_errors.png")

    type_into(qtbot, details.editor("handed_over_to"), "Dr Priya Shah")
    type_into(qtbot, details.editor("handed_over_to_role"), "ED registrar")
    _choose(details.editor("travel"), "ambulance")
    with qtbot.waitSignal(vm.saved, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    action = saved.args[0]
    assert action.details["handed_over_to"] == "Dr Priya Shah"
    assert action.patient_id == seeded_patient.id
    qtbot.waitUntil(lambda: action.id in view.outstanding and runner.is_idle(), timeout=WAIT_MS)
    assert screening_id not in view.forms

    # Reopened later (a new screen for the same patient): still outstanding, marked done.
    vm2, view2 = _open(qtbot, clinic, runner, clinician, seeded_patient.id)
    qtbot.waitUntil(lambda: action.id in view2.outstanding, timeout=WAIT_MS)
    card = view2.outstanding[action.id]
    shown = " ".join(child.text() for child in card.findChildren(type(view.heading)))
    assert "Leeds General Infirmary" in shown
    assert "Ambulance" in shown
    _shot(view2, "red_flag_action_outstanding.png")
    type_into(qtbot, card.note, "ED nurse in charge confirmed arrival")
    with qtbot.waitSignal(vm2.done, timeout=WAIT_MS):
        qtbot.mouseClick(card.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view2.outstanding and runner.is_idle(), timeout=WAIT_MS)
    (stored,) = clinic.red_flags.actions(clinician, seeded_patient.id)
    assert stored.status is ActionStatus.DONE
    assert stored.done_note == "ED nurse in charge confirmed arrival"
    assert view2.done_lines
    assert view2.empty.isVisibleTo(view2)


def test_the_form_fits_a_laptop_screen(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    screen_id, answers = answers_giving(Level.URGENT, born=seeded_patient.date_of_birth)
    screening_id = clinic.red_flags.record(clinician, seeded_patient.id, screen_id, answers).id
    _, view = _open(qtbot, clinic, runner, clinician, seeded_patient.id)
    qtbot.waitUntil(lambda: screening_id in view.forms, timeout=WAIT_MS)
    form = view.forms[screening_id]
    assert form.kind is ActionKind.URGENT_REFERRAL
    qtbot.mouseClick(form.kind_buttons[ActionKind.ED_HANDOVER], Qt.MouseButton.LeftButton)
    assert form.form.kind is ActionKind.ED_HANDOVER
    qtbot.mouseClick(form.kind_buttons[ActionKind.URGENT_REFERRAL], Qt.MouseButton.LeftButton)
    assert form.form.kind is ActionKind.URGENT_REFERRAL
    assert form.form.isVisibleTo(view)
    _shot(view, "red_flag_action_referral.png")
    hint = view.minimumSizeHint()
    assert hint.width() <= 1366 - 300
    assert hint.height() <= 700


def test_an_urgent_result_shows_what_to_do_and_asks_for_the_action(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    screen_id, answers = answers_giving(Level.URGENT, born=seeded_patient.date_of_birth)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    session = UserSession()
    session.sign_in(clinician)
    vm = RedFlagsViewModel(clinic.red_flags, clinic.drafts, runner=runner, session=session)
    view = RedFlagsView(vm)
    vm.setParent(view)  # goes with the view: no draft saved once the test is over
    qtbot.addWidget(view)
    view.resize(1366 - 300, 700)
    view.show()
    vm.start(seeded_patient.id, ("head", "cervical_spine", "thoracic_spine", "lumbar_spine"))
    qtbot.waitUntil(lambda: bool(view.outcome_rows) and runner.is_idle(), timeout=WAIT_MS)
    if screen_id not in view.outcome_rows:
        pytest.skip(f"{screen_id} is not offered for the spine and head")
    for code, answer in answers.items():
        button = view.question_rows[code].buttons[Answer(answer)]
        view.scroll_area.ensureWidgetVisible(button)
        qtbot.wait(10)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    card = view.outcome_rows[screen_id]
    assert card.level.text() == "Urgent"  # live, before recording
    qtbot.wait(20)
    view.scroll_area.ensureWidgetVisible(view.record_button)
    qtbot.wait(20)
    with qtbot.waitSignal(vm.recorded, timeout=WAIT_MS) as recorded:
        qtbot.mouseClick(view.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(runner.is_idle, timeout=WAIT_MS)
    assert card.recorded.text().startswith("Recorded at")
    assert card.level.text() == "Urgent"
    assert card.required.isVisibleTo(view)
    assert card.required.text().startswith("•  ")
    assert card.action_button.isVisibleTo(view)
    qtbot.wait(20)
    view.side_area.ensureWidgetVisible(card.action_button)
    qtbot.wait(20)
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        view.grab().save(os.path.join(SHOTS, "red_flag_urgent_result.png"))
    screening = next(s for s in recorded.args[0].screenings if s.screen_id == screen_id)
    with qtbot.waitSignal(view.action_requested, timeout=WAIT_MS) as asked:
        qtbot.mouseClick(card.action_button, Qt.MouseButton.LeftButton)
    assert asked.args == [screening.id]
