"""Scan reports as DICOM: what the PACS receives when a supervisor verifies a trainee's report."""

from __future__ import annotations

import io
from collections.abc import Iterator

from pydicom import dcmread
from pydicom.dataset import Dataset
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, sign_in, wait_idle
from tests.ui.records import submitted_by_trainee
from ui.app import MainWindow

SR_CLASS = "1.2.840.10008.5.1.4.1.1.88.33"


def _two_patients(clinic: Services) -> tuple[PatientSummary, PatientSummary]:
    actor = clinic.auth.login("clinician", demo_password("clinician"))
    everyone = clinic.patients.search(actor, "999", limit=60)
    return everyone[0], everyone[1]


def _texts(ds: Dataset) -> Iterator[str]:
    for item in ds.get("ContentSequence", []):
        if item.get("ValueType") == "TEXT":
            yield str(item.TextValue)
        yield from _texts(item)


def _open_record(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> None:
    window.screen_by_id("search").view_model.choose_patient(patient.id)
    qtbot.waitUntil(
        lambda: (
            (record := window.screen_by_id("patient").view_model.record) is not None
            and record.id == patient.id
        ),
        timeout=WAIT_MS,
    )
    wait_idle(window)


def test_the_verified_sr_sent_to_pacs_carries_the_supervisors_correcting_words(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    """A supervisor verifies a trainee's report with "major discordance" and writes her
    correction in "Your words, added to the report as yours" (the attestation says she agrees
    with the report "including any words I have added"). The DICOM SR made at verification
    (the FINAL, VERIFIED report the PACS receives and other clinicians read) carries only the
    trainee's text ("no tear"): the supervisor's correction ("full-thickness tear") is not in
    it anywhere, so the archived report says the opposite of what the verifier signed.
    """
    patient_a, patient_b = _two_patients(clinic)
    submitted = submitted_by_trainee(clinic, patient_a)

    sign_in(qtbot, window, "supervisor")
    _open_record(qtbot, window, patient_b)  # another patient's record is on screen
    window.action("review").trigger()
    queue = window.screen_by_id("review").view
    qtbot.waitUntil(lambda: queue.pending.count() == 1, timeout=WAIT_MS)
    wait_idle(window)
    correction = "Full-thickness tear of supraspinatus, 8 mm retraction; refer to orthopaedics."
    queue.mode_buttons[0].setChecked(True)  # present at the scan
    queue.agreement_buttons[2].setChecked(True)  # major discordance
    queue.supervisor_words.setPlainText(correction)
    queue.password.setText(demo_password("supervisor"))
    queue.confirm.setChecked(True)
    with qtbot.waitSignal(window.screen_by_id("review").view_model.reviewed, timeout=WAIT_MS):
        queue.verify_button.click()
    wait_idle(window)

    supervisor = clinic.auth.login("supervisor", demo_password("supervisor"))
    (final,) = clinic.reports.final_reports(supervisor, patient_a.id)
    assert final.id == submitted.id
    assert final.supervisor_words == correction  # kept on the record, and on the PDF
    (study,) = clinic.imaging.studies(supervisor, patient_a.id)
    (sr_instance,) = (i for i in study.instances if i.sop_class_uid == SR_CLASS)
    sr = dcmread(io.BytesIO(clinic.imaging.image_file(supervisor, sr_instance.id)))
    assert sr.PatientID == patient_a.nhs_number
    assert sr.VerificationFlag == "VERIFIED"
    written = " ".join(_texts(sr))
    assert "no tear" in written  # the trainee's words are there
    assert correction in written, "the verifier's own words are not in the verified SR"


def _file(ds: Dataset) -> bytes:
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _open_imaging(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> None:
    _open_record(qtbot, window, patient)
    window.action("imaging").trigger()
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("imaging").page,
        timeout=WAIT_MS,
    )
    wait_idle(window)


def test_report_sr_of_a_scanners_study_has_its_images_study_date_time_and_id(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    """The sonographer puts patient A on the scanner worklist, and A's scan arrives from the
    scanner (with the worklist's study UID and accession) while patient B's imaging is on
    screen. Back on A, the report is written and signed. What leaves for the PACS as one study
    (same Study Instance UID) disagrees with itself: the scanner's image says the study was
    on one date/time with Study ID "1"; the report's SR and KOS say another time and Study ID
    "US...". Study Date, Time and ID are study-level attributes; a PACS shows one value per
    study, and the project itself promises "the report's study date, time and ID are its
    images'" (it holds only for the app's own captures).
    """
    from datetime import UTC, datetime, timedelta

    from clinic_app.domains.imaging.model import ImagingStudy
    from clinic_app.domains.imaging.service.outgoing import outgoing_datasets
    from tests.support.us_image import ScanSubject, us_image

    patient_a, patient_b = _two_patients(clinic)
    sign_in(qtbot, window, "sonographer")
    _open_imaging(qtbot, window, patient_a)
    view = window.screen_by_id("imaging").view
    sonographer = clinic.auth.login("sonographer", demo_password("sonographer"))
    planned = clinic.imaging.plan_scan(sonographer, patient_a.id)

    _open_imaging(qtbot, window, patient_b)
    # The scanner picked A from its worklist; the scan is done a little after it was planned.
    scanned = us_image(
        subject=ScanSubject(
            nhs_number=planned.nhs_number,
            family_name=planned.family_name.upper(),
            given_name=planned.given_name,
            birth_date=planned.birth_date,
            sex=planned.sex,
        ),
        study_uid=planned.study_uid,
        accession=planned.accession,
        when=datetime.now(UTC) + timedelta(minutes=7),
    )
    arrived = clinic.imaging.receive(_file(scanned))
    assert arrived.study_id is not None

    _open_imaging(qtbot, window, patient_a)
    qtbot.waitUntil(lambda: view.studies.topLevelItemCount() == 1, timeout=WAIT_MS)
    view.report_button.click()
    report = window.screen_by_id("report")
    qtbot.waitUntil(lambda: report.view_model.report is not None, timeout=WAIT_MS)
    wait_idle(window)
    page = report.view
    page.body_region.setText("Knee")
    page.fields["findings"].setPlainText("Small joint effusion.")
    page.fields["impression"].setPlainText("Effusion.")
    page.password.setText(demo_password("sonographer"))
    with qtbot.waitSignal(report.view_model.moved_on, timeout=WAIT_MS):
        page.sign_button.click()
    wait_idle(window)

    with clinic.context.store.sessions() as session:
        study = session.get(ImagingStudy, arrived.study_id)
        assert study is not None
        leaving = outgoing_datasets(session, study)
    assert leaving is not None
    assert len(leaving) == 2  # the scanner's image and the report's SR
    assert {str(ds.StudyInstanceUID) for ds in leaving} == {planned.study_uid}
    assert {str(ds.PatientID) for ds in leaving} == {patient_a.nhs_number}
    headers = {
        str(ds.SOPClassUID.name): (ds.get("StudyDate"), ds.get("StudyTime"), ds.get("StudyID"))
        for ds in leaving
    }
    assert len(set(headers.values())) == 1, headers
