"""Search as you type: waits for a pause in typing, drops stale answers, opens a choice."""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError
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


class ServerFinder(Protocol):
    """The part of sync this screen uses: the service's server, when nobody here matches."""

    def server_for_search(self, actor: CurrentUser) -> Any: ...

    def server_for_fetch(self, actor: CurrentUser) -> Any: ...

    def search_server(self, access: Any, query: str) -> list[PatientSummary]: ...

    def fetch_from_server(self, access: Any, patient_id: uuid.UUID) -> Any: ...

    def store_fetched(self, actor: CurrentUser, patient_id: uuid.UUID, rows: Any) -> None: ...


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
        server: ServerFinder | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._patients = patients
        self._server = server
        #: What the server search said, for the hint ("" when it was not asked).
        self.server_note = ""
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
        """Open the patient on ``row`` of the results (fetched first if on the server)."""
        if not 0 <= row < len(self._results):
            return
        chosen = self._results[row]
        if not chosen.on_server or self._server is None:
            self.patient_chosen.emit(chosen.id)
            return
        actor = self._session.require_user()
        server = self._server
        patient_id = chosen.id

        def stored(_none: object) -> None:
            self._task = None
            self.busy_changed.emit(False)
            self.patient_chosen.emit(patient_id)
            self.search_now()  # the record is here now: the list says so

        def fetched(rows: Any) -> None:
            self._task = self._runner.run_store(
                lambda: server.store_fetched(actor, patient_id, rows),
                on_done=stored,
                on_failed=self._on_search_failed,
            )

        def reached(access: Any) -> None:
            if access is None:
                self._on_search_failed(ClinicError("sync.sign_in_online_first"))
                return
            self._task = self._runner.run_io(
                lambda: server.fetch_from_server(access, patient_id),
                on_done=fetched,
                on_failed=self._on_search_failed,
            )

        # The store's steps on its worker, the network's off it.
        self._task = self._runner.run_store(
            lambda: server.server_for_fetch(actor),
            on_done=reached,
            on_failed=self._on_search_failed,
        )
        self.busy_changed.emit(True)

    def choose_patient(self, patient_id: uuid.UUID) -> None:
        self.patient_chosen.emit(patient_id)

    def clear(self) -> None:
        """Forget the query and results (on sign-out)."""
        self.server_note = ""
        self.set_query("")

    def _on_search_done(
        self, current_query: str, asked: str, results: list[PatientSummary]
    ) -> None:
        self._task = None
        self.busy_changed.emit(False)
        # A result that no longer matches what is in the box is stale: a newer search follows.
        if current_query.strip() != asked:
            return
        self.server_note = ""
        self._show(asked, results)
        if not results and self._server is not None:
            self._search_server(asked)

    def _search_server(self, asked: str) -> None:
        """Nobody here matches: ask the service's server (the record may be another clinic's)."""
        actor = self._session.require_user()
        server = self._server
        assert server is not None

        def reached(access: Any) -> None:
            self._task = None
            if access is None:  # this laptop does not sync, or the user never signed in online
                self.busy_changed.emit(False)
                return
            self._task = self._runner.run_io(
                lambda: server.search_server(access, asked),
                on_done=lambda results: self._on_server_done(asked, results),
                on_failed=lambda error: self._on_server_failed(asked, error),
                supersede=_SUPERSEDE_KEY,
            )

        self._task = self._runner.run_store(
            lambda: server.server_for_search(actor),
            on_done=reached,
            on_failed=lambda error: self._on_server_failed(asked, error),
            supersede=_SUPERSEDE_KEY,
        )
        self.busy_changed.emit(True)

    def _on_server_done(self, asked: str, results: list[PatientSummary]) -> None:
        self._task = None
        self.busy_changed.emit(False)
        if self._query.strip() != asked:
            return
        self.server_note = "found" if results else "none"
        self._show(asked, results)

    def _on_server_failed(self, asked: str, error: BaseException) -> None:
        self._task = None
        self.busy_changed.emit(False)
        if self._query.strip() != asked:
            return
        self.server_note = "unreachable"
        self._show(asked, [])

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
