"""The device side of sync: push the outbox in batches, pull the server's changes by cursor.

A push batch is frozen before it is sent (its key and the outbox numbers it covers are kept
in the store), so a retry after a lost answer resends the same batch under the same key and
the server answers it once. Outbox entries are removed only when the answer has come back,
in the same transaction that records it. While one batch is on its way the next is frozen
too (never sent before that answer), so at most two are frozen: after a crash both go
again, in order, under their keys. A pulled row never overwrites a row with changes
still waiting to go: those are pushed first and the merged row comes back on a later pull.
"""

from __future__ import annotations

import gc
import hashlib
import json
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from sqlalchemy import Connection, Text, bindparam, cast, delete, func, insert, select, text, update

from clinic_app.kernel.attachments import AttachmentChunk
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import AuthenticationFailed, ClinicError
from clinic_app.kernel.local import StoreMeta
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.security import keychain
from clinic_app.kernel.store import Store
from clinic_app.sync import audit_ship, scope
from clinic_app.sync.driver_rows import PreparedInsert
from clinic_app.sync.files import (
    FILE_COLUMNS,
    check_sha256,
    read_piece,
    store_bytes,
)
from clinic_app.sync.hooks import run_pulled
from clinic_app.sync.model import SyncIssue, SyncRowState
from clinic_app.sync.protocol import (
    FIRST_BATCH,
    MAX_BATCH,
    Change,
    PulledRow,
    PullPage,
    PushRequest,
    PushResponse,
    Status,
    StoredFields,
)
from clinic_app.sync.wire import synced_table, synced_tables

CURSOR_KEY = "sync.cursor"
#: The most of changes' values (as stored, JSON) in one push batch: a batch of 2,000
#: typical rows is about 1 MiB; the server takes 32 MiB in one request unless told less.
BATCH_BYTES = 4 * 1024 * 1024
#: Bytes per upload request.
UPLOAD_PIECE = 4 * 1024 * 1024
PENDING_KEY = "sync.pending_batch"
#: The batch after the pending one, frozen while the pending one is on its way: sent only
#: once that one's answer is back (and dropped, unsent, if that answer holds changes back).
NEXT_KEY = "sync.next_batch"
#: The user whose changes wait for them to sign in while connected (absent when none do).
WAITING_KEY = "sync.waiting_for_sign_in"


class Transport(Protocol):
    """How the engine reaches the server (HTTP in the app, anything in a test)."""

    def push(self, request: PushRequest, user_token: str | None = None) -> PushResponse:
        """Send a batch made by the user whose token this is (None: the device itself)."""
        ...

    def pull(self, cursor: int, limit: int) -> PullPage:
        """The page of changes after ``cursor``."""
        ...

    def check(self) -> dict[str, Any]:
        """The server's counts and hashes per table."""
        ...

    def file_received(self, sha256: str) -> int:
        """Bytes of a file the server holds so far."""
        ...

    def upload_piece(self, sha256: str, offset: int, data: bytes) -> int:
        """Send a piece at ``offset``; the bytes the server holds afterwards."""
        ...

    def complete_file(self, sha256: str, size: int) -> None:
        """Ask the server to check the whole file against its name."""
        ...

    def download(self, sha256: str) -> Iterator[bytes]:
        """A file's bytes, in pieces."""
        ...


@dataclass
class SyncReport:
    """What one round of sync did."""

    pushed: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    pulled: int = 0
    skipped_pending: int = 0
    repulled: bool = False
    files: int = 0
    #: Changes of this user wait (and those after them): they have no token from the server
    #: on this device (never signed in here online, or their sign-in was replaced).
    waiting_for_sign_in: uuid.UUID | None = None
    #: Patients taken in and let go by the round (scoped sync).
    scope: scope.ScopeReport | None = None


