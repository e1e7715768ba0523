"""The laptop side of scoped sync: take in the patients in scope, let go of those that left.

Each round asks the server which patients the laptop should hold (``server.scope``). A
patient coming into scope arrives whole, every row as it stands, and the laptop then tells
the server it holds them, so their later changes reach it by the ordinary pull. A patient
leaving scope is removed from the store only when nothing of theirs waits to be pushed or
sits refused, never before; their removal is not a change and does not sync.

A patient outside scope can be fetched on demand while connected (a search that falls
through to the server): :func:`fetch_patient`.

A pulled row whose patient this laptop does not hold is not stored, and a copy it had is
removed (a row moved to another patient, or an image given a patient held elsewhere).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import Column, Connection, Table, delete, insert, select, text

from clinic_app.kernel.attachments import AttachmentChunk
from clinic_app.kernel.base import Base
from clinic_app.kernel.local import Draft, StoreMeta
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.store import Store
from clinic_app.sync.files import FILE_COLUMNS
from clinic_app.sync.model import SyncIssue, SyncRowState
from clinic_app.sync.ownership import (
    PATIENT_TABLE,
    by_table,
    owner_of,
    rows_of_patients,
    stored_rows,
)
from clinic_app.sync.protocol import PulledRow
from clinic_app.sync.wire import synced_tables

log = logging.getLogger("onestop.sync")

#: Patients asked for in one request when the server names no limit (its limit before it
#: said so in its plan).
FETCH_PIECE = 250
#: Most patients asked for in one request, whatever the server allows: one request's rows
#: are parsed in one go beside the screens, holding them up meanwhile (about 8 ms for 500
#: patients, 17-30 ms for 1,000).
MAX_FETCH_PIECE = 500
#: Set once the laptop has let go of what it held before sync was scoped.
SCOPED_KEY = "sync.scoped"


@runtime_checkable
class ScopeTransport(Protocol):
    """What scoped sync needs of the server."""

    def scope_plan(self, *, full: bool = False) -> dict[str, Any]:
        """Patients to take in and let go (with ``full``, the whole scope too)."""

    def scope_rows(self, patients: Sequence[str], user_token: str | None = None) -> dict[str, Any]:
        """Every row of these patients as they stand."""

    def scope_held(
        self,
        add: Sequence[str],
        remove: Sequence[str],
        reason: str = "scope",
        user_token: str | None = None,
        as_of: int = 0,
    ) -> dict[str, Any]:
        """Tell the server the laptop took these in (as they stood at ``as_of``), or let go."""


@dataclass
class ScopeReport:
    """What a round did to the laptop's scope."""

    taken_in: int = 0
    let_go: int = 0
    #: Out of scope but kept, because work on them waits to be pushed.
    kept: int = 0


def _patient_ids_here(conn: Connection) -> set[uuid.UUID]:
    table = synced_tables()[PATIENT_TABLE].table
    return set(conn.execute(select(table.c.id)).scalars())


