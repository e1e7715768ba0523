"""A scan report typed and not saved, then another report (or the same one again) opened for the
same patient from their imaging: the words typed must not be silently dropped."""

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


def _study(clinic: Services, patient_id: uuid.UUID, part: str, seed: int) -> uuid.UUID:
    sonographer = clinic.auth.login("sonographer", demo_password("sonographer"))
    frame = np.random.default_rng(seed).integers(0, 90, (64, 80, 3), dtype=np.uint8)
    image = clinic.imaging.capture_still(
        sonographer, patient_id, frame, body_part=part, laterality="R"
    )
    assert image.study_id is not None
    return image.study_id


def _kept(clinic: Services, report_id: uuid.UUID) -> str:
    sonographer = clinic.auth.login("sonographer", demo_password("sonographer"))
    return str(clinic.reports.get(sonographer, report_id).content.get("findings") or "")


def _open_report(qtbot: QtBot, window: MainWindow, study: uuid.UUID) -> uuid.UUID:
    screen = window.screen_by_id("report")
    window.open_screen("report", study)
    qtbot.waitUntil(
        lambda: screen.view_model.report is not None and screen.view_model.report.study_id == study,
        timeout=WAIT_MS,
    )
    wait_idle(window)
    return screen.view_model.report.id


def test_words_typed_in_a_report_are_kept_when_the_same_report_is_opened_again(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, "sonographer")
    a, _b = two_patients(clinic, window)
    elbow = _study(clinic, a.id, "ELBOW", 3)
    open_record(qtbot, window, a.id)
    first = _open_report(qtbot, window, elbow)
    window.screen_by_id("report").view.fields["findings"].setPlainText(FINDINGS)

    # To the study's images (to measure, say), then "Report this study" again: same patient,
    # same study, nothing saved in between.
    window.open_screen("imaging", elbow)
    settle(qtbot, window)
    window.screen_by_id("imaging").view.report_requested.emit(elbow)
    settle(qtbot, window)

    shown = window.screen_by_id("report").view.fields["findings"].toPlainText()
    assert _kept(clinic, first) == FINDINGS or shown == FINDINGS, (
        "the findings typed were dropped on opening the same report again"
    )
