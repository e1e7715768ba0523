"""The imaging screen as a sonographer uses it: live capture, the viewer, the PACS, the orphans."""

from __future__ import annotations

import io
import os
import socket
from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.imaging.views import KnownScanner
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.nhs_number import synthetic_numbers
from clinic_app.people.views import PatientSummary
from tests.support.us_image import ONE_VIEW, ScanSubject, us_image
from tests.ui.conftest import WAIT_MS, search_for, sign_in, type_into, wait_idle
from ui.app import MainWindow, WindowState
from ui.common import formatting
from ui.domains.imaging.images.view import ImagingView


def _shot(widget: object, name: str) -> None:
    if folder := os.environ.get("ONESTOP_SHOTS"):
        QApplication.processEvents()
        widget.grab().save(str(Path(folder) / name))  # type: ignore[attr-defined]


def _frame(seed: int, height: int = 96, width: int = 128) -> np.ndarray:
    """A synthetic ultrasound-like frame: dark speckle with a bright band that moves."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 60, (height, width, 3), dtype=np.uint8)
    band = (seed * 6) % (height - 12)
    pixels[band : band + 10, :, :] = 200
    return pixels


def _video_frame(pixels: np.ndarray, start_us: int | None = None) -> QVideoFrame:
    height, width, _ = pixels.shape
    image = QImage(pixels.tobytes(), width, height, width * 3, QImage.Format.Format_RGB888)
    frame = QVideoFrame(image.copy())
    if start_us is not None:
        frame.setStartTime(start_us)
    return frame


def _open_imaging(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> ImagingView:
    window.screen_by_id("search").view_model.choose_patient(patient.id)
    qtbot.waitUntil(
        lambda: window.screen_by_id("patient").view_model.record is not None, timeout=WAIT_MS
    )
    wait_idle(window)
    window.action("imaging").trigger()
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("imaging").page, timeout=WAIT_MS
    )
    wait_idle(window)
    return window.screen_by_id("imaging").view


@pytest.fixture
def sonographer_window(window: MainWindow, qtbot: QtBot) -> MainWindow:
    sign_in(qtbot, window, "sonographer")
    assert window.state is WindowState.WORKING
    return window


def _choose_place(view: ImagingView, part: str, side: str) -> None:
    panel = view.capture_panel
    panel.body_part.setCurrentIndex(panel.body_part.findData(part))
    panel.side.setCurrentIndex(panel.side.findData(side))


def test_live_frames_are_captured_as_a_still_and_a_timed_clip_that_round_trip(
    qtbot: QtBot, clinic: Services, sonographer_window: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = sonographer_window
    view = _open_imaging(qtbot, window, seeded_patient)
    capture = view.capture
    # This machine has no frame grabber: the screen says so and nothing breaks.
    if not capture.devices():
        assert view.capture_panel.device.currentText() == "No camera detected"

    # Without a body part and side, nothing is kept and the screen says what is missing.
    capture.sink.setVideoFrame(_video_frame(_frame(1)))
    qtbot.waitUntil(lambda: capture.latest_image() is not None, timeout=WAIT_MS)
    view.capture_panel.still_button.click()
    wait_idle(window)
    assert "body part" in view.capture_panel.place_error.text()
    user = window.session.user
    assert user is not None
    assert clinic.imaging.studies(user, seeded_patient.id) == []

    _choose_place(view, "KNEE", "R")
    view.capture_panel.live.setFocus()
    qtbot.keyClick(view.capture_panel.live, Qt.Key.Key_Space)  # freeze
    assert capture.frozen
    capture.sink.setVideoFrame(_video_frame(_frame(2)))  # ignored while frozen
    with qtbot.waitSignal(window.screen_by_id("imaging").view_model.captured, timeout=WAIT_MS):
        view.capture_panel.still_button.click()
    wait_idle(window)
    view.capture_panel.freeze_button.setChecked(False)

    # A clip: ten frames, 40 ms apart by their own timestamps.
    fed = [_frame(10 + index) for index in range(10)]
    view.capture_panel.clip_button.setChecked(True)
    for index, pixels in enumerate(fed):
        capture.sink.setVideoFrame(_video_frame(pixels, start_us=1_000_000 + index * 40_000))
    _shot(window, "20-imaging-live-capture.png")
    with qtbot.waitSignal(window.screen_by_id("imaging").view_model.captured, timeout=WAIT_MS * 4):
        view.capture_panel.clip_button.setChecked(False)
    wait_idle(window)
    qtbot.waitUntil(lambda: view.studies.topLevelItemCount() == 1, timeout=WAIT_MS)

    assert view.capture_panel.strip.count() == 2
    (study,) = clinic.imaging.studies(user, seeded_patient.id)
    still, clip = study.instances
    assert (still.frames, still.body_part, still.laterality) == (1, "KNEE", "R")
    still_ds = dcmread(io.BytesIO(clinic.imaging.image_file(user, still.id)))
    assert np.array_equal(still_ds.pixel_array, _frame(1))  # the frozen frame, not the later one
    clip_ds = dcmread(io.BytesIO(clinic.imaging.image_file(user, clip.id)))
    assert clip_ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.7.4"
    assert float(clip_ds.FrameTime) == pytest.approx(40.0)
    assert np.array_equal(clip_ds.pixel_array, np.stack(fed))

    # The clip opens in the viewer from the strip, uncalibrated (a video frame has no scale).
    item = view.capture_panel.strip.item(1)
    view.capture_panel.strip.itemClicked.emit(item)
    qtbot.waitUntil(lambda: view.viewer.frame_count() == 10, timeout=WAIT_MS)
    assert view.tabs.currentWidget() is view.viewer
    view.viewer.measure_between((10.0, 10.0), (60.0, 10.0))
    assert "uncalibrated" in view.viewer.measurement_text()
    assert "mm" not in view.viewer.measurement_text()
    view.viewer.pause()
    wait_idle(window)


def test_a_scanners_calibrated_image_measures_in_mm_and_its_marks_are_kept(
    qtbot: QtBot, clinic: Services, sonographer_window: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = sonographer_window
    subject = ScanSubject(
        nhs_number=seeded_patient.nhs_number or "",
        family_name=seeded_patient.family_name,
        given_name=seeded_patient.given_name,
        birth_date=seeded_patient.date_of_birth,
        sex="O",
    )
    received = clinic.imaging.receive(_bytes(us_image(subject=subject, regions=ONE_VIEW)))
    assert received.study_id is not None
    view = _open_imaging(qtbot, window, seeded_patient)
    qtbot.waitUntil(lambda: view.studies.topLevelItemCount() == 1, timeout=WAIT_MS)
    top = view.studies.topLevelItem(0)
    view.studies.itemClicked.emit(top.child(0), 0)
    qtbot.waitUntil(lambda: view.viewer.frame_count() == 1, timeout=WAIT_MS)

    assert "ultrasound regions" in view.viewer.calibration_text().lower()
    measured = view.viewer.measure_between((100.0, 150.0), (200.0, 150.0))
    assert measured is not None
    assert measured.mm == pytest.approx(10.0)
    assert view.viewer.measurement_text() == "10.0 mm"
    _shot(window, "21-imaging-measure-mm.png")
    # The measurement is a mark, saved apart from the pixels once the drawing pauses.
    user = window.session.user
    assert user is not None
    qtbot.waitUntil(lambda: bool(clinic.imaging.marks(user, received.id)), timeout=WAIT_MS)
    (mark,) = clinic.imaging.marks(user, received.id)
    assert (mark.kind, mark.points) == ("distance", ((100.0, 150.0), (200.0, 150.0)))
    wait_idle(window)


def test_an_orphan_is_assigned_by_a_person_after_a_check(
    qtbot: QtBot, clinic: Services, sonographer_window: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = sonographer_window
    registered = {p.nhs_number for p in clinic.patients.search(_clinician(clinic), "999", 500)}
    unknown = next(n for n in synthetic_numbers(400) if n not in registered)
    stranger = ScanSubject(nhs_number=unknown, family_name="NOBODY", given_name="Known")
    orphan = clinic.imaging.receive(_bytes(us_image(subject=stranger, regions=ONE_VIEW)))
    assert orphan.study_id is None
    window.action("orphans").trigger()
    qtbot.waitUntil(lambda: window.screen_by_id("orphans").view.queue.count() == 1, timeout=WAIT_MS)
    view = window.screen_by_id("orphans").view
    qtbot.waitUntil(lambda: view.viewer.frame_count() == 1, timeout=WAIT_MS)
    assert not view.assign_button.isEnabled()

    _find_and_choose(qtbot, window, seeded_patient)
    assert view.assign_button.isEnabled()
    _shot(window, "22-orphan-assign.png")

    asked: list[str] = []
    view.confirm = lambda question: asked.append(question) is None and False
    view.assign_button.click()
    wait_idle(window)
    assert len(asked) == 1
    assert seeded_patient.given_name in asked[0]
    assert f"Patient ID {unknown}" in asked[0]
    assert "NOBODY, Known" in asked[0]
    assert view.queue.count() == 1  # "Cancel": still waiting

    view.confirm = lambda _question: True
    with qtbot.waitSignal(window.screen_by_id("orphans").view_model.assigned, timeout=WAIT_MS):
        view.assign_button.click()
    qtbot.waitUntil(lambda: view.queue.count() == 0, timeout=WAIT_MS)
    wait_idle(window)
    user = window.session.user
    assert user is not None
    (study,) = clinic.imaging.studies(user, seeded_patient.id)
    assert [instance.id for instance in study.instances] == [orphan.id]


def _find_and_choose(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> None:
    """On the orphans screen, search for ``patient`` by surname and pick them."""
    view = window.screen_by_id("orphans").view
    view.search.clear()
    type_into(qtbot, view.search, patient.family_name)
    qtbot.waitUntil(lambda: view.results.count() > 0, timeout=WAIT_MS)
    wait_idle(window)
    for row in range(view.results.count()):
        found = view.results.item(row).data(Qt.ItemDataRole.UserRole)
        if found is not None and found.id == patient.id:
            view.results.setCurrentRow(row)


def _clinician(clinic: Services) -> CurrentUser:
    return clinic.auth.login("clinician", demo_password("clinician"))


def _bytes(ds: Dataset) -> bytes:
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_send_to_pacs_queues_and_says_it_waits_for_the_pacs_to_confirm(
    qtbot: QtBot, clinic: Services, sonographer_window: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = sonographer_window
    clinic.dicom_settings.change(
        SYSTEM, pacs_ae_title="PACS", pacs_host="127.0.0.1", pacs_port=_closed_port()
    )
    view = _open_imaging(qtbot, window, seeded_patient)
    capture = view.capture
    capture.sink.setVideoFrame(_video_frame(_frame(3)))
    qtbot.waitUntil(lambda: capture.latest_image() is not None, timeout=WAIT_MS)
    _choose_place(view, "SHOULDER", "L")
    with qtbot.waitSignal(window.screen_by_id("imaging").view_model.captured, timeout=WAIT_MS):
        view.capture_panel.still_button.click()
    qtbot.waitUntil(view.send_button.isEnabled, timeout=WAIT_MS)
    assert view.pacs_state.text() == "Not sent to the PACS"

    view.send_button.click()
    qtbot.waitUntil(lambda: "Queued for the PACS" in view.notice.text(), timeout=WAIT_MS)
    clinic.pacs.send_due()  # the sender's attempt (the PACS is down)
    window.screen_by_id("imaging").view_model.reload()
    qtbot.waitUntil(lambda: "tried 1 time" in view.pacs_state.text(), timeout=WAIT_MS)
    assert view.pacs_state.text().startswith("Waiting for the PACS to confirm")
    assert not view.educational.isEnabled()  # it may already have gone
    wait_idle(window)


def test_dicom_settings_are_changed_by_an_admin_and_start_the_listeners(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, "admin")
    window.action("dicom_settings").trigger()
    view = window.screen_by_id("dicom_settings").view
    qtbot.waitUntil(lambda: view.ae_title.text() == "ONESTOP", timeout=WAIT_MS)
    assert view.save_button.isVisible()
    view.ae_title.setText("A\\B")
    view.save_button.click()
    qtbot.waitUntil(view.errors["ae_title"].isVisible, timeout=WAIT_MS)
    assert "backslash" in view.errors["ae_title"].text()

    view.ae_title.setText("CLINIC1")
    view.listen.setChecked(True)
    view.listen_host.setText("127.0.0.1")
    view.storage_port.setValue(_closed_port())
    view.worklist_port.setValue(_closed_port())
    with qtbot.waitSignal(window.screen_by_id("dicom_settings").view_model.saved, timeout=WAIT_MS):
        view.save_button.click()
    wait_idle(window)
    assert view.state.text().startswith("Listening as CLINIC1")
    assert clinic.scanners.state.listening
    _shot(window, "23-dicom-settings-admin.png")
    clinic.scanners.stop()
    QApplication.processEvents()


def test_a_clinician_sees_the_dicom_settings_but_cannot_change_them(
    qtbot: QtBot, signed_in: MainWindow
) -> None:
    window = signed_in
    window.action("dicom_settings").trigger()
    view = window.screen_by_id("dicom_settings").view
    qtbot.waitUntil(lambda: view.ae_title.text() == "ONESTOP", timeout=WAIT_MS)
    assert not view.ae_title.isEnabled()
    assert not view.save_button.isVisible()
    assert "admin" in view.who.text()
    wait_idle(window)


def test_search_panel_steps_aside_for_imaging(
    qtbot: QtBot, sonographer_window: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = sonographer_window
    search_for(qtbot, window, seeded_patient.family_name)
    _open_imaging(qtbot, window, seeded_patient)
    assert not window.screen_by_id("search").view.isVisible()
    # The window's one banner names the patient above the full-width page.
    assert window.banner.isVisible()
    assert window.banner.nhs_number_label.text() == formatting.nhs_number(seeded_patient.nhs_number)
    qtbot.mouseClick(
        window.screen_by_id("imaging").view.plan_button, Qt.MouseButton.LeftButton, pos=QPoint(5, 5)
    )
    qtbot.waitUntil(
        lambda: "worklist as OS" in window.screen_by_id("imaging").view.notice.text(),
        timeout=WAIT_MS,
    )
    wait_idle(window)


def test_a_teaching_copy_warns_about_burned_in_text_before_it_is_saved(
    qtbot: QtBot,
    clinic: Services,
    sonographer_window: MainWindow,
    seeded_patient: PatientSummary,
    tmp_path: Path,
) -> None:
    window = sonographer_window
    view = _open_imaging(qtbot, window, seeded_patient)
    view.capture.sink.setVideoFrame(_video_frame(_frame(4)))
    qtbot.waitUntil(lambda: view.capture.latest_image() is not None, timeout=WAIT_MS)
    _choose_place(view, "ELBOW", "R")
    with qtbot.waitSignal(window.screen_by_id("imaging").view_model.captured, timeout=WAIT_MS):
        view.capture_panel.still_button.click()
    qtbot.waitUntil(view.teaching_button.isEnabled, timeout=WAIT_MS)
    warnings: list[str] = []
    view.confirm = lambda text: warnings.append(text) is None and False
    folder = tmp_path / "teaching"
    folder.mkdir()
    view.choose_folder = lambda: str(folder)
    with qtbot.waitSignal(
        window.screen_by_id("imaging").view_model.teaching_copy_ready, timeout=WAIT_MS
    ):
        view.teaching_button.click()
    wait_idle(window)
    assert "crop or mask" in warnings[0]
    assert list(folder.iterdir()) == []  # declined: nothing saved

    view.confirm = lambda _text: True
    with qtbot.waitSignal(
        window.screen_by_id("imaging").view_model.teaching_copy_ready, timeout=WAIT_MS
    ):
        view.teaching_button.click()
    wait_idle(window)
    (saved,) = list(folder.iterdir())
    assert seeded_patient.nhs_number is not None
    assert seeded_patient.nhs_number.encode() not in saved.read_bytes()
    assert "de-identified" in view.notice.text()


def test_the_app_listens_for_scanners_from_sign_in_and_a_pushed_scan_appears(
    qtbot: QtBot, clinic: Services, window: MainWindow, seeded_patient: PatientSummary
) -> None:
    port = _listening_as_sonographer(qtbot, clinic, window)
    _push_scan(port, seeded_patient)

    # The scanner is answered before the store has the object: the screen may open first,
    # and shows it when it is in.
    view = _open_imaging(qtbot, window, seeded_patient)
    qtbot.waitUntil(lambda: view.studies.topLevelItemCount() == 1, timeout=WAIT_MS)
    assert "From the scanner" in view.studies.topLevelItem(0).child(0).text(0)
    window.shutdown()
    assert not clinic.scanners.state.listening


def test_a_scan_pushed_while_the_screen_is_open_appears_and_another_patients_does_not(
    qtbot: QtBot,
    clinic: Services,
    window: MainWindow,
    seeded_patient: PatientSummary,
    clinician: CurrentUser,
) -> None:
    port = _listening_as_sonographer(qtbot, clinic, window)
    other = next(
        p
        for p in clinic.patients.search(clinician, "999", limit=60)
        if p.id != seeded_patient.id and p.nhs_number
    )
    view = _open_imaging(qtbot, window, seeded_patient)
    assert view.studies.topLevelItemCount() == 0

    # Another patient's scan arrives while this patient's images are on screen.
    _push_scan(port, other)
    qtbot.waitUntil(lambda: len(clinic.imaging.studies(clinician, other.id)) == 1, timeout=WAIT_MS)
    wait_idle(window)
    qtbot.wait(200)
    assert view.studies.topLevelItemCount() == 0
    banner = window.context.patient
    assert banner is not None
    assert banner.id == seeded_patient.id
    assert window.screen_by_id("imaging").view_model.patient_id == seeded_patient.id

    # This patient's own scan appears without leaving the screen.
    _push_scan(port, seeded_patient)
    qtbot.waitUntil(lambda: view.studies.topLevelItemCount() == 1, timeout=WAIT_MS)
    shown = view.studies.topLevelItem(0).data(0, Qt.ItemDataRole.UserRole)
    (own,) = clinic.imaging.studies(clinician, seeded_patient.id)
    assert shown.id == own.id
    assert "From the scanner" in view.studies.topLevelItem(0).child(0).text(0)
    window.shutdown()


def test_an_unmatched_scan_joins_the_open_orphans_queue_and_the_one_being_assigned_stays(
    qtbot: QtBot,
    clinic: Services,
    window: MainWindow,
    seeded_patient: PatientSummary,
    clinician: CurrentUser,
) -> None:
    registered = {p.nhs_number for p in clinic.patients.search(clinician, "999", 500)}
    unknown = [n for n in synthetic_numbers(400) if n not in registered][:3]
    strangers = [
        ScanSubject(nhs_number=number, family_name=f"NOBODY{i}", given_name="Known")
        for i, number in enumerate(unknown)
    ]
    first, second = (
        clinic.imaging.receive(_bytes(us_image(subject=s, regions=ONE_VIEW))) for s in strangers[:2]
    )
    port = _listening_as_sonographer(qtbot, clinic, window)
    window.action("orphans").trigger()
    view = window.screen_by_id("orphans").view
    qtbot.waitUntil(lambda: view.queue.count() == 2, timeout=WAIT_MS)
    wait_idle(window)
    # The sonographer looks at the second image and picks its patient.
    view.queue.setCurrentRow(1)
    chosen = view.queue.currentItem().data(Qt.ItemDataRole.UserRole)
    assert chosen.id in (first.id, second.id)
    _find_and_choose(qtbot, window, seeded_patient)

    # Meanwhile the scanner pushes an image that matches nobody: it joins the queue.
    _push_scan(port, strangers[2])
    qtbot.waitUntil(lambda: view.queue.count() == 3, timeout=WAIT_MS)
    wait_idle(window)
    assert view.queue.currentItem().data(Qt.ItemDataRole.UserRole).id == chosen.id
    asked: list[str] = []
    view.confirm = lambda question: asked.append(question) is None
    with qtbot.waitSignal(window.screen_by_id("orphans").view_model.assigned, timeout=WAIT_MS):
        view.assign_button.click()
    assert chosen.carried_patient_id in asked[0]
    qtbot.waitUntil(lambda: view.queue.count() == 2, timeout=WAIT_MS)
    (study,) = clinic.imaging.studies(clinician, seeded_patient.id)
    assert [instance.id for instance in study.instances] == [chosen.id]
    window.shutdown()


def _listening_as_sonographer(qtbot: QtBot, clinic: Services, window: MainWindow) -> int:
    """The app listens for a listed scanner; the sonographer signed in. The storage port."""
    port = _closed_port()
    clinic.dicom_settings.change(
        SYSTEM,
        listen=True,
        listen_host="127.0.0.1",
        storage_port=port,
        worklist_port=_closed_port(),
        scanners=[KnownScanner("POCUS1", "127.0.0.1", "Bedside scanner")],
    )
    sign_in(qtbot, window, "sonographer")
    qtbot.waitUntil(lambda: clinic.scanners.state.listening, timeout=WAIT_MS)
    return port


def _push_scan(port: int, patient: PatientSummary | ScanSubject) -> None:
    """The listed scanner pushes one image of ``patient``; it is answered Success."""
    from pynetdicom import AE
    from pynetdicom.sop_class import UltrasoundImageStorage  # type: ignore[attr-defined]

    subject = (
        patient
        if isinstance(patient, ScanSubject)
        else ScanSubject(
            nhs_number=patient.nhs_number or "",
            family_name=patient.family_name.upper(),
            given_name=patient.given_name,
            birth_date=patient.date_of_birth,
            sex="O",
        )
    )
    scanner = AE(ae_title="POCUS1")
    scanner.add_requested_context(UltrasoundImageStorage)
    association = scanner.associate("127.0.0.1", port, ae_title="ONESTOP")
    assert association.is_established
    status = association.send_c_store(us_image(subject=subject, regions=ONE_VIEW))
    association.release()
    assert status.Status == 0x0000


def test_an_mp4_clip_and_a_bad_file_imported_from_the_screen(
    qtbot: QtBot,
    clinic: Services,
    sonographer_window: MainWindow,
    seeded_patient: PatientSummary,
    tmp_path: Path,
) -> None:
    from tests.support.clips import bars, encode_clip

    window = sonographer_window
    view = _open_imaging(qtbot, window, seeded_patient)
    clip = tmp_path / "from-the-phone.mp4"
    encode_clip(clip, bars(10), fps=20)
    not_a_scan = tmp_path / "letter.mp4"
    not_a_scan.write_bytes(b"%PDF-1.7 this is a letter, not a clip")

    # A file that is not a clip: plain words, nothing kept.
    view.choose_import = lambda: str(not_a_scan)
    _choose_place(view, "ANKLE", "L")
    view.import_button.click()
    qtbot.waitUntil(lambda: "nothing was kept" in view.notice.text().lower(), timeout=WAIT_MS)
    user = window.session.user
    assert user is not None
    assert clinic.imaging.studies(user, seeded_patient.id) == []

    view.choose_import = lambda: str(clip)
    with qtbot.waitSignal(window.screen_by_id("imaging").view_model.captured, timeout=WAIT_MS * 2):
        view.import_button.click()
    qtbot.waitUntil(lambda: view.studies.topLevelItemCount() == 1, timeout=WAIT_MS)
    wait_idle(window)
    (study,) = clinic.imaging.studies(user, seeded_patient.id)
    (imported,) = study.instances
    assert (imported.frames, imported.source, imported.body_part) == (10, "imported", "ANKLE")
    assert "Clip, 10 frames" in view.studies.topLevelItem(0).child(0).text(0)


def _two_orphans(clinic: Services, clinician: CurrentUser) -> None:
    registered = {p.nhs_number for p in clinic.patients.search(clinician, "999", 500)}
    unknown = [n for n in synthetic_numbers(400) if n not in registered][:2]
    for i, number in enumerate(unknown):
        stranger = ScanSubject(nhs_number=number, family_name=f"NOBODY{i}", given_name="Known")
        clinic.imaging.receive(_bytes(us_image(subject=stranger, regions=ONE_VIEW)))


def test_the_patient_found_for_one_orphan_is_never_offered_for_the_next(
    qtbot: QtBot,
    clinic: Services,
    sonographer_window: MainWindow,
    seeded_patient: PatientSummary,
    clinician: CurrentUser,
) -> None:
    window = sonographer_window
    _two_orphans(clinic, clinician)
    window.action("orphans").trigger()
    view = window.screen_by_id("orphans").view
    qtbot.waitUntil(lambda: view.queue.count() == 2, timeout=WAIT_MS)
    wait_idle(window)
    view.queue.setCurrentRow(1)
    _find_and_choose(qtbot, window, seeded_patient)
    assert view.assign_button.isEnabled()

    view.queue.setCurrentRow(0)
    wait_idle(window)
    other = view.queue.currentItem().data(Qt.ItemDataRole.UserRole)
    # The finder starts again from what this image's file says, with nobody chosen.
    assert view.search.text() == other.carried_patient_id
    assert seeded_patient.family_name not in view.search.text()
    assert not view.assign_button.isEnabled()


def test_switching_user_leaves_nothing_of_the_last_users_orphan_search(
    qtbot: QtBot,
    clinic: Services,
    sonographer_window: MainWindow,
    seeded_patient: PatientSummary,
    clinician: CurrentUser,
) -> None:
    window = sonographer_window
    _two_orphans(clinic, clinician)
    window.action("orphans").trigger()
    view = window.screen_by_id("orphans").view
    qtbot.waitUntil(lambda: view.queue.count() == 2, timeout=WAIT_MS)
    _find_and_choose(qtbot, window, seeded_patient)

    window.switch_user()
    wait_idle(window)
    assert not view.search.text()
    assert view.results.count() == 0
    sign_in(qtbot, window, "sonographer")
    window.action("orphans").trigger()
    qtbot.waitUntil(lambda: view.queue.count() == 2, timeout=WAIT_MS)
    wait_idle(window)
    assert seeded_patient.family_name not in view.search.text()
    shown = [view.results.item(row).text() for row in range(view.results.count())]
    assert not [text for text in shown if seeded_patient.family_name.upper() in text.upper()]
    assert not view.assign_button.isEnabled()
