"""A simulated portable scanner: picks today's patient from the worklist, pushes US images.

The objects are true US Image and US Multi-frame Image objects (the multi-frame in JPEG-LS,
as many scanners send cine loops), carrying the worklist's study and accession; they must
land in the planned study, keep their pixels and UIDs, and still measure in mm.
"""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from datetime import datetime

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRLittleEndian, JPEGLSLossless
from pynetdicom import AE
from pynetdicom.sop_class import (  # type: ignore[attr-defined]
    ModalityWorklistInformationFind,
    UltrasoundImageStorage,
    UltrasoundMultiFrameImageStorage,
)

from clinic_app.container import Services
from clinic_app.domains.imaging.dicom.measure import calibration_of
from clinic_app.domains.imaging.dicom.receive import SUCCESS, StorageReceiver
from clinic_app.domains.imaging.dicom.worklist import WorklistProvider
from clinic_app.domains.imaging.model import ImagingStudy
from clinic_app.domains.imaging.views import InstanceView
from clinic_app.kernel.attachments import Attachment
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput, PatientRecord
from tests.support.us_image import ScanSubject, us_image, us_multiframe

PASSWORD = "correct horse battery"
ADA = "9990000018"
BYRON = "9990000026"
NOBODY = "9990000034"
PENDING = 0xFF00


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Arrivals:
    """The app's receive use case, noting what each pushed object became."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self.views: list[InstanceView] = []

    def __call__(self, data: bytes) -> InstanceView:
        view = self._services.imaging.receive(data)
        self.views.append(view)
        return view


@pytest.fixture
def arrivals(services: Services) -> Arrivals:
    return Arrivals(services)


@pytest.fixture
def receiver(arrivals: Arrivals) -> Iterator[StorageReceiver]:
    running = StorageReceiver(arrivals, port=_free_port())
    running.start()
    yield running
    running.stop()


@pytest.fixture
def sonographer(services: Services) -> CurrentUser:
    services.users.add(
        SYSTEM,
        username="tom",
        display_name="Tom Okafor",
        role=Role.SONOGRAPHER,
        password=PASSWORD,
    )
    return services.auth.login("tom", PASSWORD)


def _register(
    services: Services, actor: CurrentUser, nhs: str, family: str, given: str
) -> PatientRecord:
    return services.patients.register(
        actor,
        PatientInput(
            given_name=given,
            family_name=family,
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number=nhs,
        ),
    )


def _todays_worklist(services: Services) -> list[Dataset]:
    """The scanner's worklist query: every US step scheduled today."""
    provider = WorklistProvider(services.imaging.worklist, port=_free_port())
    provider.start()
    try:
        scanner = AE(ae_title="POCUS01")
        scanner.add_requested_context(ModalityWorklistInformationFind)
        association = scanner.associate(provider.host, provider.port, ae_title=provider.ae_title)
        assert association.is_established
        query = Dataset()
        query.PatientName = ""
        query.PatientID = ""
        query.PatientBirthDate = ""
        query.PatientSex = ""
        query.AccessionNumber = ""
        query.StudyInstanceUID = ""
        step = Dataset()
        step.Modality = "US"
        step.ScheduledProcedureStepStartDate = services.context.today().strftime("%Y%m%d")
        query.ScheduledProcedureStepSequence = [step]
        try:
            return [
                identifier
                for status, identifier in association.send_c_find(
                    query, ModalityWorklistInformationFind
                )
                if status and status.Status == PENDING and identifier is not None
            ]
        finally:
            association.release()
    finally:
        provider.stop()


def _subject_of(item: Dataset) -> ScanSubject:
    """The patient as the scanner takes them from the worklist item."""
    family, _, given = str(item.PatientName).partition("^")
    return ScanSubject(
        nhs_number=str(item.PatientID),
        family_name=family,
        given_name=given,
        birth_date=datetime.strptime(str(item.PatientBirthDate), "%Y%m%d").date(),
        sex=str(item.PatientSex),
    )


