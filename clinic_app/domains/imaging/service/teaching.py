"""Teaching copies: a study de-identified for teaching, warning of burned-in text.

De-identification follows the DICOM Basic Application Level Confidentiality Profile with the
Clean Structured Content option (see :mod:`clinic_app.domains.imaging.dicom.anonymise`). The
study's reports and key-image notes (SR, KOS) go into the copy too, cleaned: their codes,
measurements and image references stay, their free text, names and dates do not. Text the
scanner wrote into the picture itself cannot be removed that way, so it is flagged.
"""

from __future__ import annotations

import io
import secrets
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select

from clinic_app.domains.imaging.model import ImageInstance, ImagingStudy
from clinic_app.domains.imaging.views import TeachingCopy
from clinic_app.kernel.attachments import Attachment
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, NotFound
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.uow import Context, UnitOfWork
from clinic_app.records.attachments import kept_bytes

#: Modalities of the objects that are reports, not pictures (SR and Key Object Selection).
_REPORT_MODALITIES = frozenset({"SR", "KO"})


@dataclass(frozen=True)
class StudyOriginals:
    """A study's images as kept, read (and the reading audited) for a teaching copy."""

    files: tuple[bytes, ...] = field(repr=False)


class TeachingService:
    """Makes teaching copies (making one is audited; the record is never changed).

    Two steps, so the store is not held while images are de-identified: :meth:`originals`
    reads the study's files from the store, :meth:`de_identify` makes the copy without it.
    """

    def __init__(self, context: Context) -> None:
        self._uow = UnitOfWork(context)

    def copy_study(self, actor: CurrentUser, study_id: uuid.UUID) -> TeachingCopy:
        """A de-identified copy of the study's images and reports (both steps, this thread).

        Raises:
            NotFound: ``image.study_not_found``, or ``file.not_here`` while an image is
                still on its way by sync. Conflict: ``pacs.no_images``.
        """
        return self.de_identify(self.originals(actor, study_id))

    def originals(self, actor: CurrentUser, study_id: uuid.UUID) -> StudyOriginals:
        """The study's image files as kept, for a teaching copy (the reading is audited).

        Raises:
            NotFound: ``image.study_not_found``, or ``file.not_here`` while an image is
                still on its way by sync. Conflict: ``pacs.no_images``.
        """
        with self._uow(actor, Action.IMAGE_CAPTURE) as session:
            study = session.get(ImagingStudy, study_id)
            if study is None or study.deleted:
                raise NotFound("image.study_not_found")
            instances = session.scalars(
                select(ImageInstance)
                .where(ImageInstance.study_id == study.id, ImageInstance.deleted.is_(False))
                .order_by(ImageInstance.created_at)
            ).all()
            if not instances:
                raise Conflict("pacs.no_images")
            originals: list[bytes] = []
            for instance in instances:
                data = kept_bytes(session, session.get(Attachment, instance.attachment_id))
                if data is None:
                    raise NotFound("file.not_here")
                originals.append(data)
            self._uow.audit(
                session,
                actor,
                "image.teaching_copy",
                patient_id=study.patient_id,
                entity="imaging_study",
                entity_id=study.id,
            )
        return StudyOriginals(tuple(originals))

    @staticmethod
    def de_identify(originals: StudyOriginals) -> TeachingCopy:
        """The teaching copy of a study's files (images first, then reports); no store."""
        from clinic_app.domains.imaging.dicom.anonymise import Export, anonymise  # noqa: PLC0415
        from clinic_app.domains.imaging.dicom.reading import kept_dataset  # noqa: PLC0415

        # A pseudonym that says what it is, and cannot be traced back to the patient.
        export = Export(pseudonym=f"TEACH-{secrets.token_hex(4).upper()}")
        images: list[bytes] = []
        reports: list[bytes] = []
        may_identify = False
        for data in originals.files:
            copy = anonymise(kept_dataset(data), export)
            out = io.BytesIO()
            copy.dataset.save_as(out, enforce_file_format=True)
            if copy.dataset.get("Modality") in _REPORT_MODALITIES:
                reports.append(out.getvalue())
            else:
                # A report has no pixels: only images can show burned-in text.
                may_identify = may_identify or copy.pixels_may_identify
                images.append(out.getvalue())
        files = tuple(
            (f"{export.pseudonym}-{number:03d}.dcm", data)
            for number, data in enumerate([*images, *reports], start=1)
        )
        return TeachingCopy(export.pseudonym, files, may_identify, reports=len(reports))
