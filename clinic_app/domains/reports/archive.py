"""A signed scan report kept as DICOM beside the study's images, and queued for the PACS.

When a report is signed alone or verified, its SR (and a Key Object Selection of its key
images) become instances of the study, kept as attachments like the images, and a
``scan_report_dicom`` row names them. If the PACS rule allows (see
``clinic_app.domains.imaging.service.pacs.pacs_refusal``), the study is queued again, so the
PACS receives the report with its images; an unverified report never becomes DICOM, so it
never leaves the device. It runs as the handler of the report's signed event
(``clinic_app.domains.reports.handlers``), after the version is sealed, in the same
transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.imaging.dicom.names import (
    LOCAL_ISSUER,
    dicom_sex,
    person_name,
)
from clinic_app.domains.imaging.model import ImageInstance, ImagingStudy
from clinic_app.domains.imaging.service.outgoing import leaving_as, record_identity
from clinic_app.domains.imaging.service.pacs import pacs_refusal, queue_for_pacs
from clinic_app.domains.reports.model import ScanReport, ScanReportDicom
from clinic_app.kernel.staff import Site, User
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.model import Patient
from clinic_app.records.attachments import keep_file, kept_bytes
from clinic_app.records.registry import record_type

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

    from clinic_app.domains.reports.sr import ImageRef, Observer

#: A person's profession as the SR's observer role words (coded from CID 7452 or SNOMED CT
#: occupations in ``sr``); a person with no profession recorded, or "other", is named by the
#: profession their role usually has (below).
_PROFESSION_WORDS = {
    "physiotherapist": "Physiotherapist",
    "sonographer": "Sonographer",
    "radiographer": "Radiographer",
    "nurse": "Nurse",
    "doctor": "Doctor",
}
_ROLE_WORDS = {
    Role.SONOGRAPHER: "Sonographer",
    Role.TRAINEE: "Sonographer",
    Role.SUPERVISOR: "Sonographer",
    Role.CLINICIAN: "Physiotherapist",
}


def _observer(session: Session, user_id: uuid.UUID) -> Observer:
    from clinic_app.domains.reports.sr import Observer  # noqa: PLC0415 - pydicom on first report

    user = session.get(User, user_id)
    if user is None:
        return Observer("UNKNOWN", str(user_id), "OneStop MSK", "Sonographer")
    site = session.get(Site, user.site_id) if user.site_id else None
    return Observer(
        name=person_name(user.display_name),
        identifier=user.registration_number or str(user.id),
        organisation=site.name if site is not None else "OneStop MSK",
        role=_PROFESSION_WORDS.get(user.profession or "")
        or _ROLE_WORDS.get(user.role, "Sonographer"),
    )


def _ref(row: ImageInstance, frame: int | None = None) -> ImageRef:
    from clinic_app.domains.reports.sr import ImageRef  # noqa: PLC0415

    return ImageRef(row.sop_class_uid, row.sop_instance_uid, row.series_uid, frame)


def _instance(session: Session, instance_id: str) -> ImageInstance | None:
    return session.get(ImageInstance, uuid.UUID(instance_id))


def kept_as_dicom(session: Session, report_id: uuid.UUID) -> ScanReportDicom | None:
    """The SR and KOS a final version was kept as, or None (not final)."""
    return session.scalars(
        select(ScanReportDicom).where(ScanReportDicom.report_id == report_id)
    ).first()


def _natives(session: Session, study: ImagingStudy) -> Iterator[Dataset]:
    """The headers of the study's images made for its UID, in the order they joined it.

    Read one at a time, as ``outgoing.record_identity`` asks for them (it stops at the first
    that says the study's date); one that cannot be read is passed over.
    """
    from io import BytesIO  # noqa: PLC0415

    from pydicom import dcmread  # noqa: PLC0415 - pydicom on first report

    from clinic_app.kernel.attachments import Attachment  # noqa: PLC0415

    rows = session.scalars(
        select(ImageInstance)
        .where(
            ImageInstance.study_id == study.id,
            ImageInstance.source != "report",
            ImageInstance.deleted.is_(False),
        )
        .order_by(ImageInstance.created_at)
    ).all()
    for image in rows:
        data = kept_bytes(session, session.get(Attachment, image.attachment_id))
        if data is None:
            continue
        try:
            ds = dcmread(BytesIO(data), stop_before_pixels=True)
        except Exception:  # noqa: BLE001 - an unreadable header never stops a signing
            continue
        if str(ds.get("StudyInstanceUID") or "") == study.study_uid:
            yield ds


def keep_report_as_dicom(session: Session, row: ScanReport, when: datetime) -> None:
    """Make the SR (and KOS) of a version just sealed, keep them, and queue the study.

    Called in the transaction that seals it; the sealed row is only read.
    """
    from clinic_app.domains.reports.sr import (  # noqa: PLC0415
        ReportMeasurement,
        ReportPatient,
        encode,
        key_object_selection,
        scan_report_sr,
    )
    from clinic_app.domains.reports.sr import ScanReport as ReportDocument  # noqa: PLC0415

    study = session.get(ImagingStudy, row.study_id)
    # Named as the study's objects leave for the PACS (merges followed, and as the PACS
    # holds the study once it does): the SR kept here and the one sent agree.
    patient = session.get(Patient, leaving_as(session, study)) if study is not None else None
    if study is None or patient is None:
        return
    content = row.content
    keys = [ref for ref in (_instance(session, i) for i in content.get("key_images", [])) if ref]
    measurements = []
    for item in content.get("measurements", []):
        image = _instance(session, item["instance_id"])
        if image is not None:
            frame = int(item.get("frame") or 0) + 1 if image.frames > 1 else None
            measurements.append(
                ReportMeasurement(item.get("label") or "Distance", item["mm"], _ref(image, frame))
            )
    predecessor = None
    # Every version's SR (and KOS) joins the first version's series, numbered by version: a
    # PACS shows one report series with its versions, not a new series 900 for each.
    kos_series = None
    earlier = kept_as_dicom(session, row.predecessor_id) if row.predecessor_id else None
    if earlier is not None:
        kept = session.get(ImageInstance, earlier.sr_instance_id)
        predecessor = _ref(kept) if kept is not None else None
        earlier_kos = (
            session.get(ImageInstance, earlier.kos_instance_id) if earlier.kos_instance_id else None
        )
        kos_series = earlier_kos.series_uid if earlier_kos is not None else None
    # A study a scanner or a file began: its images say the study's ID, date and time, and
    # the report joins the study as they say (a PACS takes study-level values from any).
    identity = record_identity(patient, study, _natives(session, study))
    verifier = _observer(session, row.verified_by) if row.verified_by else None
    verifier_words = ""
    if row.verified_by is not None and row.agreement:
        from clinic_app.domains.reports.pdf import AGREEMENT_WORDS  # noqa: PLC0415

        verifying = session.get(User, row.verified_by)
        name = verifying.display_name if verifying is not None else "the verifier"
        verifier_words = f"Verified by {name}: {AGREEMENT_WORDS.get(row.agreement, '')}."
        if row.supervisor_words:
            verifier_words += f" {row.supervisor_words.strip()}"
    document = ReportDocument(
        patient=ReportPatient(
            # Without an NHS number the report is still kept as DICOM, under the record's
            # own identifier; it leaves for the PACS only once the NHS number is known, and
            # then under it (the identity is applied on the way out).
            nhs_number=patient.nhs_number or str(patient.id),
            issuer="NHS" if patient.nhs_number else LOCAL_ISSUER,
            family_name=patient.family_name,
            given_name=patient.given_name,
            birth_date=patient.date_of_birth,
            sex=dicom_sex(patient.sex),
        ),
        study_uid=study.study_uid,
        accession=study.accession or "",
        # An addendum goes into the SR only of a version that adds to one kept as DICOM.
        texts={
            section.key: str(content.get(section.key) or "")
            for section in record_type("scan_report").text_sections
            if predecessor is not None or not section.amendment
        },
        measurements=tuple(measurements),
        key_images=tuple(_ref(image) for image in keys),
        author=_observer(session, row.author_id),
        verifier=verifier,
        complete=True,
        verified_at=when,
        written_at=when,
        predecessor=predecessor,
        series_uid=predecessor.series_uid if predecessor is not None else None,
        instance_number=row.version,
        study_id=identity.study_id,
        study_started=study.started_at,
        study_date_time=(identity.study_date, identity.study_time),
        verifier_words=verifier_words,
    )
    sr = scan_report_sr(document)
    dicom = ScanReportDicom(report_id=row.id, sr_instance_id=_keep(session, row, sr, encode(sr)))
    if keys:
        kos = key_object_selection(document, series_uid=kos_series)
        dicom.kos_instance_id = _keep(session, row, kos, encode(kos))
    session.add(dicom)
    # The PACS must now receive the report too: the study waits until it confirms it.
    if pacs_refusal(session, study, resend=True) is None:
        queue_for_pacs(session, study, row.signed_by, resend=True)
    session.flush()


def _keep(session: Session, row: ScanReport, ds: Dataset, data: bytes) -> uuid.UUID:
    attachment = keep_file(
        session,
        row.patient_id,
        f"{ds.SOPInstanceUID}.dcm",
        "application/dicom",
        data,
    )
    instance = ImageInstance(
        study_id=row.study_id,
        attachment_id=attachment.id,
        sop_class_uid=str(ds.SOPClassUID),
        sop_instance_uid=str(ds.SOPInstanceUID),
        series_uid=str(ds.SeriesInstanceUID),
        frames=0,
        source="report",
    )
    session.add(instance)
    session.flush()
    return instance.id


def measured_distances(session: Session, study_id: uuid.UUID) -> list[dict[str, object]]:
    """The distances drawn in the viewer on the study's calibrated images, in mm.

    Offered to the report's author to include; a distance on an uncalibrated image, or one
    the calibration refuses (across regions), is never offered as mm.
    """
    import io  # noqa: PLC0415

    from pydicom import dcmread  # noqa: PLC0415

    from clinic_app.domains.imaging.dicom.measure import Annotation, calibration_of  # noqa: PLC0415
    from clinic_app.domains.imaging.model import ImageMarks  # noqa: PLC0415
    from clinic_app.kernel.attachments import Attachment  # noqa: PLC0415

    offered: list[dict[str, object]] = []
    rows = session.execute(
        select(ImageInstance, ImageMarks)
        .join(ImageMarks, ImageMarks.instance_id == ImageInstance.id)
        .where(ImageInstance.study_id == study_id, ImageInstance.deleted.is_(False))
        .order_by(ImageInstance.created_at)
    ).all()
    for image, marks in rows:
        distances = [Annotation.from_json(m) for m in marks.marks if m.get("kind") == "distance"]
        data = (
            kept_bytes(session, session.get(Attachment, image.attachment_id)) if distances else None
        )
        if data is None:
            continue
        calibration = calibration_of(dcmread(io.BytesIO(data), stop_before_pixels=True))
        for mark in distances:
            measured = calibration.measure(mark.points[0], mark.points[1])
            if measured.mm is not None:
                offered.append(
                    {
                        "label": mark.text or "Distance",
                        "mm": round(measured.mm, 1),
                        "instance_id": str(image.id),
                        "frame": mark.frame,
                    }
                )
    return offered
