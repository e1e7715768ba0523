"""Kill -9 at random moments: the store survives and keeps every write shown as saved.

A child process (``tests/support/crash_writer.py``) opens the store through the app's own
code and registers patients one after another, saying ``ack <nhs number>`` on stdout only
after ``patients.register`` has returned. The test kills it with SIGKILL at a random
moment, then opens the store and checks that it passes ``PRAGMA integrity_check`` and
``PRAGMA foreign_key_check``, that every acknowledged patient is there, that each patient
has its outbox entry and audit entry, and that the audit chain holds. The next child goes
on writing into the same store.

The random delays come from a seed printed at the start; set ``ONESTOP_CRASH_SEED`` to run
the same delays again (where a kill lands also depends on the machine's timing). The
figures are printed at the end: ``pytest -rP tests/core/test_crash.py`` shows them.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text

from clinic_app.bootstrap import create_clinic, open_clinic
from clinic_app.kernel.security import audit, keychain
from clinic_app.kernel.store import open_sqlite_store
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.nhs_number import synthetic_numbers
from tests.support.summary import SUMMARY_LINES

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
WRITER = "tests.support.crash_writer"
SEED_VARIABLE = "ONESTOP_CRASH_SEED"
KILLS = 60
STARTUP_KILL_EVERY = 6  # every sixth child is killed while it opens the store and signs in
MAX_DELAY_SECONDS = 0.3  # after "ready", a kill lands between 0 and this
USERNAME = "crash.clinician"
PASSWORD = "killed at random, nothing lost"
CHILD_WRITES = 10_000  # more than any child lives to write

_PATIENTS_WITHOUT_INSERT = """
SELECT count(*) FROM patient p WHERE NOT EXISTS (
    SELECT 1 FROM sync_outbox o
    WHERE o.table_name = 'patient' AND o.row_id = p.id AND o.operation = 'insert')
"""
_ALERTS_WITHOUT_INSERT = """
SELECT count(*) FROM patient_alert a WHERE NOT EXISTS (
    SELECT 1 FROM sync_outbox o
    WHERE o.table_name = 'patient_alert' AND o.row_id = a.id AND o.operation = 'insert')
"""
_INSERTS_WITHOUT_ROW = """
SELECT count(*) FROM sync_outbox o
WHERE (o.table_name = 'patient' AND NOT EXISTS (SELECT 1 FROM patient p WHERE p.id = o.row_id))
   OR (o.table_name = 'patient_alert'
       AND NOT EXISTS (SELECT 1 FROM patient_alert a WHERE a.id = o.row_id))
"""
_PATIENTS_WITHOUT_AUDIT = """
SELECT count(*) FROM patient p WHERE NOT EXISTS (
    SELECT 1 FROM audit_entry e
    WHERE e.action = 'patient.register' AND e.entity_id = p.id AND e.patient_id = p.id)
