"""Images in the record: grabbed frames, imported files, and objects waiting for a patient.

Every image is kept as a DICOM file (an attachment, so encrypted at rest and synced as a
file) with an ``image_instance`` row saying what it is. A study is the patient's imaging at
one encounter: the same day's study is reused. Imported DICOM is kept as received; it is
matched to a patient by NHS number or accession, and anything unmatched waits as an orphan
for a person to assign, never attached by a guess. The stored bytes never change: an object
a person assigns leaves the app under its record's patient and study, applied on the way
out (:mod:`clinic_app.domains.imaging.service.outgoing`).

The same object twice (a scanner re-sending, a file imported again): an object whose SOP
Instance UID is already held is compared by content, the SHA-256 of its data set after the
file meta information (group 0002, which the receiving side writes: implementation and
source AE title may differ between two arrivals of the same object). The same content is a
success that returns the instance already held, storing nothing; different content is
refused (``dicom.duplicate_instance``).
"""

from __future__ import annotations

import hashlib
import struct
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.imaging.dicom.names import dicom_sex, moved_series_uid, person_name
from clinic_app.domains.imaging.model import ImageInstance, ImageMarks, ImagingStudy, PacsSend
from clinic_app.domains.imaging.service import encoding
from clinic_app.domains.imaging.service.encoding import (
    CapturePlan,
    DicomFile,
    EncodedImage,
    Picture,
)
from clinic_app.domains.imaging.service.outgoing import leaving_as
from clinic_app.domains.imaging.service.settings import clip_compression, dicom_settings
from clinic_app.domains.imaging.views import InstanceView, PlannedScan, StudyView
from clinic_app.kernel.attachments import Attachment
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, NotFound, ValidationError
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.staff import User
from clinic_app.kernel.uow import SYSTEM, Context, Mode, UnitOfWork, recorded_by
from clinic_app.people.duplicates import (
    identities_of,
    same_patient,
    standing_for_number,
    survivor_of,
)
from clinic_app.people.episodes import open_episode_id
from clinic_app.people.model import Patient
from clinic_app.people.nhs_number import normalise
from clinic_app.records.attachments import FileSource, keep_file, kept_bytes

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import numpy as np

    from clinic_app.domains.imaging.dicom.measure import Annotation

# numpy and pydicom load on the first image, not when the app starts (sign-in stays quick).

DICOM_MEDIA_TYPE = "application/dicom"


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
        row.created_at,
        row.carried_patient_id,
        row.carried_accession,
        row.carried_name,
        row.carried_birth_date,
    )


def _pacs_state(study: ImagingStudy, send: PacsSend | None) -> str:
    if study.archived_at is not None:
        return "archived"
    if study.purpose != "clinical":
        return "educational"
    return send.state if send is not None else "not_sent"


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
        sex=dicom_sex(patient.sex),
    )


def _new_uid() -> str:
    from clinic_app.domains.imaging.dicom.capture import new_uid  # noqa: PLC0415 - see the note above

    return str(new_uid())


def _new_study(
    session: Session,
    patient_id: uuid.UUID,
    *,
    study_uid: str,
    started_at: datetime,
    accession: str | None = None,
    description: str | None = None,
) -> ImagingStudy:
    """A new study of the patient, in their open episode of care if they have one."""
    study = ImagingStudy(
        patient_id=patient_id,
        episode_id=open_episode_id(session, patient_id),
        study_uid=study_uid,
        started_at=started_at,
        accession=accession,
    )
    if description is not None:
        study.description = description
    session.add(study)
    session.flush()
    return study


