"""The server's limits: request sizes, upload caps, sign-in lockout and enrolment rate.

Defaults are sized for the device's own traffic (a push batch of at most 500 changes, upload
pieces of 4 MiB) with room to spare; a service lead may change them on ``serve``. The sign-in
lockout mirrors the device's (``AppConfig.max_failed_logins`` / ``login_lockout_seconds``).

The counters live in the server process: a restart forgets them, which at worst grants one
more round of attempts.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from clinic_app.kernel.uow import AppConfig

MIB = 1024 * 1024
_DEVICE = AppConfig()
_KEPT = 10_000  # names or addresses remembered at most (oldest forgotten first)


@dataclass(frozen=True)
class ServerLimits:
    """Settings of the server's edges."""

    max_json_bytes: int = 32 * MIB
    """A JSON request body (a push batch of 500 changes is a few MiB)."""
    max_piece_bytes: int = 16 * MIB
    """One piece of an upload (the device sends 4 MiB)."""
    max_file_bytes: int = 4096 * MIB
    """One file, counted as its pieces arrive: a partial upload never grows past it."""
    max_partial_bytes: int = 16384 * MIB
    """All unfinished uploads together."""
    max_json_depth: int = 32
    """Nesting of objects and lists in a JSON body."""
    max_failed_logins: int = _DEVICE.max_failed_logins
    login_lockout_seconds: int = _DEVICE.login_lockout_seconds
    enrol_window_seconds: int = 600
    enrol_per_address: int = 10
    """Enrolments from one client address per window."""
    enrol_overall: int = 100
    """Enrolments from everyone together per window."""


class SignInLockout:
    """Failed sign-ins per user name; a name is locked out for a while after too many."""

    def __init__(self, limits: ServerLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self._limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def locked_for(self, name: str) -> float:
        """Seconds this name stays locked out (0 when it may try)."""
        with self._lock:
            _count, until = self._failures.get(name, (0, 0.0))
            return max(0.0, until - self._clock())

    def failed(self, name: str) -> None:
        """Count a failed sign-in; the name is locked out when it reaches the limit."""
        with self._lock:
            count, until = self._failures.pop(name, (0, 0.0))
            if until and until <= self._clock():
                count, until = 0, 0.0
            count += 1
            if count >= self._limits.max_failed_logins:
                count, until = 0, self._clock() + self._limits.login_lockout_seconds
            self._failures[name] = (count, until)
            while len(self._failures) > _KEPT:
                self._failures.popitem(last=False)

    def succeeded(self, name: str) -> None:
        """Forget the failures of a name that signed in."""
        with self._lock:
            self._failures.pop(name, None)


class EnrolmentRate:
    """Enrolments per client address and overall, in a sliding window."""

    def __init__(self, limits: ServerLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self._limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._everyone: deque[float] = deque()
        self._by_address: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, address: str) -> bool:
        """True (and counted) when one more enrolment from ``address`` is within the limits."""
        now = self._clock()
        start = now - self._limits.enrol_window_seconds
        with self._lock:
            while self._everyone and self._everyone[0] <= start:
                self._everyone.popleft()
            mine = self._by_address.pop(address, deque())
            while mine and mine[0] <= start:
                mine.popleft()
            allowed = (
                len(self._everyone) < self._limits.enrol_overall
                and len(mine) < self._limits.enrol_per_address
            )
            if allowed:
                self._everyone.append(now)
                mine.append(now)
            if mine:
                self._by_address[address] = mine
            while len(self._by_address) > _KEPT:
                self._by_address.popitem(last=False)
            return allowed
