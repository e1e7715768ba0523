"""The main window's imaging and reporting pages: made, opened, and the notices they raise.

Kept apart from ``ui.app`` so the window stays readable; ``MainWindow`` mixes these in.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action, allows
from ui.common import errors
from ui.common.widgets import PatientBanner
from ui.screens.dicom_settings.view import DicomSettingsView
from ui.screens.logbook.view import LogbookView
from ui.screens.reports.view import ReportPage, ReviewQueuePage

_log = logging.getLogger(__name__)


class WindowState(StrEnum):
    """Where the window is: nobody signed in, at work, or locked with work kept behind."""

    SIGNED_OUT = "signed_out"
    WORKING = "working"
    LOCKED = "locked"


class ImagingAndReporting:
    """Mixed into the main window: imaging, orphans, DICOM settings, reports, logbook.

    It relies on the window's own attributes (services, runner, session, pages, view models).
    """

    # Provided by the main window.
    services: Any
    runner: Any
    session: Any
    pages: Any
    notice: Any
    state: WindowState
    patient_vm: Any
    _shut_down: bool
    _workspace_built: bool

    def _build_reporting_pages(self) -> None:
        """DICOM settings, the report page, the review queue and the logbook."""
        self.dicom_settings_view = DicomSettingsView(self.dicom_settings_vm)
        self.report_view = ReportPage(self.report_vm)
        self.report_page, self.report_banner = under_banner(self.report_view)
        self.review_view = ReviewQueuePage(self.review_vm)
        self.review_view.open_requested.connect(self._open_report)
        self.logbook_view = LogbookView(self.logbook_vm)
        for wide_page in (self.review_view, self.logbook_view):
            # Shown full width; their natural width must not set every page's minimum.
            wide_page.setMinimumWidth(560)

    def show_imaging(self) -> None:
        """The open patient's imaging: live capture, studies, the viewer, the PACS."""
        record = self.patient_vm.record
        if self.state is not WindowState.WORKING or record is None:
            return
        self._build_imaging_screens()
        self.imaging_banner.show_record(record)
        self.imaging_vm.start(record.id)
        self.pages.setCurrentWidget(self.imaging_page)
        self.imaging_view.studies.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_orphans(self) -> None:
        """Images that arrived without a patient the app could match."""
        if self.state is not WindowState.WORKING:
            return
        self._build_imaging_screens()
        self.pages.setCurrentWidget(self.orphans_view)
        self.orphans_vm.load()

    def show_review_queue(self) -> None:
        """Reports waiting for the signed-in supervisor, and reports returned to a trainee."""
        if self.state is not WindowState.WORKING:
            return
        self.pages.setCurrentWidget(self.review_view)
        self.review_vm.load()

    def show_logbook(self) -> None:
        """A trainee's logbook (their own; a supervisor chooses among their trainees)."""
        if self.state is not WindowState.WORKING:
            return
        self.pages.setCurrentWidget(self.logbook_view)
        self.logbook_vm.load()

    def _open_report_of_study(self, study_id: object) -> None:
        """The open patient's report of a study (from the imaging screen)."""
        record = self.patient_vm.record
        if self.state is not WindowState.WORKING or record is None:
            return
        self.report_banner.show_record(record)
        self.report_vm.start(study_id)  # type: ignore[arg-type]
        self.pages.setCurrentWidget(self.report_page)

    def _open_report(self, report: object) -> None:
        """A report from a queue, under its own patient's banner."""
        user = self.session.user
        patient_id = getattr(report, "patient_id", None)
        if user is None or patient_id is None:
            return
        patients = self.services.patients

        def show(record: object) -> None:
            self.report_banner.show_record(record)  # type: ignore[arg-type]
            self.report_vm.open(report.id)  # type: ignore[attr-defined]
            self.pages.setCurrentWidget(self.report_page)

        self.runner.run_store(
            lambda: patients.open(user, patient_id),
            on_done=show,
            on_failed=self._on_runner_unhandled_failure,
        )

    def _check_report_queues(self) -> None:
        """Say, once, when a report waits for this user (after sign-in and after each sync)."""
        user = self.session.user
        if user is None or self._shut_down or not self._workspace_built:
            return
        reports = self.services.reports

        def count() -> tuple[int, int]:
            pending = len(reports.pending_reviews(user)) if reports.can_verify(user) else 0
            returned = len(reports.returned(user)) if allows(user.role, Action.REPORT_WRITE) else 0
            return pending, returned

        self.runner.run_store(count, on_done=self._say_report_queues, on_failed=lambda _e: None)

    def _say_report_queues(self, counts: tuple[int, int]) -> None:
        pending, returned = counts
        parts = []
        if pending:
            parts.append(self.tr("{n} scan report(s) wait for your review").format(n=pending))
        if returned:
            parts.append(self.tr("{n} of your reports came back with feedback").format(n=returned))
        words = "; ".join(parts) + self.tr(". Open Service, Scan reports waiting.") if parts else ""
        if words and words != self._said_about_reports:
            self.notice.show_notice(words, "info")
        self._said_about_reports = words

    def _build_imaging_screens(self) -> None:
        """The imaging screen and the orphan queue, made when first opened.

        They bring in QtMultimedia, numpy and pydicom, which sign-in does not need: the app
        starts quicker and smaller without them.
        """
        if self._imaging_built:
            return
        from ui.screens.imaging.view import ImagingView  # noqa: PLC0415 - see above
        from ui.screens.orphans.view import OrphansView  # noqa: PLC0415

        self._imaging_built = True
        self.imaging_view = ImagingView(self.imaging_vm)
        self.imaging_page, self.imaging_banner = under_banner(self.imaging_view)
        self.orphans_view = OrphansView(self.orphans_vm)
        self.imaging_view.report_requested.connect(self._open_report_of_study)
        for page in (self.imaging_page, self.orphans_view):
            # Shown full width; their natural width must not set every page's minimum.
            page.setMinimumWidth(560)
            self.pages.addWidget(page)

    def show_dicom_settings(self) -> None:
        """The service's DICOM listeners and PACS (only admins and leads change them)."""
        if self.state is not WindowState.WORKING:
            return
        self.pages.setCurrentWidget(self.dicom_settings_view)
        self.dicom_settings_vm.load()

    def _start_imaging(self) -> None:
        """The PACS queue and the scanners' listeners, once, after the first sign-in."""
        if self._imaging_started:
            return
        self._imaging_started = True
        services = self.services

        def start() -> None:
            services.pacs.watch(lambda _outcome: self.pacs_outcome.emit())
            services.pacs.start()
            services.scanners.start()

        self.runner.run_store(
            start,
            on_failed=lambda error: _log.warning(
                "Imaging background work not started:\n%s", errors.describe_for_log(error)
            ),
        )

    def _on_pacs_outcome(self) -> None:
        if self._imaging_built and self.pages.currentWidget() is self.imaging_page:
            self.imaging_vm.reload()


def user_can(user: CurrentUser | None, action: Action) -> bool:
    """True when someone is signed in whose role allows ``action``."""
    return user is not None and allows(user.role, action)


def under_banner(view: QWidget) -> tuple[QWidget, PatientBanner]:
    """A page that shows ``view`` under the banner of the patient it is for.

    Clinical pages always name their patient: name, NHS number, date of birth and alerts.
    """
    banner = PatientBanner()
    page = QWidget()
    layout = column(page)
    layout.setSpacing(12)
    layout.addWidget(banner)
    layout.addWidget(view, 1)
    return page, banner


def column(parent: QWidget) -> QVBoxLayout:
    """A vertical layout with no margins or spacing (pages set their own)."""
    layout = QVBoxLayout(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    return layout