class ImagingService:
    """Capture, import, and assign images."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._uow = UnitOfWork(context)

    def _study(self, session: Session, patient: Patient, when: datetime) -> ImagingStudy:
        """Today's study of the patient, or a new one: one study per encounter.

        Today's study made under a registration since merged into the record is theirs: the
        images join it (one encounter), under that registration as its others are.
        """
        day = when.astimezone().date()
        registrations = identities_of(session, patient.id)
        for study in session.scalars(
            select(ImagingStudy)
            .where(ImagingStudy.patient_id.in_(registrations), ImagingStudy.deleted.is_(False))
            .order_by(ImagingStudy.started_at.desc())
            .limit(5)
        ):
            if study.started_at.astimezone().date() == day:
                return study
        return _new_study(session, patient.id, study_uid=_new_uid(), started_at=when)

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

    def plan_capture(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        *,
        body_part: str,
        laterality: str,
        burned_in: bool = True,
    ) -> CapturePlan:
        """Where a new image of the patient goes: today's study (made if need be) and series.

        The first of the three steps of keeping a picture (plan, :meth:`encode`, :meth:`keep`);
        the store is not held while the picture is encoded.

        Raises:
            ValidationError: ``dicom.bad_laterality``, ``dicom.bad_body_part``,
                ``dicom.no_nhs_number``. NotFound: ``patient.not_found``.
        """
        from clinic_app.domains.imaging.dicom.capture import (  # noqa: PLC0415
            BODY_PARTS,
            LATERALITIES,
            CaptureContext,
        )

        if laterality not in LATERALITIES:
            raise ValidationError("dicom.bad_laterality", field="laterality")
        if body_part not in BODY_PARTS:
            raise ValidationError("dicom.bad_body_part", field="body_part")
        with self._uow(actor, Action.IMAGE_CAPTURE) as session:
            patient = session.get(Patient, patient_id)
            if patient is None or patient.deleted:
                raise NotFound("patient.not_found")
            if not patient.nhs_number:
                raise ValidationError("dicom.no_nhs_number", field="patient")
            when = utcnow()
            study = self._study(session, patient, when)
            # Labelled (and its overlay written) as the study's objects leave for the PACS:
            # the record on screen, or the registration the PACS holds the study under.
            labelled = session.get(Patient, leaving_as(session, study)) or patient
            if not labelled.nhs_number:
                labelled = patient
            user = session.get(User, recorded_by(actor)) if recorded_by(actor) else None
            operator = person_name(user.display_name) if user else ""
            return CapturePlan(
                # Kept under the study's registration (the record's own, or one merged in).
                patient_id=study.patient_id,
                study_id=study.id,
                context=CaptureContext(
                    nhs_number=str(labelled.nhs_number),
                    family_name=labelled.family_name,
                    given_name=labelled.given_name,
                    birth_date=labelled.date_of_birth,
                    sex=dicom_sex(labelled.sex),
                    study_uid=study.study_uid,
                    series_uid=self._series(session, study, body_part, laterality),
                    body_part=body_part,
                    laterality=laterality,
                    operator=operator,
                    when=when,
                    burned_in=burned_in,
                    accession=study.accession or "",
                    study_started=study.started_at,
                ),
                clip_compression=clip_compression(dicom_settings(session)),
            )

    @staticmethod
    def encode(plan: CapturePlan, picture: Picture) -> EncodedImage:
        """The picture as a DICOM object of the planned study; never touches the store."""
        return encoding.encode(plan, picture)

    @staticmethod
    def read_file(
        data: bytes, *, cancelled: Callable[[], bool] | None = None
    ) -> Picture | DicomFile:
        """What a file to import holds (DICOM, or pixels); never touches the store.

        ``cancelled`` is polled while a clip decodes, which stops once it returns True.

        Raises:
            ValidationError: as :func:`clinic_app.domains.imaging.service.encoding.read_file`.
        """
        return encoding.read_file(data, cancelled=cancelled)

    def keep(self, actor: CurrentUser, image: EncodedImage) -> InstanceView:
        """Keep an encoded picture in the patient's record, in one unit of work."""
        plan = image.plan
        with self._uow(actor, Action.IMAGE_CAPTURE) as session:
            attachment = keep_file(
                session,
                plan.patient_id,
                f"{image.sop_instance_uid}.dcm",
                DICOM_MEDIA_TYPE,
                image.data,
            )
            row = ImageInstance(
                study_id=plan.study_id,
                attachment_id=attachment.id,
                sop_class_uid=image.sop_class_uid,
                sop_instance_uid=image.sop_instance_uid,
                series_uid=plan.context.series_uid,
                body_part=plan.context.body_part,
                laterality=plan.context.laterality,
                frames=image.frames,
                source=image.source,
                carried_patient_id=plan.context.nhs_number,
            )
            session.add(row)
            session.flush()
            self._uow.audit(
                session,
                actor,
                "image.capture",
                patient_id=plan.patient_id,
                entity="image_instance",
                entity_id=row.id,
            )
            return _view(row)

    def _capture(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        picture: Picture,
        *,
        body_part: str,
        laterality: str,
        burned_in: bool,
    ) -> InstanceView:
        """The three steps on the calling thread (for the core's callers; a screen chains them)."""
        plan = self.plan_capture(
            actor, patient_id, body_part=body_part, laterality=laterality, burned_in=burned_in
        )
        return self.keep(actor, self.encode(plan, picture))

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
            Picture(frame),
            body_part=body_part,
            laterality=laterality,
            burned_in=burned_in,
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
            Picture(frames, frame_time_ms),
            body_part=body_part,
            laterality=laterality,
            burned_in=burned_in,
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
        return self._capture(
            actor,
            patient_id,
            encoding.read_picture(data),
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
        return self.keep_dicom(
            actor, encoding.read_dicom(data), patient_id=patient_id, action=action
        )

    def keep_dicom(
        self,
        actor: CurrentUser,
        file: DicomFile,
        *,
        patient_id: uuid.UUID | None = None,
        action: Action = Action.IMAGE_CAPTURE,
    ) -> InstanceView:
        """Keep a DICOM file already read, as :meth:`import_dicom` does, in one unit of work.

        An object already held (the same SOP Instance UID with the same content) is not kept
        again: the instance held is returned.

        Raises:
            NotFound: ``patient.not_found``.
            Conflict: ``dicom.wrong_patient`` when it names another patient than ``patient_id``
                (or is already held in another patient's record);
                ``dicom.duplicate_instance`` when a different object with its SOP Instance UID
                is already held.
        """
        ds = file.dataset
        carried = _nhs_number_in(str(getattr(ds, "PatientID", "") or ""))
        accession = str(getattr(ds, "AccessionNumber", "") or "")[:16] or None
        study_uid = str(ds.StudyInstanceUID)
        with self._uow(actor, action) as session:
            held = session.scalars(
                select(ImageInstance).where(
                    ImageInstance.sop_instance_uid == str(ds.SOPInstanceUID)
                )
            ).first()
            if held is not None:
                return _view(_already_held(session, held, file.data, patient_id))
            candidates = self._candidates(session, carried, accession, study_uid)
            agreed = set(candidates.values())
            patient: Patient | None = None
            if len(agreed) == 1 and None not in agreed:
                patient = session.get(Patient, agreed.pop())
            if patient_id is not None:
                chosen = session.get(Patient, patient_id)
                if chosen is None or chosen.deleted:
                    raise NotFound("patient.not_found")
                standing = survivor_of(session, chosen.id)
                if any(found != standing for found in candidates.values()):
                    if carried and _registered_twice(session, carried, standing):
                        # Its number is this patient's, and another registration's not yet
                        # merged with them: said so, rather than "another patient".
                        raise Conflict("dicom.registered_twice")
                    raise Conflict("dicom.wrong_patient")
                patient = chosen
            study = None
            if patient is not None:
                study = self._study_for_import(session, patient, study_uid)
            attachment = keep_file(
                session,
                # The study's patient: a study under a registration merged into the record
                # keeps its images under that registration, as its other images are.
                study.patient_id if study is not None else None,
                f"{ds.SOPInstanceUID}.dcm",
                DICOM_MEDIA_TYPE,
                file.source,
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
                carried_patient_id=str(getattr(ds, "PatientID", "") or "")[:64] or None,
                carried_accession=accession,
                carried_name=str(getattr(ds, "PatientName", "") or "")[:200] or None,
                carried_birth_date=str(getattr(ds, "PatientBirthDate", "") or "")[:8] or None,
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
            study = _new_study(
                session,
                patient.id,
                study_uid=_new_uid(),
                started_at=now,
                # Accession Number is SH (16 characters): OS and twelve random digits.
                accession=f"OS{uuid.uuid4().int % 10**12:012d}",
                description=description.strip()[:64] or "MSK ultrasound",
            )
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
        with self._uow(SYSTEM, Action.IMAGE_RECEIVE, mode=Mode.READ) as session:
            studies = session.scalars(
                select(ImagingStudy)
                .where(ImagingStudy.accession.is_not(None), ImagingStudy.deleted.is_(False))
                .order_by(ImagingStudy.started_at)
            ).all()
            planned = []
            for study in studies:
                if study.started_at.astimezone().date() != wanted:
                    continue
                # Named as its objects leave for the PACS (the record that stands for its
                # registration now, or as the PACS holds the study): the scanner labels its
                # images with what the worklist says, and may send them to the PACS itself.
                patient = session.get(Patient, leaving_as(session, study))
                if patient is not None and not patient.deleted:
                    planned.append(_planned(study, patient))
            return planned

    def receive(self, data: bytes | Path) -> InstanceView:
        """An object a scanner pushed: kept as received, matched or left as an orphan.

        ``data`` is the object as a DICOM file, in memory or (as the listener hands it on,
        so a long clip is never held whole) on disk; it is checked from its header and first
        frame only. The device receives it, not a signed-in user, so it is recorded as the
        system's.

        Raises:
            ValidationError: the codes of :func:`encoding.read_dicom`.
        """
        return self.keep_dicom(SYSTEM, encoding.read_dicom(data), action=Action.IMAGE_RECEIVE)

    @property
    def store_path(self) -> Path | None:
        """The device's store file (its folder is the app's private data folder), or None."""
        return self._context.store.path

    @staticmethod
    def check_received(source: bytes | Path | FileSource) -> DicomFile:
        """An object a scanner pushed, checked from its header and first frame (no store).

        Raises:
            ValidationError: the codes of :func:`encoding.read_dicom`.
        """
        return encoding.read_dicom(source)

    def held_already(
        self,
        sop_instance_uid: str,
        sha256: Callable[[], str],
        data_set_digest: Callable[[], str],
    ) -> bool:
        """Whether the store already holds this object (the duplicate rule, read only).

        ``sha256`` and ``data_set_digest`` work out the digests of the whole file and of its
        data set (as :func:`content_digest`); they are asked only when something is held under
        its SOP Instance UID (which is rare). False when nothing is.

        Raises:
            Conflict: ``dicom.duplicate_instance`` when a different object holds the UID.
        """
        with self._uow(SYSTEM, Action.IMAGE_RECEIVE, mode=Mode.READ) as session:
            held = session.scalars(
                select(ImageInstance).where(ImageInstance.sop_instance_uid == sop_instance_uid)
            ).first()
            if held is None:
                return False
            if _same_object(session, held, sha256, data_set_digest):
                return True
            raise Conflict("dicom.duplicate_instance")

    def take_in(self, file: DicomFile) -> InstanceView:
        """Keep an object a scanner pushed (already checked) as :meth:`receive` does."""
        return self.keep_dicom(SYSTEM, file, action=Action.IMAGE_RECEIVE)

    def record_refused_arrival(self) -> None:
        """Note in the audit trail that an object answered as kept could not be taken in.

        Only that it happened: its code and the object itself wait, sealed, in the receive
        spool's refused folder for a person (nothing of the patient is written here).
        """
        with self._uow(SYSTEM, Action.IMAGE_RECEIVE) as session:
            self._uow.audit(session, SYSTEM, "image.receive_refused", entity="receive_spool")

    @staticmethod
    def _candidates(
        session: Session, nhs: str, accession: str | None, study_uid: str
    ) -> dict[str, uuid.UUID | None]:
        """Whose each identifier the object carries says it is (None: nobody, or not one).

        Each names the record that stands for the patient now: a registration merged into
        another record is that record (:func:`~clinic_app.people.duplicates.survivor_of`).
        An object joins a patient only when every identifier it carries points to that same
        record: an NHS number nobody here has, one held by two records not merged (a
        duplicate waiting for a person), or an accession of one patient's scan with another's
        NHS number, leaves it for a person to assign. Patient IDs that are not NHS numbers (a
        scanner's own numbering) cannot be checked and are not used.
        """
        found: dict[str, uuid.UUID | None] = {}
        if nhs:
            standing = standing_for_number(session, nhs, live_only=True)
            found["nhs_number"] = standing.pop() if len(standing) == 1 else None
        if accession:
            study = session.scalars(
                select(ImagingStudy)
                .join(Patient, Patient.id == ImagingStudy.patient_id)
                .where(
                    ImagingStudy.accession == accession,
                    ImagingStudy.deleted.is_(False),
                    Patient.deleted.is_(False),
                )
            ).first()
            if study is not None:
                found["accession"] = survivor_of(session, study.patient_id)
        existing = session.scalars(
            select(ImagingStudy).where(
                ImagingStudy.study_uid == study_uid, ImagingStudy.deleted.is_(False)
            )
        ).first()
        if existing is not None:
            found["study"] = survivor_of(session, existing.patient_id)
        return found

    @staticmethod
    def _study_for_import(session: Session, patient: Patient, study_uid: str) -> ImagingStudy:
        study = session.scalars(
            select(ImagingStudy).where(ImagingStudy.study_uid == study_uid)
        ).first()
        if study is None:
            study = _new_study(session, patient.id, study_uid=study_uid, started_at=utcnow())
        return study

    def orphans(self, actor: CurrentUser) -> list[InstanceView]:
        """Objects waiting for a person to say whose they are, oldest first."""
        with self._uow(actor, Action.IMAGE_VIEW, mode=Mode.AUDITED_READ) as session:
            rows = session.scalars(
                select(ImageInstance)
                .where(ImageInstance.study_id.is_(None), ImageInstance.deleted.is_(False))
                .order_by(ImageInstance.created_at)
            ).all()
            self._uow.audit(session, actor, "image.list_orphans")
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
            # It joins another study, so another series: the one it leaves the app with.
            row.series_uid = moved_series_uid(row.series_uid, study.study_uid)
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

    def import_clip(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        data: bytes,
        *,
        body_part: str,
        laterality: str,
        burned_in: bool = True,
    ) -> InstanceView:
        """An MP4 clip for the patient, kept as Multi-frame True Color SC at its own timing.

        The frames of an MP4 have been through lossy compression, and the object says so
        (Lossy Image Compression ``01``, with the ratio and, where DICOM names one, the method).

        Raises:
            ValidationError: ``video.unreadable``, ``video.no_video``, ``video.too_long``,
                ``video.bad_timing``, and as :meth:`capture_clip`.
        """
        return self._capture(
            actor,
            patient_id,
            encoding.read_clip(data),
            body_part=body_part,
            laterality=laterality,
            burned_in=burned_in,
        )

    def import_file(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        data: bytes,
        *,
        body_part: str,
        laterality: str,
    ) -> InstanceView:
        """Import a file into the patient's record, whatever kind it is (told by its bytes).

        DICOM is kept as it is (and must name this patient, if it names anyone); a PNG or
        JPEG still and an MP4 clip become Secondary Capture objects for the body part and side.
        A screen runs the same steps apart: :meth:`read_file`, then :meth:`keep_dicom`, or
        :meth:`plan_capture`, :meth:`encode` and :meth:`keep`.

        Raises:
            ValidationError: ``image.unknown_kind`` for anything else, and as the import of
                that kind.
        """
        found = self.read_file(data)
        if isinstance(found, DicomFile):
            return self.keep_dicom(actor, found, patient_id=patient_id)
        return self._capture(
            actor, patient_id, found, body_part=body_part, laterality=laterality, burned_in=True
        )

    def studies(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[StudyView]:
        """The patient's studies, the newest first, each with its images and PACS state.

        Those made under a registration since merged into the record are the patient's too:
        each names the registration it was made under (``StudyView.patient_id``).
        """
        with self._uow(actor, Action.IMAGE_VIEW, mode=Mode.AUDITED_READ) as session:
            self._uow.audit(session, actor, "imaging.list_studies", patient_id=patient_id)
            registrations = identities_of(session, patient_id)
            studies = session.scalars(
                select(ImagingStudy)
                .where(ImagingStudy.patient_id.in_(registrations), ImagingStudy.deleted.is_(False))
                .order_by(ImagingStudy.started_at.desc(), ImagingStudy.id)
            ).all()
            views: list[StudyView] = []
            for study in studies:
                instances = session.scalars(
                    select(ImageInstance)
                    .where(ImageInstance.study_id == study.id, ImageInstance.deleted.is_(False))
                    .order_by(ImageInstance.created_at)
                ).all()
                send = session.scalars(
                    select(PacsSend)
                    .where(PacsSend.study_id == study.id)
                    .order_by(PacsSend.requested_at.desc())
                    .limit(1)
                ).first()
                views.append(
                    StudyView(
                        id=study.id,
                        study_uid=study.study_uid,
                        started_at=study.started_at,
                        description=study.description,
                        accession=study.accession,
                        purpose=study.purpose,
                        archived_at=study.archived_at,
                        pacs_state=_pacs_state(study, send),
                        pacs_error=send.last_error if send is not None else None,
                        pacs_attempts=send.attempts if send is not None else 0,
                        instances=tuple(_view(row) for row in instances),
                        episode_id=study.episode_id,
                        patient_id=study.patient_id,
                        pacs_patient_id=study.pacs_patient_id,
                    )
                )
            return views

    def image_file(self, actor: CurrentUser, instance_id: uuid.UUID) -> bytes:
        """An image's DICOM file, to show (looking is audited).

        Raises:
            NotFound: ``image.not_found``, or ``file.not_here`` while its bytes are still
                on their way by sync.
        """
        with self._uow(actor, Action.IMAGE_VIEW, mode=Mode.AUDITED_READ) as session:
            row = session.get(ImageInstance, instance_id)
            attachment = session.get(Attachment, row.attachment_id) if row else None
            if row is None or row.deleted or attachment is None:
                raise NotFound("image.not_found")
            data = kept_bytes(session, attachment)
            if data is None:
                raise NotFound("file.not_here")
            # Whose image it is: its study's patient (a scanner's image assigned here has a
            # study before its file is given a patient, which the server does on sync).
            study = session.get(ImagingStudy, row.study_id) if row.study_id else None
            self._uow.audit(
                session,
                actor,
                "image.view",
                patient_id=study.patient_id if study is not None else attachment.patient_id,
                entity="image_instance",
                entity_id=row.id,
            )
            return data

    def marks(self, actor: CurrentUser, instance_id: uuid.UUID) -> list[Annotation]:
        """What people drew on an image, in the order they drew it."""
        from clinic_app.domains.imaging.dicom.measure import Annotation  # noqa: PLC0415

        with self._uow(actor, Action.IMAGE_VIEW, mode=Mode.READ) as session:
            row = session.scalars(
                select(ImageMarks).where(ImageMarks.instance_id == instance_id)
            ).first()
            if row is None or row.deleted:
                return []
            return [Annotation.from_json(mark) for mark in row.marks]

    def save_marks(
        self, actor: CurrentUser, instance_id: uuid.UUID, marks: list[Annotation]
    ) -> None:
        """Keep the marks on an image (the pixels never change).

        Raises:
            NotFound: ``image.not_found``. ValidationError: ``image.bad_annotation``, or
            ``image.bad_annotation`` when a mark lies on a frame the image does not have.
        """
        from clinic_app.domains.imaging.dicom.measure import Annotation  # noqa: PLC0415

        # Checked again on the way in: the list is what a screen built, not what was typed.
        values = [Annotation.from_json(mark.to_json()).to_json() for mark in marks]
        with self._uow(actor, Action.IMAGE_CAPTURE) as session:
            image = session.get(ImageInstance, instance_id)
            if image is None or image.deleted:
                raise NotFound("image.not_found")
            if any(mark.frame >= image.frames for mark in marks):
                raise ValidationError("image.bad_annotation", field="annotation")
            row = session.scalars(
                select(ImageMarks).where(ImageMarks.instance_id == instance_id)
            ).first()
            if row is None:
                row = ImageMarks(instance_id=instance_id, marks=values)
                session.add(row)
            else:
                row.marks = values
                row.deleted = False
            session.flush()
            study = session.get(ImagingStudy, image.study_id) if image.study_id else None
            self._uow.audit(
                session,
                actor,
                "image.marks",
                patient_id=study.patient_id if study else None,
                entity="image_instance",
                entity_id=image.id,
            )


def _already_held(
    session: Session, held: ImageInstance, data: bytes, patient_id: uuid.UUID | None
) -> ImageInstance:
    """``held`` when ``data`` is the same object; refused when it is not, or is elsewhere."""
    same = _same_object(
        session,
        held,
        lambda: hashlib.sha256(data).hexdigest(),
        lambda: content_digest(data),
    )
    if not same:
        raise Conflict("dicom.duplicate_instance")
    if patient_id is not None and held.study_id is None:
        # The scanner's copy waits for a person to compare it with the record and assign
        # it: importing it again does not file it (nor say so), it is assigned there.
        raise Conflict("dicom.waiting_for_patient")
    if patient_id is not None and held.study_id is not None:
        study = session.get(ImagingStudy, held.study_id)
        # Held in a study under a registration merged into the record is held for them.
        if study is not None and not same_patient(session, study.patient_id, patient_id):
            raise Conflict("dicom.wrong_patient")
    return held


def _same_object(
    session: Session,
    held: ImageInstance,
    sha256: Callable[[], str],
    data_set_digest: Callable[[], str],
) -> bool:
    """Whether an arriving object (its digests, worked out on demand) is the one ``held``.

    The same file bytes, or else the same data set (the file meta, which each receiver
    writes itself, may differ).
    """
    attachment = session.get(Attachment, held.attachment_id)
    if attachment is not None and attachment.sha256 == sha256():
        return True
    stored = kept_bytes(session, attachment)
    return stored is not None and content_digest(stored) == data_set_digest()


def content_digest(data: bytes) -> str:
    """SHA-256 of a DICOM file's data set, leaving out its preamble and file meta information.

    The file meta group (0002) is always Explicit VR Little Endian (PS3.10 7.1); it is walked
    element by element rather than trusting its group length.
    """
    offset = 132 if data[128:132] == b"DICM" else 0
    long_vrs = {b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR"}
    long_vrs |= {b"UT", b"UV"}
    while offset + 8 <= len(data):
        group = struct.unpack_from("<H", data, offset)[0]
        if group != 0x0002:
            break
        vr = data[offset + 4 : offset + 6]
        if vr in long_vrs:
            offset += 12 + struct.unpack_from("<I", data, offset + 8)[0]
        else:
            offset += 8 + struct.unpack_from("<H", data, offset + 6)[0]
    return hashlib.sha256(data[offset:]).hexdigest()


def _registered_twice(session: Session, nhs: str, standing: uuid.UUID) -> bool:
    """Whether ``nhs`` is on the record ``standing`` and on another not merged with it."""
    records = standing_for_number(session, nhs, live_only=True)
    return standing in records and len(records) > 1


def _nhs_number_in(patient_id: str) -> str:
    """The NHS number a Patient ID carries, or "" when it is not a valid one."""
    try:
        return normalise(patient_id)
    except ValidationError:
        return ""
