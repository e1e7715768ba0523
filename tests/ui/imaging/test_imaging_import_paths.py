"""Images brought into a patient's record on the imaging screen."""

from __future__ import annotations

from pathlib import Path

from pydicom.data import get_testdata_file
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, sign_in, switch_user_to, type_into, wait_idle
from ui.app import MainWindow


def _two_patients(clinic: Services) -> tuple[PatientSummary, PatientSummary]:
    actor = clinic.auth.login("clinician", demo_password("clinician"))
    everyone = clinic.patients.search(actor, "999", limit=60)
    return everyone[0], everyone[1]


def _open_imaging(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> None:
    window.screen_by_id("search").view_model.choose_patient(patient.id)
    qtbot.waitUntil(
        lambda: (
            (record := window.screen_by_id("patient").view_model.record) is not None
            and record.id == patient.id
        ),
        timeout=WAIT_MS,
    )
    wait_idle(window)
    window.action("imaging").trigger()
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("imaging").page,
        timeout=WAIT_MS,
    )
    wait_idle(window)


def test_importing_a_scan_that_waits_for_a_patient_files_it_or_says_where_it_is(
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
    qtbot.waitUntil(view.notice.isVisible, timeout=WAIT_MS)
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


def _find_and_choose(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> None:
    view = window.screen_by_id("orphans").view
    view.search.clear()
    type_into(qtbot, view.search, patient.family_name)
    qtbot.waitUntil(lambda: view.results.count() > 0, timeout=WAIT_MS)
    wait_idle(window)
    for row in range(view.results.count()):
        found = view.results.item(row).data(Qt.ItemDataRole.UserRole)
        if found is not None and found.id == patient.id:
            view.results.setCurrentRow(row)
    assert view.assign_button.isEnabled()


def test_looking_at_an_assigned_scanner_image_is_on_the_patients_access_trail(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    """A scanner image that matched nobody is assigned to patient A on "Images waiting for a
    patient" (while patient B's record is the one open). A clinician then opens A's imaging
    and looks at that image. The service lead asks for A's access trail ("who opened this
    patient's record"): the viewing is not there. The image's file row still names no patient
    after the assignment, and the view is audited against the file's patient (none), so every
    look at A's assigned scans is invisible in A's trail (a subject access or Caldicott
    question about who looked at A's scans gets an incomplete answer).
    """
    patient_a, patient_b = _two_patients(clinic)
    path = Path(get_testdata_file("US1_UNCR.dcm"))
    orphan = clinic.imaging.receive(path.read_bytes())
    assert orphan.study_id is None

    sign_in(qtbot, window, "sonographer")
    _open_imaging(qtbot, window, patient_b)
    window.action("orphans").trigger()
    orphans = window.screen_by_id("orphans")
    qtbot.waitUntil(lambda: orphans.view.queue.count() == 1, timeout=WAIT_MS)
    wait_idle(window)
    _find_and_choose(qtbot, window, patient_a)
    orphans.view.confirm = lambda _question: True
    with qtbot.waitSignal(orphans.view_model.assigned, timeout=WAIT_MS):
        orphans.view.assign_button.click()
    qtbot.waitUntil(lambda: orphans.view.queue.count() == 0, timeout=WAIT_MS)
    wait_idle(window)

    switch_user_to(qtbot, window, "clinician")
    _open_imaging(qtbot, window, patient_a)
    imaging = window.screen_by_id("imaging").view
    qtbot.waitUntil(lambda: imaging.studies.topLevelItemCount() == 1, timeout=WAIT_MS)
    image_item = imaging.studies.topLevelItem(0).child(0)
    assert image_item.data(0, Qt.ItemDataRole.UserRole).id == orphan.id
    imaging.studies.itemActivated.emit(image_item, 0)
    qtbot.waitUntil(lambda: imaging.viewer.frame_count() == 1, timeout=WAIT_MS)
    wait_idle(window)

    admin = clinic.auth.login("admin", demo_password("admin"))
    trail = clinic.audit_log.patient_trail(admin, patient_a.id)
    assert any(line.action == "image.assign" for line in trail.lines)
    viewed = [
        line
        for line in trail.lines
        if line.action == "image.view" and line.entity_id == str(orphan.id)
    ]
    assert viewed, [(line.action, line.user) for line in trail.lines]
