"""Images in the record: grabbed frames, imported files, and objects waiting for a patient.

Every image is kept as a DICOM file (an attachment, so encrypted at rest and synced as a
file) with an ``image_instance`` row saying what it is. A study is the patient's imaging at
one encounter: the same day's study is reused. Imported DICOM is kept as received; it is
matched to a patient by NHS number or accession, and anything unmatched waits as an orphan
for a person to assign, never attached by a guess.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.clinical.nhs_number import normalise
from clinic_app.errors import Conflict, NotFound, ValidationError
from clinic_app.model import ImageInstance, ImagingStudy, Patient, User, utcnow
from clinic_app.security.permissions import Action
from clinic_app.services.attachments import keep_file
from clinic_app.services.base import SYSTEM, Context, UnitOfWork, recorded_by
from clinic_app.services.types import CurrentUser

if TYPE_CHECKING:
    import numpy as np
    from pydicom.dataset import Dataset

# numpy and pydicom load on the first image, not when the app starts (sign-in stays quick).

_DICOM_SEX = {"1": "M", "2": "F"}
DICOM_MEDIA_TYPE = "application/dicom"


@dataclass(frozen=True)
class PlannedScan:
    """A scan planned today: what a scanner's worklist query is answered with."""

    study_uid: str
    accession: str
    description: str
    planned_at: datetime
    nhs_number: str
    family_name: str
    given_name: str
    birth_date: date
    sex: str


@dataclass(frozen=True)
class InstanceView:
    """An image in the record (or waiting as an orphan, with no study)."""

    id: uuid.UUID
    study_id: uuid.UUID | None
    sop_class_uid: str
    sop_instance_uid: str
    body_part: str | None
    laterality: str | None
    frames: int
    source: str
    attachment_id: uuid.UUID


def _view(row: ImageInstance) -> InstanceView:
    return InstanceView(
        row.id,
        row.study_id,
        row.sop_class_uid,
        row.sop_instance_uid,
        row.body_part,
        row.laterality,
        row.frames,
        row.source,
        row.attachment_id,
    )


def _planned(study: ImagingStudy, patient: Patient) -> PlannedScan:
    return PlannedScan(
        study_uid=study.study_uid,
        accession=study.accession or "",
        description=study.description,
        planned_at=study.started_at,
        nhs_number=patient.nhs_number or "",
        family_name=patient.family_name,
        given_name=patient.given_name,
        birth_date=patient.date_of_birth,
        sex=_DICOM_SEX.get(patient.sex, "O"),
    )


def _new_uid() -> str:
    from clinic_app.dicom.capture import new_uid  # noqa: PLC0415 - see the note above

    return str(new_uid())


def _bytes(ds: Dataset) -> bytes:
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


