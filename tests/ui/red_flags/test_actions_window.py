"""Through the window: an emergency's banner opens the actions form; its alert stays until done."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, search_for, type_into, wait_idle
from ui.app import MainWindow
from ui.common.widgets import ChoiceCombo


def _open(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> None:
    window.screen_by_id("search").view_model.choose_patient(patient.id)
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("patient").view, timeout=WAIT_MS
    )
    wait_idle(window)


def test_an_emergency_is_recorded_with_its_handover_and_stays_on_the_banner_until_done(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    window.resize(1366, 740)
    user = window.session.user
    assert user is not None
    codes = red_flag_screen("cauda_equina").question_codes
    screening = clinic.red_flags.record(
        user, seeded_patient.id, "cauda_equina", dict.fromkeys(codes, "yes")
    )
    _open(qtbot, window, seeded_patient)
    qtbot.keyClick(
        window,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    flags = window.screen_by_id("red_flags")
    qtbot.waitUntil(lambda: len(flags.view.banners) == 1, timeout=WAIT_MS)
    wait_idle(window)
    qtbot.mouseClick(flags.view.banners[0].record_action_button, Qt.MouseButton.LeftButton)

    actions = window.screen_by_id("red_flag_actions")
    assert window.pages.currentWidget() is actions.page
    qtbot.waitUntil(lambda: screening.id in actions.view.forms, timeout=WAIT_MS)
    assert actions.banner.name_label.text().upper().startswith(seeded_patient.family_name.upper())
    form = actions.view.forms[screening.id]
    details = form.form
    for key, text in (
        ("hospital", "Leeds General Infirmary"),
        ("department", "Emergency department"),
        ("handed_over_to", "Dr Sam Okafor"),
        ("handed_over_to_role", "ED registrar"),
    ):
        type_into(qtbot, details.editor(key), text)
    travel = details.editor("travel")
    assert isinstance(travel, ChoiceCombo)
    travel.set_code("ambulance")
    wait_idle(window)
    if shots := os.environ.get("ONESTOP_SCREENSHOTS"):
        window.grab().save(os.path.join(shots, "red_flag_action_window.png"))
    actions.view.scroll_area.ensureWidgetVisible(form.save_button)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(actions.view.outstanding) == 1, timeout=WAIT_MS)
    wait_idle(window)

    # The outstanding handover is on the banner (as an alert) and on the record.
    qtbot.waitUntil(
        lambda: any("Red flag" in text for text in actions.banner.alert_texts()), timeout=WAIT_MS
    )
    assert clinic.red_flags.unresolved(user, seeded_patient.id) == []
    if shots:
        window.grab().save(os.path.join(shots, "red_flag_action_window_outstanding.png"))

    # Another patient opened in between never sees it; back to this one, it is marked done.
    other = next(p for p in search_for(qtbot, window, "999") if p.id != seeded_patient.id)
    _open(qtbot, window, other)
    window.open_screen("red_flag_actions")
    wait_idle(window)
    assert actions.view.outstanding == {}
    assert actions.view.forms == {}
    assert not any("Red flag" in text for text in actions.banner.alert_texts())

    _open(qtbot, window, seeded_patient)
    window.open_screen("red_flag_actions")
    qtbot.waitUntil(lambda: len(actions.view.outstanding) == 1, timeout=WAIT_MS)
    (card,) = actions.view.outstanding.values()
    qtbot.mouseClick(card.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not actions.view.outstanding, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: not any("Red flag" in text for text in actions.banner.alert_texts()),
        timeout=WAIT_MS,
    )
    wait_idle(window)