"""


def _report(line: str) -> None:
    print(line)
    # Also in the run's closing summary, so every CI log carries the seed and the figures.
    SUMMARY_LINES.append(line)


def _seed() -> int:
    given = os.environ.get(SEED_VARIABLE, "").strip()
    return int(given) if given else secrets.randbits(32)


@dataclass
class ChildRun:
    """What one child said before it was killed."""

    lines: list[str]
    seconds_to_ready: float | None = None

    @property
    def ready(self) -> bool:
        """The child had signed in before it died."""
        return "ready" in self.lines

    @property
    def acked(self) -> list[str]:
        """NHS numbers whose ``register`` call had returned, in order."""
        return [line.split()[1] for line in self.lines if line.startswith("ack ")]

    @property
    def in_call(self) -> str | None:
        """The NHS number being registered when the kill landed, if it landed in a call."""
        last = self.lines[-1] if self.lines else ""
        return last.split()[1] if last.startswith("begin ") else None


@dataclass
class StoreState:
    """What the store held when it was opened after a kill."""

    numbers: set[str]
    wal_bytes: int


@dataclass
class Figures:
    """Counts printed at the end of a run, and checked where they show the test did its job."""

    kills: int = 0
    acked: int = 0
    kills_after_a_write: int = 0
    kills_before_ready: int = 0
    kills_in_a_call: int = 0
    committed_not_acked: int = 0
    wal_present_at_reopen: int = 0
    ready_times: list[float] = field(default_factory=list)


def _new_store(path: Path) -> str:
    """Create the store and its clinician; return the key, as the child must be given it."""
    services = create_clinic(path)
    try:
        services.users.add(
            SYSTEM,
            username=USERNAME,
            display_name="Crash Test Clinician",
            role=Role.CLINICIAN,
            password=PASSWORD,
        )
    finally:
        services.close()
    key = keychain.store_key(path.resolve())
    assert key is not None
    return key


@dataclass
class Writer:
    """A started writer process, waiting for its order on stdin, and where its stderr goes."""

    process: subprocess.Popen[bytes]
    errors: Path

    def stop(self) -> None:
        """Kill it if it still runs, reap it and close its pipes."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


class Writers:
    """Starts writer processes, optionally one ahead.

    A writer imports the app and then waits for its order before it touches the store, so
    with ``ahead`` the next writer's imports overlap the current round (the test runs
    faster; what each writer does to the store is unchanged).
    """

    def __init__(self, path: Path, key: str, logs: Path, *, ahead: bool) -> None:
        self._path = path
        self._key = key
        self._logs = logs
        self._ahead = ahead
        self._spare: Writer | None = None
        self._started = 0
        logs.mkdir(exist_ok=True)

    def _spawn(self) -> Writer:
        self._started += 1
        errors = self._logs / f"writer-{self._started}.stderr"
        with errors.open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", WRITER],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        return Writer(process, errors)

    def start(self, first_number: int) -> Writer:
        """A writer that has been told to begin at ``first_number`` of the sequence."""
        writer = self._spare or self._spawn()
        self._spare = None
        order = {
            "store": str(self._path),
            "key": self._key,
            "audit_key": keychain.audit_key(self._path),
            "username": USERNAME,
            "password": PASSWORD,
            "start": first_number,
            "count": CHILD_WRITES,
        }
        stdin = writer.process.stdin
        assert stdin is not None
        try:
            stdin.write(json.dumps(order).encode("utf-8"))
            stdin.close()
        except BrokenPipeError:
            pass  # it died before its order; the caller finds it gone and shows its stderr
        if self._ahead:
            self._spare = self._spawn()
        return writer

    def close(self) -> None:
        """Stop the writer kept ahead, if any."""
        if self._spare is not None:
            self._spare.stop()
            self._spare = None


def _child_failed(writer: Writer, seed: int) -> str:
    output = writer.errors.read_text(encoding="utf-8", errors="replace")[-4000:]
    code = writer.process.returncode
    return f"seed {seed}: the writer exited by itself (code {code}):\n{output}"


def _run_child(
    writers: Writers,
    first_number: int,
    seed: int,
    *,
    kill_at: float | None = None,
    kill_after: float | None = None,
    kill_after_acks: int | None = None,
) -> ChildRun:
    """Give one writer its order and SIGKILL it.

    ``kill_at`` counts from the order (to kill it while it opens the store and signs in);
    ``kill_after`` counts from its "ready"; ``kill_after_acks`` kills it as soon as that
    many writes have returned.
    """
    began = time.monotonic()
    writer = writers.start(first_number)
    child = writer.process
    assert child.stdout is not None
    lines: list[str] = []
    run = ChildRun(lines)
    try:
        if kill_at is not None:
            time.sleep(kill_at)
        else:
            target = "ready" if kill_after_acks is None else "ack "
            seen = 0
            wanted = 1 if kill_after_acks is None else kill_after_acks
            while seen < wanted:
                raw = child.stdout.readline()
                if not raw:
                    child.wait()
                    pytest.fail(_child_failed(writer, seed))
                lines.append(raw.decode("ascii").rstrip("\n"))
                if lines[-1] == "ready":
                    run.seconds_to_ready = time.monotonic() - began
                if lines[-1].startswith(target):
                    seen += 1
            if kill_after:
                time.sleep(kill_after)
        child.send_signal(signal.SIGKILL)
        child.wait()
        rest = child.stdout.read().decode("ascii")
    finally:
        writer.stop()
    if child.returncode != -signal.SIGKILL:
        pytest.fail(_child_failed(writer, seed))
    # A line cut short by the kill has no newline and counts for nothing.
    lines.extend(rest.split("\n")[:-1])
    return run


