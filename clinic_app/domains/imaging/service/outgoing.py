"""Objects as they leave the app: under their record's patient and study, the originals kept.

Decision: the stored bytes are never rewritten. An attachment's bytes never change (they are
synced and audited as received), so an orphan assigned by a person, or a file with other
labels imported into a record, is kept exactly as it came. Its identity is applied when it
leaves the app (the PACS today; any export or copy that carries identity should use
:func:`outgoing_datasets` too): the record's Patient ID (NHS number, issuer NHS), name, birth
date and sex, and, for an object from another study, the study's UID, accession, ID, date and
time, with the values it carried kept in its Original Attributes Sequence
(:mod:`clinic_app.domains.imaging.dicom.identity`). Applied on the way out, a later
correction of the record (a name changed, a study merged) reaches the PACS with the next
send. The SOP Instance UID stays the object's own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.imaging.dicom.names import dicom_sex, local_time, study_id
from clinic_app.domains.imaging.model import ImageInstance, ImagingStudy
from clinic_app.kernel.attachments import Attachment
from clinic_app.kernel.errors import NotFound
from clinic_app.people.duplicates import survivor_of
from clinic_app.people.model import Patient
from clinic_app.records.attachments import kept_bytes

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

    from clinic_app.domains.imaging.dicom.identity import RecordIdentity


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def record_identity(
    patient: Patient, study: ImagingStudy, natives: Iterable[Dataset] | None = None
) -> RecordIdentity:
    """The identity every object of ``study`` leaves with.

    The study's date, time and ID are those of an object made for the study (the app's
    captures, or a scanner's images that came with the study's UID) when there is one, so
    that objects moved into it agree with them; otherwise they come from when the study
    began, written as the app's captures write them.
    """
    from clinic_app.domains.imaging.dicom.identity import RecordIdentity  # noqa: PLC0415

    began = local_time(study.started_at)
    date, time, number = began.strftime("%Y%m%d"), began.strftime("%H%M%S"), study_id(began)
    for ds in natives or ():
        if ds.get("StudyDate"):
            date = str(ds.StudyDate)
            time = str(ds.get("StudyTime", "") or "")
            number = str(ds.get("StudyID", "") or "")
            break
    return RecordIdentity(
        nhs_number=patient.nhs_number or "",
        patient_name=f"{patient.family_name.upper()}^{patient.given_name}",
        birth_date=patient.date_of_birth.strftime("%Y%m%d") if patient.date_of_birth else "",
        sex=dicom_sex(patient.sex),
        study_uid=study.study_uid,
        accession=study.accession or "",
        study_id=number,
        study_date=date,
        study_time=time,
    )


def leaving_as(session: Session, study: ImagingStudy) -> uuid.UUID:
    """The registration whose name and NHS number ``study``'s objects leave the app with.

    Once the PACS has confirmed any of the study, the registration it holds it under
    (``pacs_patient_id``): what is added later joins the same patient there, and the study
    is never split between two patients in the PACS (correcting the PACS after a merge is
    its administrators' work, a patient merge of its own). Before that, the record that
    stands for the study's registration now (``survivor_of``): a merge of registrations is
    the correction, and that record's name and number are the ones kept up to date.
    """
    if study.pacs_patient_id is not None:
        return study.pacs_patient_id
    return survivor_of(session, study.patient_id)


def outgoing_datasets(session: Session, study: ImagingStudy) -> list[Dataset] | None:
    """Every object of ``study`` as it leaves the app, or None while any is on its way.

    Under the name and NHS number of the registration :func:`leaving_as` gives.

    Raises:
        NotFound: ``patient.not_found`` when the study's patient is gone.
    """
    from clinic_app.domains.imaging.dicom.identity import relabel  # noqa: PLC0415
    from clinic_app.domains.imaging.dicom.reading import kept_dataset  # noqa: PLC0415

    patient = session.get(Patient, leaving_as(session, study))
    if patient is None or patient.deleted:
        raise NotFound("patient.not_found")
    rows = session.scalars(
        select(ImageInstance)
        .where(ImageInstance.study_id == study.id, ImageInstance.deleted.is_(False))
        .order_by(ImageInstance.created_at)
    ).all()
    kept: list[tuple[ImageInstance, Dataset]] = []
    for row in rows:
        data = kept_bytes(session, session.get(Attachment, row.attachment_id))
        if data is None:
            return None
        kept.append((row, kept_dataset(data)))
    natives = [ds for _row, ds in kept if str(ds.StudyInstanceUID) == study.study_uid]
    identity = record_identity(patient, study, natives)
    for row, ds in kept:
        # When the object joined the record: its last change (the assignment, for an orphan).
        relabel(ds, identity, _utc(row.updated_at), row.series_uid)
    return [ds for _row, ds in kept]
