"""The main window: sign-in, then the workspace of declared screens; lock, switch user, quit."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientRecord
from ui.common.idle import IdleWatcher
from ui.common.screen import (
    FormScreen,
    NoticeScreen,
    Placement,
    ReadAheadScreen,
    Screen,
    ScreenSpec,
    WindowFacts,
    WindowState,
    column,
)
from ui.common.session import UserSession
from ui.common.shell import HomePage, StatusStrip
from ui.common.tasks import TaskRunner
from ui.common.widgets import NoticeBar, PatientBanner
from ui.shell.actions import COMMANDS, WindowActions
from ui.shell.background import BackgroundWork
from ui.shell.context import WindowContext
from ui.shell.login.view import LoginView
from ui.shell.login.view_model import LoginViewModel
from ui.shell.registry import discover, register_words

if TYPE_CHECKING:
    # The services' Protocols are composed from every screen's view model: types only,
    # so that the sign-in window does not wait for the screens' modules.
    from ui.shell.services import ClinicServices

_log = logging.getLogger(__name__)

APP_NAME = "OneStop MSK"
LIST_NOTE = (
    "This list is not about the patient above: patient actions are off here. "
    "Choose a row and open its record to act for that patient."
)
"""The banner's note while a page listing many patients is on show."""
SEARCH_SHARE = 0.51
"""Share of the workspace's width the search panel starts with (the rest: record, forms)."""
HOME = "home"
"""The id of the page shown before a patient is open (for ``say_on``)."""
LANDING = ("today", "site_day")
"""The pages a user may start on after signing in, the first they may use (else home)."""
LANDING_WAIT_MS = 1500
"""Longest the sign-in screen waits for the landing page's list before showing it anyway."""
BACKGROUND_AFTER_MS = 300
"""How long after the workspace appears the sync and the scanners' listeners start: the
landing page is drawn first."""


class _FromThreads(QObject):
    """What the sync and PACS threads report, handed on to the window on the UI thread.

    The threads emit only here, on signals connected once and never disconnected (as the
    task runner's workers do, ``ui.common.tasks``): a signal of the window itself, which
    other objects connect to and leave, could make a thread's emit tidy those connections
    and wait for Python's lock while the UI thread waits for Qt's.
    """

    sync_state = Signal(object)
    pacs_outcome = Signal()
    scan_arrived = Signal()


