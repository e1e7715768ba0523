"""The open PIFU windows, read for the user: a clinician's own, or the whole service's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QObject, Signal

from clinic_app.domains.care_plans.rules import PifuRules
from clinic_app.domains.care_plans.views import PifuWindow
from clinic_app.kernel.current_user import CurrentUser
from ui.common import errors, formatting
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


def _tr(text: str) -> str:
    return QCoreApplication.translate("PifuWindows", text)


class PifuWindows(Protocol):
    """The part of ``CarePlanService`` this list uses."""

    def pifu_windows(
        self, actor: CurrentUser, on: date | None = None, *, whole_service: bool = False
    ) -> list[PifuWindow]: ...

    def rules(self, actor: CurrentUser) -> PifuRules: ...


def days_left_words(window: PifuWindow) -> str:
    """Days until the window ends, in words ("Ends today" on its last day)."""
    if window.days_left <= 0:
        return _tr("Ends today")
    if window.days_left == 1:
        return _tr("1 day left")
    return _tr("{n} days left").format(n=window.days_left)


def status_words(window: PifuWindow) -> str:
    """The window's status: "About to lapse" within the warning days, else "Open"."""
    return _tr("About to lapse") if window.about_to_lapse else _tr("Open")


def lapse_words(rules: PifuRules | None) -> str:
    """What "About to lapse" means, with the service's warning days when they are known."""
    if rules is None:
        return _tr("“About to lapse” marks a window that ends soon.")
    days = rules.lapse_warning_days
    return (
        _tr("“About to lapse” marks a window that ends within 1 day.")
        if days == 1
        else _tr("“About to lapse” marks a window that ends within {n} days.").format(n=days)
    )


@dataclass(frozen=True)
class PifuRow:
    """One row of the list, worded."""

    item: PifuWindow
    patient: str
    nhs_number: str
    opened: str
    ends_on: str
    days_left: str
    status: str
    clinician: str

    @property
    def cells(self) -> tuple[str, ...]:
        """The row's words, in the table's column order."""
        return (
            self.patient,
            self.nhs_number,
            self.opened,
            self.ends_on,
            self.days_left,
            self.status,
            self.clinician,
        )


def row(window: PifuWindow) -> PifuRow:
    """``window`` worded for the table."""
    return PifuRow(
        item=window,
        patient=window.patient_name,
        nhs_number=window.nhs_number or _tr("Not recorded"),
        opened=formatting.clinical_date(window.starts_on),
        ends_on=formatting.clinical_date(window.ends_on),
        days_left=days_left_words(window),
        status=status_words(window),
        clinician=window.clinician,
    )


class PifuWindowsViewModel(QObject):
    """The list, read afresh each time it is opened, switched or a plan is signed."""

    rows_changed = Signal(object)
    """A list of ``PifuRow``."""
    problem = Signal(str)

    def __init__(
        self,
        care_plans: PifuWindows,
        *,
        runner: TaskRunner,
        session: UserSession,
        makes_plans: Callable[[CurrentUser], bool],
        oversees: Callable[[CurrentUser], bool],
        parent: QObject | None = None,
    ) -> None:
        """The user's own windows, or (for those who oversee PIFU) every clinician's.

        Args:
            care_plans: the care plan service (its ``pifu_windows`` and ``rules``).
            runner: runs the store's work off the window's thread.
            session: who is signed in.
            makes_plans: the user signs care plans, so has windows of their own.
            oversees: the user may see every clinician's windows.
            parent: the owner of this view model.
        """
        super().__init__(parent)
        self._care_plans = care_plans
        self._makes_plans = makes_plans
        self._oversees = oversees
        self._runner = runner
        self._session = session
        self.rows: list[PifuRow] = []
        self.rules: PifuRules | None = None
        self.whole_service = False
        """Every clinician's windows are asked for (else the user's own)."""
        #: The day the list is read for (None: the service's today).
        self.today: Callable[[], date | None] = lambda: None
        self._epoch = 0

    @property
    def may_switch(self) -> bool:
        """True when the user has windows of their own and may see the whole service's."""
        user = self._session.user
        return user is not None and self._makes_plans(user) and self._oversees(user)

    @property
    def may_open_plan(self) -> bool:
        """True when the user may open a row's care plan (else only the patient's record)."""
        user = self._session.user
        return user is not None and self._makes_plans(user)

    def show_whole_service(self, whole: bool) -> None:
        """Switch between the user's own windows and every clinician's, and read again."""
        if whole != self.whole_service:
            self.whole_service = whole
            self.load()

    def load(self) -> None:
        user = self._session.user
        if user is None:
            return
        if not self._makes_plans(user):
            # The service lead signs no plans: the whole service is the only list they have.
            self.whole_service = self._oversees(user)
        elif not self._oversees(user):
            self.whole_service = False
        self._epoch += 1
        epoch, plans, whole, on = self._epoch, self._care_plans, self.whole_service, self.today()

        def read() -> tuple[PifuRules, list[PifuWindow]]:
            # The settings are read each time too: the service lead may have changed them.
            return plans.rules(user), plans.pifu_windows(user, on, whole_service=whole)

        self._runner.run_store(
            read,
            on_done=lambda found: self._loaded(*found) if epoch == self._epoch else None,
            on_failed=lambda error: (
                self.problem.emit(errors.explain(error)) if epoch == self._epoch else None
            ),
            supersede="pifu_windows",
        )

    def reset(self) -> None:
        """Forget the list, the settings and the choice of list (another user may sign in)."""
        self._epoch += 1
        self.whole_service = False
        self.rules = None
        self.rows = []
        self.rows_changed.emit(self.rows)

    def _loaded(self, rules: PifuRules, found: list[PifuWindow]) -> None:
        self.rules = rules
        self.rows = [row(window) for window in found]
        self.rows_changed.emit(self.rows)