def _push(receiver: StorageReceiver, *datasets: Dataset) -> list[int]:
    """C-STORE the objects in one association, as a scanner does at the end of a scan."""
    scanner = AE(ae_title="POCUS01")
    scanner.add_requested_context(UltrasoundImageStorage, ExplicitVRLittleEndian)
    scanner.add_requested_context(UltrasoundMultiFrameImageStorage, JPEGLSLossless)
    scanner.add_requested_context(UltrasoundMultiFrameImageStorage, ExplicitVRLittleEndian)
    association = scanner.associate(receiver.host, receiver.port, ae_title=receiver.ae_title)
    assert association.is_established
    try:
        return [int(association.send_c_store(ds).Status) for ds in datasets]
    finally:
        association.release()


def _file_bytes(ds: Dataset) -> bytes:
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _dataset_part(file_bytes: bytes) -> bytes:
    """A DICOM file's bytes after its File Meta Information (PS3.10 7.1).

    128-byte preamble, "DICM", then (0002,0000) as explicit VR UL: a 12-byte element whose
    value is the length of the rest of group 0002.
    """
    assert file_bytes[128:132] == b"DICM"
    group_length = int.from_bytes(file_bytes[140:144], "little")
    return file_bytes[144 + group_length :]


def _study(services: Services, study_id: object) -> ImagingStudy:
    with services.context.store.sessions() as session:
        study = session.get(ImagingStudy, study_id)
        assert study is not None
        session.expunge(study)
        return study


def _filed_under(services: Services, view: InstanceView) -> object:
    """The patient the kept file belongs to (None for an orphan's file)."""
    with services.context.store.sessions() as session:
        attachment = session.get(Attachment, view.attachment_id)
        assert attachment is not None
        return attachment.patient_id


def test_a_scanner_picks_todays_patient_and_its_us_images_land_in_the_planned_study(
    services: Services,
    receiver: StorageReceiver,
    arrivals: Arrivals,
    sonographer: CurrentUser,
) -> None:
    ada = _register(services, sonographer, ADA, "Lovelace", "Ada")
    byron = _register(services, sonographer, BYRON, "Byron", "George")
    planned = services.imaging.plan_scan(sonographer, ada.id, "Left knee ultrasound")
    services.imaging.plan_scan(sonographer, byron.id, "Right shoulder ultrasound")

    worklist = _todays_worklist(services)
    assert sorted(str(item.PatientName) for item in worklist) == ["BYRON^George", "LOVELACE^Ada"]
    item = next(entry for entry in worklist if entry.PatientID == ADA)
    assert (item.StudyInstanceUID, item.AccessionNumber) == (planned.study_uid, planned.accession)

    # The scanner labels everything it makes from the item: patient, study, accession.
    subject, study_uid, accession = (
        _subject_of(item),
        str(item.StudyInstanceUID),
        str(item.AccessionNumber),
    )
    still = us_image(subject=subject, study_uid=study_uid, accession=accession)
    loop = us_multiframe(
        subject=subject,
        study_uid=study_uid,
        accession=accession,
        series_uid=str(still.SeriesInstanceUID),
        jpeg_ls=True,
    )
    assert _push(receiver, still, loop) == [SUCCESS, SUCCESS]

    assert [view.sop_instance_uid for view in arrivals.views] == [
        still.SOPInstanceUID,
        loop.SOPInstanceUID,
    ]
    for view, sent in zip(arrivals.views, (still, loop), strict=True):
        assert view.study_id is not None
        study = _study(services, view.study_id)
        assert (study.study_uid, study.accession) == (planned.study_uid, planned.accession)
        assert study.patient_id == ada.id
        assert _filed_under(services, view) == ada.id
        assert (view.sop_class_uid, view.source) == (sent.SOPClassUID, "received")
        assert (view.body_part, view.laterality) == ("KNEE", "L")
        assert view.frames == int(sent.get("NumberOfFrames", 1))

        kept_bytes = services.attachments.read(sonographer, view.attachment_id)
        # The receiver writes its own File Meta Information; the data set is as sent.
        assert _dataset_part(kept_bytes) == _dataset_part(_file_bytes(sent))
        kept = dcmread(io.BytesIO(kept_bytes))
        assert kept.file_meta.TransferSyntaxUID == sent.file_meta.TransferSyntaxUID
        assert kept.file_meta.MediaStorageSOPInstanceUID == sent.SOPInstanceUID
        assert (kept.SOPClassUID, kept.SOPInstanceUID) == (sent.SOPClassUID, sent.SOPInstanceUID)
        assert kept.SeriesInstanceUID == sent.SeriesInstanceUID
        assert kept.PixelData == sent.PixelData
        assert np.array_equal(kept.pixel_array, sent.pixel_array)

        # 100 rows at 0.01 cm per pixel, inside the scanner's one view.
        measured = calibration_of(kept).measure((150.0, 60.0), (150.0, 160.0))
        assert measured.status == "mm"
        assert measured.mm == pytest.approx(10.0)

    assert services.imaging.orphans(sonographer) == []


