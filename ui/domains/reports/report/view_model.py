"""Scan reports: the report being written, and the supervisor's and trainee's queues."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.reports.views import PendingReview, PrintableReport, ReportView
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import FormErrors
from ui.common import errors, formatting
from ui.common.epoch import Epoch
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

#: A report with what its page shows beside it: the sentence signing agrees to, whether the
#: user signs alone, and the study's images and measured distances.
_Loaded = tuple[ReportView, str, bool, list[dict[str, Any]], list[dict[str, Any]]]


class ReportDesk(Protocol):
    """The part of the report service the report screens use."""

    def start(
        self, actor: CurrentUser, study_id: uuid.UUID, patient_id: uuid.UUID | None = None
    ) -> ReportView: ...

    def get(
        self, actor: CurrentUser, report_id: uuid.UUID, patient_id: uuid.UUID | None = None
    ) -> ReportView: ...

    def save(
        self, actor: CurrentUser, report_id: uuid.UUID, values: Mapping[str, Any]
    ) -> ReportView: ...

    def submit(self, actor: CurrentUser, report_id: uuid.UUID) -> ReportView: ...

    def sign(self, actor: CurrentUser, report_id: uuid.UUID, password: str) -> ReportView: ...

    def addendum(self, actor: CurrentUser, report_id: uuid.UUID, text: str) -> ReportView: ...

    def return_to_trainee(
        self, actor: CurrentUser, report_id: uuid.UUID, feedback: str
    ) -> ReportView: ...

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
    ) -> ReportView: ...

    def pending_reviews(self, actor: CurrentUser) -> list[PendingReview]: ...

    def returned(self, actor: CurrentUser) -> list[ReportView]: ...

    def attestation_for(self, actor: CurrentUser, kind: str) -> str: ...

    def printable(self, actor: CurrentUser, report_id: uuid.UUID) -> PrintableReport: ...

    def render_pdf(self, printable: PrintableReport) -> bytes: ...

    def study_images(self, actor: CurrentUser, study_id: uuid.UUID) -> list[dict[str, Any]]: ...

    def measurements_offered(
        self, actor: CurrentUser, study_id: uuid.UUID
    ) -> list[dict[str, Any]]: ...

    def can_verify(self, actor: CurrentUser) -> bool: ...

    def reports_alone(self, actor: CurrentUser) -> bool: ...


class ReportViewModel(QObject):
    """One report: load or start it, keep what is written, send, sign, add an addendum."""

    loaded = Signal(object)
    saved = Signal(object)
    #: Signed, verified, or sent for review: the screen says which.
    moved_on = Signal(object, str)
    field_errors_changed = Signal(object)
    problem = Signal(str)
    #: The PDF of a report printed (whose report it is, the PDF), ready to save.
    pdf_ready = Signal(object, bytes)
    #: The report on show was dropped (another patient, another user, another report loads).
    cleared = Signal()
    #: ``(patient id, step, done, why)``: a step asked for just before the page moved on,
    #: answered after it (``step``: "save", "submit", "sign", "addendum" or "print"; ``why``
    #: if not done).
    left_behind = Signal(object, str, bool, str)

    def __init__(
        self,
        reports: ReportDesk,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._reports = reports
        self._runner = runner
        self._session = session
        self.report: ReportView | None = None
        #: The record the report is shown under (the banner's patient): the report's own
        #: registration, or one since merged into it. What is said of it is said for them.
        self.patient_id: uuid.UUID | None = None
        self.attestation = ""
        self.reports_alone = False
        #: The study's images and the distances measured on them, to choose from.
        self.images: list[dict[str, Any]] = []
        self.offered: list[dict[str, Any]] = []
        #: Raised by :meth:`clear` and by each load: answers asked for before are dropped.
        self._epoch = Epoch()
        #: The words a send or sign on its way saves first (it keeps them itself).
        self._sending: Mapping[str, Any] | None = None

    def clear(self) -> None:
        """Drop the report on show: answers still on their way for it are dropped when they come.

        What was being saved, sent or signed is done, for the report it was asked for, and
        how it went is said for that report's patient (``left_behind``).
        """
        self._epoch.advance()
        self._sending = None
        self.report = None
        self.patient_id = None
        self.images = []
        self.offered = []
        self.cleared.emit()

    def _actor(self) -> CurrentUser | None:
        return self._session.user

    def start(self, study_id: uuid.UUID, patient_id: uuid.UUID) -> None:
        """The signed-in user's report of the study: in progress, or a new draft.

        The study must be ``patient_id``'s (the record on screen), or a registration's merged
        into their record: another patient's is refused, never shown under their banner.
        """
        self._load(lambda reports, actor: reports.start(actor, study_id, patient_id), patient_id)

    def open(self, report_id: uuid.UUID, patient_id: uuid.UUID) -> None:
        """Show one version (a returned report to change, or one to read) of ``patient_id``."""
        self._load(lambda reports, actor: reports.get(actor, report_id, patient_id), patient_id)

    def _holder(self, report: ReportView) -> uuid.UUID:
        """Whose record a step on ``report`` is said for: the record it is shown under."""
        return self.patient_id if self.patient_id is not None else report.patient_id

    def _load(
        self, fetch: Callable[[ReportDesk, CurrentUser], ReportView], patient_id: uuid.UUID
    ) -> None:
        """A report, with what the page shows beside it.

        That is the sentence signing agrees to, whether this user signs alone, and the
        study's images and measured distances.
        """
        actor = self._actor()
        if actor is None:
            return
        # Nothing of the report shown before stays on the page while this one loads.
        self.clear()
        self.patient_id = patient_id
        reports = self._reports

        def work() -> _Loaded:
            report = fetch(reports, actor)
            return (
                report,
                reports.attestation_for(actor, "sign"),
                reports.reports_alone(actor),
                reports.study_images(actor, report.study_id),
                reports.measurements_offered(actor, report.study_id),
            )

        self._runner.run_store(
            work,
            on_done=self._epoch.guard(self._on_started),
            on_failed=self._epoch.guard(self._on_failed),
        )

    def _on_started(self, loaded: _Loaded) -> None:
        self.report, self.attestation, self.reports_alone, self.images, self.offered = loaded
        self.field_errors_changed.emit({})
        self.loaded.emit(self.report)

    def _then(
        self,
        work: Callable[[], ReportView],
        words: str,
        step: str,
        patient_id: uuid.UUID,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        self._sending = values

        def done(report: ReportView) -> None:
            self.report = report
            self.field_errors_changed.emit({})
            self.loaded.emit(report)
            self.moved_on.emit(report, words)

        def answered(then: Callable[[Any], None]) -> Callable[[Any], None]:
            def go(answer: Any) -> None:
                if self._sending is values:
                    self._sending = None
                then(answer)

            return go

        self._runner.run_store(
            work,
            on_done=answered(self._epoch.guard_or(done, self._left(patient_id, step))),
            on_failed=answered(self._epoch.guard_or(self._on_failed, self._left(patient_id, step))),
        )

    def _left(self, patient_id: uuid.UUID, step: str) -> Callable[[object], None]:
        """What says how a step answered after the page moved on went, for ``patient_id``."""

        def said(answer: object) -> None:
            if isinstance(answer, BaseException):
                self.left_behind.emit(patient_id, step, False, errors.explain(answer))
            else:
                self.left_behind.emit(patient_id, step, True, "")

        return said

    def save(self, values: Mapping[str, Any]) -> None:
        """Keep what is written (a draft, or a returned report).

        Words a send or sign on its way already keeps are not saved again behind it (the
        report is no longer a draft by then, and the save would be refused).
        """
        actor, report = self._actor(), self.report
        if actor is None or report is None or values == self._sending:
            return
        reports = self._reports

        def done(saved: ReportView) -> None:
            self.report = saved
            self.field_errors_changed.emit({})
            self.saved.emit(saved)

        # Saved as the page moves on (``save_now``): a refusal after it is said, not dropped.
        self._runner.run_store(
            lambda: reports.save(actor, report.id, values),
            on_done=self._epoch.guard(done),
            on_failed=self._epoch.guard_or(
                self._on_failed, self._left(self._holder(report), "save")
            ),
        )

    def submit(self, values: Mapping[str, Any]) -> None:
        """Keep what is written, then send it to the trainee's supervisor."""
        actor, report = self._actor(), self.report
        if actor is None or report is None:
            return
        reports = self._reports

        def work() -> ReportView:
            reports.save(actor, report.id, values)
            return reports.submit(actor, report.id)

        self._then(
            work,
            self.tr("Sent to your supervisor for review."),
            "submit",
            self._holder(report),
            values,
        )

    def sign(self, values: Mapping[str, Any], password: str) -> None:
        """Keep what is written, then sign it as final (password asked again)."""
        actor, report = self._actor(), self.report
        if actor is None or report is None:
            return
        reports = self._reports

        def work() -> ReportView:
            reports.save(actor, report.id, values)
            return reports.sign(actor, report.id, password)

        self._then(
            work,
            self.tr("Signed. The report is final and can no longer change."),
            "sign",
            self._holder(report),
            values,
        )

    def print_pdf(self) -> None:
        """Make the PDF of the version on show.

        What it shows is read (and the printing audited) on the store worker; the PDF is then
        drawn on the I/O pool, where reportlab's slow start holds up no store work.
        """
        actor, report = self._actor(), self.report
        if actor is None or report is None:
            return
        reports = self._reports
        # The PDF goes with the report it shows (its file is named for that patient); one made
        # after the page moved on is not handed to another patient's page to save, and that it
        # was not printed is said for its own patient.
        epoch = self._epoch
        patient_id = self._holder(report)

        def too_late(_answer: object) -> None:
            self.left_behind.emit(patient_id, "print", False, "")

        def render(printable: PrintableReport) -> None:
            self._runner.run_io(
                lambda: reports.render_pdf(printable),
                on_done=epoch.guard_or(lambda pdf: self.pdf_ready.emit(printable, pdf), too_late),
                on_failed=epoch.guard(self._on_failed),
            )

        self._runner.run_store(
            lambda: reports.printable(actor, report.id),
            on_done=epoch.guard_or(render, too_late),
            on_failed=epoch.guard(self._on_failed),
        )

    def addendum(self, text: str) -> None:
        """Start a new version with an addendum (the signed one never changes)."""
        actor, report = self._actor(), self.report
        if actor is None or report is None:
            return
        reports = self._reports
        self._then(
            lambda: reports.addendum(actor, report.id, text),
            self.tr("Addendum started as version {n}. Sign it when it is ready.").format(
                n=report.version + 1
            ),
            "addendum",
            self._holder(report),
        )

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, FormErrors):
            self.field_errors_changed.emit(errors.field_messages(error))
        self.problem.emit(errors.explain(error))


