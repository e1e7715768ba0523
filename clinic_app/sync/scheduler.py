"""Runs sync in the background: on a timer, when asked, and backing off while it fails.

A plain thread (no Qt), so the app, a script or a test can use it. It never runs two syncs
at once; a wake-up during a sync runs one more straight after.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import ClinicError
from clinic_app.sync.client import SyncReport

log = logging.getLogger(__name__)

#: Failures that mean "try again later" rather than "something is wrong with this device".
RETRYABLE = frozenset({"sync.unreachable", "sync.bad_answer"})


@dataclass(frozen=True)
class SyncState:
    """What the status bar says about sync."""

    online: bool = False
    running: bool = False
    last_success_at: datetime | None = None
    last_error: str | None = None
    next_attempt_in: float = 0.0
    #: The last round stored something from the server here (a colleague's change, a patient
    #: taken into or let go from the laptop's scope): screens on show read themselves again.
    received: bool = False


class SyncScheduler:
    """Calls ``run`` every ``interval`` seconds, sooner when woken, later after failures.

    After a failure the wait doubles (from ``interval`` up to ``max_backoff``); a success
    resets it. ``on_state`` is called from the scheduler's thread after every change.
    """

    def __init__(
        self,
        run: Callable[[], SyncReport],
        *,
        interval: float = 60.0,
        max_backoff: float = 900.0,
        on_state: Callable[[SyncState], None] | None = None,
    ) -> None:
        self._run = run
        self._interval = interval
        self._max_backoff = max_backoff
        self._on_state = on_state or (lambda _state: None)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        # Start and stop may be called from different threads (the store's and the UI's).
        self._lifecycle = threading.Lock()
        self.state = SyncState()
        self.reports = 0

    def start(self) -> None:
        """Start the thread (a first sync runs at once)."""
        with self._lifecycle:
            if self._thread is not None:
                return
            thread = threading.Thread(target=self._loop, name="onestop-sync", daemon=True)
            thread.start()
            self._thread = thread

    def wake(self) -> None:
        """Sync now: after a save, when a connection appears, or when a person asks."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the sync in progress, if any."""
        self._stop.set()
        self._wake.set()
        with self._lifecycle:
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def _publish(self, **changes: object) -> None:
        with self._lock:
            self.state = replace(self.state, **changes)  # type: ignore[arg-type]
            state = self.state
        self._on_state(state)

    def _loop(self) -> None:
        wait = 0.0
        while not self._stop.is_set():
            self._wake.wait(wait)
            self._wake.clear()
            if self._stop.is_set():
                return
            self._publish(running=True, received=False)
            try:
                report = self._run()
            except ClinicError as error:
                wait = min(max(wait * 2, self._interval), self._max_backoff)
                retry = error.code in RETRYABLE
                self._publish(
                    running=False, online=not retry, last_error=error.code, next_attempt_in=wait
                )
                continue
            except Exception:  # a bug must not end background sync for the day
                log.exception("sync failed unexpectedly")
                wait = min(max(wait * 2, self._interval), self._max_backoff)
                self._publish(running=False, last_error="sync.failed", next_attempt_in=wait)
                continue
            wait = self._interval
            self.reports += 1
            self._publish(
                running=False,
                online=True,
                last_success_at=utcnow(),
                last_error=None,
                next_attempt_in=wait,
                received=_received(report),
            )


def _received(report: object) -> bool:
    """Whether a round stored anything from the server on this laptop."""
    scope = getattr(report, "scope", None)
    return bool(
        getattr(report, "pulled", 0)
        or getattr(report, "repulled", False)
        or (scope is not None and (scope.taken_in or scope.let_go))
    )
