"""Scan reports: drafts, signing alone, and a trainee's report reviewed by their supervisor.

A practitioner entitled to report alone writes and signs. A trainee writes and submits to
their named supervisor, who returns it with feedback or verifies it, recording how they
supervised and whether they agreed. Signing and verifying ask for the password again, show
an attestation sentence, and seal the content with its SHA-256; a signed report never
changes, and a later change is an addendum: a new version pointing at its predecessor.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.imaging.model import ImageInstance, ImagingStudy
from clinic_app.domains.reports.model import ScanReport, ScanReportReview
from clinic_app.domains.reports.record import SCAN_REPORT, final_report_rows
from clinic_app.domains.reports.rules import BODY_REGION_MAX, TEXT_MAX
from clinic_app.domains.reports.views import (
    Logbook,
    LogbookRow,
    PatientIdentity,
    PendingReview,
    PrintableReport,
    ReportView,
)
from clinic_app.kernel import validation as check
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import (
    Conflict,
    FormErrors,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from clinic_app.kernel.security.permissions import Action, allows, require
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.staff import User, display_name
from clinic_app.kernel.uow import Context, Mode, UnitOfWork, recorded_by
from clinic_app.kernel.vocabulary import RecordStatus, Role
from clinic_app.people.auth import AuthService
from clinic_app.people.duplicates import identities_of, same_patient, survivor_of
from clinic_app.people.episodes import open_episode_id
from clinic_app.people.model import Patient
from clinic_app.records.attestation import attestation, changed_attestations
from clinic_app.records.seal import intact, seal
from clinic_app.records.sections import require_sections

#: The sections written as text, as the scan report's record type declares them.
TEXT_FIELDS = tuple(section.key for section in SCAN_REPORT.text_sections)
LABEL_MAX = 120
SUPERVISION_MODES = ("present", "remote_live", "retrospective")
AGREEMENTS = ("agree", "minor", "major")
#: Shown at signing; a service may set its own wording (see ``attestation``).
DEFAULT_ATTESTATION = SCAN_REPORT.attestations


def _view(session: Session, row: ScanReport) -> ReportView:
    feedback = session.scalars(
        select(ScanReportReview.feedback)
        .where(ScanReportReview.report_id == row.id, ScanReportReview.outcome == "returned")
        .order_by(ScanReportReview.reviewed_at)
    ).all()
    return ReportView(
        id=row.id,
        study_id=row.study_id,
        patient_id=row.patient_id,
        author_id=row.author_id,
        author_name=display_name(session, row.author_id),
        status=row.status,
        version=row.version,
        predecessor_id=row.predecessor_id,
        content=dict(row.content),
        supervisor_id=row.supervisor_id,
        supervisor_name=display_name(session, row.supervisor_id) or None,
        submitted_at=row.submitted_at,
        supervisor_words=row.supervisor_words,
        supervision_mode=row.supervision_mode,
        agreement=row.agreement,
        signed_at=row.signed_at,
        verified=row.verified_by is not None,
        content_sha256=row.content_sha256,
        feedback=tuple(feedback),
        updated_at=row.updated_at,
        intact=intact(SCAN_REPORT, row),
        episode_id=row.episode_id,
        # Named as the record that stands for its registration now (a merge is a correction).
        patient=_identity(session, survivor_of(session, row.patient_id)),
        for_review=row.supervisor_id is not None or _is_trainee(session, row.author_id),
    )


def _is_trainee(session: Session, user_id: uuid.UUID) -> bool:
    """Whether the author's reports are verified by a supervisor (unknown: taken as so)."""
    author = session.get(User, user_id)
    return author is None or author.role is Role.TRAINEE


def _identity(session: Session, patient_id: uuid.UUID) -> PatientIdentity | None:
    patient = session.get(Patient, patient_id)
    if patient is None:
        return None
    return PatientIdentity(
        family_name=patient.family_name,
        given_name=patient.given_name,
        title=patient.title,
        nhs_number=patient.nhs_number,
        date_of_birth=patient.date_of_birth,
    )