def _wal_bytes(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def _numbers(column: list[str | None]) -> set[str]:
    return {number for number in column if number is not None}


def _open_and_check(path: Path, where: str) -> StoreState:
    """Open the store after a kill and check it is whole; return the NHS numbers it holds."""
    wal_bytes = _wal_bytes(path)
    services = open_clinic(path)
    try:
        store = services.context.store
        with store.engine.connect() as conn:
            integrity = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
            assert integrity == ["ok"], f"{where}: integrity_check says {integrity}"
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            assert broken == [], f"{where}: foreign_key_check says {broken}"
            numbers = _numbers(list(conn.execute(text("SELECT nhs_number FROM patient")).scalars()))
            for label, query in (
                ("patients without their outbox insert", _PATIENTS_WITHOUT_INSERT),
                ("alerts without their outbox insert", _ALERTS_WITHOUT_INSERT),
                ("outbox inserts without their row", _INSERTS_WITHOUT_ROW),
                ("patients without their audit entry", _PATIENTS_WITHOUT_AUDIT),
            ):
                count = conn.execute(text(query)).scalar_one()
                assert count == 0, f"{where}: {count} {label}"
        with store.sessions() as session:
            report = audit.verify(session)
        assert report.intact, f"{where}: the audit chain is broken: {report.problems[:5]}"
    finally:
        services.close()
    return StoreState(numbers=numbers, wal_bytes=wal_bytes)


def _check_round(
    run: ChildRun, before: set[str], after: set[str], start: int, where: str
) -> list[str]:
    """Check what one child left behind; return the NHS numbers it committed, in order."""
    acked = run.acked
    missing = [number for number in acked if number not in after]
    assert not missing, f"{where}: acknowledged writes lost: {missing}"
    lost_before = sorted(before - after)
    assert not lost_before, f"{where}: earlier writes lost: {lost_before}"
    new = after - before
    # The child writes one patient at a time, so what it committed is a run of the
    # sequence from ``start``: every acknowledged write, plus at most the one in progress.
    committed = list(synthetic_numbers(len(new), start=start))
    assert set(committed) == new, f"{where}: committed {sorted(new)}, expected {committed}"
    assert acked == committed[: len(acked)], f"{where}: acknowledged out of order: {acked}"
    unacked = committed[len(acked) :]
    assert unacked in ([], [run.in_call]), f"{where}: committed but never begun: {unacked}"
    return committed


def test_sigkill_at_random_moments_loses_no_saved_write(tmp_path: Path) -> None:
    seed = _seed()
    _report(f"crash test seed {seed} (run again with {SEED_VARIABLE}={seed})")
    rng = random.Random(seed)
    path = tmp_path / "clinic.db"
    key = _new_store(path)
    state = _open_and_check(path, f"seed {seed}, before any kill")
    writers = Writers(path, key, tmp_path / "writers", ahead=True)
    figures = Figures()
    start = 0
    began = time.monotonic()
    try:
        for kill in range(KILLS):
            where = f"seed {seed}, kill {kill + 1}"
            if kill % STARTUP_KILL_EVERY == STARTUP_KILL_EVERY - 1:
                # While it opens the store and signs in (a write of its own).
                startup = min(figures.ready_times)
                run = _run_child(writers, start, seed, kill_at=rng.uniform(0, startup))
            else:
                delay = rng.uniform(0, MAX_DELAY_SECONDS)
                run = _run_child(writers, start, seed, kill_after=delay)
            if run.seconds_to_ready is not None:
                figures.ready_times.append(run.seconds_to_ready)

            after = _open_and_check(path, where)
            committed = _check_round(run, state.numbers, after.numbers, start, where)
            start += len(committed)
            state = after

            figures.kills += 1
            figures.acked += len(run.acked)
            figures.kills_after_a_write += bool(run.acked)
            figures.kills_before_ready += not run.ready
            figures.kills_in_a_call += run.in_call is not None
            figures.committed_not_acked += len(committed) - len(run.acked)
            figures.wal_present_at_reopen += after.wal_bytes > 0
            if run.acked:
                assert after.wal_bytes > 0, f"{where}: writes were acknowledged but no WAL left"
    finally:
        writers.close()

    seconds = time.monotonic() - began
    _report(
        f"seed {seed}: {figures.kills} kills in {seconds:.1f} s; "
        f"{figures.acked} acknowledged writes, all present; "
        f"{figures.kills_after_a_write} kills after at least one write; "
        f"{figures.kills_before_ready} kills during start-up; "
        f"{figures.kills_in_a_call} kills inside a register call, "
        f"{figures.committed_not_acked} of them after the commit; "
        f"{figures.wal_present_at_reopen} reopens found a WAL to replay; "
        f"{len(state.numbers)} patients in the store"
    )
    assert figures.kills >= 50
    assert figures.kills_after_a_write > 0, f"seed {seed}: no kill landed after a write"
    assert figures.kills_before_ready > 0, f"seed {seed}: no kill landed during start-up"
    assert figures.kills_in_a_call > 0, f"seed {seed}: no kill landed inside a write"
    assert figures.wal_present_at_reopen > 0, f"seed {seed}: no reopen found a WAL"


def _main_file_numbers(path: Path, key: str, copy_dir: Path) -> set[str]:
    """The NHS numbers in the main database file alone, without its WAL."""
    copy_dir.mkdir()
    copy = copy_dir / path.name
    shutil.copyfile(path, copy)
    store = open_sqlite_store(copy, key)
    try:
        with store.engine.connect() as conn:
            return _numbers(list(conn.execute(text("SELECT nhs_number FROM patient")).scalars()))
    finally:
        store.close()


@pytest.mark.parametrize("acks_before_kill", [1, 3, 8])
def test_writes_only_in_the_wal_are_replayed_after_a_kill(
    tmp_path: Path, acks_before_kill: int
) -> None:
    path = tmp_path / "clinic.db"
    key = _new_store(path)
    before = _open_and_check(path, "before the kill").numbers
    assert _wal_bytes(path) == 0  # closing the last connection checkpointed the WAL

    writers = Writers(path, key, tmp_path / "writers", ahead=False)
    run = _run_child(writers, 0, 0, kill_after_acks=acks_before_kill)
    acked = run.acked
    assert len(acked) >= acks_before_kill
    assert _wal_bytes(path) > 0, "the killed writer left no WAL behind"
    in_main_file = _main_file_numbers(path, key, tmp_path / "main-file-only")
    only_in_wal = [number for number in acked if number not in in_main_file]
    _report(
        f"{len(acked)} acknowledged writes, {len(only_in_wal)} of them only in the WAL "
        f"({_wal_bytes(path)} bytes) when the writer was killed"
    )
    assert only_in_wal, "every acknowledged write had reached the main file: nothing to replay"

    after = _open_and_check(path, "after the kill")
    _check_round(run, before, after.numbers, 0, "after the kill")
    assert set(only_in_wal) <= after.numbers
    assert _wal_bytes(path) == 0  # replayed, checkpointed and removed on close
