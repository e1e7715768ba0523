"""What a screen is to the shell: its declaration, what it must do, and what the shell offers it.

Each screen area declares its screens as data (``SCREENS`` in its ``screens`` module); the
shell builds the menus, the shortcuts and their enabling from those declarations, and builds
a screen the first time it is opened. Screens never talk to each other: they open one another
by id through the shell and hear about changed records from the shell's one broadcast.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar, runtime_checkable

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtWidgets import QVBoxLayout, QWidget

from clinic_app.kernel.current_user import CurrentUser

# The one rule for who may do what: a menu that asks the same rule as the services cannot
# offer what the service would refuse. It is pure (no store, no Qt).
from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.people.views import PatientRecord
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.common.widgets import PatientBanner

_T = TypeVar("_T")


class Placement(StrEnum):
    """Where a screen's page goes in the window."""

    PAGE = "page"
    """Beside the search panel (a record, a form)."""
    WIDE = "wide"
    """The whole width: the search panel steps aside (lists, queues, settings, imaging)."""
    SIDE = "side"
    """The search panel itself, always there while someone works; opening it focuses it."""


class WindowState(StrEnum):
    """Where the window is: nobody signed in, at work, or locked with work kept behind."""

    SIGNED_OUT = "signed_out"
    WORKING = "working"
    LOCKED = "locked"


@dataclass(frozen=True)
class WindowFacts:
    """What enabling depends on, at one moment: the expression's inputs."""

    state: WindowState
    user: CurrentUser | None
    patient_open: bool
    handed_over: bool = False
    """The patient holds the device (answering a questionnaire): nothing else is offered."""
    form_showing: bool = False
    """The page on show is a form that Save (Ctrl+S) submits."""
    listing_patients: bool = False
    """The page on show lists many patients (worklist, queues): patient actions are off.

    On such a page the row a person has chosen and the patient in the banner can differ, and
    a patient action must never have to guess between them. The page opens the chosen
    patient's record explicitly; from there, every patient action is on again.
    """

    @property
    def working(self) -> bool:
        """Someone is signed in, the screen is not locked and not in the patient's hands."""
        return self.state is WindowState.WORKING and self.user is not None and not self.handed_over


Who = Action | Callable[[CurrentUser], bool] | None
"""Who may use a screen: a permission, a test of the signed-in user, or anyone signed in."""


@dataclass(frozen=True)
class ScreenSpec:
    """One screen, declared: what the menus show and when the screen may be opened."""

    id: str
    title: str
    """The menu item's words, with its ``&`` mnemonic."""
    tip: str
    """What it is for, in the status bar and tooltip (and on the home page with its keys)."""
    build: Callable[[ShellContext], Screen]
    """Makes the view model and the view; called the first time the screen is opened."""
    menu: str | None = None
    """Which menu holds it (``patient``, ``service``); None: opened only from other screens."""
    group: int = 0
    """Its group within the menu (groups are parted by a separator)."""
    order: int = 0
    """Its place within its group."""
    shortcut: str = ""
    who: Who = None
    needs_patient: bool = False
    """It acts on the open record, and is off without one."""
    lists_patients: bool = False
    """It lists many patients (worklist, queues), and opens a record only when asked."""
    placement: Placement = Placement.PAGE
    eager: bool = False
    """Built with the workspace, because it reacts (to sign-in, to a patient being opened)
    before it is first shown."""
    form: bool = False
    """Save (Ctrl+S) submits it: its screen is a ``FormScreen``."""
    holds_patient: bool = False
    """It shows one patient's record without being a patient action (a report from a queue).

    Like every ``needs_patient`` screen, it is saved and reset when the window's patient
    changes, so nothing of one patient stays behind in it for the next.
    """

    @property
    def about_one_patient(self) -> bool:
        """It shows one patient's record: reset whenever the window's patient changes."""
        return self.needs_patient or self.holds_patient

    def may_use(self, user: CurrentUser) -> bool:
        """True when ``user`` may use this screen."""
        if self.who is None:
            return True
        if isinstance(self.who, Action):
            return allows(user.role, self.who)
        return self.who(user)

    def enabled(self, facts: WindowFacts) -> bool:
        """The enablement expression: its menu item is on exactly when this is True."""
        if not facts.working or facts.user is None:
            return False
        if self.needs_patient and (not facts.patient_open or facts.listing_patients):
            return False
        return self.may_use(facts.user)


@runtime_checkable
class Screen(Protocol):
    """What every screen does for the shell."""

    @property
    def page(self) -> QWidget:
        """The widget the shell shows (the view, often under the patient's banner)."""
        ...

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """Show the screen for ``patient`` (None for screens that need none).

        ``item`` is what to open within it (a study, a report, a record's id), when another
        screen asks for something in particular. The screen shows its page through
        ``ShellContext.show`` once it has what it needs.
        """
        ...

    def save_now(self) -> None:
        """Save anything typed and not yet saved.

        The save is queued on the store worker before this returns, so whatever runs next
        (the next user, quitting) comes after it.
        """
        ...

    def reset(self) -> None:
        """Forget every patient and user it holds (after switching user)."""
        ...


