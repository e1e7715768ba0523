"""A hand-over half typed is the clinician's draft for that patient, never anyone else's."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import (
    CLINICIAN,
    SUPERVISOR,
    WAIT_MS,
    search_for,
    switch_user_to,
    type_into,
    wait_idle,
)
from tests.ui.red_flags.test_actions_window import _open
from ui.app import MainWindow
from ui.common.widgets import ChoiceCombo
from ui.domains.red_flags.action.screens import RedFlagActionsScreen
from ui.domains.red_flags.action.view import ActionForm
from ui.domains.red_flags.action.view_model import DRAFT_KIND


def _emergency(clinic: Services, window: MainWindow, patient: PatientSummary) -> uuid.UUID:
    """A cauda equina emergency recorded for ``patient``, waiting for its action."""
    user = window.session.user
    assert user is not None
    codes = red_flag_screen("cauda_equina").question_codes
    return clinic.red_flags.record(user, patient.id, "cauda_equina", dict.fromkeys(codes, "yes")).id


def _actions(
    qtbot: QtBot, window: MainWindow, patient: PatientSummary, screening_id: uuid.UUID
) -> ActionForm:
    """The patient's record, then the form for the emergency's action (from the menu)."""
    _open(qtbot, window, patient)
    window.open_screen("red_flag_actions")
    actions = window.screen_by_id("red_flag_actions")
    assert isinstance(actions, RedFlagActionsScreen)
    qtbot.waitUntil(lambda: screening_id in actions.view.forms, timeout=WAIT_MS)
    wait_idle(window)
    assert actions.banner.name_label.text().upper().startswith(patient.family_name.upper())
    return actions.view.forms[screening_id]


def _text(form: ActionForm, key: str) -> str:
    editor = form.form.editor(key)
    assert isinstance(editor, QLineEdit)
    return editor.text()


def test_a_handover_half_typed_comes_back_after_another_patient_until_recorded(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    window.resize(1366, 768)
    user = window.session.user
    assert user is not None
    screening_id = _emergency(clinic, window, seeded_patient)
    other = next(p for p in search_for(qtbot, window, "999") if p.id != seeded_patient.id)
    form = _actions(qtbot, window, seeded_patient, screening_id)
    type_into(qtbot, form.form.editor("hospital"), "Leeds General Infirmary")
    type_into(qtbot, form.form.editor("handed_over_to"), "Dr Sam Okafor")

    _open(qtbot, window, other)
    form = _actions(qtbot, window, seeded_patient, screening_id)
    qtbot.waitUntil(lambda: _text(form, "hospital") == "Leeds General Infirmary", timeout=WAIT_MS)
    assert _text(form, "handed_over_to") == "Dr Sam Okafor"

    # Recorded with the rest of its details: nothing of it is kept as a draft any more.
    for key, text in (
        ("department", "Emergency department"),
        ("handed_over_to_role", "ED registrar"),
    ):
        type_into(qtbot, form.form.editor(key), text)
    travel = form.form.editor("travel")
    assert isinstance(travel, ChoiceCombo)
    travel.set_code("ambulance")
    actions = window.screen_by_id("red_flag_actions")
    actions.view.scroll_area.ensureWidgetVisible(form.save_button)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(actions.view.outstanding) == 1, timeout=WAIT_MS)
    wait_idle(window)
    assert clinic.drafts.load(user, DRAFT_KIND, str(seeded_patient.id)) is None


def test_a_handover_draft_is_only_ever_shown_to_its_user_under_its_patients_banner(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    window.resize(1366, 768)
    ada = seeded_patient
    bea = next(p for p in search_for(qtbot, window, "999") if p.id != ada.id)
    for_ada, for_bea = _emergency(clinic, window, ada), _emergency(clinic, window, bea)

    # The clinician starts Ada's hand-over, then Bea's; neither is recorded.
    form = _actions(qtbot, window, ada, for_ada)
    type_into(qtbot, form.form.editor("hospital"), "Leeds General Infirmary")
    form = _actions(qtbot, window, bea, for_bea)
    assert _text(form, "hospital") == ""
    type_into(qtbot, form.form.editor("hospital"), "St James's University Hospital")

    # Another user signs in: neither patient's form shows the clinician's typing.
    switch_user_to(qtbot, window, SUPERVISOR)
    for patient, screening_id in ((ada, for_ada), (bea, for_bea)):
        form = _actions(qtbot, window, patient, screening_id)
        assert _text(form, "hospital") == ""
    switch_user_to(qtbot, window, CLINICIAN)

    # Back as the clinician: each patient's own hand-over, under their own banner.
    form = _actions(qtbot, window, ada, for_ada)
    qtbot.waitUntil(lambda: _text(form, "hospital") == "Leeds General Infirmary", timeout=WAIT_MS)
    form = _actions(qtbot, window, bea, for_bea)
    qtbot.waitUntil(
        lambda: _text(form, "hospital") == "St James's University Hospital", timeout=WAIT_MS
    )
