"""The application: Qt set-up, the main window that connects the screens, and crash handling."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientRecord, ReferralSummary, StoreStatus
from ui.common import errors, theme
from ui.common.idle import IdleWatcher
from ui.common.score_chart import ScoreChart
from ui.common.session import UserSession
from ui.common.shell import HomePage, StatusStrip
from ui.common.tasks import TaskRunner
from ui.common.widgets import NoticeBar
from ui.screens.assessment.view import AssessmentView
from ui.screens.assessment.view_model import AssessmentViewModel
from ui.screens.dicom_settings.view_model import DicomSettingsViewModel
from ui.screens.imaging.view_model import ImagingViewModel
from ui.screens.logbook.view_model import LogbookViewModel
from ui.screens.login.view import LoginView
from ui.screens.login.view_model import LoginViewModel
from ui.screens.orphans.view_model import OrphansViewModel
from ui.screens.patient.view import PatientView
from ui.screens.patient.view_model import PatientViewModel
from ui.screens.questionnaire.view import QuestionnaireView
from ui.screens.questionnaire.view_model import QuestionnaireViewModel
from ui.screens.red_flags.view import RedFlagsView
from ui.screens.red_flags.view_model import RedFlagsViewModel
from ui.screens.referral.view import ReferralView
from ui.screens.referral.view_model import ReferralViewModel
from ui.screens.register.view import RegisterView
from ui.screens.register.view_model import RegisterViewModel
from ui.screens.reports.view_model import ReportViewModel, ReviewQueueViewModel
from ui.screens.search.view import SearchView
from ui.screens.search.view_model import SearchViewModel
from ui.screens.settings.view import WaitingTimesView
from ui.screens.settings.view_model import WaitingTimesViewModel
from ui.screens.sync.view import SyncView
from ui.screens.sync.view_model import SyncViewModel
from ui.screens.worklist.view import WorklistView
from ui.screens.worklist.view_model import WorklistViewModel
from ui.window_actions import WindowActions
from ui.window_parts import ImagingAndReporting, WindowState, column, under_banner
from ui.window_services import ClinicServices

_log = logging.getLogger(__name__)

APP_NAME = "OneStop MSK"
ORGANISATION = "OneStop MSK"
SCREEN_SIZE = (1280, 800)
SEARCH_SHARE = 0.51
"""Share of the workspace's width the search panel starts with (the rest: record, forms)."""


