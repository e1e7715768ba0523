"""A teaching copy of a reported study, made from the imaging screen as a sonographer would."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from pydicom import dcmread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow, WindowState
from ui.domains.imaging.images.view import ImagingView

FINDINGS = "Full-thickness tear of the supraspinatus, 9 mm."


def _report_a_study(clinic: Services, patient: PatientSummary) -> None:
    """Earlier in the day: a still captured and a report signed (through the services)."""
    sonographer = clinic.auth.login("sonographer", demo_password("sonographer"))
    frame = np.random.default_rng(8).integers(0, 90, (64, 80, 3), dtype=np.uint8)
    image = clinic.imaging.capture_still(
        sonographer, patient.id, frame, body_part="SHOULDER", laterality="R"
    )
    report = clinic.reports.start(sonographer, image.study_id)  # type: ignore[arg-type]
    clinic.reports.save(
        sonographer,
        report.id,
        {
            "history": "Painful arc after a fall.",
            "findings": FINDINGS,
            "impression": "Supraspinatus tear.",
            "recommendations": "Orthopaedic opinion.",
            "body_region": "Shoulder",
            "key_images": [str(image.id)],
            "measurements": [],
        },
    )
    clinic.reports.sign(sonographer, report.id, demo_password("sonographer"))


def test_a_teaching_copy_of_a_reported_study_says_what_of_the_report_is_in_it(
    qtbot: QtBot,
    clinic: Services,
    window: MainWindow,
    seeded_patient: PatientSummary,
    tmp_path: Path,
) -> None:
    _report_a_study(clinic, seeded_patient)
    sign_in(qtbot, window, "sonographer")
    assert window.state is WindowState.WORKING
    window.screen_by_id("search").view_model.choose_patient(seeded_patient.id)
    qtbot.waitUntil(
        lambda: window.screen_by_id("patient").view_model.record is not None, timeout=WAIT_MS
    )
    window.action("imaging").trigger()
    wait_idle(window)
    view: ImagingView = window.screen_by_id("imaging").view
    qtbot.waitUntil(lambda: view.studies.topLevelItemCount() == 1, timeout=WAIT_MS)
    view.studies.setCurrentItem(view.studies.topLevelItem(0))
    qtbot.waitUntil(view.teaching_button.isEnabled, timeout=WAIT_MS)
    assert "free text, names and dates" in view.teaching_button.toolTip()

    warnings: list[str] = []
    view.confirm = lambda text: warnings.append(text) is None
    folder = tmp_path / "teaching"
    folder.mkdir()
    view.choose_folder = lambda: str(folder)
    with qtbot.waitSignal(
        window.screen_by_id("imaging").view_model.teaching_copy_ready, timeout=WAIT_MS
    ):
        view.teaching_button.click()
    wait_idle(window)

    assert "crop or mask" in warnings[0]  # the still came from video: it may show a name
    saved = sorted(folder.iterdir())
    kinds = sorted(str(dcmread(path).Modality) for path in saved)
    assert len(kinds) == 3  # the still, the report and its key images
    assert {"KO", "SR"} <= set(kinds)
    assert seeded_patient.nhs_number is not None
    for path in saved:
        data = path.read_bytes()
        for text in (
            seeded_patient.nhs_number,
            seeded_patient.family_name.upper(),
            FINDINGS,
            "OKAFOR",  # the sonographer who signed
            "Riverside",  # the site, the report's organisation
        ):
            assert text.encode() not in data, (path.name, text)
    notice = view.notice.text()
    assert "Saved 1 de-identified image(s)" in notice
    assert "report is included without its free text, names and dates" in notice
    if shots := os.environ.get("ONESTOP_SHOTS"):
        QApplication.processEvents()
        window.grab().save(str(Path(shots) / "teaching_copy_reported.png"))