@runtime_checkable
class ReadAheadScreen(Screen, Protocol):
    """A screen that can read what it lists before its page is first shown.

    The page a user lands on after signing in reads its list while the sign-in screen is
    still up, so the window is drawn once, with the list in it, rather than empty and then
    again.
    """

    def read_ahead(self, ready: Callable[[], None]) -> None:
        """Start reading; call ``ready`` once the list is read or the read has failed.

        The next ``open`` shows what was read instead of reading it again.
        """
        ...


@runtime_checkable
class FormScreen(Screen, Protocol):
    """A screen whose form Save (Ctrl+S) submits."""

    def submit(self) -> None:
        """Submit the form as its own Save button would."""
        ...


class ShellContext(Protocol):
    """What the shell offers the screens it builds."""

    @property
    def services(self) -> Any:
        """The services container; each builder takes the services its screen needs."""
        ...

    @property
    def runner(self) -> TaskRunner: ...

    @property
    def session(self) -> UserSession: ...

    @property
    def owner(self) -> QObject:
        """The parent of view models (they live as long as the window)."""
        ...

    @property
    def patient(self) -> PatientRecord | None:
        """The open patient's record, or None."""
        ...

    @property
    def record_changed(self) -> SignalInstance:
        """``(kind: str, patient_id: uuid.UUID | None)``: something was saved.

        Kinds read ``<what>.<what happened>``: ``referral.saved``, ``assessment.signed``,
        ``report.reviewed``, ``images.sent``, ``images.received`` (a scanner's object kept),
        ``patient.merged``, ``sync.finished`` (every round) and ``sync.received`` (a round
        that stored something from the server). The last five name no patient.
        """
        ...

    @property
    def patient_changed(self) -> SignalInstance:
        """``(record: PatientRecord | None)``: a record was opened (or reloaded), or closed."""
        ...

    @property
    def signed_in(self) -> SignalInstance:
        """``(user: CurrentUser)``: someone signed in (not after unlocking)."""
        ...

    def set_patient(self, record: PatientRecord | None) -> None:
        """Make ``record`` the open patient (the patient record screen does this)."""
        ...

    def choose_patient(self, then: Callable[[_T], object]) -> Callable[[_T], None]:
        """A patient is chosen now (a row, the search): ``then`` for the record read for them.

        The returned callable drops the answer if another patient was chosen, or made the
        window's, before it came: the patient last asked for is the one who opens.
        """
        ...

    def open_listed_patient(
        self, patient_id: uuid.UUID, then: Callable[[PatientRecord], object]
    ) -> None:
        """Read a listed patient's record on the store worker, for ``then`` (a choice)."""
        ...

    def announce(self, kind: str, patient_id: uuid.UUID | None) -> None:
        """Tell every screen that a record changed (emits ``record_changed``)."""
        ...

    def open(self, screen_id: str, item: object = None) -> None:
        """Open another screen by its id, building it if need be."""
        ...

    def show(self, screen: Screen) -> None:
        """Bring ``screen``'s page to the front."""
        ...

    def is_showing(self, screen: Screen) -> bool:
        """True when ``screen``'s page is the one on show."""
        ...

    def say(self, text: str, kind: str = "problem") -> None:
        """A message that belongs to no screen, above whichever page is up."""
        ...

    def say_on(self, screen_id: str, text: str, kind: str = "info") -> None:
        """A message on ``screen_id``'s own notice bar, if that screen is on show."""
        ...

    def explain_failure(self, error: BaseException) -> None:
        """Word an unexpected failure for a person, above whichever page is up."""
        ...

    def hand_over(self, to_patient: bool) -> None:
        """The patient holds the device (True) or has handed it back (False).

        Handing back is announced as ``handed.back`` (naming no patient).
        """
        ...

    @property
    def handed_over(self) -> bool:
        """True while the patient holds the device."""
        ...

    def provide_body_regions(
        self,
        provider: Callable[[], Sequence[str]],
        patient_id: Callable[[], uuid.UUID | None],
    ) -> None:
        """Where the regions picked on this visit's body chart can be read, and whose chart.

        ``patient_id`` says which patient the chart now belongs to (None: nobody's).
        """
        ...

    def body_regions(self) -> tuple[str, ...]:
        """The regions picked on the open patient's body chart.

        Empty if none are picked, or if the chart belongs to anyone else.
        """
        ...


class NoticeScreen(Protocol):
    """A screen with its own notice bar (``ShellContext.say_on`` writes there)."""

    def show_notice(self, text: str, kind: str) -> None: ...


def record_holder(patient: PatientRecord | None, patient_id: uuid.UUID) -> uuid.UUID:
    """Whose record a change to ``patient_id``'s record is announced for.

    The open record's patient when ``patient_id`` is theirs or a registration since merged
    into their record (their timeline is the one to read again); else ``patient_id`` itself,
    never the patient who happens to be open now (an answer arriving after the page moved on).
    """
    if patient is not None and (patient_id == patient.id or patient_id in patient.merged_ids):
        return patient.id
    return patient_id


def under_banner(view: QWidget) -> tuple[QWidget, PatientBanner]:
    """A page for ``view``, and a banner the screen may fill but that is never shown.

    The window shows one banner, its own, above every page: the open patient's. A second
    banner on a page could name a different patient (filled by an earlier ``open``), so the
    one returned here stays hidden; it is kept so that screens can still fill and read it.
    """
    banner = PatientBanner()
    banner.suppress()
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