class ReviewQueueViewModel(QObject):
    """What waits for the signed-in user: reports to review, and reports returned to them."""

    queues_loaded = Signal(object, object)
    reviewed = Signal(object, str)
    """A report returned or verified: its id, and the words saying so (naming the patient)."""
    refused = Signal(object, object, str)
    """A return or verify refused: the report's id, the words by field, and why in words."""
    problem = Signal(str)

    def __init__(
        self,
        reports: ReportDesk,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._reports = reports
        self._runner = runner
        self._session = session
        self.pending: list[PendingReview] = []
        self.returned: list[ReportView] = []
        self.attestation = ""
        #: Raised by :meth:`clear`: a queue read for the user before is never shown.
        self._epoch = Epoch()

    def clear(self) -> None:
        """Empty both queues (switching user): the next user sees only their own, once read."""
        self._epoch.advance()
        self.pending, self.returned = [], []
        self.queues_loaded.emit(self.pending, self.returned)

    def load(self) -> None:
        """Read both queues."""
        actor = self._session.user
        if actor is None:
            return
        reports = self._reports

        def work() -> tuple[list[PendingReview], list[ReportView], str]:
            pending = reports.pending_reviews(actor) if reports.can_verify(actor) else []
            return pending, reports.returned(actor), reports.attestation_for(actor, "verify")

        self._runner.run_store(
            work,
            on_done=self._epoch.guard(self._on_loaded),
            on_failed=self._epoch.guard(lambda error: self.problem.emit(errors.explain(error))),
            supersede="review.queues",
        )

    def _on_loaded(self, loaded: tuple[list[PendingReview], list[ReportView], str]) -> None:
        self.pending, self.returned, self.attestation = loaded
        self.queues_loaded.emit(self.pending, self.returned)

    def return_report(self, report_id: uuid.UUID, feedback: str) -> None:
        """Send the report back to its trainee with feedback."""
        actor = self._session.user
        if actor is None:
            return
        reports = self._reports
        self._run(
            report_id,
            lambda: reports.return_to_trainee(actor, report_id, feedback),
            self.tr("Returned to the trainee with your feedback."),
        )

    def verify(self, report_id: uuid.UUID, password: str, choices: Mapping[str, str]) -> None:
        """Verify the report with how it was supervised and the agreement."""
        actor = self._session.user
        if actor is None:
            return
        reports = self._reports
        self._run(
            report_id,
            lambda: reports.verify(
                actor,
                report_id,
                password,
                supervision_mode=choices.get("supervision_mode", ""),
                agreement=choices.get("agreement", ""),
                supervisor_words=choices.get("supervisor_words", ""),
                feedback=choices.get("feedback", ""),
            ),
            self.tr("Verified. The report is final."),
        )

    def _run(self, report_id: uuid.UUID, work: Callable[[], ReportView], words: str) -> None:
        def done(result: object) -> None:
            who = result.patient if isinstance(result, ReportView) else None
            if who is not None:
                # The notice names whose report it was: the supervisor sees what they signed.
                words_named = self.tr("{words} Patient: {name}, NHS number {nhs}.").format(
                    words=words,
                    name=formatting.patient_name(who.family_name, who.given_name, who.title),
                    nhs=formatting.nhs_number(who.nhs_number),
                )
            else:
                words_named = words
            self.reviewed.emit(report_id, words_named)
            self.load()

        def failed(error: BaseException) -> None:
            by_field = errors.field_messages(error) if isinstance(error, FormErrors) else {}
            self.refused.emit(report_id, by_field, errors.explain(error))

        # After a switch of user the next one hears nothing of the last one's review.
        self._runner.run_store(
            work, on_done=self._epoch.guard(done), on_failed=self._epoch.guard(failed)
        )
