"""Sending studies to the service's PACS from a queue that keeps trying until the PACS has them.

A person asks for a study to be sent; the request waits in ``pacs_send`` on this device.
Sending happens off the UI thread: every image goes by C-STORE or STOW-RS, under its record's
patient and study (:mod:`clinic_app.domains.imaging.service.outgoing`), then the PACS is asked
back (C-FIND, or QIDO-RS when sending by DICOMweb) which of the objects actually sent it
holds, by their own Study and SOP Instance UIDs. Only when it holds every one is the study
marked archived. Until then the request is tried again later, waiting longer after each failure
(one minute, doubling, at most an hour). Educational studies never go to the PACS.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.imaging.model import ImageInstance, ImagingStudy, PacsSend
from clinic_app.domains.imaging.service.outgoing import leaving_as, outgoing_datasets
from clinic_app.domains.imaging.service.settings import dicom_settings
from clinic_app.domains.imaging.views import DicomSettings, SendOutcome, SendView
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import (
    ClinicError,
    Conflict,
    ExternalServiceError,
    NotFound,
    ValidationError,
)
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.uow import SYSTEM, Context, Mode, UnitOfWork, recorded_by
from clinic_app.people.model import Patient

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

log = logging.getLogger(__name__)

PURPOSES = ("clinical", "educational")
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)


def _view(row: PacsSend) -> SendView:
    return SendView(
        row.id,
        row.study_id,
        row.state,
        row.attempts,
        row.next_attempt_at,
        row.last_error,
        row.requested_at,
        row.done_at,
    )


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure in a row."""
    delay: timedelta = FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 12)
    return min(delay, LONGEST_RETRY)


@dataclass(frozen=True)
class _Job:
    send_id: uuid.UUID
    study_id: uuid.UUID
    datasets: list[Dataset]
    settings: DicomSettings
    #: The registration whose name and NHS number the objects carry.
    identity: uuid.UUID


