"""The server's limits: request sizes, upload caps, sign-in lockout and enrolment rate.

Defaults are sized for the device's own traffic (a push batch of at most 2,000 changes and
4 MiB of values, upload pieces of 4 MiB) with room to spare; a service lead may change them
on ``serve``. The sign-in lockout mirrors the device's (``AppConfig.max_failed_logins`` /
``login_lockout_seconds``).

The counters are kept in the server's database (``server_sign_in_failure``,
``server_enrolment``), not in the server process: a restart does not reset them, and every
server process in front of the same database shares them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from clinic_app.kernel.base import utcnow
from clinic_app.kernel.uow import AppConfig
from clinic_app.sync.model import ServerEnrolment, ServerSignInFailure

MIB = 1024 * 1024
_DEVICE = AppConfig()
#: Failures under a name that never locked it are forgotten after this long.
_FAILURES_KEPT = timedelta(days=1)
#: A lock key of the enrolment counter (PostgreSQL's advisory locks), any fixed number.
_ENROLMENT_LOCK = 0x0E57_0017


@dataclass(frozen=True)
class ServerLimits:
    """Settings of the server's edges."""

    max_json_bytes: int = 32 * MIB
    """A JSON request body (a push batch of 2,000 changes is a few MiB)."""
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


Clock = Callable[[], datetime]


def _name_key(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()


class SignInLockout:
    """Failed sign-ins per user name; a name is locked out for a while after too many."""

    def __init__(self, limits: ServerLimits, engine: Engine, clock: Clock = utcnow) -> None:
        self._limits = limits
        self._engine = engine
        self._clock = clock

    def locked_for(self, name: str) -> float:
        """Seconds this name stays locked out (0 when it may try)."""
        with self._engine.connect() as conn:
            until = conn.execute(
                select(ServerSignInFailure.locked_until).where(
                    ServerSignInFailure.name_sha256 == _name_key(name)
                )
            ).scalar()
        if until is None:
            return 0.0
        return max(0.0, (until - self._clock()).total_seconds())

    def failed(self, name: str) -> None:
        """Count a failed sign-in; the name is locked out when it reaches the limit."""
        key, now = _name_key(name), self._clock()
        table = ServerSignInFailure
        with self._engine.begin() as conn:
            # The update first: it takes the row's lock (the database's, on SQLite) so two
            # processes counting at once both count.
            counted = conn.execute(
                update(table)
                .where(table.name_sha256 == key)
                .values(failures=table.failures + 1, at=now)
            ).rowcount
            if not counted and not _inserted(conn, key, now):
                conn.execute(
                    update(table)
                    .where(table.name_sha256 == key)
                    .values(failures=table.failures + 1, at=now)
                )
            row = conn.execute(
                select(table.failures, table.locked_until).where(table.name_sha256 == key)
            ).one()
            failures, until = int(row.failures), row.locked_until
            if until is not None and until <= now:
                failures, until = 1, None  # a lockout that ended: counting starts again
            if failures >= self._limits.max_failed_logins:
                failures = 0
                until = now + timedelta(seconds=self._limits.login_lockout_seconds)
            conn.execute(
                update(table)
                .where(table.name_sha256 == key)
                .values(failures=failures, locked_until=until)
            )
            conn.execute(
                delete(table).where(
                    table.at < now - _FAILURES_KEPT,
                    or_(table.locked_until.is_(None), table.locked_until < now),
                )
            )

    def succeeded(self, name: str) -> None:
        """Forget the failures of a name that signed in."""
        with self._engine.begin() as conn:
            conn.execute(
                delete(ServerSignInFailure).where(
                    ServerSignInFailure.name_sha256 == _name_key(name)
                )
            )


def _inserted(conn: Connection, key: str, now: datetime) -> bool:
    """A first failure under ``key``; False when another process added it meanwhile."""
    try:
        with conn.begin_nested():
            conn.execute(
                insert(ServerSignInFailure).values(
                    name_sha256=key, failures=1, locked_until=None, at=now
                )
            )
    except IntegrityError:
        return False
    return True


class EnrolmentRate:
    """Enrolments per client address and overall, in a sliding window."""

    def __init__(self, limits: ServerLimits, engine: Engine, clock: Clock = utcnow) -> None:
        self._limits = limits
        self._engine = engine
        self._clock = clock

    def allow(self, address: str) -> bool:
        """True (and counted) when one more enrolment from ``address`` is within the limits."""
        now = self._clock()
        start = now - timedelta(seconds=self._limits.enrol_window_seconds)
        address = address[:64]
        table = ServerEnrolment
        with self._engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # One enrolment check at a time across server processes.
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ENROLMENT_LOCK})
            # On SQLite this first write takes the database's write lock, to the same end.
            conn.execute(delete(table).where(table.at <= start))
            everyone = conn.execute(select(func.count()).select_from(table)).scalar_one()
            mine = conn.execute(
                select(func.count()).select_from(table).where(table.address == address)
            ).scalar_one()
            allowed = (
                everyone < self._limits.enrol_overall and mine < self._limits.enrol_per_address
            )
            if allowed:
                conn.execute(insert(table).values(address=address, at=now))
            return allowed
