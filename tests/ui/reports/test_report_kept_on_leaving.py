"""Words typed into a scan report and not saved yet are kept when the page forgets its patient."""

from __future__ import annotations

import uuid

import numpy as np
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.ui.conftest import WAIT_MS, sign_in, wait_idle
from tests.ui.late_answers import open_record, settle, two_patients
from ui.app import MainWindow

FINDINGS = "Hypoechoic thickening of the common extensor origin, typed and not saved"


def _study(clinic: Services, patient_id: uuid.UUID) -> uuid.UUID:
    sonographer = clinic.auth.login("sonographer", demo_password("sonographer"))
    frame = np.random.default_rng(3).integers(0, 90, (64, 80, 3), dtype=np.uint8)
    image = clinic.imaging.capture_still(
        sonographer, patient_id, frame, body_part="ELBOW", laterality="R"
    )
    assert image.study_id is not None
    return image.study_id


def _typed_report(
    qtbot: QtBot, window: MainWindow, patient_id: uuid.UUID, study: uuid.UUID
) -> uuid.UUID:
    open_record(qtbot, window, patient_id)
    screen = window.screen_by_id("report")
    window.open_screen("report", study)
    qtbot.waitUntil(lambda: screen.view_model.report is not None, timeout=WAIT_MS)
    wait_idle(window)
    screen.view.fields["findings"].setPlainText(FINDINGS)
    return screen.view_model.report.id


def _kept(clinic: Services, report_id: uuid.UUID) -> str:
    sonographer = clinic.auth.login("sonographer", demo_password("sonographer"))
    return str(clinic.reports.get(sonographer, report_id).content.get("findings") or "")


def test_a_report_typed_for_one_patient_is_kept_when_another_is_chosen(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, "sonographer")
    a, b = two_patients(clinic, window)
    study = _study(clinic, a.id)
    report_id = _typed_report(qtbot, window, a.id, study)

    open_record(qtbot, window, b.id)
    settle(qtbot, window)
    assert _kept(clinic, report_id) == FINDINGS

    # Back to the first patient's report: the words are there to go on with.
    open_record(qtbot, window, a.id)
    screen = window.screen_by_id("report")
    window.open_screen("report", study)
    qtbot.waitUntil(
        lambda: screen.view.fields["findings"].toPlainText() == FINDINGS, timeout=WAIT_MS
    )


def test_a_report_typed_is_kept_across_a_switch_of_user(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, "sonographer")
    a, _b = two_patients(clinic, window)
    report_id = _typed_report(qtbot, window, a.id, _study(clinic, a.id))

    window.switch_user()
    settle(qtbot, window)

    assert _kept(clinic, report_id) == FINDINGS


def test_a_report_left_unchanged_is_not_saved_again(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, "sonographer")
    a, b = two_patients(clinic, window)
    study = _study(clinic, a.id)
    open_record(qtbot, window, a.id)
    screen = window.screen_by_id("report")
    window.open_screen("report", study)
    qtbot.waitUntil(lambda: screen.view_model.report is not None, timeout=WAIT_MS)
    wait_idle(window)
    before = screen.view_model.report

    open_record(qtbot, window, b.id)
    settle(qtbot, window)

    sonographer = clinic.auth.login("sonographer", demo_password("sonographer"))
    assert clinic.reports.get(sonographer, before.id).updated_at == before.updated_at