def _clean_content(
    session: Session, study_id: uuid.UUID, values: Mapping[str, Any]
) -> dict[str, Any]:
    """The report's content, checked: text lengths, and images of this study only."""
    errors: list[ValidationError] = []
    content: dict[str, Any] = {}
    for section in SCAN_REPORT.text_sections:
        text = str(values.get(section.key) or "").strip()
        longest = section.max_length or TEXT_MAX
        if len(text) > longest:
            errors.append(ValidationError("text.too_long", field=section.key, max_length=longest))
        content[section.key] = text
    content["body_region"] = str(values.get("body_region") or "").strip()[:BODY_REGION_MAX]
    study_images = set(
        session.scalars(
            select(ImageInstance.id).where(
                ImageInstance.study_id == study_id, ImageInstance.deleted.is_(False)
            )
        )
    )
    keys: list[str] = []
    for value in values.get("key_images") or []:
        if uuid.UUID(str(value)) not in study_images:
            errors.append(ValidationError("report.image_not_in_study", field="key_images"))
            break
        keys.append(str(value))
    measurements: list[dict[str, Any]] = []
    for item in values.get("measurements") or []:
        try:
            mm = float(item["mm"])
            instance = uuid.UUID(str(item["instance_id"]))
            label = str(item.get("label") or "").strip()[:LABEL_MAX]
            frame = int(item.get("frame") or 0)
        except (KeyError, TypeError, ValueError):
            errors.append(ValidationError("report.bad_measurement", field="measurements"))
            break
        if instance not in study_images or not 0 < mm < 1000 or frame < 0:
            errors.append(ValidationError("report.bad_measurement", field="measurements"))
            break
        measurements.append(
            {"label": label, "mm": round(mm, 1), "instance_id": str(instance), "frame": frame}
        )
    if measurements and not errors and not _all_measured(session, study_id, measurements):
        errors.append(ValidationError("report.measurement_not_measured", field="measurements"))
    if errors:
        raise FormErrors(errors)
    content["key_images"] = keys
    content["measurements"] = measurements
    return content


def _all_measured(
    session: Session, study_id: uuid.UUID, measurements: list[dict[str, Any]]
) -> bool:
    """True when every distance is one the app measured on a calibrated image of the study.

    A report's mm go into the SR as measurements, so none may come from anywhere else: not
    typed in, not from an uncalibrated picture (a grabbed video frame has no scale).
    """
    from clinic_app.domains.reports.archive import measured_distances  # noqa: PLC0415

    measured = {
        (str(item["instance_id"]), int(str(item.get("frame") or 0)), float(str(item["mm"])))
        for item in measured_distances(session, study_id)
    }
    return all(
        (item["instance_id"], item["frame"], item["mm"]) in measured for item in measurements
    )


def _ready_to_sign(content: Mapping[str, Any]) -> None:
    require_sections(SCAN_REPORT.sections, content, SCAN_REPORT.required_code)


