"""Background sync's timing: at once, on its interval, backing off while it fails."""

from __future__ import annotations

import itertools
import threading
import time

from clinic_app.kernel.errors import ClinicError
from clinic_app.sync.client import SyncReport
from clinic_app.sync.scheduler import SyncScheduler, SyncState


def test_it_syncs_at_once_then_backs_off_while_the_server_is_away_and_recovers() -> None:
    calls: list[float] = []
    states: list[SyncState] = []
    failing = threading.Event()
    failing.set()
    done = threading.Event()

    def run() -> SyncReport:
        calls.append(time.monotonic())
        if len(calls) >= 5:
            done.set()
        if failing.is_set() and len(calls) < 4:
            raise ClinicError("sync.unreachable")
        return SyncReport()

    scheduler = SyncScheduler(run, interval=0.05, max_backoff=0.2, on_state=states.append)
    scheduler.start()
    try:
        assert done.wait(5)
    finally:
        scheduler.stop()
    gaps = [later - earlier for earlier, later in itertools.pairwise(calls)]
    # 0.05 after the first failure, then doubling: 0.1, then 0.2 (the most), then the interval.
    assert gaps[0] >= 0.045
    assert gaps[1] >= 0.09
    assert gaps[2] >= 0.18
    offline = [s for s in states if not s.running and s.last_error == "sync.unreachable"]
    assert offline
    assert all(not s.online for s in offline)
    assert states[-1].online
    assert states[-1].last_success_at is not None
    assert scheduler.reports >= 1


def test_a_wake_runs_a_sync_before_the_interval() -> None:
    calls: list[float] = []
    second = threading.Event()

    def run() -> SyncReport:
        calls.append(time.monotonic())
        if len(calls) == 2:
            second.set()
        return SyncReport()

    scheduler = SyncScheduler(run, interval=3600)
    scheduler.start()
    try:
        deadline = time.monotonic() + 5
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
        scheduler.wake()
        assert second.wait(5)
    finally:
        scheduler.stop()
    assert calls[1] - calls[0] < 5


def test_a_round_says_whether_it_stored_anything_from_the_server() -> None:
    from clinic_app.sync.scope import ScopeReport

    reports = iter(
        [
            SyncReport(pushed=3),  # sent only: nothing new here
            SyncReport(pulled=2),  # a colleague's rows
            SyncReport(scope=ScopeReport(taken_in=1)),  # a patient came into scope
            SyncReport(scope=ScopeReport(kept=4)),  # nothing moved
        ]
    )
    finished: list[SyncState] = []
    fourth = threading.Event()

    def run() -> SyncReport:
        return next(reports, SyncReport())

    def on_state(state: SyncState) -> None:
        if not state.running:
            finished.append(state)
            if len(finished) == 4:
                fourth.set()
        else:
            assert not state.received  # a round starting has brought nothing yet

    scheduler = SyncScheduler(run, interval=0.01, on_state=on_state)
    scheduler.start()
    try:
        assert fourth.wait(5)
    finally:
        scheduler.stop()
    assert [state.received for state in finished[:4]] == [False, True, True, False]
