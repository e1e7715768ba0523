"""The decision aids the service lead looks after: due for review, and not offered and why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.decisions.content import AidCatalogue, AidProblem, DecisionAid
from clinic_app.kernel.current_user import CurrentUser
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

if TYPE_CHECKING:
    # Only named here: the figures module reads the store (SQLAlchemy), which the sign-in
    # window does not load.
    from clinic_app.domains.decisions.figures import MonthFigures


class AidCatalogueSource(Protocol):
    """The part of the decisions service this screen uses."""

    def catalogue(self, actor: CurrentUser) -> AidCatalogue: ...

    def figures(self, actor: CurrentUser, month: date) -> MonthFigures: ...


class AidsReviewViewModel(QObject):
    """Reads the catalogue of aids; says which are due for review and which are refused."""

    loaded = Signal()
    figures_loaded = Signal()
    problem = Signal(str)

    def __init__(
        self,
        decisions: AidCatalogueSource,
        *,
        runner: TaskRunner,
        session: UserSession,
        today: Callable[[], date] = date.today,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._decisions = decisions
        self._runner = runner
        self._session = session
        self._today = today
        self.catalogue: AidCatalogue | None = None
        self.month = today().replace(day=1)
        self.figures: MonthFigures | None = None

    def load(self) -> None:
        """Read the aids afresh."""
        actor = self._session.user
        if actor is None:
            return
        decisions = self._decisions
        self._runner.run_store(
            lambda: decisions.catalogue(actor),
            on_done=self._on_loaded,
            on_failed=lambda error: self.problem.emit(errors.explain(error)),
            supersede="decision_aids_review",
        )
        self.load_figures()

    def load_figures(self) -> None:
        """Read the shown month's figures: aids used and CollaboRATE, per clinician."""
        actor = self._session.user
        if actor is None:
            return
        decisions, month = self._decisions, self.month
        self._runner.run_store(
            lambda: decisions.figures(actor, month),
            on_done=self._on_figures,
            on_failed=lambda error: self.problem.emit(errors.explain(error)),
            supersede="decision_aids_figures",
        )

    def step_month(self, months: int) -> None:
        """The month before (-1) or after (+1) the one shown; never past this month."""
        index = self.month.year * 12 + self.month.month - 1 + months
        month = date(index // 12, index % 12 + 1, 1)
        if month > self._today().replace(day=1):
            return
        self.month = month
        self.load_figures()

    def reset(self) -> None:
        self.catalogue = None
        self.figures = None
        self.month = self._today().replace(day=1)
        self.loaded.emit()
        self.figures_loaded.emit()

    @property
    def offered(self) -> tuple[DecisionAid, ...]:
        return self.catalogue.offered if self.catalogue is not None else ()

    def due(self) -> list[DecisionAid]:
        """Offered aids on or past their review date, the most overdue first."""
        if self.catalogue is None:
            return []
        return self.catalogue.due_for_review(self._today())

    def refused(self) -> tuple[AidProblem, ...]:
        """Every problem of every aid file that is not offered."""
        return self.catalogue.refused if self.catalogue is not None else ()

    def _on_loaded(self, catalogue: AidCatalogue) -> None:
        self.catalogue = catalogue
        self.loaded.emit()

    def _on_figures(self, figures: MonthFigures) -> None:
        if figures.month != self.month:
            return  # a month since left
        self.figures = figures
        self.figures_loaded.emit()