@pytest.mark.parametrize(
    "patient_id",
    [NOBODY, "SCAN-0042", ""],
    ids=["unregistered-nhs-number", "scanner-own-id", "no-patient-id"],
)
def test_a_us_image_naming_nobody_with_no_accession_waits_as_an_orphan(
    services: Services,
    receiver: StorageReceiver,
    arrivals: Arrivals,
    sonographer: CurrentUser,
    patient_id: str,
) -> None:
    _register(services, sonographer, ADA, "Lovelace", "Ada")
    sent = us_image(subject=ScanSubject(nhs_number=patient_id, family_name="UNKNOWN"))
    assert _push(receiver, sent) == [SUCCESS]
    (view,) = arrivals.views
    assert view.study_id is None
    assert _filed_under(services, view) is None
    assert [orphan.sop_instance_uid for orphan in services.imaging.orphans(sonographer)] == [
        sent.SOPInstanceUID
    ]


def test_a_us_image_with_only_the_worklist_accession_lands_in_the_planned_study(
    services: Services,
    receiver: StorageReceiver,
    arrivals: Arrivals,
    sonographer: CurrentUser,
) -> None:
    ada = _register(services, sonographer, ADA, "Lovelace", "Ada")
    planned = services.imaging.plan_scan(sonographer, ada.id)
    # A scanner whose operator typed the accession but left the Patient ID empty.
    sent = us_image(
        subject=ScanSubject(nhs_number=""),
        study_uid=planned.study_uid,
        accession=planned.accession,
    )
    assert _push(receiver, sent) == [SUCCESS]
    (view,) = arrivals.views
    assert view.study_id is not None
    assert _study(services, view.study_id).study_uid == planned.study_uid


def test_a_us_image_whose_patient_id_and_accession_name_different_patients_waits_for_a_person(
    services: Services,
    receiver: StorageReceiver,
    arrivals: Arrivals,
    sonographer: CurrentUser,
) -> None:
    ada = _register(services, sonographer, ADA, "Lovelace", "Ada")
    _register(services, sonographer, BYRON, "Byron", "George")
    planned = services.imaging.plan_scan(sonographer, ada.id)
    # The worklist item was Ada's, but the Patient ID was typed over with Byron's number.
    sent = us_image(
        subject=ScanSubject(nhs_number=BYRON, family_name="BYRON", given_name="George"),
        study_uid=planned.study_uid,
        accession=planned.accession,
    )
    assert _push(receiver, sent) == [SUCCESS]
    (view,) = arrivals.views
    assert view.study_id is None
    assert _filed_under(services, view) is None


def test_a_us_image_whose_patient_id_is_someone_unregistered_does_not_join_by_accession(
    services: Services,
    receiver: StorageReceiver,
    arrivals: Arrivals,
    sonographer: CurrentUser,
) -> None:
    ada = _register(services, sonographer, ADA, "Lovelace", "Ada")
    planned = services.imaging.plan_scan(sonographer, ada.id)
    sent = us_image(
        subject=ScanSubject(nhs_number=NOBODY, family_name="OTHER"),
        study_uid=planned.study_uid,
        accession=planned.accession,
    )
    assert _push(receiver, sent) == [SUCCESS]
    (view,) = arrivals.views
    assert view.study_id is None
