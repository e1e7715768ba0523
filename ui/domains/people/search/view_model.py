"""Search as you type: waits for a pause in typing, drops stale answers, opens a choice."""

from __future__ import annotations

import uuid
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientSummary
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import Task, TaskRunner

DEBOUNCE_MS = 150
RESULT_LIMIT = 50
_SUPERSEDE_KEY = "patient-search"


class PatientFinder(Protocol):
    """The part of the patient service this screen uses."""

    def search(self, actor: CurrentUser, query: str, limit: int = 50) -> list[PatientSummary]: ...


class SearchViewModel(QObject):
    """Holds the query and its results; a newer query always wins over an older one."""

    results_changed = Signal(object)
    busy_changed = Signal(bool)
    failed = Signal(str)
    patient_chosen = Signal(object)

    def __init__(
        self,
        patients: PatientFinder,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._patients = patients
        self._runner = runner
        self._session = session
        self._query = ""
        self._answered_query = ""
        self._results: list[PatientSummary] = []
        self._task: Task | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search_now)

    @property
    def query(self) -> str:
        return self._query

    @property
    def answered_query(self) -> str:
        """The query the current results answer (may lag behind while typing)."""
        return self._answered_query

    @property
    def results(self) -> list[PatientSummary]:
        return list(self._results)

    @property
    def busy(self) -> bool:
        return self._task is not None

    @property
    def limit(self) -> int:
        return RESULT_LIMIT

    def set_query(self, text: str) -> None:
        """The search box changed: search once typing pauses; an empty box clears at once."""
        self._query = text
        if not text.strip():
            self._debounce.stop()
            self._cancel_running()
            self._show(text, [])
            return
        self._debounce.start()

    def search_now(self) -> None:
        """Search for the current query without waiting for a pause."""
        self._debounce.stop()
        query = self._query.strip()
        if not query:
            return
        actor = self._session.require_user()
        self._task = self._runner.run_store(
            lambda: self._patients.search(actor, query, RESULT_LIMIT),
            on_done=lambda results: self._on_search_done(self._query, query, results),
            on_failed=self._on_search_failed,
            supersede=_SUPERSEDE_KEY,
        )
        self.busy_changed.emit(True)

    def choose(self, row: int) -> None:
        """Open the patient on ``row`` of the results."""
        if 0 <= row < len(self._results):
            self.patient_chosen.emit(self._results[row].id)

    def choose_patient(self, patient_id: uuid.UUID) -> None:
        self.patient_chosen.emit(patient_id)

    def clear(self) -> None:
        """Forget the query and results (on sign-out)."""
        self.set_query("")

    def _on_search_done(
        self, current_query: str, asked: str, results: list[PatientSummary]
    ) -> None:
        self._task = None
        self.busy_changed.emit(False)
        # A result that no longer matches what is in the box is stale: a newer search follows.
        if current_query.strip() != asked:
            return
        self._show(asked, results)

    def _on_search_failed(self, error: BaseException) -> None:
        self._task = None
        self.busy_changed.emit(False)
        self.failed.emit(errors.explain(error))

    def _show(self, query: str, results: list[PatientSummary]) -> None:
        self._answered_query = query
        self._results = list(results)
        self.results_changed.emit(self.results)

    def _cancel_running(self) -> None:
        if self._task is not None:
            self._runner.cancel(self._task)
            self._task = None
            self.busy_changed.emit(False)
