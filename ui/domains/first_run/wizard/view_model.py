"""The first-run set-up's state and steps: every step on the task runner, never the UI thread."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from ui.common import errors
from ui.common.tasks import Cancelled, Progress, Task, TaskRunner

if TYPE_CHECKING:
    from clinic_app.first_run import NewClinic

#: How often the waiting page asks the server whether the laptop was approved.
POLL_MS = 3000


class Page(StrEnum):
    """The wizard's pages (declared in ``pages``)."""

    WELCOME = "welcome"
    KEYCHAIN = "keychain"
    CONNECT = "connect"
    WAITING = "waiting"
    SYNCING = "syncing"
    STANDALONE = "standalone"


def _core() -> Any:
    # The core loads on the worker, the first time a step needs it: the window is up first.
    from clinic_app import first_run  # noqa: PLC0415

    return first_run


class FirstRunViewModel(QObject):
    """Where the set-up is, what it is doing, and what it made (removed if given up)."""

    page_changed = Signal(str)
    busy_changed = Signal(bool)
    failed = Signal(str)
    """A problem for the page as a whole (empty: none)."""
    fields_failed = Signal(object)
    """``{field: words}`` for problems beside their fields."""
    status_changed = Signal(str)
    progress_changed = Signal(float)
    refused = Signal()
    finished = Signal(object)
    """The store's path: the set-up is done, the sign-in window may open it."""
    closed_down = Signal()
    """Everything given up is removed: the window may close."""

    def __init__(
        self,
        runner: TaskRunner,
        store_path: Path | None = None,
        *,
        allow_insecure_keyring: bool = False,
        poll_ms: int = POLL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._store_path = store_path
        self._insecure = allow_insecure_keyring
        self.page = Page.WELCOME
        self.busy = False
        self.keychain_safe: bool | None = None
        self.computer_name = ""
        self.device_id = ""
        self.device_name = ""
        self.done = False
        # What the worker made, kept by the worker itself: a step whose result is dropped
        # (given up while it ran) still leaves its store here, for the removal after it.
        self._made: list[NewClinic] = []
        self._task: Task | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.setSingleShot(True)
        self._poll.timeout.connect(self._on_poll_timeout)

    # ------------------------------------------------------------------ start

    def start(self) -> None:
        """Check the keychain (and find this computer's name) before offering anything."""
        insecure = self._insecure

        def work() -> tuple[bool, str]:
            core = _core()
            return core.keychain_is_safe(allow_insecure=insecure), core.computer_name()

        self._run(work, self._on_checked)

    def _on_checked(self, answer: tuple[bool, str]) -> None:
        self.keychain_safe, self.computer_name = answer
        self._show(Page.WELCOME if self.keychain_safe else Page.KEYCHAIN)

    # ------------------------------------------------------------------ moving between pages

    def choose(self, page: Page) -> None:
        """Go to a page of the first choice (connect or standalone), or back to the welcome."""
        if self.busy or not self.keychain_safe:
            return
        self.failed.emit("")
        self._show(page)

    def preview(self, page: Page, *, computer_name: str, device_id: str = "") -> None:
        """Show a page as it looks, with sample answers and without running its step."""
        self.keychain_safe = page is not Page.KEYCHAIN
        self.computer_name = computer_name
        self.device_name = computer_name
        self.device_id = device_id
        self._set_busy(False)
        self._show(page)

    def _show(self, page: Page) -> None:
        self.page = page
        self.page_changed.emit(page.value)

    def _run(self, work: Any, on_done: Any) -> None:
        self._set_busy(True)

        def done(result: object) -> None:
            self._task = None
            self._set_busy(False)
            on_done(result)

        self._task = self._runner.run_store(work, on_done=done, on_failed=self._on_failed)

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)

    def _on_failed(self, error: BaseException) -> None:
        self._task = None
        self._set_busy(False)
        by_field = errors.field_messages(error)
        self.fields_failed.emit(by_field)
        self.failed.emit("" if by_field else errors.explain(error))

    # ------------------------------------------------------------------ a standalone clinic

    def create_standalone(
        self,
        *,
        clinic_name: str,
        username: str,
        display_name: str,
        password: str,
        password_again: str,
    ) -> None:
        """Create the store and the first administrator; ``finished`` when done."""
        if self.busy:
            return
        self.failed.emit("")
        self.fields_failed.emit({})
        path, insecure = self._store_path, self._insecure

        def work() -> Path:
            made: Path = _core().standalone(
                path,
                clinic_name=clinic_name,
                username=username,
                display_name=display_name,
                password=password,
                password_again=password_again,
                allow_insecure=insecure,
            )
            return made

        self._run(work, self._finish)

    def _finish(self, path: object) -> None:
        self.done = True
        self._made.clear()
        self.finished.emit(path)

    # ------------------------------------------------------------------ connecting to a service

    def enrol(self, *, server_url: str, device_name: str, ca_file: str = "") -> None:
        """Check the server, create the store and enrol; then wait for approval."""
        if self.busy:
            return
        self.failed.emit("")
        self.fields_failed.emit({})
        path, insecure, made = self._store_path, self._insecure, self._made
        self.device_name = " ".join(device_name.split())
        authority = Path(ca_file.strip()) if ca_file.strip() else None

        def work() -> NewClinic:
            clinic: NewClinic = _core().connect(
                path,
                server_url=server_url,
                device_name=device_name,
                ca_file=authority,
                allow_insecure=insecure,
            )
            made.append(clinic)
            return clinic

        self._run(work, self._on_enrolled)

    def _on_enrolled(self, clinic: NewClinic) -> None:
        self.device_id = str(clinic.services.context.device_id)
        self.status_changed.emit("")
        self._show(Page.WAITING)
        self._poll.start()

    def _on_poll_timeout(self) -> None:
        if self.page is not Page.WAITING or not self._made:
            return
        clinic = self._made[-1]
        self._task = self._runner.run_store(
            lambda: _core().approval(clinic),
            on_done=self._on_approval,
            on_failed=self._on_approval_failed,
        )

    def _on_approval(self, status: str) -> None:
        self._task = None
        if self.page is not Page.WAITING:
            return
        if status == "approved":
            self._start_first_sync()
        elif status == "refused":
            self.status_changed.emit("")
            self.refused.emit()
        else:
            self.status_changed.emit("")
            self._poll.start()

    def _on_approval_failed(self, error: BaseException) -> None:
        self._task = None
        if self.page is not Page.WAITING:
            return
        # The server may be down for a moment: say so, and keep asking.
        self.status_changed.emit(errors.explain(error))
        self._poll.start()

    def _start_first_sync(self) -> None:
        clinic = self._made[-1]

        def work(progress: Progress, cancelled: Cancelled) -> Path:
            _core().first_sync(clinic, progress, cancelled)
            return clinic.path

        self._set_busy(True)
        self._task = self._runner.run_long(
            work,
            on_progress=self.progress_changed.emit,
            on_done=self._on_synced,
            on_failed=self._on_sync_failed,
            store=True,
        )
        # Shown once the step is in hand: giving up from the page always finds it to stop.
        self._show(Page.SYNCING)
        self.progress_changed.emit(0.0)
        self.failed.emit("")

    def _on_synced(self, path: Path) -> None:
        self._task = None
        self._set_busy(False)
        self.progress_changed.emit(1.0)
        self._finish(path)

    def _on_sync_failed(self, error: BaseException) -> None:
        self._task = None
        self._set_busy(False)
        self.failed.emit(errors.explain(error))

    def retry_sync(self) -> None:
        """Try the first sync again (after the server did not answer)."""
        if not self.busy and self.page is Page.SYNCING and self._made:
            self._start_first_sync()

    # ------------------------------------------------------------------ giving up

    def give_up(self, *, to: Page | None = Page.CONNECT) -> None:
        """Stop what runs and remove whatever was made; then show ``to`` (None: close).

        The removal runs after the step in hand on the same worker, so a store that step
        is still making is removed too.
        """
        self._poll.stop()
        if self._task is not None:
            self._runner.cancel(self._task)
            self._task = None
        made = self._made

        def work() -> None:
            while made:
                _core().discard(made.pop())

        def done(_result: object) -> None:
            self._set_busy(False)
            self.device_id = ""
            if to is None:
                self.closed_down.emit()
            else:
                self._show(to)

        self.failed.emit("")
        self._set_busy(True)
        self._runner.run_store(work, on_done=done, on_failed=self._on_give_up_failed)

    def _on_give_up_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.failed.emit(errors.explain(error))
        self._show(Page.WELCOME)

    def has_work_to_lose(self) -> bool:
        """True while a store made here is not finished, or a step is running."""
        return not self.done and (bool(self._made) or not self._runner.is_idle())
