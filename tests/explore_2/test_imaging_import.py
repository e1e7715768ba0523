"""Images brought into a patient's record on the imaging screen."""

from __future__ import annotations

from pathlib import Path

from pydicom.data import get_testdata_file
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow


def _two_patients(clinic: Services) -> tuple[PatientSummary, PatientSummary]:
    actor = clinic.auth.login("clinician", demo_password("clinician"))
    everyone = clinic.patients.search(actor, "999", limit=60)
    return everyone[0], everyone[1]


def _open_imaging(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> None:
    window.screen_by_id("search").view_model.choose_patient(patient.id)
    qtbot.waitUntil(
        lambda: (record := window.screen_by_id("patient").view_model.record) is not None
        and record.id == patient.id,
        timeout=WAIT_MS,
    )
    wait_idle(window)
    window.action("imaging").trigger()
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("imaging").page,
        timeout=WAIT_MS,
    )
    wait_idle(window)


def test_importing_a_scan_that_already_waits_for_a_patient_says_kept_but_it_is_not_in_the_record(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    """The scanner pushed a scan labelled with its own Patient ID ("13US1"), so it waits in
    "Images waiting for a patient". The sonographer, with patient A's imaging open, imports
    the same file from the scanner's USB stick. The screen says "Kept in the record", yet the
    image is not in A's record: the import returned the orphan already held, still without a
    patient. Leaving and coming back, A shows "No imaging for this patient yet"; the scan
    the sonographer filed cannot be found in A's record (and A's report cannot be written).
    """
    patient_a, patient_b = _two_patients(clinic)
    path = Path(get_testdata_file("US1_UNCR.dcm"))
    waiting = clinic.imaging.receive(path.read_bytes())
    assert waiting.study_id is None  # its Patient ID matches nobody: it waits for a person

    sign_in(qtbot, window, "sonographer")
    _open_imaging(qtbot, window, patient_a)
    view = window.screen_by_id("imaging").view
    view.choose_import = lambda: str(path)
    view.import_button.click()
    qtbot.waitUntil(lambda: view.notice.isVisible(), timeout=WAIT_MS)
    wait_idle(window)
    said = view.notice.text()

    # Another patient, then back to A, as the sonographer checks her work.
    _open_imaging(qtbot, window, patient_b)
    _open_imaging(qtbot, window, patient_a)
    sonographer = clinic.auth.login("sonographer", demo_password("sonographer"))
    kept = [
        i.sop_instance_uid
        for s in clinic.imaging.studies(sonographer, patient_a.id)
        for i in s.instances
    ]
    kept_said = "Kept in the record" in said
    # Either it is in A's record, as the screen said, or the screen says where it is instead.
    assert not kept_said or waiting.sop_instance_uid in kept, (
        f"the screen said {said!r}, but A's record holds {kept}"
    )
