"""Scan reports, declared: a report under its patient's banner, and the review queue."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QWidget

from clinic_app.domains.reports.views import ReportView
from clinic_app.kernel.security.permissions import Action
from clinic_app.people.views import PatientRecord
from clinic_app.records.timeline import TimelineEntry
from ui.common import formatting
from ui.common.printing import LeftBehind
from ui.common.screen import Placement, ScreenSpec, ShellContext, record_holder, under_banner
from ui.common.text_draft import addendum_draft
from ui.domains.reports.report.view import ReportPage, ReviewQueuePage
from ui.domains.reports.report.view_model import ReportViewModel, ReviewQueueViewModel


class ReportScreen:
    """One scan report: written, submitted, signed, amended (opened from imaging or a queue)."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = ReportViewModel(
            context.services.reports,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = ReportPage(self.view_model)
        self._page, self.banner = under_banner(self.view)
        #: The record the page is open for (the banner's patient).
        self._patient: PatientRecord | None = None
        self.view_model.saved.connect(lambda report: self._announce("report.saved", report))
        self.view_model.moved_on.connect(
            lambda report, _words: self._announce("report.moved_on", report)
        )
        self._left = LeftBehind(
            context.signed_in, context.say, lambda: self.view.tr("The scan report")
        )
        self.view_model.left_behind.connect(self._on_left_behind)

    @property
    def page(self) -> QWidget:
        return self._page

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """Open the report ``item`` names.

        ``item``: a study's id (the open patient's report of it), a report from a queue, or
        a scan report's entry on the open patient's timeline (that version).

        What the author typed on the report shown and did not save yet is saved to it first
        (opening the same report again reads it back with those words).
        """
        self.save_now()
        if isinstance(item, TimelineEntry) and item.kind == "scan_report":
            if patient is None or item.item_id is None:
                return
            # Its own registration's, or one since merged into the open record.
            if item.patient_id != patient.id and item.patient_id not in patient.merged_ids:
                return
            self._show_patient(patient)
            self.view_model.open(item.item_id, patient.id)
            self._context.show(self)
            return
        if isinstance(item, uuid.UUID):
            if patient is None:
                return
            self._show_patient(patient)
            self.view_model.start(item, patient.id)
            self._context.show(self)
            return
        self._open_report(item)

    def _open_report(self, report: object) -> None:
        """A report from a queue, under its own patient's banner."""
        if not isinstance(report, ReportView):
            return
        report_id = report.id

        def show(record: PatientRecord) -> None:
            # Opening a report from a queue opens its patient: the window's banner names
            # them, and every patient action acts for them.
            self._context.set_patient(record)
            self._show_patient(record)
            self.view_model.open(report_id, record.id)
            self._context.show(self)

        self._context.open_listed_patient(report.patient_id, show)

    def save_now(self) -> None:
        """What the author typed and did not save yet is kept as the report's draft.

        Called before the page forgets its patient (another patient chosen, a switch of
        user): the words go to the report they were typed for, never lost.
        """
        values = self.view.unsaved_values()
        if values is not None:
            self.view_model.save(values)

    def reset(self) -> None:
        self.view_model.clear()
        self.banner.clear()
        self._patient = None

    def _show_patient(self, patient: PatientRecord) -> None:
        self._patient = patient
        self._left.opened(
            patient.id,
            formatting.patient_name(patient.family_name, patient.given_name, patient.title),
        )
        self.banner.show_record(patient)

    def _on_left_behind(self, patient_id: uuid.UUID, step: str, done: bool, why: str) -> None:
        """A step asked for just before the page moved on was answered: say how, and whose."""
        if done:
            self._context.announce("report.moved_on", patient_id)
            words = {
                "sign": self.view.tr("The scan report for {name} was signed."),
                "submit": self.view.tr(
                    "The scan report for {name} was sent to your supervisor for review."
                ),
                "addendum": self.view.tr(
                    "An addendum to the scan report for {name} was started. Sign it when it "
                    "is ready."
                ),
            }.get(step)
            if words is not None:
                self._left.tell(patient_id, lambda name: words.format(name=name), "info")
            return
        if step == "print":
            self._left.not_printed(patient_id)
            return
        failed = {
            "save": self.view.tr("The words typed in the scan report for {name} were not saved:"),
            "sign": self.view.tr("The scan report for {name} was not signed:"),
            "submit": self.view.tr("The scan report for {name} was not sent for review:"),
            "addendum": self.view.tr("No addendum to the scan report for {name} was started:"),
        }[step]
        self._left.tell(
            patient_id,
            lambda name: " ".join(
                (
                    failed.format(name=name),
                    why,
                    self.view.tr("Open the report again from their imaging to see where it is."),
                )
            ),
        )

    def _announce(self, kind: str, report: ReportView) -> None:
        # For the record on screen: a report under a registration merged into it is theirs.
        self._context.announce(kind, record_holder(self._patient, report.patient_id))


class ReviewQueueScreen:
    """Trainees' reports waiting for review, and reports returned to their author."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = ReviewQueueViewModel(
            context.services.reports,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = ReviewQueuePage(self.view_model)
        # Shown full width; its natural width must not set every page's minimum.
        self.view.setMinimumWidth(560)
        self.view.open_requested.connect(lambda report: context.open("report", report))
        self.view.images_requested.connect(self._open_images)
        self.view.feedback_draft = addendum_draft(context, "report.feedback", self.view.feedback)
        self.view_model.reviewed.connect(
            lambda _id, _words: context.announce("report.reviewed", None)
        )
        context.record_changed.connect(self._on_record_changed)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """Show the queue; ``item`` (a report waiting, from the day list) is chosen in it."""
        if isinstance(item, ReportView):
            self.view.choose_when_read(item.id)
        self._context.show(self)
        self.view_model.load()

    def save_now(self) -> None:
        """The feedback being written is kept as the reviewer's draft of that report."""
        if self.view.feedback_draft is not None:
            self.view.feedback_draft.save_now()

    def reset(self) -> None:
        """Emptied: the next user never sees the last one's queue or review while theirs is read."""
        self.view_model.clear()
        self.view.forget()

    def _open_images(self, report: ReportView) -> None:
        """Open the report's patient (the banner then names them), then the study's images."""
        study_id = report.study_id

        def show(record: PatientRecord) -> None:
            # Through the record, as from any list of many patients: the banner names the
            # patient before their images are on screen.
            self._context.set_patient(record)
            self._context.open("patient", record)
            self._context.open("imaging", study_id)

        self._context.open_listed_patient(report.patient_id, show)

    def _on_record_changed(self, kind: str, _patient_id: object) -> None:
        # A report submitted, verified or returned elsewhere (on this laptop, or brought by a
        # sync round) changes what waits here.
        elsewhere = kind.startswith("report.") and kind != "report.reviewed"
        if (elsewhere or kind == "sync.received") and self._context.is_showing(self):
            self.view_model.load()


SCREENS = (
    ScreenSpec(
        id="report",
        title="Scan report",
        tip="A scan report under its patient's banner",
        build=ReportScreen,
        who=Action.REPORT_VIEW,
        holds_patient=True,
    ),
    ScreenSpec(
        id="review",
        title="Scan &reports waiting",
        tip="Trainees' reports waiting for your review, and reports returned to you",
        build=ReviewQueueScreen,
        menu="service",
        order=1,
        who=Action.REPORT_WRITE,
        lists_patients=True,
        placement=Placement.WIDE,
    ),
)
