"""A screening under a registration since merged into the record, read from the record."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.domains.red_flags.views import ActionKind
from clinic_app.people.views import PatientSummary
from tests.support.merges import merged_by_sync
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in
from tests.ui.late_answers import in_banner, open_record, settle
from tests.ui.records import second_registration
from ui.app import MainWindow


def test_a_screening_under_a_merged_registration_opens_from_the_surviving_record(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    user = clinic.auth.login(CLINICIAN, demo_password(CLINICIAN))
    answers = dict.fromkeys(red_flag_screen("cauda_equina").question_codes, "no")
    # Screened at another clinic under a second registration, since merged into this one.
    recorded = clinic.red_flags.record(user, seeded_patient.id, "cauda_equina", answers)
    survivor = second_registration(clinic, seeded_patient)
    merged_by_sync(clinic, survivor, seeded_patient.id)
    sign_in(qtbot, window, CLINICIAN)

    open_record(qtbot, window, survivor)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(lambda: record.view_model.timeline is not None, timeout=WAIT_MS)
    (entry,) = [
        e
        for e in record.view_model.timeline.entries
        if e.kind == "red_flag_screening" and e.item_id == recorded.id
    ]
    assert entry.patient_id == seeded_patient.id
    record.view_model.open_entry(entry)
    settle(qtbot, window)

    flags = window.screen_by_id("red_flags")
    panel = flags.view.recorded_panel
    assert window.showing(flags)
    assert in_banner(window, survivor)
    qtbot.waitUntil(lambda: panel.isVisibleTo(flags.view), timeout=WAIT_MS)
    assert "Suspected cauda equina syndrome" in panel.title.text()
    assert "not in this patient's record" not in flags.view.message.text()


def test_an_action_under_a_merged_registration_opens_the_actions_of_the_surviving_record(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    user = clinic.auth.login(CLINICIAN, demo_password(CLINICIAN))
    answers = dict.fromkeys(red_flag_screen("cauda_equina").question_codes, "yes")
    screened = clinic.red_flags.record(user, seeded_patient.id, "cauda_equina", answers)
    # Handed over to the emergency department from another clinic, under a second
    # registration since merged into this one; the hospital has not confirmed arrival yet.
    action = clinic.red_flags.record_action(
        user,
        seeded_patient.id,
        screened.id,
        ActionKind.ED_HANDOVER,
        {
            "hospital": "St James's University Hospital",
            "department": "Emergency department",
            "handed_over_at": "2026-12-04T10:40",
            "handed_over_to": "Dr Priya Shah",
            "handed_over_to_role": "ED registrar",
            "travel": "ambulance",
            "notes": "",
        },
    )
    survivor = second_registration(clinic, seeded_patient)
    merged_by_sync(clinic, survivor, seeded_patient.id)
    sign_in(qtbot, window, CLINICIAN)

    open_record(qtbot, window, survivor)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(lambda: record.view_model.timeline is not None, timeout=WAIT_MS)
    (entry,) = [
        e
        for e in record.view_model.timeline.entries
        if e.kind == "red_flag_action" and e.patient_id == seeded_patient.id
    ]
    record.view_model.open_entry(entry)
    settle(qtbot, window)

    actions = window.screen_by_id("red_flag_actions")
    assert window.showing(actions)
    assert in_banner(window, survivor)
    qtbot.waitUntil(lambda: action.id in actions.view.outstanding, timeout=WAIT_MS)
