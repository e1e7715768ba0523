"""A simulated scanner pushes images over DICOM: they land with the right patient, or wait."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset
from pynetdicom import AE
from pynetdicom.sop_class import (  # type: ignore[attr-defined]
    ModalityWorklistInformationFind,
    SecondaryCaptureImageStorage,
)

from clinic_app.container import Services
from clinic_app.domains.imaging.dicom.capture import CaptureContext, new_uid, still
from clinic_app.domains.imaging.dicom.receive import CANNOT_UNDERSTAND, SUCCESS, StorageReceiver
from clinic_app.domains.imaging.dicom.worklist import WorklistProvider
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput

PASSWORD = "correct horse battery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def receiver(services: Services) -> Iterator[StorageReceiver]:
    running = StorageReceiver(services.imaging.receive, port=_free_port())
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


def _scan(nhs: str) -> Dataset:
    context = CaptureContext(
        nhs_number=nhs,
        family_name="Lovelace",
        given_name="Ada",
        birth_date=date(1960, 3, 14),
        sex="F",
        study_uid=new_uid(),
        series_uid=new_uid(),
        body_part="KNEE",
        laterality="L",
        operator="",
        when=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
    )
    frame = np.random.default_rng(1).integers(0, 80, (48, 64, 3), dtype=np.uint8)
    return still(frame, context)


def _push(receiver: StorageReceiver, dataset: Dataset) -> int:
    """C-STORE as a scanner would; the status the app answered."""
    scanner = AE(ae_title="SCANNER")
    scanner.add_requested_context(SecondaryCaptureImageStorage, dataset.file_meta.TransferSyntaxUID)
    association = scanner.associate(receiver.host, receiver.port, ae_title=receiver.ae_title)
    assert association.is_established
    try:
        status = association.send_c_store(dataset)
    finally:
        association.release()
    return int(status.Status)


def test_a_pushed_image_lands_with_the_patient_it_names(
    services: Services, receiver: StorageReceiver, sonographer: CurrentUser
) -> None:
    patient = services.patients.register(
        sonographer,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number="9990000018",
        ),
    )
    sent = _scan("9990000018")
    assert _push(receiver, sent) == SUCCESS
    unknown = _scan("9990000026")
    assert _push(receiver, unknown) == SUCCESS
    orphans = services.imaging.orphans(sonographer)
    assert [o.sop_instance_uid for o in orphans] == [unknown.SOPInstanceUID]
    assert orphans[0].source == "received"
    # The matched one is in the patient's study, kept exactly as the scanner sent it.
    with services.context.store.sessions() as session:
        from clinic_app.domains.imaging.model import ImageInstance, ImagingStudy

        row = session.query(ImageInstance).filter_by(sop_instance_uid=sent.SOPInstanceUID).one()
        study = session.get(ImagingStudy, row.study_id)
        assert study is not None
        assert study.patient_id == patient.id
        attachment_id = row.attachment_id
    kept = dcmread(io.BytesIO(services.attachments.read(sonographer, attachment_id)))
    assert kept.SOPInstanceUID == sent.SOPInstanceUID
    assert np.array_equal(kept.pixel_array, sent.pixel_array)


def test_an_object_without_pixels_is_refused_with_a_status_and_not_kept(
    services: Services, receiver: StorageReceiver, sonographer: CurrentUser
) -> None:
    broken = _scan("9990000018")
    del broken.PixelData
    assert _push(receiver, broken) == CANNOT_UNDERSTAND
    assert services.imaging.orphans(sonographer) == []


def test_a_scanner_picks_todays_patient_from_the_worklist_and_its_image_lands_there(
    services: Services, receiver: StorageReceiver, sonographer: CurrentUser
) -> None:
    patient = services.patients.register(
        sonographer,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number="9990000018",
        ),
    )
    planned = services.imaging.plan_scan(sonographer, patient.id, "Left knee ultrasound")
    provider = WorklistProvider(services.imaging.worklist, port=_free_port())
    provider.start()
    try:
        scanner = AE(ae_title="SCANNER")
        scanner.add_requested_context(ModalityWorklistInformationFind)
        association = scanner.associate(provider.host, provider.port, ae_title=provider.ae_title)
        assert association.is_established
        query = Dataset()
        query.PatientName = ""
        query.PatientID = ""
        query.AccessionNumber = ""
        query.StudyInstanceUID = ""
        step = Dataset()
        step.Modality = "US"
        step.ScheduledProcedureStepStartDate = services.context.today().strftime("%Y%m%d")
        query.ScheduledProcedureStepSequence = [step]
        try:
            answers = [
                identifier
                for status, identifier in association.send_c_find(
                    query, ModalityWorklistInformationFind
                )
                if status and status.Status == 0xFF00
            ]
        finally:
            association.release()
    finally:
        provider.stop()
    assert len(answers) == 1
    item = answers[0]
    assert (item.PatientID, item.AccessionNumber) == ("9990000018", planned.accession)
    assert str(item.PatientName) == "LOVELACE^Ada"
    # The scanner labels its image from the worklist item; it lands in the planned study.
    image = _scan("9990000018")
    image.StudyInstanceUID = item.StudyInstanceUID
    image.AccessionNumber = item.AccessionNumber
    assert _push(receiver, image) == SUCCESS
    with services.context.store.sessions() as session:
        from clinic_app.domains.imaging.model import ImageInstance, ImagingStudy

        row = session.query(ImageInstance).filter_by(sop_instance_uid=image.SOPInstanceUID).one()
        study = session.get(ImagingStudy, row.study_id)
        assert study is not None
        assert (study.study_uid, study.accession) == (planned.study_uid, planned.accession)
