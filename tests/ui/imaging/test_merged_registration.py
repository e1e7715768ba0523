"""A study and its scan report made under a registration since merged into the record, opened
from the surviving record's timeline; another patient's study or report never opens there."""

from __future__ import annotations

import uuid

import numpy as np
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.imaging.views import InstanceView as ImageView
from clinic_app.domains.reports.views import ReportView
from tests.support.merges import merged_by_sync, renamed
from tests.ui.conftest import WAIT_MS, sign_in, wait_idle
from tests.ui.late_answers import open_record, settle, two_patients
from tests.ui.records import second_registration
from ui.app import MainWindow

FINDINGS = "Supraspinatus tendon thickened, no tear."


def _frame(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 90, (96, 128, 3), dtype=np.uint8)


def _merged_with_a_study_and_report(
    clinic: Services, window: MainWindow
) -> tuple[uuid.UUID, uuid.UUID, ImageView, ReportView, ImageView, ReportView]:
    """A study and a draft report of a patient, then her second registration merged over her.

    Returns the registration merged away, the survivor (named Whitfield), her image and
    report, and another patient's image and report.
    """
    user = window.session.require_user()
    patient, other = two_patients(clinic, window)
    image = clinic.imaging.capture_still(
        user, patient.id, _frame(1), body_part="SHOULDER", laterality="R"
    )
    assert image.study_id is not None
    draft = clinic.reports.start(user, image.study_id, patient.id)
    clinic.reports.save(user, draft.id, {"findings": FINDINGS, "key_images": [str(image.id)]})
    other_image = clinic.imaging.capture_still(
        user, other.id, _frame(2), body_part="KNEE", laterality="L"
    )
    assert other_image.study_id is not None
    other_report = clinic.reports.start(user, other_image.study_id, other.id)
    survivor = second_registration(clinic, patient)
    renamed(clinic, survivor, "Whitfield")
    merged_by_sync(clinic, survivor=survivor, merged=patient.id)
    return patient.id, survivor, image, draft, other_image, other_report


def test_a_merged_registrations_study_and_report_open_from_the_survivors_timeline(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, "sonographer")
    user = window.session.require_user()
    merged, survivor, image, draft, other_image, other_report = _merged_with_a_study_and_report(
        clinic, window
    )
    open_record(qtbot, window, survivor)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(lambda: record.view_model.timeline is not None, timeout=WAIT_MS)
    entries = record.view_model.timeline.entries
    [study_entry] = [e for e in entries if e.kind == "imaging_study"]
    [report_entry] = [e for e in entries if e.kind == "scan_report"]
    assert (study_entry.patient_id, report_entry.patient_id) == (merged, merged)

    # The study opens on the imaging screen, selected, and says it was made under the
    # registration merged into this record; the banner names the surviving record.
    record.view_model.open_entry(study_entry)
    settle(qtbot, window)
    imaging = window.screen_by_id("imaging")
    assert window.showing(imaging), record.view.notice.text()
    qtbot.waitUntil(lambda: imaging.view.studies.topLevelItemCount() == 1, timeout=WAIT_MS)
    wait_idle(window)
    shown = imaging.view._current_study()
    assert shown is not None
    assert shown.id == image.study_id
    assert "merged into this record" in imaging.view.pacs_state.text()
    assert window.context.patient is not None
    assert window.context.patient.id == survivor

    # The scan report opens too, with what was written under the merged registration.
    window.context.open("patient", window.context.patient)
    wait_idle(window)
    record.view_model.open_entry(report_entry)
    settle(qtbot, window)
    report = window.screen_by_id("report")
    assert window.showing(report), record.view.notice.text()
    qtbot.waitUntil(lambda: report.view_model.report is not None, timeout=WAIT_MS)
    assert report.view_model.report.id == draft.id
    assert report.view_model.patient_id == survivor
    assert window.context.patient.id == survivor

    # Another patient's report entry is not opened under this banner: the page keeps the
    # report it shows.
    [other_entry] = [
        e
        for e in clinic.timeline.for_patient(user, other_report.patient_id).entries
        if e.kind == "scan_report" and e.item_id == other_report.id
    ]
    report.open(window.context.patient, other_entry)
    settle(qtbot, window)
    assert report.view_model.report is not None
    assert report.view_model.report.id == draft.id
    # Another patient's study, asked for under this banner, is refused, not shown.
    problems: list[str] = []
    report.view_model.problem.connect(problems.append)
    report.open(window.context.patient, other_image.study_id)
    qtbot.waitUntil(lambda: bool(problems), timeout=WAIT_MS)
    assert report.view_model.report is None
    assert "another patient" in problems[0]