def store_rows(store: Store, rows: tuple[PulledRow, ...]) -> int:
    """Store rows as the server sent them, in one transaction; how many were stored."""
    with store.engine.begin() as conn:
        if store.is_sqlite:
            # Rows arrive parent first, but they are checked as a whole.
            conn.execute(text("PRAGMA defer_foreign_keys = ON"))
        stored, _skipped = SyncClient._apply_page(conn, rows)
    return stored


_RowKey = tuple[str, uuid.UUID]


@dataclass(frozen=True)
class _Batch:
    key: uuid.UUID
    first: int
    last: int
    #: Who made every change in it (None: the device itself, e.g. a scanner's images).
    user: uuid.UUID | None = None

    def to_json(self) -> str:
        user = str(self.user) if self.user else None
        return json.dumps(
            {"key": str(self.key), "first": self.first, "last": self.last, "user": user}
        )


@dataclass(frozen=True)
class _Outgoing:
    """A frozen batch and the request made of it (its bases as the store knew them then)."""

    batch: _Batch
    request: PushRequest


#: Answers whose row version this device has seen whole: its change on top of the version it
#: last saw (or its own insert, there already). After a merge or a conflict the row's new
#: version holds another device's changes this one has not pulled yet: taken as the base of
#: a later change to the row (a later batch of the same push), it would tell the server those
#: changes had been seen, and a field both changed would be overwritten with no conflict kept.
#: The base stays where it was until the merged row is pulled.
_SEEN = frozenset({Status.APPLIED, Status.DUPLICATE})


def _versions_given(request: PushRequest, response: PushResponse) -> dict[_RowKey, int]:
    """The server version each row of an answered batch now has here (as acknowledged)."""
    by_key = {change.key: change for change in request.changes}
    given: dict[_RowKey, int] = {}
    for result in response.results:
        change = by_key.get(result.key)
        if change is not None and result.status in _SEEN:
            given[(change.table, change.row_id)] = result.row_version
    return given


def _rebased(request: PushRequest, versions: Mapping[_RowKey, int]) -> PushRequest:
    """``request`` with the bases of rows the batch before it gave a new version to.

    The request was made while that batch was on its way; a row changed in both must name
    the version the first one gave it, as it would had it been made after the answer.
    """
    if not any(
        (change.table, change.row_id) in versions
        for change in request.changes
        if change.operation != "insert"
    ):
        return request
    return PushRequest(
        request.batch_key,
        tuple(
            replace(change, base_version=versions[(change.table, change.row_id)])
            if change.operation != "insert" and (change.table, change.row_id) in versions
            else change
            for change in request.changes
        ),
    )


#: What a push reads of an outbox entry (not when or on which device it was made: reading
#: those back costs a third of the time for nothing).
_SENT_COLUMNS = (
    OutboxEntry.seq,
    OutboxEntry.idempotency_key,
    OutboxEntry.table_name,
    OutboxEntry.row_id,
    OutboxEntry.operation,
    # As stored: a change of one entry is sent as it was written, never read and written again.
    cast(OutboxEntry.changed, Text).label("changed"),
    OutboxEntry.user_id,
)

#: Where the signed-in users' server tokens are: the device's id, a user's id → their token.
UserTokens = Callable[[uuid.UUID], str | None]


def _meta(conn: Connection, key: str) -> str | None:
    return conn.execute(select(StoreMeta.value).where(StoreMeta.key == key)).scalar()


def _set_meta(conn: Connection, key: str, value: str | None) -> None:
    conn.execute(delete(StoreMeta).where(StoreMeta.key == key))
    if value is not None:
        conn.execute(insert(StoreMeta).values(key=key, value=value))


def _set_row_states(conn: Connection, states: list[tuple[str, uuid.UUID, int]]) -> None:
    """Remember the server's version of rows (one statement for all of them on SQLite)."""
    if not states:
        return
    rows = [{"table_name": t, "row_id": r, "server_version": v} for t, r, v in states]
    if conn.dialect.name == "sqlite":
        conn.execute(insert(SyncRowState).prefix_with("OR REPLACE"), rows)
        return
    for table, row_id, _version in states:
        conn.execute(
            delete(SyncRowState).where(
                SyncRowState.table_name == table, SyncRowState.row_id == row_id
            )
        )
    conn.execute(insert(SyncRowState), rows)