class PacsService:
    """Ask for studies to be sent, send what is due, and say where each stands."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._uow = UnitOfWork(context)
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        # Start and stop may be called from different threads (the store's and the UI's).
        self._lifecycle = threading.Lock()
        self._sending = threading.Lock()
        self._on_outcome: Callable[[SendOutcome], None] = lambda _outcome: None

    # ------------------------------------------------------------ what a person does

    def set_purpose(self, actor: CurrentUser, study_id: uuid.UUID, purpose: str) -> None:
        """Mark a study clinical or educational (educational studies never go to the PACS).

        Raises:
            ValidationError: ``pacs.bad_purpose``. NotFound: ``image.study_not_found``.
            Conflict: ``pacs.already_sent`` when a study already on its way to (or in) the
                PACS is made educational.
        """
        if purpose not in PURPOSES:
            raise ValidationError("pacs.bad_purpose", field="purpose")
        with self._uow(actor, Action.IMAGE_CAPTURE) as session:
            study = self._study(session, study_id)
            if purpose == study.purpose:
                return
            if purpose == "educational" and (
                study.archived_at is not None or self._open_send(session, study.id) is not None
            ):
                raise Conflict("pacs.already_sent")
            study.purpose = purpose
            session.flush()
            self._uow.audit(
                session,
                actor,
                f"image.purpose.{purpose}",
                patient_id=study.patient_id,
                entity="imaging_study",
                entity_id=study.id,
            )

    def send_study(self, actor: CurrentUser, study_id: uuid.UUID) -> SendView:
        """Queue a study for the PACS (asking again makes a waiting request due now).

        Raises:
            NotFound: ``image.study_not_found``.
            ValidationError: ``pacs.not_configured``.
            Conflict: ``pacs.educational``, ``pacs.already_archived`` or ``pacs.no_images``.
        """
        with self._uow(actor, Action.IMAGE_ARCHIVE) as session:
            study = self._study(session, study_id)
            row = queue_for_pacs(session, study, recorded_by(actor))
            session.flush()
            self._uow.audit(
                session,
                actor,
                "image.pacs_send",
                patient_id=study.patient_id,
                entity="imaging_study",
                entity_id=study.id,
            )
            view = _view(row)
        self.wake()
        return view

    def sends(self, actor: CurrentUser) -> list[SendView]:
        """Every request on this device, the newest first."""
        with self._uow(actor, Action.IMAGE_VIEW, mode=Mode.READ) as session:
            rows = session.scalars(select(PacsSend).order_by(PacsSend.requested_at.desc()))
            return [_view(row) for row in rows]

    # ------------------------------------------------------------ the sender

    def send_due(self, now: datetime | None = None) -> list[SendOutcome]:
        """Try every request that is due, once each.

        The network work happens outside any transaction, so the store stays free while
        the PACS answers.
        """
        with self._sending:
            outcomes = [self._attempt(job) for job in self._due_jobs(now or utcnow())]
        for outcome in outcomes:
            self._on_outcome(outcome)
        return outcomes

    def _due_jobs(self, now: datetime) -> list[_Job]:
        jobs: list[_Job] = []
        with self._uow(SYSTEM, Action.IMAGE_ARCHIVE) as session:
            settings = dicom_settings(session)
            due = session.scalars(
                select(PacsSend)
                .where(PacsSend.state == "waiting", PacsSend.next_attempt_at <= now)
                .order_by(PacsSend.next_attempt_at)
            ).all()
            for row in due:
                study = session.get(ImagingStudy, row.study_id)
                if study is None or study.deleted or study.purpose != "clinical":
                    # Made educational or removed since it was asked for: never sent.
                    row.state, row.done_at, row.last_error = "stopped", now, "pacs.withdrawn"
                    continue
                # Under the registration it leaves as (merges followed, see leaving_as).
                identity = leaving_as(session, study)
                patient = session.get(Patient, identity)
                if patient is None:
                    # The PACS holds it under a registration merged with the patient that
                    # this computer does not hold: sent from here, it would be split.
                    row.state, row.done_at = "stopped", now
                    row.last_error = "pacs.identity_not_here"
                    continue
                if not patient.nhs_number:
                    # Nothing leaves without the NHS number as its Patient ID: a person must
                    # add it to the record and ask again.
                    row.state, row.done_at, row.last_error = "stopped", now, "dicom.no_nhs_number"
                    continue
                datasets = outgoing_datasets(session, study)
                if datasets is None:
                    row.attempts += 1
                    row.last_error = "file.not_here"
                    row.next_attempt_at = now + retry_delay(row.attempts)
                    continue
                jobs.append(_Job(row.id, study.id, datasets, settings, identity))
        return jobs

    def _attempt(self, job: _Job) -> SendOutcome:
        error: str | None = None
        confirmed: set[str] = set()
        wanted: set[str] = set()
        try:
            datasets = job.datasets
            wanted = {str(ds.SOPInstanceUID) for ds in datasets}
            confirmed = _send_and_confirm(job.settings, datasets)
            if confirmed != wanted:
                error = "pacs.not_confirmed"
        except ClinicError as failure:
            error = failure.code
        except (OSError, RuntimeError, ValueError) as failure:
            # pynetdicom and sockets raise their own errors: kept as a code, never details.
            log.warning("PACS send failed: %s", type(failure).__name__)
            error = "pacs.unreachable"
        now = utcnow()
        with self._uow(SYSTEM, Action.IMAGE_ARCHIVE) as session:
            row = session.get(PacsSend, job.send_id)
            study = session.get(ImagingStudy, job.study_id)
            if row is None or study is None:
                return SendOutcome(job.send_id, job.study_id, False, 0, len(wanted), error)
            row.attempts += 1
            if confirmed & wanted and study.pacs_patient_id is None:
                # The PACS holds some of it now, under this identity: the rest, and all
                # that is added later, goes under the same.
                study.pacs_patient_id = job.identity
            if error is None:
                row.state, row.done_at, row.last_error = "archived", now, None
                study.archived_at = now
                self._uow.audit(
                    session,
                    SYSTEM,
                    "image.archived",
                    patient_id=study.patient_id,
                    entity="imaging_study",
                    entity_id=study.id,
                )
            else:
                row.last_error = error
                row.next_attempt_at = now + retry_delay(row.attempts)
        log.info(
            "PACS attempt: %d of %d images confirmed%s",
            len(confirmed & wanted),
            len(wanted),
            f" ({error})" if error else "",
        )
        return SendOutcome(
            job.send_id, job.study_id, error is None, len(confirmed & wanted), len(wanted), error
        )

    def watch(self, on_outcome: Callable[[SendOutcome], None]) -> None:
        """Have ``on_outcome`` called (from the sender's thread) after every attempt."""
        self._on_outcome = on_outcome

    def start(self, interval: float = 60.0) -> None:
        """Send in the background: at once, then every ``interval`` seconds, or when woken."""

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.send_due()
                except ClinicError as error:
                    log.warning("PACS queue not processed: %s", error.code)
                self._wake.wait(interval)
                self._wake.clear()

        with self._lifecycle:
            if self._thread is not None:
                return
            self._stop.clear()
            thread = threading.Thread(target=loop, name="onestop-pacs", daemon=True)
            thread.start()
            self._thread = thread

    def wake(self) -> None:
        """Try what is waiting now (after a request, or when a connection appears)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the attempt in progress."""
        self._stop.set()
        self._wake.set()
        with self._lifecycle:
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    # ------------------------------------------------------------ helpers

    @staticmethod
    def _study(session: Session, study_id: uuid.UUID) -> ImagingStudy:
        study = session.get(ImagingStudy, study_id)
        if study is None or study.deleted:
            raise NotFound("image.study_not_found")
        return study

    @staticmethod
    def _open_send(session: Session, study_id: uuid.UUID) -> PacsSend | None:
        return _waiting_send(session, study_id)


def _waiting_send(session: Session, study_id: uuid.UUID) -> PacsSend | None:
    return session.scalars(
        select(PacsSend).where(PacsSend.study_id == study_id, PacsSend.state == "waiting")
    ).first()


def _study_instances(session: Session, study_id: uuid.UUID) -> list[ImageInstance]:
    return list(
        session.scalars(
            select(ImageInstance).where(
                ImageInstance.study_id == study_id, ImageInstance.deleted.is_(False)
            )
        )
    )


def pacs_refusal(
    session: Session, study: ImagingStudy, *, resend: bool = False
) -> ClinicError | None:
    """Why ``study`` may not be queued for the PACS now, or None when it may.

    The one rule for every way a study is queued: a person asking for it to be sent, or a
    report of it made final. Educational studies never go; nothing goes without a PACS set
    up, or without anything to send. A study the PACS already holds goes again only to
    ``resend`` what was added to it since (a signed report's SR and KOS).
    """
    if study.purpose != "clinical":
        return Conflict("pacs.educational")
    if study.archived_at is not None and not resend:
        return Conflict("pacs.already_archived")
    if not dicom_settings(session).pacs_configured:
        return ValidationError("pacs.not_configured", field="pacs")
    if not _study_instances(session, study.id):
        return Conflict("pacs.no_images")
    return None


def queue_for_pacs(
    session: Session,
    study: ImagingStudy,
    requested_by: uuid.UUID | None,
    *,
    resend: bool = False,
) -> PacsSend:
    """Queue ``study`` for the PACS, due now, if :func:`pacs_refusal` allows it.

    A request already waiting is made due now rather than doubled. A study sent again is no
    longer archived until the PACS confirms it holds everything, what was added included.

    Raises:
        Conflict: ``pacs.educational``, ``pacs.already_archived``, ``pacs.no_images``.
        ValidationError: ``pacs.not_configured``.
    """
    refusal = pacs_refusal(session, study, resend=resend)
    if refusal is not None:
        raise refusal
    if study.archived_at is not None:
        study.archived_at = None
    row = _waiting_send(session, study.id)
    if row is None:
        row = PacsSend(study_id=study.id, requested_by=requested_by)
        session.add(row)
    row.next_attempt_at = utcnow()
    return row


def _send_and_confirm(settings: DicomSettings, datasets: list[Dataset]) -> set[str]:
    """Send by the configured method, then ask the PACS which of the sent objects it holds.

    The question is about what was sent: each Study Instance UID in the sent objects, and
    their SOP Instance UIDs.

    Raises:
        ClinicError: ``pacs.refused_kind``, ``pacs.refused_full``, ``pacs.refused_invalid``,
            ``pacs.refused_not_allowed`` or ``pacs.refused`` (what the PACS said),
            ``pacs.association_refused``, ``pacs.unreachable``, ``pacs.no_dicomweb``.
    """
    from clinic_app.domains.imaging.dicom.pacs import (  # noqa: PLC0415 - pynetdicom loads when first sending
        PacsTarget,
        confirmed,
        confirmed_dicomweb,
        refusal,
        send_c_store,
        send_stow_rs,
    )

    target = PacsTarget(
        ae_title=settings.pacs_ae_title,
        host=settings.pacs_host,
        port=settings.pacs_port,
        calling_ae=settings.ae_title,
        dicomweb_url=settings.pacs_dicomweb_url or None,
    )
    by_study: dict[str, list[Dataset]] = {}
    for ds in datasets:
        by_study.setdefault(str(ds.StudyInstanceUID), []).append(ds)
    dicomweb = settings.pacs_method == "stow-rs"
    refusals: list[ClinicError | None] = []
    if dicomweb:
        for study_uid, objects in by_study.items():
            outcome = send_stow_rs(target, objects, study_uid)
            refusals += [refusal(reason) for reason in outcome.failed.values()]
            if outcome.status not in (200, 202) and not outcome.failed:
                refusals.append(ExternalServiceError("pacs.refused"))
    else:
        refusals = [refusal(status) for status in send_c_store(target, datasets).values()]
    refused = [error for error in refusals if error is not None]
    if refused:
        # Said once per attempt, with no patient details: which refusals, and how many.
        log.warning(
            "PACS refused %d object(s): %s", len(refused), sorted({e.code for e in refused})
        )
        raise min(refused, key=lambda error: error.code)
    ask = confirmed_dicomweb if dicomweb else confirmed
    found: set[str] = set()
    for study_uid, objects in by_study.items():
        found |= ask(target, study_uid, [str(ds.SOPInstanceUID) for ds in objects])
    return found