class ReportService:
    """Write, submit, review, verify and sign scan reports; the supervisor's queue; logbooks."""

    def __init__(self, context: Context, auth: AuthService) -> None:
        self._context = context
        self._auth = auth
        self._uow = UnitOfWork(context)

    # ------------------------------------------------------------ writing

    def start(
        self, actor: CurrentUser, study_id: uuid.UUID, patient_id: uuid.UUID | None = None
    ) -> ReportView:
        """The report of a study to open: the actor's in progress, else the final one.

        A study with no report in progress by the actor and none final gets a new draft,
        under the registration the study was made under (its report joins it in the PACS).
        A final report (signed alone, or verified) is opened as it is; a change to it is
        an addendum, a new version made from it. With ``patient_id`` (the record on
        screen) the study must be that patient's, or a registration's merged into it.

        Raises:
            NotFound: ``image.study_not_found``.
            Conflict: ``report.wrong_patient`` for another patient's study.
        """
        with self._uow(actor, Action.REPORT_WRITE) as session:
            study = session.get(ImagingStudy, study_id)
            if study is None or study.deleted:
                raise NotFound("image.study_not_found")
            if patient_id is not None and not same_patient(session, study.patient_id, patient_id):
                raise Conflict("report.wrong_patient")
            open_report = session.scalars(
                select(ScanReport).where(
                    ScanReport.study_id == study.id,
                    ScanReport.author_id == actor.id,
                    ScanReport.status.in_(
                        (RecordStatus.DRAFT, RecordStatus.RETURNED, RecordStatus.SUBMITTED)
                    ),
                    ScanReport.deleted.is_(False),
                )
            ).first()
            if open_report is not None:
                return _view(session, open_report)
            final = self._final_version(session, study.id)
            if final is not None:
                # Reported already: the final report is read (and printed), never redone.
                return _view(session, final)
            row = ScanReport(
                study_id=study.id,
                patient_id=study.patient_id,
                # Its study's episode; a study made before episodes were kept takes the open one.
                episode_id=study.episode_id or open_episode_id(session, study.patient_id),
                author_id=actor.id,
                content=_clean_content(session, study.id, {}),
            )
            session.add(row)
            session.flush()
            self._uow.audit(
                session,
                actor,
                "report.start",
                patient_id=row.patient_id,
                entity="scan_report",
                entity_id=row.id,
            )
            return _view(session, row)

    def save(
        self, actor: CurrentUser, report_id: uuid.UUID, values: Mapping[str, Any]
    ) -> ReportView:
        """Keep what the author has written (a draft, or a report returned to them).

        Raises:
            FormErrors: ``text.too_long``, ``report.image_not_in_study``,
                ``report.bad_measurement``.
            Conflict: ``report.not_editable`` once submitted or signed.
            PermissionDenied: ``report.not_author``.
        """
        with self._uow(actor, Action.REPORT_WRITE) as session:
            row = self._checked(session, actor, report_id, "edit")
            row.content = _clean_content(session, row.study_id, values)
            session.flush()
            return _view(session, row)

    def _checked(
        self, session: Session, actor: CurrentUser, report_id: uuid.UUID, step: str
    ) -> ScanReport:
        """The report, once the actor may take ``step`` on it (its lifecycle's codes)."""
        row = self._load(session, report_id)
        SCAN_REPORT.lifecycle.check(
            step,
            status=row.status,
            role=actor.role,
            actor=actor.id,
            author=row.author_id,
            reviewer=row.supervisor_id,
        )
        return row

    @staticmethod
    def _final_version(session: Session, study_id: uuid.UUID) -> ScanReport | None:
        """The study's latest final version (signed alone or verified), if any."""
        return session.scalars(
            select(ScanReport)
            .where(
                ScanReport.study_id == study_id,
                ScanReport.status == RecordStatus.SIGNED,
                ScanReport.deleted.is_(False),
            )
            .order_by(ScanReport.signed_at.desc(), ScanReport.version.desc())
            .limit(1)
        ).one_or_none()

    @staticmethod
    def _load(session: Session, report_id: uuid.UUID) -> ScanReport:
        row = session.get(ScanReport, report_id)
        if row is None or row.deleted:
            raise NotFound("report.not_found")
        return row

    # ------------------------------------------------------------ a trainee's route

    def submit(self, actor: CurrentUser, report_id: uuid.UUID) -> ReportView:
        """Send a trainee's report to their named supervisor for review.

        Raises:
            FormErrors: ``report.required`` (findings, impression).
            Conflict: ``report.no_supervisor`` when the trainee has no named supervisor.
        """
        with self._uow(actor, Action.REPORT_WRITE) as session:
            row = self._checked(session, actor, report_id, "submit")
            _ready_to_sign(row.content)
            author = session.get(User, actor.id)
            if author is None or author.supervisor_id is None:
                raise Conflict("report.no_supervisor")
            row.supervisor_id = author.supervisor_id
            row.status = RecordStatus.SUBMITTED
            row.submitted_at = utcnow()
            session.flush()
            self._uow.audit(
                session,
                actor,
                "report.submit",
                patient_id=row.patient_id,
                entity="scan_report",
                entity_id=row.id,
            )
            return _view(session, row)

    def return_to_trainee(
        self, actor: CurrentUser, report_id: uuid.UUID, feedback: str
    ) -> ReportView:
        """Send a submitted report back to its trainee with feedback.

        Raises:
            ValidationError: ``text.empty`` / ``text.too_long`` (field ``feedback``).
            PermissionDenied: ``report.not_named_supervisor``, ``report.own_report``.
            Conflict: ``report.not_submitted``.
        """
        words = check.required_text(feedback, "feedback", TEXT_MAX)
        with self._uow(actor, Action.REPORT_VERIFY) as session:
            row = self._checked(session, actor, report_id, "return")
            row.status = RecordStatus.RETURNED
            # The report's change first, then its review: a server checks the review
            # against the report as it stands, and a push carries them in this order.
            session.flush()
            session.add(
                ScanReportReview(
                    report_id=row.id,
                    reviewer_id=actor.id,
                    trainee_id=row.author_id,
                    outcome="returned",
                    feedback=words,
                    reviewed_at=utcnow(),
                )
            )
            session.flush()
            self._uow.audit(
                session,
                actor,
                "report.return",
                patient_id=row.patient_id,
                entity="scan_report",
                entity_id=row.id,
            )
            return _view(session, row)

    def verify(
        self,
        actor: CurrentUser,
        report_id: uuid.UUID,
        password: str,
        *,
        supervision_mode: str,
        agreement: str,
        supervisor_words: str = "",
        feedback: str = "",
    ) -> ReportView:
        """The named supervisor verifies a trainee's report: it becomes final.

        Raises:
            FormErrors: ``report.choose_mode``, ``report.choose_agreement``,
                ``text.too_long``.
            AuthenticationFailed: ``auth.failed`` (wrong password), ``auth.locked_out``.
            PermissionDenied: ``report.not_named_supervisor``, ``report.own_report``, and
                for anyone without the verify permission.
            Conflict: ``report.not_submitted``.
        """
        require(actor.role, Action.REPORT_VERIFY)
        errors: list[ValidationError] = []
        if supervision_mode not in SUPERVISION_MODES:
            errors.append(ValidationError("report.choose_mode", field="supervision_mode"))
        if agreement not in AGREEMENTS:
            errors.append(ValidationError("report.choose_agreement", field="agreement"))
        words = supervisor_words.strip()
        if len(words) > TEXT_MAX:
            errors.append(ValidationError("text.too_long", field="supervisor_words"))
        if errors:
            raise FormErrors(errors)
        self._auth.check_password(actor, password)
        with self._uow(actor, Action.REPORT_VERIFY) as session:
            row = self._checked(session, actor, report_id, "verify")
            now = utcnow()
            row.supervisor_words = words or None
            row.supervision_mode = supervision_mode
            row.agreement = agreement
            row.verified_by = actor.id
            self._seal(session, row, actor, now, self.attestation(session, "verify"), step="verify")
            session.flush()  # the report verified before its review (as in ``return``)
            session.add(
                ScanReportReview(
                    report_id=row.id,
                    reviewer_id=actor.id,
                    trainee_id=row.author_id,
                    outcome="verified",
                    feedback=feedback.strip()[:TEXT_MAX],
                    supervision_mode=supervision_mode,
                    agreement=agreement,
                    reviewed_at=now,
                )
            )
            session.flush()
            self._uow.audit(
                session,
                actor,
                "report.verify",
                patient_id=row.patient_id,
                entity="scan_report",
                entity_id=row.id,
            )
            return _view(session, row)

    # ------------------------------------------------------------ reporting alone

    def sign(self, actor: CurrentUser, report_id: uuid.UUID, password: str) -> ReportView:
        """Sign a report as final, for a practitioner entitled to report alone.

        Raises:
            PermissionDenied: for a trainee (their reports are verified by a supervisor).
            FormErrors: ``report.required``. AuthenticationFailed: wrong password.
        """
        require(actor.role, Action.REPORT_SIGN)
        self._auth.check_password(actor, password)
        with self._uow(actor, Action.REPORT_SIGN) as session:
            row = self._checked(session, actor, report_id, "sign")
            self._seal(
                session, row, actor, utcnow(), self.attestation(session, "sign"), step="sign"
            )
            session.flush()
            self._uow.audit(
                session,
                actor,
                "report.sign",
                patient_id=row.patient_id,
                entity="scan_report",
                entity_id=row.id,
            )
            return _view(session, row)

    def _seal(
        self,
        session: Session,
        row: ScanReport,
        actor: CurrentUser,
        when: datetime,
        words: str,
        *,
        step: str,
    ) -> None:
        """Make the version final: who, when, the sentence agreed to, and its seal.

        Its signed event is raised in ``session``: the SR, the KOS and the PACS queue follow
        in ``clinic_app.domains.reports.handlers`` before the signature commits.
        """
        seal(
            SCAN_REPORT,
            row,
            session=session,
            signer=recorded_by(actor),
            attestation=words,
            when=when,
            step=step,
        )

    def addendum(self, actor: CurrentUser, report_id: uuid.UUID, text: str) -> ReportView:
        """A new version of a signed report, with an addendum, as a draft of the actor's.

        It goes through signing (or a trainee's review) like any report; the signed version
        it adds to never changes.

        Raises:
            ValidationError: ``text.empty`` / ``text.too_long`` (field ``addendum``).
            Conflict: ``report.not_signed``, ``report.already_amended``.
        """
        words = check.required_text(text, "addendum", TEXT_MAX)
        with self._uow(actor, Action.REPORT_WRITE) as session:
            previous = self._checked(session, actor, report_id, "amend")
            later = session.scalars(
                select(ScanReport.id).where(ScanReport.predecessor_id == previous.id)
            ).first()
            if later is not None:
                raise Conflict("report.already_amended")
            content = dict(previous.content)
            content["addendum"] = words
            row = ScanReport(
                study_id=previous.study_id,
                patient_id=previous.patient_id,
                episode_id=previous.episode_id,
                author_id=actor.id,
                version=previous.version + 1,
                predecessor_id=previous.id,
                content=content,
            )
            session.add(row)
            session.flush()
            self._uow.audit(
                session,
                actor,
                "report.addendum",
                patient_id=row.patient_id,
                entity="scan_report",
                entity_id=row.id,
            )
            return _view(session, row)

    # ------------------------------------------------------------ reading

    def attestation(self, session: Session | None, kind: str) -> str:
        """The sentence shown when signing (``sign``) or verifying (``verify``).

        A service sets its own in the ``report_attestation`` setting; otherwise the default.
        """
        return attestation(session, SCAN_REPORT, kind)

    def set_attestation(
        self, actor: CurrentUser, *, sign: str | None = None, verify: str | None = None
    ) -> dict[str, str]:
        """Set the service's own attestation sentences ("" puts the default back).

        Raises:
            ValidationError: ``text.too_long`` (field ``sign`` or ``verify``).
            PermissionDenied: for anyone who may not manage the service's settings.
        """
        from clinic_app.kernel.settings import ServiceSetting, setting_id  # noqa: PLC0415

        name = SCAN_REPORT.attestation_setting or "report_attestation"
        with self._uow(actor, Action.SETTINGS_MANAGE) as session:
            key = setting_id(name)
            row = session.get(ServiceSetting, key)
            stored = dict(row.value) if row is not None and not row.deleted else {}
            value = changed_attestations(stored, {"sign": sign, "verify": verify})
            if row is None:
                session.add(ServiceSetting(id=key, key=name, value=value))
            else:
                row.value, row.deleted = value, False
            session.flush()
            self._uow.audit(
                session, actor, "settings.attestation", entity="service_setting", entity_id=key
            )
            return {kind: self.attestation(session, kind) for kind in DEFAULT_ATTESTATION}

    def _audit_report(
        self, session: ClinicSession, actor: CurrentUser, action: str, row: ScanReport
    ) -> None:
        self._uow.audit(
            session,
            actor,
            action,
            patient_id=row.patient_id,
            entity="scan_report",
            entity_id=row.id,
        )

    def _audit_study(
        self, session: ClinicSession, actor: CurrentUser, action: str, study_id: uuid.UUID
    ) -> None:
        study = session.get(ImagingStudy, study_id)
        self._uow.audit(
            session,
            actor,
            action,
            patient_id=study.patient_id if study is not None else None,
            entity="imaging_study",
            entity_id=study_id,
        )

    def attestation_for(self, actor: CurrentUser, kind: str) -> str:
        """The sentence to show the actor before they sign or verify."""
        with self._uow(actor, Action.STATUS_VIEW, mode=Mode.READ) as session:
            return self.attestation(session, kind)

    def measurements_offered(self, actor: CurrentUser, study_id: uuid.UUID) -> list[dict[str, Any]]:
        """Distances measured in mm on the study's images, for the author to include."""
        from clinic_app.domains.reports.archive import measured_distances  # noqa: PLC0415

        with self._uow(actor, Action.REPORT_VIEW, mode=Mode.AUDITED_READ) as session:
            self._audit_study(session, actor, "report.measurements_view", study_id)
            return measured_distances(session, study_id)

    def study_images(self, actor: CurrentUser, study_id: uuid.UUID) -> list[dict[str, Any]]:
        """The study's images (not its reports), to choose key images from."""
        with self._uow(actor, Action.REPORT_VIEW, mode=Mode.AUDITED_READ) as session:
            self._audit_study(session, actor, "report.images_view", study_id)
            rows = session.scalars(
                select(ImageInstance)
                .where(
                    ImageInstance.study_id == study_id,
                    ImageInstance.deleted.is_(False),
                    ImageInstance.frames > 0,
                )
                .order_by(ImageInstance.created_at)
            ).all()
            return [
                {
                    "id": str(row.id),
                    "frames": row.frames,
                    "body_part": row.body_part or "",
                    "laterality": row.laterality or "",
                    "source": row.source,
                }
                for row in rows
            ]

    def report_pdf(self, actor: CurrentUser, report_id: uuid.UUID) -> bytes:
        """One version as a PDF to print or keep (:meth:`printable`, then :meth:`render_pdf`).

        Until it is final it is marked preliminary on every page, so a printed draft can
        never pass for a verified report.
        """
        return self.render_pdf(self.printable(actor, report_id))

    def printable(self, actor: CurrentUser, report_id: uuid.UUID) -> PrintableReport:
        """What the printed version shows, read in one audited read (printing is audited)."""
        from clinic_app.people.model import Patient  # noqa: PLC0415
        from clinic_app.people.nhs_number import format_nhs_number  # noqa: PLC0415

        sides = {"R": "right", "L": "left", "B": "both sides", "U": ""}
        with self._uow(actor, Action.REPORT_VIEW, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, report_id)
            view = _view(session, row)
            # Printed as the record standing for its registration names the patient.
            patient = session.get(Patient, survivor_of(session, row.patient_id))
            study = session.get(ImagingStudy, row.study_id)
            if patient is None or study is None:
                raise NotFound("report.not_found")
            names = []
            for image_id in row.content.get("key_images", []):
                image = session.get(ImageInstance, uuid.UUID(image_id))
                if image is None:
                    continue
                kind = "Still" if image.frames <= 1 else f"Clip, {image.frames} frames"
                part = (image.body_part or "").title()
                side = sides.get(image.laterality or "", "")
                names.append(" · ".join(bit for bit in (kind, part, side) if bit))
            printable = PrintableReport(
                report=view,
                patient_name=f"{patient.family_name.upper()}, {patient.given_name}",
                nhs_number=format_nhs_number(patient.nhs_number) if patient.nhs_number else "",
                date_of_birth=patient.date_of_birth,
                service=actor.site_name or "OneStop MSK",
                study_date=study.started_at,
                study_description=study.description,
                key_image_names=tuple(names),
                printed_at=utcnow(),
                later_version=_newest_after(session, row),
            )
            self._uow.audit(
                session,
                actor,
                "report.print",
                patient_id=row.patient_id,
                entity="scan_report",
                entity_id=row.id,
            )
        return printable

    @staticmethod
    def render_pdf(printable: PrintableReport) -> bytes:
        """Draw the PDF of a printable report; touches no store, so it may run anywhere."""
        from clinic_app.domains.reports.pdf import ReportDetails, scan_report_pdf  # noqa: PLC0415 - reportlab on demand

        details = ReportDetails(
            patient_name=printable.patient_name,
            nhs_number=printable.nhs_number,
            date_of_birth=printable.date_of_birth,
            service=printable.service,
            study_date=printable.study_date,
            study_description=printable.study_description,
            key_image_names=printable.key_image_names,
            printed_at=printable.printed_at,
            later_version=printable.later_version,
        )
        return scan_report_pdf(printable.report, details)

    def get(
        self, actor: CurrentUser, report_id: uuid.UUID, patient_id: uuid.UUID | None = None
    ) -> ReportView:
        """One version of a report; with ``patient_id``, only that patient's (merges followed).

        Raises:
            NotFound: ``report.not_found``.
            Conflict: ``report.wrong_patient`` for another patient's report.
        """
        with self._uow(actor, Action.REPORT_VIEW, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, report_id)
            if patient_id is not None and not same_patient(session, row.patient_id, patient_id):
                raise Conflict("report.wrong_patient")
            self._audit_report(session, actor, "report.open", row)
            return _view(session, row)

    def for_study(self, actor: CurrentUser, study_id: uuid.UUID) -> list[ReportView]:
        """Every version of every report of the study, oldest first."""
        with self._uow(actor, Action.REPORT_VIEW, mode=Mode.AUDITED_READ) as session:
            self._audit_study(session, actor, "report.list_study", study_id)
            rows = session.scalars(
                select(ScanReport)
                .where(ScanReport.study_id == study_id, ScanReport.deleted.is_(False))
                .order_by(ScanReport.created_at)
            ).all()
            return [_view(session, row) for row in rows]

    def final_reports(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[ReportView]:
        """The patient's reports that may go into a letter as final (signed or verified).

        Those under a registration since merged into the record are the patient's: a letter
        from the surviving record quotes them, and must cite them as final.
        """
        with self._uow(actor, Action.REPORT_VIEW, mode=Mode.AUDITED_READ) as session:
            self._uow.audit(session, actor, "report.list_final", patient_id=patient_id)
            rows = final_report_rows(session, identities_of(session, patient_id))
            return [_view(session, row) for row in rows]

    def pending_reviews(self, actor: CurrentUser) -> list[PendingReview]:
        """Reports submitted to the actor, the longest waiting first."""
        now = utcnow()
        with self._uow(actor, Action.REPORT_VERIFY, mode=Mode.AUDITED_READ) as session:
            rows = session.scalars(
                select(ScanReport)
                .where(
                    ScanReport.status == RecordStatus.SUBMITTED,
                    ScanReport.supervisor_id == actor.id,
                    ScanReport.deleted.is_(False),
                )
                .order_by(ScanReport.submitted_at)
            ).all()
            for row in rows:
                self._audit_report(session, actor, "report.list_pending", row)
            return [
                PendingReview(
                    _view(session, row),
                    ((now - (row.submitted_at or now)).total_seconds()) / 3600,
                )
                for row in rows
            ]

    def returned(self, actor: CurrentUser) -> list[ReportView]:
        """The actor's reports returned by their supervisor, with the feedback."""
        with self._uow(actor, Action.REPORT_WRITE, mode=Mode.AUDITED_READ) as session:
            rows = session.scalars(
                select(ScanReport)
                .where(
                    ScanReport.status == RecordStatus.RETURNED,
                    ScanReport.author_id == actor.id,
                    ScanReport.deleted.is_(False),
                )
                .order_by(ScanReport.updated_at)
            ).all()
            for row in rows:
                self._audit_report(session, actor, "report.list_returned", row)
            return [_view(session, row) for row in rows]

    def logbook(
        self, actor: CurrentUser, trainee_id: uuid.UUID, start: datetime, end: datetime
    ) -> Logbook:
        """A trainee's verified scans from ``start`` to ``end``, with the agreement.

        Counted by body region and by how they were supervised. Trainees see their own;
        supervisors see their trainees'.

        Raises:
            PermissionDenied: ``report.not_your_trainee``. NotFound: ``user.not_found``.
        """
        with self._uow(actor, Action.REPORT_VIEW, mode=Mode.AUDITED_READ) as session:
            self._uow.audit(
                session, actor, "report.logbook_view", entity="app_user", entity_id=trainee_id
            )
            trainee = session.get(User, trainee_id)
            if trainee is None:
                raise NotFound("user.not_found")
            if actor.id not in {trainee.id, trainee.supervisor_id}:
                raise PermissionDenied("report.not_your_trainee")
            reviews = session.scalars(
                select(ScanReportReview).where(
                    ScanReportReview.trainee_id == trainee.id,
                    ScanReportReview.reviewed_at >= start,
                    ScanReportReview.reviewed_at < end,
                )
            ).all()
            counts: dict[tuple[str, str], int] = {}
            agreement = {"agree": 0, "minor": 0, "major": 0}
            returned = 0
            for review in reviews:
                if review.outcome == "returned":
                    returned += 1
                    continue
                report = session.get(ScanReport, review.report_id)
                region = (report.content.get("body_region") if report else "") or "Not given"
                mode = review.supervision_mode or "not recorded"
                counts[(region, mode)] = counts.get((region, mode), 0) + 1
                if review.agreement in agreement:
                    agreement[review.agreement] += 1
            rows = tuple(
                LogbookRow(region, mode, count) for (region, mode), count in sorted(counts.items())
            )
            return Logbook(
                trainee_id=trainee.id,
                trainee_name=trainee.display_name,
                start=start,
                end=end,
                rows=rows,
                verified=sum(row.scans for row in rows),
                agree=agreement["agree"],
                minor=agreement["minor"],
                major=agreement["major"],
                returned=returned,
            )

    @staticmethod
    def can_verify(actor: CurrentUser) -> bool:
        """True for roles that may verify a trainee's report."""
        return allows(actor.role, Action.REPORT_VERIFY)

    @staticmethod
    def reports_alone(actor: CurrentUser) -> bool:
        """True for roles that sign their own reports (a trainee's are verified instead)."""
        return actor.role is not Role.TRAINEE and allows(actor.role, Action.REPORT_SIGN)


def _newest_after(session: Session, row: ScanReport) -> tuple[int, bool] | None:
    """The newest version adding to ``row`` (by following addenda), and whether it is final."""
    newest: ScanReport | None = None
    current = row
    while True:
        follower = session.scalars(
            select(ScanReport).where(
                ScanReport.predecessor_id == current.id, ScanReport.deleted.is_(False)
            )
        ).first()
        if follower is None:
            break
        newest = current = follower
    if newest is None:
        return None
    return newest.version, newest.status == RecordStatus.SIGNED.value