#: Rows per statement at most: each statement is short, so a screen drawing while sync runs
#: is never kept waiting long.
_RUN_ROWS = 100


class _RowWrites:
    """Pulled rows written in runs: one statement for many rows, in the order they came.

    Consecutive rows of one table written the same way (insert, or update of every column)
    go together as one executemany, so the rows land in the page's order, parents first.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._run: tuple[str, str, frozenset[str]] | None = None
        self._rows: list[dict[str, Any]] = []
        self._prepared: dict[str, PreparedInsert | None] = {}

    def add(self, table: str, kind: str, values: dict[str, Any]) -> None:
        run = (table, kind, frozenset(values))
        if run != self._run or len(self._rows) >= _RUN_ROWS:
            self.flush()
            self._run = run
        self._rows.append(values)

    def flush(self) -> None:
        if self._run is None or not self._rows:
            return
        name, kind, _columns = self._run
        table = synced_table(name).table
        if kind == "insert":
            if name not in self._prepared:
                self._prepared[name] = PreparedInsert.of(table, self._conn.dialect)
            prepared = self._prepared[name]
            if prepared is not None and prepared.takes(self._rows[0]):
                prepared.execute(self._conn, self._rows)  # whole rows: straight to the driver
            else:
                self._conn.execute(insert(table), self._rows)
        else:
            self._conn.execute(update(table).where(table.c.id == bindparam("b_row_id")), self._rows)
        self._rows = []


class QueuedChange(Protocol):
    """An outbox entry as read for a push."""

    idempotency_key: uuid.UUID
    table_name: str
    row_id: uuid.UUID
    operation: str
    #: The columns changed: as JSON text (as stored), or as values.
    changed: str | Mapping[str, Any]
    user_id: uuid.UUID | None


def compress(
    entries: Iterable[QueuedChange], bases: Mapping[tuple[str, uuid.UUID], int]
) -> list[Change]:
    """One change per row from a run of outbox entries, rows in the order first changed.

    Later values of a field replace earlier ones (they come from the same device); an insert
    stays an insert with every column; the base is the server version last seen.
    """
    grouped: dict[tuple[str, uuid.UUID], list[QueuedChange]] = {}
    for entry in entries:
        grouped.setdefault((entry.table_name, entry.row_id), []).append(entry)
    changes = []
    for (table, row_id), run in grouped.items():
        fields: Mapping[str, Any]
        if len(run) == 1 and isinstance(run[0].changed, str):
            fields = StoredFields(run[0].changed)
        else:
            merged: dict[str, Any] = {}
            for entry in run:
                changed = entry.changed
                merged.update(StoredFields(changed) if isinstance(changed, str) else changed)
            fields = merged
        first, last = run[0], run[-1]
        operation = "insert" if first.operation == "insert" else last.operation
        changes.append(
            Change(
                key=last.idempotency_key,
                table=table,
                row_id=row_id,
                operation=operation,
                base_version=0 if operation == "insert" else bases.get((table, row_id), 0),
                fields=fields,
                user_id=last.user_id,
            )
        )
    return changes


_settled = threading.Event()


def _settle_long_lived() -> None:
    """Leave what the process holds before its first sync out of later full collections.

    A full garbage collection walks every object the process tracks, holding the GIL the
    whole time: with the app's modules, model and screens that is about 200,000 objects and
    100-200 ms, and the allocations of a large sync trigger one, so the screens froze for
    that long. Frozen once (``gc.freeze``), the objects that live as long as the process are
    no longer walked; what sync and the screens make later is collected as before. A cycle
    that was already garbage at that moment is not freed: a few objects, once.
    """
    if not _settled.is_set():
        _settled.set()
        gc.freeze()


class SyncClient:
    """Push and pull for one device's store. Never call it on the UI thread."""

    def __init__(
        self,
        store: Store,
        transport: Transport,
        *,
        batch_size: int = MAX_BATCH,
        user_tokens: UserTokens | None = None,
    ) -> None:
        self._store = store
        self._transport = transport
        #: Most changes per push this device sends, and what it sends now: no more than
        #: every server takes until the server's answer says it takes more.
        self._most = max(1, min(batch_size, MAX_BATCH))
        self._batch_size = min(self._most, FIRST_BATCH)
        #: Whether a server's answer has said how many changes it takes (``_sized``).
        self._heard = False
        self._user_tokens = user_tokens or self._keychain_token

    def _keychain_token(self, user: uuid.UUID) -> str | None:
        """The token the server gave ``user`` at their online sign-in on this device."""
        with self._store.engine.connect() as conn:
            device = _meta(conn, "device_id")
        return keychain.sync_token(uuid.UUID(device), user) if device else None

    # ------------------------------------------------------------------ push

    def _pending(self, conn: Connection, key: str = PENDING_KEY) -> _Batch | None:
        raw = _meta(conn, key)
        if raw is None:
            return None
        data = json.loads(raw)
        first = int(data["first"])
        if "user" in data:
            user = data["user"]
        else:  # frozen by an older version: its entries' first user
            user = conn.execute(
                select(OutboxEntry.user_id)
                .where(OutboxEntry.seq >= first)
                .order_by(OutboxEntry.seq)
            ).scalar()
        return _Batch(
            uuid.UUID(data["key"]), first, int(data["last"]), uuid.UUID(str(user)) if user else None
        )

    def _freeze_next(
        self, conn: Connection, after: int | None = None, key: str = PENDING_KEY
    ) -> _Batch | None:
        """Freeze the next batch: the oldest waiting changes (after ``after``), all by one user.

        A push is made as one signed-in user, so a batch ends where another user's changes
        begin; changes still go in the order they were made. A batch also ends before its
        changes' values pass :data:`BATCH_BYTES` (a batch of long texts stays well inside
        the server's limit on a request's size).
        """
        query = select(OutboxEntry.seq, OutboxEntry.user_id, func.length(OutboxEntry.changed))
        if after is not None:
            query = query.where(OutboxEntry.seq > after)
        # Until a server has said how many it takes, the batch after the first is frozen at
        # this laptop's own size, and frozen again smaller only if the answer says so.
        limit = self._batch_size if self._heard or key == PENDING_KEY else self._most
        entries = conn.execute(query.order_by(OutboxEntry.seq).limit(limit)).all()
        if not entries:
            return None
        user = entries[0].user_id
        last = entries[0].seq
        size = 0
        for entry in entries:
            size += int(entry[2] or 0)
            if entry.user_id != user or (size > BATCH_BYTES and entry.seq != entries[0].seq):
                break
            last = entry.seq
        batch = _Batch(uuid.uuid4(), entries[0].seq, last, user)
        _set_meta(conn, key, batch.to_json())
        return batch

    def _request(self, conn: Connection, batch: _Batch) -> PushRequest:
        entries = conn.execute(
            select(*_SENT_COLUMNS)
            .where(OutboxEntry.seq >= batch.first, OutboxEntry.seq <= batch.last)
            .order_by(OutboxEntry.seq)
        ).all()
        # The server versions of this batch's rows only, not of every row ever synced.
        row_ids = list({entry.row_id for entry in entries})
        bases: dict[tuple[str, uuid.UUID], int] = {}
        for start in range(0, len(row_ids), 500):
            bases.update(
                ((row.table_name, row.row_id), row.server_version)
                for row in conn.execute(
                    select(SyncRowState).where(
                        SyncRowState.row_id.in_(row_ids[start : start + 500])
                    )
                )
            )
        return PushRequest(batch.key, tuple(compress(entries, bases)))

    def _acknowledge(
        self,
        conn: Connection,
        batch: _Batch,
        request: PushRequest,
        response: PushResponse,
        *,
        keep_next: bool = True,
    ) -> dict[str, int]:
        """Record a batch's answer and drop its changes; the next batch becomes the pending one.

        Without ``keep_next`` the batch frozen after it (never sent) is thawed instead: its
        changes go again in a batch frozen later.
        """
        by_key = {change.key: change for change in request.changes}
        counts: dict[str, int] = {}
        deferred: list[uuid.UUID] = []
        for result in response.results:
            change = by_key.get(result.key)
            if change is None:
                continue
            counts[result.status.value] = counts.get(result.status.value, 0) + 1
            if result.status is Status.DEFERRED:
                # Its file is not on the server yet: the change stays queued for next time.
                deferred.append(change.row_id)
                continue
            if result.status is Status.REJECTED:
                # Quarantined with the reason, never deleted: a person looks at it.
                conn.execute(
                    insert(SyncIssue).values(
                        id=uuid.uuid4(),
                        kind="rejected",
                        table_name=change.table,
                        row_id=change.row_id,
                        reason=result.reason or "sync.rejected",
                        change=change.to_json(),
                        user_id=change.user_id,
                        at=utcnow(),
                        resolved=False,
                    )
                )
                continue
            if result.status is Status.CONFLICT:
                conn.execute(
                    insert(SyncIssue).values(
                        id=uuid.uuid4(),
                        kind="conflict",
                        table_name=change.table,
                        row_id=change.row_id,
                        reason="sync.conflict",
                        detail=", ".join(result.conflicts),
                        change=change.to_json(),
                        user_id=change.user_id,
                        at=utcnow(),
                        resolved=False,
                    )
                )
        versions = _versions_given(request, response)
        _set_row_states(conn, [(table, row_id, v) for (table, row_id), v in versions.items()])
        conn.execute(
            delete(OutboxEntry).where(
                OutboxEntry.seq >= batch.first,
                OutboxEntry.seq <= batch.last,
                OutboxEntry.row_id.not_in(deferred),
            )
        )
        _set_meta(conn, PENDING_KEY, _meta(conn, NEXT_KEY) if keep_next else None)
        _set_meta(conn, NEXT_KEY, None)
        return counts

    def _answered(
        self,
        sent: tuple[_Batch, PushRequest, PushResponse],
        report: SyncReport,
        *,
        keep_next: bool = True,
    ) -> dict[str, int]:
        """Acknowledge an answered batch in a transaction of its own; what its changes came to."""
        batch, request, response = sent
        with self._store.engine.begin() as conn:
            counts = self._acknowledge(conn, batch, request, response, keep_next=keep_next)
            _set_meta(conn, WAITING_KEY, None)
        report.pushed += len(request.changes)
        for status, count in counts.items():
            report.statuses[status] = report.statuses.get(status, 0) + count
        return counts

    def _following(self, after: _Batch, *, again: bool = False) -> _Outgoing | None:
        """The batch after ``after``, frozen (or as frozen before) and its request made.

        With ``again`` a batch frozen before is thawed first (it has not been sent).
        """
        with self._store.engine.begin() as conn:
            if again:
                _set_meta(conn, NEXT_KEY, None)
            batch = self._pending(conn, NEXT_KEY) or self._freeze_next(conn, after.last, NEXT_KEY)
            if batch is None:
                return None
            request = self._request(conn, batch)
        # Its body written now, while the server works: sent as it is unless a base moves.
        _ = request.body
        return _Outgoing(batch, request)

    def _sized(
        self, response: PushResponse, batch: _Batch, following: _Outgoing | None
    ) -> _Outgoing | None:
        """Take the batch size the server's answer names; the batch after, at that size.

        Fewer, larger batches: each costs two commits here and a transaction there. The batch
        after the first was frozen before the server said how many it takes (at this laptop's
        own size), and never sent: if it holds more than the server takes it is frozen again
        (a server taking fewer would refuse it). A server that does not say takes
        :data:`FIRST_BATCH`.
        """
        taken = FIRST_BATCH if response.max_batch is None else response.max_batch
        self._batch_size = min(self._most, taken)
        self._heard = True
        if following is not None and len(following.request.changes) > self._batch_size:
            return self._following(batch, again=True)
        return following

    def push(self, report: SyncReport | None = None) -> SyncReport:
        """Send every waiting change, a frozen batch at a time, until the outbox is empty.

        Each batch goes as the user who made its changes, with their token. A user with no
        token here (or whose token the server no longer knows) holds their batch, and the
        ones after it, until they sign in while connected: nothing is sent anonymously.

        Batches go one at a time, each only once the answer to the one before is back, but
        this device's work on either side of a batch overlaps the server's: while the server
        takes one batch in, the one before it is acknowledged here and the one after it is
        frozen and made ready. An answer holding changes back (their files are not on the
        server yet) stops the push there, and the batch frozen after it is thawed unsent.
        """
        report = report or SyncReport()
        while True:
            with self._store.engine.begin() as conn:
                batch = self._pending(conn) or self._freeze_next(conn)
                if batch is None:
                    return report
                current: _Outgoing | None = _Outgoing(batch, self._request(conn, batch))
            #: The batch answered last, not yet acknowledged here, and the versions it gave.
            answered: tuple[_Batch, PushRequest, PushResponse] | None = None
            versions: dict[_RowKey, int] = {}
            while current is not None:
                batch = current.batch
                request = _rebased(current.request, versions)
                token = None
                if batch.user is not None:
                    token = self._user_tokens(batch.user)
                    if token is None:
                        if answered is not None:
                            self._answered(answered, report)
                        return self._wait_for(batch.user, report)
                self.upload_files(request.changes)
                try:
                    response, following = self._send_meanwhile(
                        batch, request, token, answered, report
                    )
                except AuthenticationFailed as refused:
                    if refused.code != "sync.user_token_unknown":
                        raise
                    return self._wait_for(batch.user, report)
                if response.batch_key != request.batch_key:
                    raise ValueError("the server answered another batch")
                following = self._sized(response, batch, following)
                answered = (batch, request, response)
                if any(result.status is Status.DEFERRED for result in response.results):
                    self._answered(answered, report, keep_next=False)
                    return report  # try those again at the next sync, after their files
                versions = _versions_given(request, response)
                current = following
            if answered is not None:
                self._answered(answered, report)

    def _send_meanwhile(
        self,
        batch: _Batch,
        request: PushRequest,
        token: str | None,
        answered: tuple[_Batch, PushRequest, PushResponse] | None,
        report: SyncReport,
    ) -> tuple[PushResponse, _Outgoing | None]:
        """Push ``request``; meanwhile acknowledge the batch before it and ready the one after.

        The answered batch is acknowledged whatever becomes of this one (its answer is in
        hand); the batch after this one is frozen, and is sent only after this one's answer.
        """
        answer: list[PushResponse] = []
        failure: list[BaseException] = []

        def send() -> None:
            try:
                answer.append(self._transport.push(request, token))
            except BaseException as error:  # noqa: BLE001 - re-raised on the sync thread
                failure.append(error)

        sender = threading.Thread(target=send, name="sync-push", daemon=True)
        sender.start()
        following: _Outgoing | None = None
        try:
            if answered is not None:
                self._answered(answered, report)
            following = self._following(batch)
        finally:
            sender.join()
        if failure:
            raise failure[0]
        return answer[0], following

    def _wait_for(self, user: uuid.UUID | None, report: SyncReport) -> SyncReport:
        """Hold the changes of a user the server has no sign-in of here, and say so."""
        report.waiting_for_sign_in = user
        with self._store.engine.begin() as conn:
            _set_meta(conn, WAITING_KEY, str(user) if user else None)
        return report

    # ------------------------------------------------------------------ files

    def upload_files(self, changes: Iterable[Change]) -> int:
        """Send the files named by new rows, resuming where the server's copy ends.

        Returns:
            How many bytes were sent.
        """
        sent = 0
        for change in changes:
            column = FILE_COLUMNS.get(change.table)
            if column is None or change.operation != "insert":
                continue
            sha256 = check_sha256(str(change.fields.get(column)))
            size = int(change.fields.get("size") or 0)
            offset = self._transport.file_received(sha256)
            while offset < size:
                with self._store.engine.connect() as conn:
                    piece = read_piece(conn, sha256, offset, UPLOAD_PIECE)
                if not piece:
                    raise ClinicError("file.missing_here", sha256=sha256)
                offset = self._transport.upload_piece(sha256, offset, piece)
                sent += len(piece)
            self._transport.complete_file(sha256, size)
        return sent

    def download_files(self) -> int:
        """Fetch the files of rows this device has without their bytes; how many."""
        fetched = 0
        for name, column in FILE_COLUMNS.items():
            table = synced_table(name).table
            with self._store.engine.connect() as conn:
                # One query for every file's stored size, not one per row: this runs each sync.
                stored: dict[str, int | None] = {
                    sha: total
                    for sha, total in conn.execute(
                        select(
                            AttachmentChunk.sha256, func.sum(func.length(AttachmentChunk.data))
                        ).group_by(AttachmentChunk.sha256)
                    )
                }
                wanted = [
                    (sha, size)
                    for sha, size in conn.execute(select(table.c[column], table.c.size))
                    if int(stored.get(sha) or 0) != size
                ]
            for sha256, _size in dict(wanted).items():
                pieces = self._transport.download(check_sha256(sha256))
                with self._store.engine.begin() as conn:
                    store_bytes(conn, sha256, pieces)
                fetched += 1
        return fetched

    # ------------------------------------------------------------------ pull

    @staticmethod
    def _apply_page(conn: Connection, rows: tuple[PulledRow, ...]) -> tuple[int, int]:
        """Store a page of pulled rows; (stored, left alone because changes wait here)."""
        if not rows:
            return 0, 0
        ids = [pulled.row_id for pulled in rows]
        waiting = {
            (row.table_name, row.row_id)
            for row in conn.execute(
                select(OutboxEntry.table_name, OutboxEntry.row_id).where(
                    OutboxEntry.row_id.in_(ids)
                )
            )
        }
        present: set[tuple[str, uuid.UUID]] = set()
        by_table: dict[str, list[uuid.UUID]] = {}
        for pulled in rows:
            by_table.setdefault(pulled.table, []).append(pulled.row_id)
        for name, table_ids in by_table.items():
            table = synced_table(name).table
            present |= {
                (name, row_id)
                for (row_id,) in conn.execute(select(table.c.id).where(table.c.id.in_(table_ids)))
            }
        states: list[tuple[str, uuid.UUID, int]] = []
        stored_keys: list[tuple[str, uuid.UUID]] = []
        # Rows of patients this laptop does not hold are not kept here (scoped sync).
        outside = scope.rows_outside(conn, rows)
        scope.drop_rows(conn, (key for key in outside if key in present and key not in waiting))
        writes = _RowWrites(conn)
        for pulled in rows:
            key = (pulled.table, pulled.row_id)
            if key in waiting or key in outside:
                continue
            values = synced_table(pulled.table).decode(pulled.row)
            if key in present:
                changed = {name: value for name, value in values.items() if name != "id"}
                writes.add(pulled.table, "update", {**changed, "b_row_id": pulled.row_id})
            else:
                writes.add(pulled.table, "insert", values)
                present.add(key)
            states.append((pulled.table, pulled.row_id, int(values["row_version"])))
            stored_keys.append(key)
        writes.flush()
        stored = len(stored_keys)
        _set_row_states(conn, states)
        # After the whole page, so a row the hook would add that the page also brings is
        # already here (possible duplicates: noticed here, flagged by the server too).
        run_pulled(conn, stored_keys)
        return stored, sum(1 for pulled in rows if (pulled.table, pulled.row_id) in waiting)

    def store_rows(self, rows: tuple[PulledRow, ...]) -> int:
        """Store rows as the server sent them (a patient taken in whole); how many stored."""
        return store_rows(self._store, rows)

    def pull(
        self,
        report: SyncReport | None = None,
        *,
        page_size: int = 500,
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> SyncReport:
        """Fetch the server's changes after the cursor, page by page, and store them.

        Each page and the cursor after it commit together, so a cut connection resumes at
        the first page not stored. ``progress`` hears how far through the server's changes
        the cursor is (0.0 to 1.0) after each page; ``cancelled`` stops it between pages.
        """
        report = report or SyncReport()
        while True:
            if cancelled is not None and cancelled():
                return report
            with self._store.engine.connect() as conn:
                cursor = int(_meta(conn, CURSOR_KEY) or 0)
            page = self._transport.pull(cursor, page_size)
            with self._store.engine.begin() as conn:
                if self._store.is_sqlite:
                    # Rows arrive parent first, but a page is checked as a whole.
                    conn.execute(text("PRAGMA defer_foreign_keys = ON"))
                stored, skipped = self._apply_page(conn, page.rows)
                report.pulled += stored
                report.skipped_pending += skipped
                _set_meta(conn, CURSOR_KEY, str(page.next_cursor))
            if progress is not None and page.last_seq > 0:
                progress(min(1.0, page.next_cursor / page.last_seq))
            if not page.more:
                return report

    # ------------------------------------------------------------------ check

    def local_digests(self) -> dict[str, dict[str, Any]]:
        """Count and SHA-256 of ids and versions per table, as the server computes them.

        Rows only this device has because the server refused them are left out.
        """
        digests: dict[str, dict[str, Any]] = {}
        with self._store.engine.connect() as conn:
            refused = {
                (row.table_name, row.row_id)
                for row in conn.execute(
                    select(SyncIssue.table_name, SyncIssue.row_id).where(
                        SyncIssue.kind == "rejected", SyncIssue.resolved.is_(False)
                    )
                )
            }
            for name, synced in sorted(synced_tables().items()):
                table = synced.table
                digest = hashlib.sha256()
                count = 0
                for row_id, version in conn.execute(
                    select(table.c.id, table.c.row_version).order_by(table.c.id)
                ):
                    if (name, row_id) in refused:
                        continue
                    count += 1
                    digest.update(f"{row_id}:{version};".encode())
                digests[name] = {"count": count, "sha256": digest.hexdigest()}
        return digests

    def outbox_size(self) -> int:
        """Changes waiting to be pushed."""
        with self._store.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(OutboxEntry)).scalar() or 0)

    def check(self, report: SyncReport | None = None) -> SyncReport:
        """Compare counts and hashes with the server; pull everything again if they differ.

        Only with nothing waiting to go: until then the two sides are expected to differ.
        """
        report = report or SyncReport()
        if self.outbox_size():
            return report
        server = self._transport.check()
        if server.get("tables") != self.local_digests():
            with self._store.engine.begin() as conn:
                _set_meta(conn, CURSOR_KEY, "0")
            report.repulled = True
            self.pull(report)
        return report

    def sync_once(
        self,
        *,
        check: bool = False,
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> SyncReport:
        """Push, then pull and fetch missing files (and, when asked, check and heal).

        ``progress`` and ``cancelled`` are the pull's (see :meth:`pull`); cancelled, it
        stops after the page being stored and fetches no files.
        """
        _settle_long_lived()
        report = self.push()
        audit_ship.ship(self._store, self._transport)
        report.scope = scope.run_scope(self._store, self._transport, self.store_rows)
        self.pull(report, progress=progress, cancelled=cancelled)
        if cancelled is not None and cancelled():
            return report
        report.files = self.download_files()
        if check:
            self.check(report)
        return report