class ShellWindow(QMainWindow):
    """Sign-in, then the workspace: search on the left, record and forms on the right.

    Its screens, menus and actions come from the screens the areas declare. Locking hides the
    workspace but keeps every widget (and what is typed in it) alive, so unlocking returns to
    exactly the same place. Switching user saves every screen, then resets every screen.
    """

    unexpected_error = Signal(str)
    #: The sync thread's state, emitted on the UI thread.
    sync_state_changed = Signal(object)
    #: After each attempt of the PACS sender's thread, emitted on the UI thread.
    pacs_outcome = Signal()
    #: After each object a scanner pushed is in the store, emitted on the UI thread.
    scan_arrived = Signal()

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
        #: Switching user: what is saved on the way out is saved, but nothing is offered.
        self._leaving = False
        self.session = UserSession(self)
        self.state = WindowState.SIGNED_OUT
        self._handed_over = False
        #: What the window had to say while the patient held the device, said on hand-back.
        self._said_meanwhile: list[tuple[str, str]] = []
        self._focus_before_lock: QWidget | None = None
        #: Whether a sync round finished while the screen was locked brought something (None:
        #: none finished): what is on show reads them on unlocking.
        self._received_while_locked: bool | None = None
        # The window is built from what the domains declare: their screens, and the words
        # for the error codes their core packages raise.
        register_words()
        self.specs: dict[str, ScreenSpec] = {spec.id: spec for spec in discover()}
        self._built: dict[str, Screen] = {}
        self._page_of: dict[QWidget, str] = {}
        self._own_policies: dict[QWidget, QSizePolicy] = {}
        self.context = WindowContext(self)

        self.login_vm = LoginViewModel(services.auth, self.runner, self)
        self.login_view = LoginView(self.login_vm)
        self.actions_ = WindowActions(self, self.specs.values(), COMMANDS, self._on_action)
        self.workspace_built = False
        # Counts sign-ins: a landing page's late answer enters only its own sign-in.
        self._opening = 0
        self._lay_out()
        self.background = BackgroundWork(
            services,
            self.runner,
            self.session,
            notice=self.notice,
            status_strip=self.status_strip,
            active=lambda: not self._shut_down and self.workspace_built,
            parent=self,
        )

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

    # ------------------------------------------------------------------ building

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

    def build_workspace(self) -> None:
        """Make the workspace behind sign-in and the screens declared ``eager``, once.

        The app builds it just after the sign-in window appears, so that window shows
        sooner; tests build it straight away. Signing in waits until it exists. Every other
        screen is built the first time it is opened.
        """
        if self.workspace_built:
            return
        self.workspace_built = True
        self.home_page = HomePage(self.actions_.shortcut_list())
        self.pages = QStackedWidget()
        self.pages.addWidget(self.home_page)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        sides = [spec.id for spec in self.specs.values() if spec.placement is Placement.SIDE]
        if len(sides) != 1:
            raise ValueError(f"exactly one screen must be the side panel, not {sides}")
        self._side_id = sides[0]
        for spec in self.specs.values():
            if spec.eager:
                self.screen_by_id(spec.id)
        self.splitter.addWidget(self._built[self._side_id].page)
        self.splitter.addWidget(self.pages)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([650, 630])
        # The one banner: the window's patient, above every page (wide pages too).
        self.banner = PatientBanner()
        self.banner.setObjectName("windowBanner")
        # Always on show, so it is kept tight: every page has its height less this.
        banner_layout = self.banner.layout()
        if banner_layout is not None:
            banner_layout.setContentsMargins(16, 6, 16, 6)
            banner_layout.setSpacing(3)
        self.banner.show_none()
        self._workspace_layout.addWidget(self.banner)
        self._workspace_layout.addWidget(self.splitter, 1)
        for built in self._built.values():
            self._suppress_page_banners(built.page)
        self.home_page.register_requested.connect(lambda: self.open_screen("register"))
        self.pages.currentChanged.connect(lambda _i: self._on_page_changed())
        self.update_actions()
        # Styled now, behind the sign-in screen, rather than when it is first shown.
        self.workspace.ensurePolished()

    def prepare_first_sight(self) -> None:
        """Lay the workspace out and draw it once, unseen, while the sign-in screen is up.

        The first time a page is shown Qt works out every widget's size and draws it from
        scratch; done here, the first sight after sign-in only redraws what the list changed.
        Nothing of any patient is on it yet.
        """
        if not self.workspace_built or self.state is not WindowState.SIGNED_OUT:
            return
        self.workspace.resize(self.top.size())
        self.workspace.grab()

    def screen_by_id(self, screen_id: str) -> Screen:
        """The screen with this id, built now if it was not yet."""
        built = self._built.get(screen_id)
        if built is not None:
            return built
        self.build_workspace()
        spec = self.specs[screen_id]
        built = spec.build(self.context)
        self._built[screen_id] = built
        if hasattr(self, "banner"):
            self._suppress_page_banners(built.page)
        if spec.placement is not Placement.SIDE:
            self._page_of[built.page] = screen_id
            self.pages.addWidget(built.page)
            self._size_by_current_page()
        return built

    @staticmethod
    def _suppress_page_banners(page: QWidget) -> None:
        # A page's own banner could name another patient than the window's: only the
        # window's banner is ever shown.
        for banner in page.findChildren(PatientBanner):
            banner.suppress()

    def built_screens(self) -> dict[str, Screen]:
        """The screens built so far, by id."""
        return dict(self._built)

    def action(self, action_id: str) -> QAction:
        """The menu action of a declared screen or of a command (``save``, ``lock`` ...)."""
        return self.actions_.action(action_id)

    def _connect(self) -> None:
        self.login_vm.signed_in.connect(self._on_login_signed_in)
        self.login_vm.unlocked.connect(self._on_login_unlocked)
        self.login_vm.switch_user_requested.connect(self.switch_user)
        self.context.record_changed.connect(lambda _kind, _id: self.background.refresh_status())
        self.idle.idle_timed_out.connect(self.lock)
        self.sync_state_changed.connect(self._on_sync_state_changed)
        self.pacs_outcome.connect(lambda: self.context.announce("images.sent", None))
        self.scan_arrived.connect(lambda: self.context.announce("images.received", None))
        self._from_threads = _FromThreads(self)
        queued = Qt.ConnectionType.QueuedConnection
        self._from_threads.sync_state.connect(self.sync_state_changed, queued)
        self._from_threads.pacs_outcome.connect(self.pacs_outcome, queued)
        self._from_threads.scan_arrived.connect(self.scan_arrived, queued)
        self.runner.unhandled_failure.connect(self.context.explain_failure)
        self.unexpected_error.connect(lambda text: self.notice.add_notice(text, "problem"))

    # ------------------------------------------------------------------ what is on

    def facts(self) -> WindowFacts:
        """What enabling depends on, now."""
        current = self._current_spec()
        return WindowFacts(
            state=self.state,
            user=self.session.user,
            patient_open=self.context.patient is not None,
            handed_over=self._handed_over,
            form_showing=current is not None and current.form,
            listing_patients=current is not None and current.lists_patients,
        )

    def update_actions(self) -> None:
        """Every action on or off, by its declaration and the window's facts."""
        self.actions_.update(self.facts())

    def _current_spec(self) -> ScreenSpec | None:
        if not self.workspace_built:
            return None
        page = self.pages.currentWidget()
        screen_id = self._page_of.get(page) if page is not None else None
        return self.specs[screen_id] if screen_id is not None else None

    # ------------------------------------------------------------------ commands

    def _on_action(self, action_id: str) -> None:
        commands = {
            "save": self.save_form,
            "lock": self.lock,
            "switch_user": self.switch_user,
            "quit": self.close,
        }
        command = commands.get(action_id)
        if command is not None:
            command()
        else:
            self.open_screen(action_id)

    def open_screen(self, screen_id: str, item: object = None) -> None:
        """Open a declared screen, if its declaration allows it now."""
        if not self.workspace_built or not self.specs[screen_id].enabled(self.facts()):
            return
        if screen_id == self._side_id:
            self._reveal_side()
        self.screen_by_id(screen_id).open(self.context.patient, item)

    def _reveal_side(self) -> None:
        """Bring back the search panel a wide page hid, so Find never types into it unseen."""
        spec = self._current_spec()
        if spec is None or spec.placement is not Placement.WIDE:
            return
        if self.context.patient is not None:
            self.show_screen(self.screen_by_id("patient"))
        else:
            self.pages.setCurrentWidget(self.home_page)

    def show_screen(self, screen: Screen) -> None:
        """Bring a built screen's page to the front (the side panel: give it the focus)."""
        if screen.page in self._page_of:
            self.pages.setCurrentWidget(screen.page)
        self.update_actions()

    def showing(self, screen: Screen) -> bool:
        """True when ``screen``'s page is the one on show."""
        return self.workspace_built and self.pages.currentWidget() is screen.page

    def say_on(self, screen_id: str, text: str, kind: str) -> None:
        """A message on one page's own notice bar, if that page is on show."""
        if not self.workspace_built:
            return
        if screen_id == HOME:
            if self.pages.currentWidget() is self.home_page:
                self.home_page.notice.show_notice(text, kind)
                return
            # The user's own first page (their day list) stands in for the home page.
            landing = self.landing_screen()
            if landing is None:
                return
            screen_id = landing
        screen = self._built.get(screen_id)
        if screen is not None and self.showing(screen) and hasattr(screen, "show_notice"):
            target: NoticeScreen = screen  # type: ignore[assignment]
            target.show_notice(text, kind)

    def save_form(self) -> None:
        """Save (Ctrl+S): submit the form on show, if it is one."""
        spec = self._current_spec()
        if not self.facts().working or spec is None or not spec.form:
            return
        screen = self._built[spec.id]
        if isinstance(screen, FormScreen):
            screen.submit()

    def show_patient(self, record: PatientRecord | None) -> None:
        """Name ``record`` in the window's banner, or say no patient is open."""
        if not self.workspace_built:
            return
        if record is None:
            self.banner.show_none()
        else:
            self.banner.show_record(record)

    def forget_patient(self, *, notices: bool = True) -> None:
        """Every screen about one patient saves, then forgets; every notice goes.

        Called when the window's patient changes (or is closed) and on switching user. With
        ``notices`` False (no patient was open: what was on show went when the last one
        closed), the notices stay: what came since names whom it is about, such as work left
        behind for the patient closed as the next one was chosen.
        """
        for screen_id, screen in self._built.items():
            if self.specs[screen_id].about_one_patient:
                screen.save_now()
                screen.reset()
        if notices:
            self.clear_notices()

    def clear_notices(self) -> None:
        """Hide every notice: the window's, the home page's and every built page's own."""
        self.notice.hide_notice()
        self._said_meanwhile = []
        if not self.workspace_built:
            return
        pages: list[QWidget] = [self.home_page, *(s.page for s in self._built.values())]
        for page in pages:
            for bar in page.findChildren(NoticeBar):
                bar.hide_notice()

    @property
    def handed_over(self) -> bool:
        """True while the patient holds the device."""
        return self._handed_over

    def hand_over(self, to_patient: bool) -> None:
        """While the patient holds the device, only the questionnaire is on the screen."""
        self._handed_over = to_patient
        self.menuBar().setVisible(not to_patient)
        self.statusBar().setVisible(not to_patient)
        # The clinician's notices are not the patient's to read (nor could they dismiss one):
        # hidden while the patient holds the device, and what came meanwhile said on hand-back.
        if to_patient:
            self.notice.hide_notice()
        else:
            self._say_what_came_meanwhile()
        if self.workspace_built:
            self.banner.setVisible(not to_patient)
        self._on_page_changed()
        # The idle lock would show the sign-in screen behind the patient's questions.
        if to_patient:
            self.idle.stop()
        elif self.state is WindowState.WORKING:
            self.idle.start()
        self.update_actions()

    def _size_by_current_page(self) -> None:
        """The window's minimum size is the page on show's, not the largest page ever built.

        A stack asks for the largest of all its pages; pages not on show are told to ask
        for nothing (``Ignored``), and get their own policy back when shown.
        """
        current = self.pages.currentWidget()
        for index in range(self.pages.count()):
            page = self.pages.widget(index)
            if page is None:
                continue
            own = self._own_policies.setdefault(page, page.sizePolicy())
            if page is current:
                page.setSizePolicy(own)
            else:
                page.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.pages.updateGeometry()

    def _on_page_changed(self) -> None:
        # Wide pages need the whole width, and patient mode shows nothing but questions.
        self._size_by_current_page()
        spec = self._current_spec()
        wide = spec is not None and spec.placement is Placement.WIDE
        side = self._built[self._side_id].page
        listing = spec is not None and spec.lists_patients and self.context.patient is not None
        self.banner.set_note(self.tr(LIST_NOTE) if listing else "")
        show_search = not wide and not self._handed_over
        if show_search != side.isVisibleTo(self.splitter):
            side.setVisible(show_search)
            if show_search:
                # Give the search panel back its share, not what a wide page left over.
                total = max(self.splitter.width(), sum(self.splitter.sizes()))
                left = round(total * SEARCH_SHARE)
                self.splitter.setSizes([left, total - left])
        self.update_actions()

    def save_every_screen(self) -> None:
        """Every built screen saves what is typed; the saves are queued on the store worker."""
        for screen in self._built.values():
            screen.save_now()

    def lock(self) -> None:
        """Hide the workspace behind the lock screen; everything typed stays where it is."""
        user = self.session.user
        # Never while the patient holds the device: only the clinician's password ends that.
        if self.state is not WindowState.WORKING or user is None or self._handed_over:
            return
        focused = QApplication.focusWidget()
        self._focus_before_lock = (
            focused if focused and self.workspace.isAncestorOf(focused) else None
        )
        self.save_every_screen()
        self._received_while_locked = None
        self.login_vm.show_locked(user)
        self._show_state(WindowState.LOCKED)

    def switch_user(self) -> None:
        """Save every screen as the current user, reset every screen, and ask who is next."""
        if self.state is WindowState.SIGNED_OUT or self._handed_over:
            return
        # A document made while the user leaves is never offered (a save dialog naming the
        # patient) to whoever comes to the laptop next.
        self._leaving = True
        try:
            self.save_every_screen()
            # A save answered now may queue what was typed meanwhile: all of it is saved as
            # the user who typed it before any screen forgets it.
            self._wait_for_saves()
        finally:
            self._leaving = False
        # The patient goes first: screens resetting then find none to forget again.
        self.context.close_patient()
        for screen in self._built.values():
            screen.reset()
        self.clear_notices()
        self.background.forget_report_notice()
        self.session.sign_out()
        self.login_vm.show_sign_in()
        self.login_view.reset()
        self._focus_before_lock = None
        if self.workspace_built:
            self.pages.setCurrentWidget(self.home_page)
        self._show_state(WindowState.SIGNED_OUT)

    def _wait_for_saves(self) -> None:
        try:
            self.runner.wait_idle()
        except TimeoutError as error:
            # Queued work still runs in order; only the wait gave up.
            _log.warning("Saves still running while switching user:\n%s", error)

    def shutdown(self) -> None:
        """Save every screen, stop the idle timer, the background work and the task runner.

        Called on close, on quitting the application, and by tests. The task runner stops
        only once the saves it was given have been written.
        """
        if self._shut_down:
            return
        if self.state is not WindowState.SIGNED_OUT:
            self.save_every_screen()
        self._shut_down = True
        self.idle.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)
        # Background work handed to the store's thread (starting the sync, say) finishes
        # before it is stopped: stopping a thread that is still being started would fail.
        try:
            self.runner.wait_idle()
        finally:
            self.background.stop()
            self.runner.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    # ------------------------------------------------------------------ reactions

    def _on_login_signed_in(self, user: CurrentUser) -> None:
        self.build_workspace()
        self.session.sign_in(user)
        self._opening += 1
        opening = self._opening
        # The page the user lands on reads its list while the sign-in screen is still up:
        # the window is then drawn once, with the list in it. A slow or failed read does not
        # hold the user back for long: the page then says so itself.
        landing = self.landing_screen()
        screen = self.screen_by_id(landing) if landing is not None else None
        if isinstance(screen, ReadAheadScreen):
            QTimer.singleShot(LANDING_WAIT_MS, lambda: self._enter_workspace(opening))
            screen.read_ahead(lambda: self._enter_workspace(opening))
        else:
            self._enter_workspace(opening)

    def _enter_workspace(self, opening: int) -> None:
        """Show the workspace after a sign-in, on the user's landing page (once per sign-in)."""
        user = self.session.user
        if opening != self._opening or user is None or self.state is not WindowState.SIGNED_OUT:
            return
        self._opening += 1
        self.login_vm.opened()
        self.login_view.reset()
        self.status_strip.show_user(user)
        # The landing page is the one on show as the workspace appears: no other page is
        # laid out and drawn on the way to it.
        landing = self.landing_screen()
        built = self._built.get(landing) if landing is not None else None
        self.pages.setCurrentWidget(built.page if built is not None else self.home_page)
        self._show_state(WindowState.WORKING)
        self._built[self._side_id].open(None)
        if landing is not None:
            self.open_screen(landing)
        self.context.signed_in.emit(user)
        self.background.refresh_status()
        self.background.forget_report_notice()
        self.background.check_report_queues()

    def landing_screen(self) -> str | None:
        """The page a user starts on after signing in, instead of the home page.

        A clinician starts on their own day list; reception on the site's day list; anyone
        who may use neither, on the home page (None).
        """
        user = self.session.user
        if user is None:
            return None
        for screen_id in LANDING:
            spec = self.specs.get(screen_id)
            if spec is not None and spec.may_use(user):
                return screen_id
        return None

    def _on_login_unlocked(self) -> None:
        self.login_view.reset()
        self._show_state(WindowState.WORKING)
        received, self._received_while_locked = self._received_while_locked, None
        if received is not None:
            # What sync rounds brought while the screen was locked is read now.
            self._announce_sync(received=received)
        self._say_what_came_meanwhile()
        target = self._focus_before_lock
        self._focus_before_lock = None
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self._built[self._side_id].open(None)

    def _on_sync_state_changed(self, state: object) -> None:
        if self._shut_down:
            # A round that finished as the window shut: nothing is left to read it again.
            return
        self.background.refresh_status()
        # Only a finished sync can have brought new reports; one starting has not yet.
        if not getattr(state, "running", False):
            self.background.check_report_queues()
            if self.state is WindowState.WORKING:
                self._announce_sync(received=getattr(state, "received", False))
            elif self.state is WindowState.LOCKED:
                # Read again on unlocking: a merge that came meanwhile moves the banner then.
                self._received_while_locked = bool(self._received_while_locked) or bool(
                    getattr(state, "received", False)
                )

    def _announce_sync(self, *, received: bool) -> None:
        # Lists of the day read again what the sync brought.
        self.context.announce("sync.finished", None)
        if received:
            # A colleague's change (or a patient) came in: what is on show reads itself
            # again, the open record included.
            self.context.announce("sync.received", None)

    def say(self, text: str, kind: str) -> None:
        """Show a notice on the window.

        Kept for the hand-back while the patient holds the device, and for unlocking while
        the screen is locked.
        """
        if self._handed_over or self.state is WindowState.LOCKED:
            # Never on the lock screen, where anyone passing may read a patient's name, nor
            # for the patient to read: every word kept, and said together once back.
            if (text, kind) not in self._said_meanwhile:
                self._said_meanwhile.append((text, kind))
        else:
            self.notice.add_notice(text, kind)

    def _say_what_came_meanwhile(self) -> None:
        """Say, in one notice, what came while locked or handed over (a problem if any was)."""
        kept, self._said_meanwhile = self._said_meanwhile, []
        if not kept:
            return
        kinds = {kind for _text, kind in kept}
        kind = "problem" if "problem" in kinds else kept[-1][1]
        self.notice.add_notice(" ".join(text for text, _kind in kept), kind)

    def may_say(self) -> bool:
        """Whether a late answer may be said: someone is signed in, who is not leaving.

        While locked it is kept for unlocking; once someone switches user, nothing is said.
        """
        return (
            self.state is not WindowState.SIGNED_OUT and not self._shut_down and not self._leaving
        )

    def shows_patient_data(self) -> bool:
        """Whether patients' data may be shown now: signed in and not locked (for dialogs)."""
        return self.state is WindowState.WORKING and not self._shut_down and not self._leaving

    def may_offer_documents(self) -> bool:
        """Whether a patient's document may be offered to save or print now.

        Not while locked, signed out or switching user, nor while the patient holds the
        device: its save dialog names the patient, and opens on a folder of other patients'
        documents.
        """
        return self.shows_patient_data() and not self._handed_over

    def withheld_document(self) -> None:
        """A document made while it could not be offered: said once the user can see it.

        Said on unlocking or on hand-back; nothing is said to a user who signed in after.
        """
        if self.state is WindowState.SIGNED_OUT or self._shut_down or self._leaving:
            return
        self.say(
            self.tr(
                "A document asked for was not saved or printed: the screen was locked or "
                "handed to the patient when it was ready. Print it again from the record."
            ),
            "problem",
        )

    def refresh_status(self) -> None:
        """Ask the store for the sync state and pending changes, for the status bar."""
        self.background.refresh_status()

    def _start_background(self) -> None:
        if self.state is WindowState.WORKING and not self._shut_down:
            self.background.start_sync(self._from_threads.sync_state.emit)
            self.background.start_imaging(
                self._from_threads.pacs_outcome.emit, self._from_threads.scan_arrived.emit
            )

    def _show_state(self, state: WindowState) -> None:
        self.state = state
        if state is WindowState.WORKING:
            self.top.setCurrentWidget(self.workspace)
            self.idle.start()
            user = self.session.user
            if user is not None:
                self.status_strip.show_user(user)
            # Started once the landing page is drawn: the sync's first round and the
            # scanners' listeners never hold up the first sight of the day.
            QTimer.singleShot(BACKGROUND_AFTER_MS, self._start_background)
        else:
            self.top.setCurrentWidget(self.login_view)
            self.idle.stop()
            self.login_view.focus_first_field()
            if state is WindowState.LOCKED:
                self.status_strip.show_locked()
            else:
                self.status_strip.clear()
        self.update_actions()