class ImagingService:
    """Capture, import, and assign images."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._uow = UnitOfWork(context)

    def _study(self, session: Session, patient: Patient, when: datetime) -> ImagingStudy:
        """Today's study of the patient, or a new one: one study per encounter."""
        day = when.astimezone().date()
        for study in session.scalars(
            select(ImagingStudy)
            .where(ImagingStudy.patient_id == patient.id, ImagingStudy.deleted.is_(False))
            .order_by(ImagingStudy.started_at.desc())
            .limit(5)
        ):
            if study.started_at.astimezone().date() == day:
                return study
        study = ImagingStudy(patient_id=patient.id, study_uid=_new_uid(), started_at=when)
        session.add(study)
        session.flush()
        return study

    @staticmethod
    def _series(session: Session, study: ImagingStudy, body_part: str, laterality: str) -> str:
        """The study's series for a body part and side (one series each)."""
        found = session.scalar(
            select(ImageInstance.series_uid)
            .where(
                ImageInstance.study_id == study.id,
                ImageInstance.body_part == body_part,
                ImageInstance.laterality == laterality,
            )
            .limit(1)
        )
        return found or _new_uid()

    def _capture(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        pixels: np.ndarray,
        *,
        body_part: str,
        laterality: str,
        burned_in: bool,
        frame_time_ms: float | None,
    ) -> InstanceView:
        from clinic_app.dicom.capture import CaptureContext, clip, still  # noqa: PLC0415

        with self._uow(actor, Action.IMAGE_CAPTURE) as session:
            patient = session.get(Patient, patient_id)
            if patient is None or patient.deleted:
                raise NotFound("patient.not_found")
            if not patient.nhs_number:
                raise ValidationError("dicom.no_nhs_number", field="patient")
            when = utcnow()
            study = self._study(session, patient, when)
            user = session.get(User, recorded_by(actor)) if recorded_by(actor) else None
            operator = user.display_name.replace(" ", "^", 1) if user else ""
            context = CaptureContext(
                nhs_number=patient.nhs_number,
                family_name=patient.family_name,
                given_name=patient.given_name,
                birth_date=patient.date_of_birth,
                sex=_DICOM_SEX.get(patient.sex, "O"),
                study_uid=study.study_uid,
                series_uid=self._series(session, study, body_part, laterality),
                body_part=body_part,
                laterality=laterality,
                operator=operator,
                when=when,
                burned_in=burned_in,
                accession=study.accession or "",
            )
            if frame_time_ms is None:
                ds = still(pixels, context)
            else:
                ds = clip(pixels, frame_time_ms, context)
            attachment = keep_file(
                session, patient.id, f"{ds.SOPInstanceUID}.dcm", DICOM_MEDIA_TYPE, _bytes(ds)
            )
            row = ImageInstance(
                study_id=study.id,
                attachment_id=attachment.id,
                sop_class_uid=str(ds.SOPClassUID),
                sop_instance_uid=str(ds.SOPInstanceUID),
                series_uid=context.series_uid,
                body_part=body_part,
                laterality=laterality,
                frames=int(getattr(ds, "NumberOfFrames", 1)),
                source="grabbed",
                carried_patient_id=patient.nhs_number,
            )
            session.add(row)
            session.flush()
            self._uow.audit(
                session,
                actor,
                "image.capture",
                patient_id=patient.id,
                entity="image_instance",
                entity_id=row.id,
            )
            return _view(row)

    def capture_still(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        frame: np.ndarray,
        *,
        body_part: str,
        laterality: str,
        burned_in: bool = True,
    ) -> InstanceView:
        """A frame grabbed (or imported) for the patient, kept as Secondary Capture DICOM."""
        return self._capture(
            actor,
            patient_id,
            frame,
            body_part=body_part,
            laterality=laterality,
            burned_in=burned_in,
            frame_time_ms=None,
        )

    def capture_clip(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        frames: np.ndarray,
        frame_time_ms: float,
        *,
        body_part: str,
        laterality: str,
        burned_in: bool = True,
    ) -> InstanceView:
        """A clip grabbed for the patient, kept as Multi-frame True Color SC with its timing."""
        return self._capture(
            actor,
            patient_id,
            frames,
            body_part=body_part,
            laterality=laterality,
            burned_in=burned_in,
            frame_time_ms=frame_time_ms,
        )

    def import_picture(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        data: bytes,
        *,
        body_part: str,
        laterality: str,
        burned_in: bool = True,
    ) -> InstanceView:
        """A PNG or JPEG still for the patient, kept as Secondary Capture DICOM like a grab.

        Raises:
            ValidationError: ``image.unreadable`` (not a PNG or JPEG, or damaged), and as
                :meth:`capture_still`.
        """
        return self.capture_still(
            actor,
            patient_id,
            _picture_pixels(data),
            body_part=body_part,
            laterality=laterality,
            burned_in=burned_in,
        )

    def import_dicom(
        self,
        actor: CurrentUser,
        data: bytes,
        *,
        patient_id: uuid.UUID | None = None,
        action: Action = Action.IMAGE_CAPTURE,
    ) -> InstanceView:
        """Keep a DICOM file as received, under the patient it names, or as an orphan.

        With ``patient_id`` (importing into an open record) the file must name that patient.

        Raises:
            ValidationError: ``dicom.unreadable`` (not DICOM, or cut short),
                ``dicom.no_pixels``, ``dicom.unknown_transfer_syntax``.
            Conflict: ``dicom.wrong_patient`` when it names another patient.
        """
        ds = _parsed(data)
        carried = _nhs_number_in(str(getattr(ds, "PatientID", "") or ""))
        accession = str(getattr(ds, "AccessionNumber", "") or "")[:16] or None
        with self._uow(actor, action) as session:
            patient = self._match(session, carried, accession)
            if patient_id is not None:
                chosen = session.get(Patient, patient_id)
                if chosen is None or chosen.deleted:
                    raise NotFound("patient.not_found")
                if patient is not None and patient.id != chosen.id:
                    raise Conflict("dicom.wrong_patient")
                if carried and chosen.nhs_number and carried != chosen.nhs_number:
                    raise Conflict("dicom.wrong_patient")
                patient = chosen
            study = None
            if patient is not None:
                study = self._study_for_import(session, patient, str(ds.StudyInstanceUID))
            attachment = keep_file(
                session,
                patient.id if patient else None,
                f"{ds.SOPInstanceUID}.dcm",
                DICOM_MEDIA_TYPE,
                data,
            )
            row = ImageInstance(
                study_id=study.id if study else None,
                attachment_id=attachment.id,
                sop_class_uid=str(ds.SOPClassUID),
                sop_instance_uid=str(ds.SOPInstanceUID),
                series_uid=str(ds.SeriesInstanceUID),
                body_part=str(getattr(ds, "BodyPartExamined", "") or "")[:16] or None,
                laterality=str(getattr(ds, "Laterality", "") or "")[:1] or None,
                frames=int(getattr(ds, "NumberOfFrames", 1) or 1),
                source="received" if action is Action.IMAGE_RECEIVE else "imported",
                carried_patient_id=carried or None,
                carried_accession=accession,
            )
            session.add(row)
            session.flush()
            self._uow.audit(
                session,
                actor,
                "image.import" if patient else "image.orphan",
                patient_id=patient.id if patient else None,
                entity="image_instance",
                entity_id=row.id,
            )
            return _view(row)

    def plan_scan(
        self, actor: CurrentUser, patient_id: uuid.UUID, description: str = "MSK ultrasound"
    ) -> PlannedScan:
        """Put the patient on today's scanner worklist: a study with an accession number.

        The scanner picks the patient from its worklist, and its images arrive labelled with
        the study and accession, so they land in this study.

        Raises:
            NotFound: ``patient.not_found``. ValidationError: ``dicom.no_nhs_number``.
        """
        with self._uow(actor, Action.IMAGE_CAPTURE) as session:
            patient = session.get(Patient, patient_id)
            if patient is None or patient.deleted:
                raise NotFound("patient.not_found")
            if not patient.nhs_number:
                raise ValidationError("dicom.no_nhs_number", field="patient")
            now = utcnow()
            study = ImagingStudy(
                patient_id=patient.id,
                study_uid=_new_uid(),
                started_at=now,
                # Accession Number is SH (16 characters): OS and twelve random digits.
                accession=f"OS{uuid.uuid4().int % 10**12:012d}",
                description=description.strip()[:64] or "MSK ultrasound",
            )
            session.add(study)
            session.flush()
            self._uow.audit(
                session,
                actor,
                "image.plan",
                patient_id=patient.id,
                entity="imaging_study",
                entity_id=study.id,
            )
            return _planned(study, patient)

    def worklist(self, day: date | None = None) -> list[PlannedScan]:
        """Scans planned for ``day`` (today), for a scanner's worklist query."""
        wanted = day or self._context.today()
        with self._uow(SYSTEM, Action.IMAGE_RECEIVE, read_only=True) as session:
            rows = session.execute(
                select(ImagingStudy, Patient)
                .join(Patient, Patient.id == ImagingStudy.patient_id)
                .where(ImagingStudy.accession.is_not(None), ImagingStudy.deleted.is_(False))
                .order_by(ImagingStudy.started_at)
            ).all()
            return [
                _planned(study, patient)
                for study, patient in rows
                if study.started_at.astimezone().date() == wanted
            ]

    def receive(self, data: bytes) -> InstanceView:
        """An object a scanner pushed: kept as received, matched or left as an orphan.

        The device receives it, not a signed-in user, so it is recorded as the system's.
        """
        return self.import_dicom(SYSTEM, data, action=Action.IMAGE_RECEIVE)

    @staticmethod
    def _match(session: Session, nhs: str, accession: str | None) -> Patient | None:
        if nhs:
            found = session.scalars(
                select(Patient).where(Patient.nhs_number == nhs, Patient.deleted.is_(False))
            ).first()
            if found is not None:
                return found
        if accession:
            study = session.scalars(
                select(ImagingStudy).where(ImagingStudy.accession == accession)
            ).first()
            if study is not None:
                return session.get(Patient, study.patient_id)
        return None

    @staticmethod
    def _study_for_import(session: Session, patient: Patient, study_uid: str) -> ImagingStudy:
        study = session.scalars(
            select(ImagingStudy).where(ImagingStudy.study_uid == study_uid)
        ).first()
        if study is None:
            study = ImagingStudy(patient_id=patient.id, study_uid=study_uid, started_at=utcnow())
            session.add(study)
            session.flush()
        return study

    def orphans(self, actor: CurrentUser) -> list[InstanceView]:
        """Objects waiting for a person to say whose they are, oldest first."""
        with self._uow(actor, Action.IMAGE_VIEW, read_only=True) as session:
            rows = session.scalars(
                select(ImageInstance)
                .where(ImageInstance.study_id.is_(None), ImageInstance.deleted.is_(False))
                .order_by(ImageInstance.created_at)
            ).all()
            return [_view(row) for row in rows]

    def assign(
        self, actor: CurrentUser, instance_id: uuid.UUID, patient_id: uuid.UUID
    ) -> InstanceView:
        """A person says whose an orphan is; it joins that patient's study.

        Raises:
            NotFound: ``image.not_found`` or ``patient.not_found``.
            Conflict: ``image.already_assigned``.
        """
        with self._uow(actor, Action.IMAGE_CAPTURE) as session:
            row = session.get(ImageInstance, instance_id)
            if row is None or row.deleted:
                raise NotFound("image.not_found")
            if row.study_id is not None:
                raise Conflict("image.already_assigned")
            patient = session.get(Patient, patient_id)
            if patient is None or patient.deleted:
                raise NotFound("patient.not_found")
            study = self._study(session, patient, utcnow())
            row.study_id = study.id
            session.flush()
            self._uow.audit(
                session,
                actor,
                "image.assign",
                patient_id=patient.id,
                entity="image_instance",
                entity_id=row.id,
            )
            return _view(row)