def rows_outside(conn: Connection, rows: Sequence[PulledRow]) -> set[tuple[str, uuid.UUID]]:
    """The pulled rows whose patient this laptop does not hold (not to be stored here).

    A patient counts as held when their row is in the store or in the same page. The store
    is asked only about the patients and parent rows the page names, a table at a time.
    """
    in_page: dict[tuple[str, uuid.UUID], Mapping[str, Any]] = {
        (row.table, row.row_id): row.row for row in rows
    }
    stored = _parents_stored(conn, in_page)

    def patients(table: str, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        owner = owner_of(table)
        if owner.kind in ("self", "reference"):
            return None
        if owner.kind in ("column", "pair"):
            return tuple(values.get(column) for column in owner.columns)
        key = _parent_key(owner.parent, values.get(owner.columns[0]))
        if key is None:
            return None
        parent = in_page.get(key)
        if parent is None:
            parent = stored.get(key)
        if parent is None:
            return ("missing",)
        return patients(key[0], parent)

    named: dict[tuple[str, uuid.UUID], tuple[uuid.UUID | None, ...]] = {}
    for row in rows:
        found = patients(row.table, row.row)
        if found is not None:
            named[(row.table, row.row_id)] = tuple(_patient_id(p) for p in found if p is not None)
    here = _held_among(conn, {p for ids in named.values() for p in ids if p is not None})
    here |= {row.row_id for row in rows if row.table == PATIENT_TABLE}
    return {key for key, ids in named.items() if any(p is None or p not in here for p in ids)}


def _patient_id(value: Any) -> uuid.UUID | None:
    """A patient id as named by a row (None for a value that is not one: never held)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _parent_key(parent: str | None, value: Any) -> tuple[str, uuid.UUID] | None:
    if value is None or parent is None:
        return None
    return (parent, uuid.UUID(str(value)))


def _parents_stored(
    conn: Connection, in_page: Mapping[tuple[str, uuid.UUID], Mapping[str, Any]]
) -> dict[tuple[str, uuid.UUID], Mapping[str, Any]]:
    """Stored parents (and theirs) of the page's rows whose parent is not in the page."""
    stored: dict[tuple[str, uuid.UUID], Mapping[str, Any]] = {}

    def wanted_by(items: Iterable[tuple[tuple[str, uuid.UUID], Mapping[str, Any]]]) -> set[Any]:
        wanted = set()
        for (table, _row_id), values in items:
            owner = owner_of(table)
            if owner.kind != "parent":
                continue
            key = _parent_key(owner.parent, values.get(owner.columns[0]))
            if key is not None and key not in in_page and key not in stored:
                wanted.add(key)
        return wanted

    pending = wanted_by(in_page.items())
    while pending:
        fetched = {key: dict(row) for key, row in stored_rows(conn, pending).items()}
        stored.update(fetched)
        pending = wanted_by(fetched.items())
    return stored


def _held_among(conn: Connection, patients: set[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these patients are in the store."""
    table = synced_tables()[PATIENT_TABLE].table
    wanted = list(patients)
    found: set[uuid.UUID] = set()
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        found |= set(conn.execute(select(table.c.id).where(table.c.id.in_(part))).scalars())
    return found


def drop_rows(conn: Connection, keys: Iterable[tuple[str, uuid.UUID]]) -> None:
    """Remove local copies of rows (not a change: nothing is queued to sync).

    The bytes of the files they name go with them, unless a row kept here names them too.
    """
    keys = set(keys)
    files = _files_named(conn, keys)
    for name, ids in by_table(keys).items():
        table = synced_tables()[name].table
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            conn.execute(delete(table).where(table.c.id.in_(part)))
            conn.execute(
                delete(SyncRowState).where(
                    SyncRowState.table_name == name, SyncRowState.row_id.in_(part)
                )
            )
    _forget_files(conn, files)


def _local_references() -> list[tuple[Table, Column[Any], str]]:
    """Local-only tables (not synced) with a foreign key into a synced table."""
    synced = synced_tables()
    found: list[tuple[Table, Column[Any], str]] = []
    for table in Base.metadata.sorted_tables:
        if table.name in synced:
            continue
        for column in table.columns:
            for key in column.foreign_keys:
                if key.column.table.name in synced:
                    found.append((table, column, key.column.table.name))
    return found


def _local_work(
    conn: Connection, patient: uuid.UUID, keys: set[tuple[str, uuid.UUID]]
) -> list[tuple[Table, Column[Any], list[uuid.UUID]]] | None:
    """Finished local rows naming the record (to remove with it), or None if work waits.

    Work waits in an unsaved form (a draft about the patient or one of their records) or in
    a local queue row that is not done (an image not yet sent to the PACS).
    """
    subjects = {str(patient)} | {str(row_id) for _table, row_id in keys}
    drafts = conn.execute(select(Draft.subject).where(Draft.subject.in_(subjects))).first()
    if drafts is not None:
        return None
    finished: list[tuple[Table, Column[Any], list[uuid.UUID]]] = []
    for table, column, target in _local_references():
        ids = [row_id for name, row_id in keys if name == target]
        if not ids:
            continue
        rows = conn.execute(select(table).where(column.in_(ids))).mappings().all()
        if any(row.get("state", "done") != "done" for row in rows):
            return None
        if rows:
            finished.append((table, column, ids))
    return finished


def _waiting(conn: Connection, keys: set[tuple[str, uuid.UUID]]) -> bool:
    ids = [row_id for _table, row_id in keys]
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        pending = conn.execute(
            select(OutboxEntry.table_name, OutboxEntry.row_id).where(OutboxEntry.row_id.in_(part))
        ).all()
        refused = conn.execute(
            select(SyncIssue.table_name, SyncIssue.row_id).where(
                SyncIssue.row_id.in_(part), SyncIssue.resolved.is_(False)
            )
        ).all()
        if any((t, r) in keys for t, r in [*pending, *refused]):
            return True
    return False


def let_go(store: Store, patients: Iterable[uuid.UUID]) -> tuple[list[uuid.UUID], int]:
    """Remove these patients' rows where nothing of theirs waits; (those removed, kept).

    A patient open on screen is kept too: what is being typed about them may not be a draft
    yet. They go in a round after they are closed (the server still counts them as held).
    """
    removed: list[uuid.UUID] = []
    kept = 0
    for patient in patients:
        if patient in store.open_patients:
            kept += 1
            continue
        with store.engine.begin() as conn:
            if store.is_sqlite:
                conn.execute(text("PRAGMA defer_foreign_keys = ON"))
            keys = {
                (synced.name, row["id"])
                for synced, rows in rows_of_patients(conn, [patient])
                for row in rows
            }
            local = _local_work(conn, patient, keys)
            if local is None or _waiting(conn, keys):
                kept += 1
                continue
            for table, column, ids in local:
                conn.execute(delete(table).where(column.in_(ids)))
            # A record let go takes its images' bytes with it.
            drop_rows(conn, keys)
            removed.append(patient)
    return removed, kept


def _files_named(conn: Connection, keys: set[tuple[str, uuid.UUID]]) -> set[str]:
    """The files (SHA-256) named by these rows."""
    named: set[str] = set()
    for table_name, column in FILE_COLUMNS.items():
        table = synced_tables()[table_name].table
        ids = [row_id for name, row_id in keys if name == table_name]
        for start in range(0, len(ids), 500):
            query = select(table.c[column]).where(table.c.id.in_(ids[start : start + 500]))
            named |= {str(value) for value in conn.execute(query).scalars() if value}
    return named


def _forget_files(conn: Connection, files: set[str]) -> None:
    """Remove the bytes of these files where no row names them any more."""
    wanted = sorted(files)
    still_named: set[str] = set()
    for table_name, column in FILE_COLUMNS.items():
        table = synced_tables()[table_name].table
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            still_named |= set(
                conn.execute(select(table.c[column]).where(table.c[column].in_(part))).scalars()
            )
    unused = sorted(files - still_named)
    for start in range(0, len(unused), 500):
        conn.execute(
            delete(AttachmentChunk).where(AttachmentChunk.sha256.in_(unused[start : start + 500]))
        )


def _meta(conn: Connection, key: str) -> str | None:
    return conn.execute(select(StoreMeta.value).where(StoreMeta.key == key)).scalar()


def take_in(
    store: Store,
    transport: ScopeTransport,
    patients: Sequence[uuid.UUID],
    store_rows: Any,
    *,
    reason: str = "scope",
    user_token: str | None = None,
    piece_size: int = FETCH_PIECE,
) -> int:
    """Fetch these patients whole, store them, and tell the server they are held here.

    ``piece_size`` patients are asked for in each request (the server's limit). While one
    piece is stored here, the next is fetched and the one before is confirmed, each on a
    worker thread of its own: the server's work and this laptop's overlap instead of one
    waiting for the other. A piece is confirmed only once it is stored, and one confirmation
    at most is on its way at a time; the first failure stops the round and is raised.
    """
    pieces = [
        [str(p) for p in patients[start : start + piece_size]]
        for start in range(0, len(patients), piece_size)
    ]
    if not pieces:
        return 0

    def fetch(piece: list[str]) -> tuple[tuple[PulledRow, ...], int]:
        answer = transport.scope_rows(piece, user_token)
        rows = tuple(PulledRow.from_json(item) for item in answer.get("rows", []))
        return rows, _as_of(answer)

    taken = 0
    fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-scope-fetch")
    confirmer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-scope-held")
    confirming: Future[Any] | None = None
    try:
        coming = fetcher.submit(fetch, pieces[0])
        for index, piece in enumerate(pieces):
            rows, as_of = coming.result()
            if index + 1 < len(pieces):
                coming = fetcher.submit(fetch, pieces[index + 1])
            store_rows(rows)
            if confirming is not None:
                confirming.result()  # the piece before's confirmation failed: stop here
            confirming = confirmer.submit(
                transport.scope_held, piece, [], reason, user_token, as_of
            )
            taken += len(piece)
        if confirming is not None:
            confirming.result()
    finally:
        fetcher.shutdown(wait=True, cancel_futures=True)
        confirmer.shutdown(wait=True, cancel_futures=True)
    return taken


def run_scope(store: Store, transport: object, store_rows: Any) -> ScopeReport:
    """One round: take in what came into scope, let go of what left (when nothing waits)."""
    report = ScopeReport()
    if not isinstance(transport, ScopeTransport):
        return report
    with store.engine.connect() as conn:
        first = _meta(conn, SCOPED_KEY) is None
    answer = transport.scope_plan(full=first)
    enter = [uuid.UUID(p) for p in answer.get("enter", [])]
    leave = [uuid.UUID(p) for p in answer.get("leave", [])]
    if first:
        # Held before sync was scoped: everything out of scope goes (when nothing waits).
        wanted = {uuid.UUID(p) for p in answer.get("scope", [])}
        with store.engine.connect() as conn:
            here = _patient_ids_here(conn)
        leave = sorted(set(leave) | (here - wanted))
    report.taken_in = take_in(store, transport, enter, store_rows, piece_size=_piece_size(answer))
    removed, report.kept = let_go(store, leave)
    report.let_go = len(removed)
    if removed:
        transport.scope_held([], [str(p) for p in removed])
    if first and not report.kept:
        with store.engine.begin() as conn:
            conn.execute(insert(StoreMeta).values(key=SCOPED_KEY, value="1"))
    if report.kept:
        log.info("patients out of scope kept until their work is pushed: %d", report.kept)
    return report


def fetch_rows(
    transport: ScopeTransport, patient_id: uuid.UUID, user_token: str
) -> tuple[PulledRow, ...]:
    """One patient's rows from the server on demand, held here from now on (network only).

    The server is told first: if storing the rows fails, the record is not here and a search
    falls through to the server again; their later changes are not stored without it.
    """
    answer = transport.scope_rows([str(patient_id)], user_token)
    rows = tuple(PulledRow.from_json(item) for item in answer.get("rows", []))
    transport.scope_held([str(patient_id)], [], "opened", user_token, _as_of(answer))
    return rows


def _piece_size(answer: Mapping[str, Any]) -> int:
    """Patients per request: the server's limit from its plan, within ours."""
    value = answer.get("fetch_limit")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        return FETCH_PIECE
    return min(value, MAX_FETCH_PIECE)


def _as_of(answer: Mapping[str, Any]) -> int:
    value = answer.get("as_of", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def fetch_patient(
    store: Store, transport: object, patient_id: uuid.UUID, store_rows: Any, user_token: str
) -> None:
    """Bring one patient from the server on demand (a user opening them while connected)."""
    if not isinstance(transport, ScopeTransport):
        raise TypeError("the transport cannot fetch patients")
    store_rows(fetch_rows(transport, patient_id, user_token))
