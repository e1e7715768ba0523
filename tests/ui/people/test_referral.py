"""Recording a new referral for the open patient; it appears on the record once saved."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, type_into, wait_idle
from ui.app import MainWindow
from ui.common import formatting


def _open(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> None:
    window.screen_by_id("search").view_model.choose_patient(patient.id)
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("patient").view, timeout=WAIT_MS
    )
    wait_idle(window)


def test_new_referral_is_saved_and_listed(
    qtbot: QtBot, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    _open(qtbot, signed_in, seeded_patient)
    before = len(signed_in.screen_by_id("patient").view.referral_rows())
    qtbot.mouseClick(
        signed_in.screen_by_id("patient").view.new_referral_button, Qt.MouseButton.LeftButton
    )
    form = signed_in.screen_by_id("referral").view
    assert signed_in.pages.currentWidget() is form
    assert form.banner.nhs_number_label.text() == formatting.nhs_number(seeded_patient.nhs_number)
    assert form.values()["received_on"] == date.today().isoformat()

    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(form.error_texts()), timeout=WAIT_MS)
    wait_idle(signed_in)
    assert form.error_texts() == {
        "source": "Choose who referred the patient.",
        "referrer_name": "Enter the referrer's name.",
        "specialty": "Choose the specialty the referral is for.",
        "reason": "Enter the reason for referral.",
    }

    form.source.setCurrentIndex(form.source.findData("gp"))
    type_into(qtbot, form.referrer_name, "Dr A Example")
    form.specialty.setCurrentIndex(form.specialty.findData("physiotherapy"))
    qtbot.mouseClick(form.urgent, Qt.MouseButton.LeftButton)
    type_into(qtbot, form.reason, "Right shoulder pain for six weeks, worse at night.")
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(
        lambda: signed_in.pages.currentWidget() is signed_in.screen_by_id("patient").view,
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(
        lambda: len(signed_in.screen_by_id("patient").view.referral_rows()) == before + 1,
        timeout=WAIT_MS,
    )
    wait_idle(signed_in)
    rows = signed_in.screen_by_id("patient").view.referral_rows()
    assert [
        formatting.clinical_date(date.today()),
        "GP",
        "Physiotherapy (Tier 1)",
        "Urgent",
        "Received",
        "Right shoulder pain for six weeks, worse at night.",
    ] in rows
    assert signed_in.screen_by_id("patient").view.notice.text() == "Referral saved."