def _picture_pixels(data: bytes) -> np.ndarray:
    """An 8-bit RGB array from PNG or JPEG bytes (other formats are refused)."""
    import numpy as np  # noqa: PLC0415 - see the note at the top
    from PIL import Image, UnidentifiedImageError  # noqa: PLC0415

    try:
        with Image.open(io.BytesIO(data)) as picture:
            if picture.format not in {"PNG", "JPEG"}:
                raise ValidationError("image.unreadable", field="file")
            picture.load()
            return np.asarray(picture.convert("RGB"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError("image.unreadable", field="file") from None


def _nhs_number_in(patient_id: str) -> str:
    """The NHS number a Patient ID carries, or "" when it is not a valid one."""
    try:
        return normalise(patient_id)
    except ValidationError:
        return ""


def _parsed(data: bytes) -> Dataset:
    """A DICOM file's dataset, refusing what cannot be kept, in plain codes."""
    from pydicom import dcmread  # noqa: PLC0415 - see the note at the top
    from pydicom.errors import InvalidDicomError  # noqa: PLC0415

    try:
        with warnings.catch_warnings():
            # pydicom warns, then reads on, over a file cut short: that is a refusal here.
            warnings.simplefilter("error")
            ds = dcmread(io.BytesIO(data))
    except (InvalidDicomError, EOFError, ValueError, OSError, KeyError, UserWarning):
        raise ValidationError("dicom.unreadable", field="file") from None
    for required in ("SOPClassUID", "SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID"):
        if not getattr(ds, required, None):
            raise ValidationError("dicom.unreadable", field="file")
    if "PixelData" not in ds:
        raise ValidationError("dicom.no_pixels", field="file")
    syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    if syntax is None or not syntax.is_transfer_syntax:
        raise ValidationError("dicom.unknown_transfer_syntax", field="file")
    try:
        # Decoding the pixels proves they are whole and in a syntax we can read.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _ = ds.pixel_array
    except (ValueError, RuntimeError, NotImplementedError, EOFError, UserWarning):
        raise ValidationError("dicom.unreadable", field="file") from None
    return ds