class MainWindow(WindowActions, ImagingAndReporting, QMainWindow):
    """Sign-in, then the workspace: search on the left, record and forms on the right.

    Locking hides the workspace but keeps every widget (and what is typed in it) alive, so
    unlocking returns to exactly the same place. Switching user saves drafts, then clears.
    """

    unexpected_error = Signal(str)
    #: Emitted from the sync thread; Qt delivers it on the UI thread.
    sync_state_changed = Signal(object)
    #: Emitted from the PACS sender's thread after each attempt.
    pacs_outcome = Signal()

    def __init__(
        self,
        services: ClinicServices,
        *,
        runner: TaskRunner | None = None,
        idle_lock_seconds: int | None = None,
        defer_workspace: bool = False,
    ) -> None:
        super().__init__()
        self.setWindowTitle(self.tr(APP_NAME))
        self.services = services
        self.runner = runner or TaskRunner(self, shutdown_on_quit=False)
        self._shut_down = False
        self.session = UserSession(self)
        self.state = WindowState.SIGNED_OUT
        self._focus_before_lock: QWidget | None = None

        self.login_vm = LoginViewModel(services.auth, self.runner, self)
        runner, session = self.runner, self.session
        self.search_vm = SearchViewModel(
            services.patients, runner=runner, session=session, parent=self
        )
        self.patient_vm = PatientViewModel(
            services.patients, runner=runner, session=session, parent=self
        )
        self.register_vm = RegisterViewModel(
            services.patients,
            services.reference,
            services.drafts,
            runner=runner,
            session=session,
            parent=self,
        )
        self.referral_vm = ReferralViewModel(
            services.referrals,
            services.reference,
            services.drafts,
            runner=runner,
            session=session,
            parent=self,
        )
        self.questionnaire_vm = QuestionnaireViewModel(
            services.questionnaires, services.auth, runner=runner, session=session, parent=self
        )
        self._patient_mode = False
        self.assessment_vm = AssessmentViewModel(
            services.assessments, runner=runner, session=session, parent=self
        )
        self.red_flags_vm = RedFlagsViewModel(
            services.red_flags, runner=runner, session=session, parent=self
        )
        self.worklist_vm = WorklistViewModel(
            services.triage, services.reference, runner=runner, session=session, parent=self
        )
        self.settings_vm = WaitingTimesViewModel(
            services.settings, runner=runner, session=session, parent=self
        )
        self.sync_vm = SyncViewModel(
            services.sync, services.status, runner=runner, session=session, parent=self
        )
        self.imaging_vm = ImagingViewModel(
            services.imaging,
            services.pacs,
            services.teaching,
            runner=runner,
            session=session,
            parent=self,
        )
        self.orphans_vm = OrphansViewModel(
            services.imaging, services.patients, runner=runner, session=session, parent=self
        )
        self.dicom_settings_vm = DicomSettingsViewModel(
            services.dicom_settings,
            services.scanners,
            runner=runner,
            session=session,
            # Looked up when used: with a store still opening, the service is not there yet.
            can_change=lambda user: services.settings.can_manage(user),  # noqa: PLW0108
            parent=self,
        )
        self.report_vm = ReportViewModel(
            services.reports, runner=runner, session=session, parent=self
        )
        self.review_vm = ReviewQueueViewModel(
            services.reports, runner=runner, session=session, parent=self
        )
        self.logbook_vm = LogbookViewModel(
            services.reports, services.users, runner=runner, session=session, parent=self
        )
        self._said_about_reports = ""
        self._sync_started = False
        self._imaging_started = False
        self._imaging_built = False

        self.login_view = LoginView(self.login_vm)
        self._build_actions()
        self._workspace_built = False
        self._lay_out()

        seconds = (
            services.config.idle_lock_seconds if idle_lock_seconds is None else idle_lock_seconds
        )
        self.idle = IdleWatcher(seconds, self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)
            # Drafts are saved before the task runner stops.
            app.aboutToQuit.connect(self.shutdown)
        self._connect()
        if not defer_workspace:
            self.build_workspace()
        self._show_state(WindowState.SIGNED_OUT)

    def build_workspace(self) -> None:
        """Make the screens behind sign-in (search, record, forms), once.

        The app builds them just after the sign-in window appears, so that window shows
        sooner; tests build them straight away. Signing in waits until they exist.
        """
        if self._workspace_built:
            return
        self._workspace_built = True
        self.search_view = SearchView(self.search_vm)
        self.patient_view = PatientView(self.patient_vm)
        self.register_view = RegisterView(self.register_vm)
        self.referral_view = ReferralView(self.referral_vm)
        self.questionnaire_view = QuestionnaireView(self.questionnaire_vm)
        # Its large-print patient mode would otherwise claim width the clinician's form does
        # not need; in patient mode the search panel is hidden and the page gets it all.
        self.questionnaire_view.setMinimumWidth(560)
        # A questionnaire is always answered under the banner of the patient it is for.
        self.questionnaire_page, self.questionnaire_banner = under_banner(self.questionnaire_view)
        # Scores over time with the minimal important change band, once there is a history.
        self.score_chart = ScoreChart()
        self.score_chart.setFixedHeight(200)
        self.score_chart.hide()
        page_layout = self.questionnaire_page.layout()
        if isinstance(page_layout, QVBoxLayout):
            page_layout.insertWidget(1, self.score_chart)
        self.worklist_view = WorklistView(self.worklist_vm)
        self.settings_view = WaitingTimesView(self.settings_vm)
        self.sync_view = SyncView(self.sync_vm)
        self.assessment_view = AssessmentView(self.assessment_vm, self.services.reference.diagnoses)
        self.assessment_page, self.assessment_banner = under_banner(self.assessment_view)
        self.red_flags_view = RedFlagsView(self.red_flags_vm)
        self.red_flags_page, self.red_flags_banner = under_banner(self.red_flags_view)
        self._build_reporting_pages()
        # Shown full width (the search panel steps aside), so its table's natural width must
        # not set the minimum for every other page in the stack.
        self.worklist_view.setMinimumWidth(560)
        self.dicom_settings_view.setMinimumWidth(560)
        self.home_page = HomePage(self._shortcut_list())
        self.pages = QStackedWidget()
        for page in (
            self.home_page,
            self.patient_view,
            self.register_view,
            self.referral_view,
            self.questionnaire_page,
            self.worklist_view,
            self.settings_view,
            self.sync_view,
            self.assessment_page,
            self.red_flags_page,
            self.dicom_settings_view,
            self.report_page,
            self.review_view,
            self.logbook_view,
        ):
            self.pages.addWidget(page)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.search_view)
        self.splitter.addWidget(self.pages)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([650, 630])
        self._workspace_layout.addWidget(self.splitter)
        self.patient_vm.failed.connect(lambda _m: self.pages.setCurrentWidget(self.patient_view))
        self.referral_view.back_requested.connect(self._show_patient_page)
        self.home_page.register_requested.connect(self.show_register)
        self.questionnaire_view.patient_mode_changed.connect(self._on_patient_mode_changed)
        self.red_flags_view.print_card_requested.connect(self._on_print_card_requested)
        self.pages.currentChanged.connect(lambda _i: self._on_page_changed())
        self._update_actions()

    def _lay_out(self) -> None:
        self.workspace = QWidget()
        self.workspace.setObjectName("workspace")
        self._workspace_layout = column(self.workspace)

        self.top = QStackedWidget()
        self.top.addWidget(self.login_view)
        self.top.addWidget(self.workspace)
        # Messages that belong to no screen show above whichever page is up.
        self.notice = NoticeBar()
        central = QWidget()
        central_layout = column(central)
        central_layout.addWidget(self.notice)
        central_layout.addWidget(self.top, 1)
        self.setCentralWidget(central)
        self.status_strip = StatusStrip(self.statusBar())

    def _connect(self) -> None:
        self.login_vm.signed_in.connect(self._on_login_signed_in)
        self.login_vm.unlocked.connect(self._on_login_unlocked)
        self.login_vm.switch_user_requested.connect(self.switch_user)
        self.search_vm.patient_chosen.connect(self.patient_vm.open_patient)
        self.patient_vm.record_loaded.connect(self._on_patient_record_loaded)
        self.patient_vm.new_referral_requested.connect(self._on_patient_new_referral_requested)
        self.register_vm.saved.connect(self._on_register_saved)
        self.register_vm.draft_restored.connect(self._on_register_draft_restored)
        self.referral_vm.saved.connect(self._on_referral_saved)
        self.red_flags_vm.owed_changed.connect(self._on_owed_changed)
        self.questionnaire_vm.recorded.connect(lambda _result: self._load_score_history())
        self.idle.idle_timed_out.connect(self.lock)
        self.sync_state_changed.connect(lambda _state: self.refresh_status())
        self.sync_state_changed.connect(self._on_sync_state_changed)
        self.pacs_outcome.connect(self._on_pacs_outcome)
        self.runner.unhandled_failure.connect(self._on_runner_unhandled_failure)
        self.unexpected_error.connect(self._on_unexpected_error)

    # ------------------------------------------------------------------ commands

    def focus_search(self) -> None:
        if self.state is WindowState.WORKING:
            self.search_view.focus_search()

    def show_register(self) -> None:
        if self.state is not WindowState.WORKING:
            return
        self.pages.setCurrentWidget(self.register_view)
        self.register_view.focus_first_field()

    def show_new_referral(self) -> None:
        record = self.patient_vm.record
        if self.state is WindowState.WORKING and record is not None:
            self._on_patient_new_referral_requested(record)

    def show_assessment(self) -> None:
        """The open patient's assessment: the draft in progress, or a new one."""
        record = self.patient_vm.record
        if self.state is not WindowState.WORKING or record is None:
            return
        self.assessment_banner.show_record(record)
        self.assessment_vm.start(record.id)
        self.pages.setCurrentWidget(self.assessment_page)

    def show_red_flags(self) -> None:
        """Red-flag screens for the regions picked on the assessment's body chart."""
        record = self.patient_vm.record
        if self.state is not WindowState.WORKING or record is None:
            return
        self.red_flags_banner.show_record(record)
        self.red_flags_vm.start(record.id, self.assessment_view.body_chart.selection())
        self.pages.setCurrentWidget(self.red_flags_page)

    def _on_owed_changed(self, owed: list[object]) -> None:
        # An emergency waiting for a recorded action is said on the record too, every time.
        if owed and self.pages.currentWidget() is self.patient_view:
            self.patient_view.show_notice(
                self.tr(
                    "A red flag on this record needs a recorded action. Open Red-flag "
                    "screening (Ctrl+Shift+R)."
                ),
                "problem",
            )

    def _on_print_card_requested(self, _card: object) -> None:
        record = self.patient_vm.record
        user = self.session.user
        if record is None or user is None:
            return
        self.runner.run_store(
            lambda: self.services.red_flags.safety_net_card(user, record.id),
            on_done=self._offer_card,
            on_failed=self._on_runner_unhandled_failure,
        )

    def _offer_card(self, pdf: object) -> None:
        """Save the card where the clinician chooses, then open it to print."""
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save the safety-net card"),
            "safety-net-card.pdf",
            self.tr("PDF documents (*.pdf)"),
        )
        if not path or not isinstance(pdf, bytes):
            return
        Path(path).write_bytes(pdf)
        QDesktopServices.openUrl(QUrl.fromLocalFile(path))

    def show_worklist(self) -> None:
        """The triage worklist: untriaged referrals, the most pressing first."""
        if self.state is not WindowState.WORKING:
            return
        self.pages.setCurrentWidget(self.worklist_view)
        self.worklist_vm.refresh()
        self.worklist_view.focus_list()

    def show_sync(self) -> None:
        """Sync: the state, conflicts waiting for a person, changes the server refused."""
        if self.state is not WindowState.WORKING:
            return
        self.pages.setCurrentWidget(self.sync_view)
        self.sync_vm.load()

    def _start_sync(self) -> None:
        """Background sync, once, after the first sign-in (if the device is set up)."""
        if self._sync_started:
            return
        self._sync_started = True
        self._watch_network()
        self.runner.run_store(
            lambda: self.services.sync.start(on_state=self.sync_state_changed.emit),
            on_failed=lambda error: _log.warning(
                "Background sync not started:\n%s", errors.describe_for_log(error)
            ),
        )

    def _watch_network(self) -> None:
        """Sync at once when the operating system says a connection has appeared."""
        from PySide6.QtNetwork import QNetworkInformation  # noqa: PLC0415 - after sign-in

        if not QNetworkInformation.loadDefaultBackend():
            return  # no backend (a headless test machine): the timer still syncs
        info = QNetworkInformation.instance()
        if info is None:
            return

        def on_reachability(reachability: QNetworkInformation.Reachability) -> None:
            if reachability == QNetworkInformation.Reachability.Online and self._sync_started:
                self.services.sync.wake()

        info.reachabilityChanged.connect(on_reachability)

    def show_settings(self) -> None:
        """The service's waiting-time targets (only the service lead can change them)."""
        if self.state is not WindowState.WORKING:
            return
        self.pages.setCurrentWidget(self.settings_view)
        self.settings_vm.load()

    def show_questionnaire(self) -> None:
        """Open the MSK-HQ for the open patient: baseline first, follow-ups after."""
        record = self.patient_vm.record
        user = self.session.user
        if self.state is not WindowState.WORKING or record is None or user is None:
            return
        questionnaire_id = "msk_hq"
        # Baseline and follow-ups belong to the episode the banner names.
        episode_id = record.open_episode.id if record.open_episode else None

        def begin(timepoint: object) -> None:
            self.questionnaire_banner.show_record(record)
            self._load_score_history()
            self.questionnaire_vm.start(
                questionnaire_id, record.id, timepoint=str(timepoint), episode_id=episode_id
            )
            self.pages.setCurrentWidget(self.questionnaire_page)

        self.runner.run_store(
            lambda: self.services.questionnaires.next_timepoint(
                user, record.id, questionnaire_id, episode_id=episode_id
            ),
            on_done=begin,
            on_failed=self._on_runner_unhandled_failure,
        )

    def _load_score_history(self) -> None:
        """Fetch the open patient's MSK-HQ history for the chart above the questions."""
        record = self.patient_vm.record
        user = self.session.user
        if record is None or user is None:
            return
        questionnaires = self.services.questionnaires
        self.runner.run_store(
            lambda: (
                questionnaires.definition("msk_hq"),
                questionnaires.history(user, record.id, "msk_hq"),
            ),
            on_done=self._show_score_history,
            on_failed=self._on_runner_unhandled_failure,
        )

    def _show_score_history(self, loaded: object) -> None:
        definition, history = cast(tuple[Any, list[Any]], loaded)
        points = [(entry.response.recorded_at.date(), entry.response.total) for entry in history]
        self.score_chart.set_series(definition, points)
        self.score_chart.setVisible(bool(points) and not self._patient_mode)

    def _on_patient_mode_changed(self, on: bool) -> None:
        """While the patient holds the device, only the questionnaire is on the screen."""
        self._patient_mode = on
        self.menuBar().setVisible(not on)
        self.statusBar().setVisible(not on)
        self.questionnaire_banner.setVisible(not on)
        if on:
            self.score_chart.hide()
        self._on_page_changed()
        # The idle lock would show the sign-in screen behind the patient's questions.
        if on:
            self.idle.stop()
        elif self.state is WindowState.WORKING:
            self.idle.start()
        self._update_actions()

    def _on_page_changed(self) -> None:
        # The worklist needs the whole width, and patient mode shows nothing but questions.
        wide = self.pages.currentWidget() in (
            self.worklist_view,
            self.settings_view,
            self.sync_view,
            self.dicom_settings_view,
            self.review_view,
            self.logbook_view,
        ) or (
            self._imaging_built
            and self.pages.currentWidget() in (self.imaging_page, self.orphans_view)
        )
        show_search = not wide and not self._patient_mode
        if show_search != self.search_view.isVisibleTo(self.splitter):
            self.search_view.setVisible(show_search)
            if show_search:
                # Give the search panel back its share, not what a wide page left over.
                total = max(self.splitter.width(), sum(self.splitter.sizes()))
                left = round(total * SEARCH_SHARE)
                self.splitter.setSizes([left, total - left])
        self._update_actions()

    def save_form(self) -> None:
        if self.state is not WindowState.WORKING:
            return
        if self.pages.currentWidget() is self.register_view:
            self.register_view.submit()
        elif self.pages.currentWidget() is self.referral_view:
            self.referral_view.submit()

    def lock(self) -> None:
        """Hide the workspace behind the lock screen; everything typed stays where it is."""
        user = self.session.user
        # Never while the patient holds the device: only the clinician's password ends that.
        if self.state is not WindowState.WORKING or user is None or self._patient_mode:
            return
        focused = QApplication.focusWidget()
        self._focus_before_lock = (
            focused if focused and self.workspace.isAncestorOf(focused) else None
        )
        self.register_vm.save_draft_now()
        self.referral_vm.save_draft_now()
        self.assessment_vm.save_now()
        self.login_vm.show_locked(user)
        self._show_state(WindowState.LOCKED)

    def switch_user(self) -> None:
        """Save every draft as the current user, clear the workspace and ask who is next."""
        if self.state is WindowState.SIGNED_OUT or self._patient_mode:
            return
        # Drafts are queued on the store worker before anything the next user does.
        self.register_vm.save_draft_now()
        self.referral_vm.save_draft_now()
        self.assessment_vm.save_now()
        self.search_vm.clear()
        self.search_view.reset()
        self.patient_vm.clear()
        self.register_vm.reset()
        self.referral_vm.reset()
        self.worklist_vm.clear()
        self.imaging_vm.clear()
        if self._imaging_built:
            self.imaging_view.reset()
        self.notice.hide_notice()
        self.session.sign_out()
        self.login_vm.show_sign_in()
        self.login_view.reset()
        self._focus_before_lock = None
        self.pages.setCurrentWidget(self.home_page)
        self._show_state(WindowState.SIGNED_OUT)

    def shutdown(self) -> None:
        """Save drafts, stop the idle timer and the task runner (on close, and in tests)."""
        if self._shut_down:
            return
        self._shut_down = True
        if self.state is not WindowState.SIGNED_OUT:
            self.register_vm.save_draft_now()
            self.referral_vm.save_draft_now()
        self.idle.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)
        if self._sync_started:
            # Only a started sync needs stopping (the store may never have opened).
            self.services.sync.stop()
        if self._imaging_started:
            self.services.pacs.stop()
            self.services.scanners.stop()
        try:
            self.runner.wait_idle()
        finally:
            self.runner.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    # ------------------------------------------------------------------ reactions

    def _on_login_signed_in(self, user: CurrentUser) -> None:
        self.build_workspace()
        self.session.sign_in(user)
        self.login_view.reset()
        self.status_strip.show_user(user)
        self.pages.setCurrentWidget(self.home_page)
        self._show_state(WindowState.WORKING)
        self.register_vm.start()
        self.refresh_status()
        self._said_about_reports = ""
        self._check_report_queues()
        self.search_view.focus_search()

    def _on_login_unlocked(self) -> None:
        self.login_view.reset()
        self._show_state(WindowState.WORKING)
        target = self._focus_before_lock
        self._focus_before_lock = None
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.search_view.focus_search()

    def _on_patient_record_loaded(self, record: PatientRecord) -> None:
        self._show_patient_page()
        # Brings back any emergency still waiting for an action (also after a restart).
        self.red_flags_vm.start(record.id)

    def _show_patient_page(self) -> None:
        # Focus stays where it was (usually the search results), so arrow keys keep browsing.
        self.pages.setCurrentWidget(self.patient_view)
        self._update_actions()

    def _on_patient_new_referral_requested(self, record: PatientRecord) -> None:
        self.referral_vm.start(record)
        self.pages.setCurrentWidget(self.referral_view)
        self.referral_view.focus_first_field()

    def _on_register_saved(self, record: PatientRecord) -> None:
        self.patient_vm.show_record(record)
        self.patient_view.show_notice(self.tr("Patient registered."), "success")
        self.refresh_status()

    def _on_register_draft_restored(self, _values: object) -> None:
        if self.pages.currentWidget() is self.home_page:
            self.home_page.notice.show_notice(
                self.tr(
                    "You have an unfinished patient registration. It is waiting for you under "
                    "Register a patient (Ctrl+N)."
                )
            )

    def _on_referral_saved(self, _referral: ReferralSummary) -> None:
        self.patient_vm.reload()
        self.patient_view.show_notice(self.tr("Referral saved."), "success")
        self.refresh_status()

    def _on_sync_state_changed(self, state: object) -> None:
        # Only a finished sync can have brought new reports; one starting has not yet.
        if not getattr(state, "running", False):
            self._check_report_queues()

    def _on_unexpected_error(self, text: str) -> None:
        self.notice.show_notice(text, "problem")

    def _on_runner_unhandled_failure(self, error: BaseException) -> None:
        self.notice.show_notice(errors.explain(error), "problem")

    def refresh_status(self) -> None:
        """Ask the store for the sync state and pending changes, for the status bar."""
        user = self.session.user
        # After shut-down, a late word from the sync thread must not queue new work.
        if user is None or self._shut_down:
            return
        self.runner.run_store(
            lambda: self.services.status.current(user),
            on_done=self._on_status_loaded,
            on_failed=lambda error: _log.warning(
                "Status bar not refreshed:\n%s", errors.describe_for_log(error)
            ),
        )

    def _on_status_loaded(self, status: StoreStatus) -> None:
        if self.state is not WindowState.SIGNED_OUT:
            self.status_strip.show_status(status)

    def _show_state(self, state: WindowState) -> None:
        self.state = state
        if state is WindowState.WORKING:
            self.top.setCurrentWidget(self.workspace)
            self.idle.start()
            user = self.session.user
            if user is not None:
                self.status_strip.show_user(user)
            self._start_sync()
            self._start_imaging()
        else:
            self.top.setCurrentWidget(self.login_view)
            self.idle.stop()
            self.login_view.focus_first_field()
            if state is WindowState.LOCKED:
                self.status_strip.show_locked()
            else:
                self.status_strip.clear()
        self._update_actions()


# ---------------------------------------------------------------------- application set-up


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the clinic's name, scaling policy, font and theme."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        # Fractional scale factors (125 %, 150 %) are passed through rather than rounded, so
        # text is neither cramped nor blown up on clinic laptops.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    theme.apply_theme(app)
    return app


def build_main_window(
    services: ClinicServices,
    *,
    runner: TaskRunner | None = None,
    idle_lock_seconds: int | None = None,
) -> MainWindow:
    """Set up the application (if not yet) and build the main window, not yet shown.

    Args:
        services: the container from ``clinic_app.bootstrap``.
        runner: a task runner to use (tests pass their own); one is made if omitted.
        idle_lock_seconds: overrides ``services.config.idle_lock_seconds``; 0 turns the
            idle lock off.
    """
    create_application()
    return MainWindow(services, runner=runner, idle_lock_seconds=idle_lock_seconds)
