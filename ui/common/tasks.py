"""The one task runner: store work on a single worker, I/O on a pool, results on the UI thread."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QTimer, Signal

from clinic_app.kernel.store_guard import keep_store_off_this_thread

T = TypeVar("T")

Progress = Callable[[float], None]
Cancelled = Callable[[], bool]
Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]

_IO_WORKERS = 4


class Task:
    """A handle on one submitted piece of work; cancelling it drops its result.

    Work that is still queued never runs; work already running finishes (the store commits or
    rolls back as one unit) but its result is never delivered. Long jobs can poll
    ``cancelled()`` and stop early.
    """

    _ids = itertools.count(1)

    def __init__(
        self,
        work: Callable[[], Any],
        on_done: Done | None,
        on_failed: Failed | None,
        on_progress: Progress | None,
        supersede: str | None,
    ) -> None:
        self.id = next(self._ids)
        self.work = work
        self.on_done = on_done
        self.on_failed = on_failed
        self.on_progress = on_progress
        self.supersede = supersede
        self.future: Future[None] | None = None
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        """Stop the result of this task from being delivered (UI thread only)."""
        self._cancelled.set()

    def is_cancelled(self) -> bool:
        """Tell whether the task was cancelled or superseded; safe from any thread."""
        return self._cancelled.is_set()


class _Relay(QObject):
    """Carries results and progress from the worker threads to the UI thread.

    Workers emit only here, on signals connected once and never disconnected. Qt tidies a
    sender's disconnected connections the next time it emits; on a worker thread that tidying
    needed Python's lock while holding one of Qt's, while the UI thread, holding Python's lock
    and destroying a widget, waited for the same lock of Qt's, and both stopped for good. The
    runner's own signals, which screens connect and disconnect, are emitted on the UI thread.
    """

    delivered = Signal(object, object, object)
    progressed = Signal(object, float)


class TaskRunner(QObject):
    """Runs service calls away from the UI thread and hands results back to it.

    Store work goes to one worker thread, one job at a time and in the order submitted, so a
    draft saved before a sign-out is written before anything the next user does. I/O (PDF,
    DICOM, network) runs on a small pool whose threads the store refuses, so a flow that needs
    both chains its steps, each handing its result on from ``on_done``. ``on_done`` and
    ``on_failed`` are always called on the UI thread. A task submitted with
    ``supersede="key"`` cancels the previous task with the same key, so a stale search never
    overwrites a newer one.
    """

    idle_changed = Signal(bool)
    unhandled_failure = Signal(object)

    def __init__(self, parent: QObject | None = None, *, shutdown_on_quit: bool = True) -> None:
        super().__init__(parent)
        self._store_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clinic-store")
        # The store refuses work on the I/O pool's threads: store work belongs to the store
        # worker alone, and a flow that needs both runs its steps on each in turn.
        self._io_pool = ThreadPoolExecutor(
            max_workers=_IO_WORKERS,
            thread_name_prefix="clinic-io",
            initializer=keep_store_off_this_thread,
            initargs=("the task runner's I/O pool",),
        )
        self._pending: dict[int, Task] = {}
        self._latest: dict[str, Task] = {}
        self._closed = False
        self._relay = _Relay(self)
        self._relay.delivered.connect(self._on_worker_delivered, Qt.ConnectionType.QueuedConnection)
        self._relay.progressed.connect(
            self._on_worker_progressed, Qt.ConnectionType.QueuedConnection
        )
        app = QCoreApplication.instance()
        if app is not None and shutdown_on_quit:
            # An owner that must save work first (the main window) shuts the runner down itself.
            app.aboutToQuit.connect(self.shutdown)

    # ------------------------------------------------------------------ submitting work

    def run_store(
        self,
        work: Callable[[], T],
        *,
        on_done: Callable[[T], None] | None = None,
        on_failed: Failed | None = None,
        supersede: str | None = None,
    ) -> Task:
        """Run one service call on the store worker.

        Args:
            work: calls one service method; must not touch any Qt object.
            on_done: receives the result on the UI thread.
            on_failed: receives the exception on the UI thread; without one the runner
                emits ``unhandled_failure`` so the window can say something.
            supersede: a key; a newer task with the same key cancels this one.

        Returns:
            A handle that can cancel the delivery of the result.
        """
        return self._submit(self._store_worker, Task(work, on_done, on_failed, None, supersede))

    def run_io(
        self,
        work: Callable[[], T],
        *,
        on_done: Callable[[T], None] | None = None,
        on_failed: Failed | None = None,
        supersede: str | None = None,
    ) -> Task:
        """Run I/O (files, PDF, DICOM, network) on the pool; arguments as for run_store.

        ``work`` must not touch the store: a transaction begun on the pool is refused with
        ``StoreRefusedOnThisThread``, delivered to ``on_failed`` like any other error.
        """
        return self._submit(self._io_pool, Task(work, on_done, on_failed, None, supersede))

    def run_long(
        self,
        work: Callable[[Progress, Cancelled], T],
        *,
        on_progress: Progress | None = None,
        on_done: Callable[[T], None] | None = None,
        on_failed: Failed | None = None,
        store: bool = False,
    ) -> Task:
        """Run a long job that reports progress (0.0 to 1.0) and can be cancelled.

        ``work`` receives two plain callables, so the core stays free of Qt: ``progress(f)``
        and ``cancelled()``. Progress is delivered to ``on_progress`` on the UI thread.
        """
        task = Task(lambda: None, on_done, on_failed, on_progress, None)

        def job() -> T:
            return work(
                lambda fraction: self._relay.progressed.emit(task, fraction), task.is_cancelled
            )

        task.work = job
        return self._submit(self._store_worker if store else self._io_pool, task)

    # ------------------------------------------------------------------ state

    @property
    def closed(self) -> bool:
        return self._closed

    def is_idle(self) -> bool:
        """True when no task is queued, running or waiting to deliver its result."""
        return not self._pending

    def cancel(self, task: Task) -> None:
        """Cancel a task's delivery; a task still in the queue never runs."""
        if task.is_cancelled():
            return
        task.cancel()
        if task.future is not None and task.future.cancel():
            self._finish(task)

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Process events until every task has delivered its result (for tests and shutdown).

        Raises:
            TimeoutError: work is still pending after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        # Work handed in while waiting (a status refresh after a result, say) is waited for
        # too, until the runner is really idle or the time is up.
        while not self.is_idle():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(self._pending)} background task(s) still pending")
            loop = QEventLoop()

            def on_idle_changed(idle: bool, loop: QEventLoop = loop) -> None:
                if idle:
                    loop.quit()

            self.idle_changed.connect(on_idle_changed)
            QTimer.singleShot(max(1, int(remaining * 1000)), loop.quit)
            try:
                loop.exec()
            finally:
                self.idle_changed.disconnect(on_idle_changed)

    def shutdown(self) -> None:
        """Cancel queued work, wait for running work to finish and stop every thread."""
        if self._closed:
            return
        self._closed = True
        for task in list(self._pending.values()):
            task.cancel()
        self._store_worker.shutdown(wait=True, cancel_futures=True)
        self._io_pool.shutdown(wait=True, cancel_futures=True)
        was_busy = bool(self._pending)
        self._pending.clear()
        self._latest.clear()
        if was_busy:
            self.idle_changed.emit(True)

    # ------------------------------------------------------------------ internals

    def _submit(self, executor: ThreadPoolExecutor, task: Task) -> Task:
        if self._closed:
            raise RuntimeError("the task runner has shut down")
        supersede = task.supersede
        was_idle = self.is_idle()
        # Counted as pending before the stale task is dropped, so the runner never reports
        # itself idle in between.
        self._pending[task.id] = task
        if was_idle:
            self.idle_changed.emit(False)
        if supersede is not None:
            stale = self._latest.get(supersede)
            self._latest[supersede] = task
            if stale is not None:
                self.cancel(stale)
        task.future = executor.submit(self._execute, task)
        return task

    def _execute(self, task: Task) -> None:
        # Runs on a worker thread: never touch a Qt object here except to emit.
        if task.is_cancelled():
            self._relay.delivered.emit(task, None, None)
            return
        try:
            result = task.work()
        except BaseException as error:  # noqa: BLE001 - handed to the UI thread, never dropped
            self._relay.delivered.emit(task, None, error)
        else:
            self._relay.delivered.emit(task, result, None)

    def _on_worker_delivered(self, task: Task, result: object, error: BaseException | None) -> None:
        if task.id not in self._pending:
            return
        try:
            if task.is_cancelled():
                return
            if error is None:
                if task.on_done is not None:
                    task.on_done(result)
            elif task.on_failed is not None:
                task.on_failed(error)
            else:
                self.unhandled_failure.emit(error)
        finally:
            self._finish(task)

    def _on_worker_progressed(self, task: Task, fraction: float) -> None:
        if task.id in self._pending and not task.is_cancelled() and task.on_progress is not None:
            task.on_progress(fraction)

    def _finish(self, task: Task) -> None:
        self._pending.pop(task.id, None)
        if task.supersede is not None and self._latest.get(task.supersede) is task:
            del self._latest[task.supersede]
        if self.is_idle():
            self.idle_changed.emit(True)
