"""Applying pushed changes on the server, and reading changes back out in pages.

Everything runs inside one database transaction per push, started by taking the change
counter's row lock: pushes are applied one at a time, change numbers are handed out with
no gaps, and they become visible in the order they were given. A retried batch finds its
receipt and gets the same answer without being applied again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Connection,
    Table,
    Text,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError, StatementError

from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import ClinicError, Conflict, NotFound, PermissionDenied
from clinic_app.kernel.outbox import wire_value as to_wire
from clinic_app.kernel.security.permissions import Action
from clinic_app.people.duplicates import MATCH_RULES, new_duplicate_rows
from clinic_app.people.model import Patient
from clinic_app.records.registry import record_type_for_table
from clinic_app.records.seal import seal_refusal
from clinic_app.server.audit_store import record_patient_reached
from clinic_app.server.authorise import Acting, refusal
from clinic_app.server.batch import (
    DuplicateScreen,
    InsertRuns,
    Key,
    Row,
    rows_of,
)
from clinic_app.server.bulk import insert_rows
from clinic_app.server.filing import files_filed
from clinic_app.server.scope import held, held_rows, scope_among, sent_to, touch
from clinic_app.server.values import unfit_fields
from clinic_app.sync.files import FILE_COLUMNS
from clinic_app.sync.hooks import applied_hooks, change_checks, row_checks
from clinic_app.sync.model import (
    SyncChange,
    SyncConflict,
    SyncCounter,
    SyncFieldVersions,
    SyncPushReceipt,
)
from clinic_app.sync.ownership import (
    PATIENT_COLUMN,
    among,
    ids_per_query,
    owner_of,
    patients_of_row,
    stored_rows,
)
from clinic_app.sync.protocol import (
    MAX_BATCH,
    MAX_PAGE,
    Change,
    PulledRow,
    PullPage,
    PushRequest,
    PushResponse,
    Result,
    Status,
)
from clinic_app.sync.wire import SyncedTable, synced_table, synced_tables

COUNTER = "change"
#: Who-and-when columns: the newest write wins, they never conflict.
META_FIELDS = frozenset({"created_at", "created_by", "updated_at", "updated_by", "device_id"})
_NEVER_SET = frozenset({"id", "row_version"})
_CHANGES = cast(Table, SyncChange.__table__)
_FIELD_VERSIONS = cast(Table, SyncFieldVersions.__table__)


def ensure_counter(conn: Connection) -> None:
    """Create the change counter on a new server database."""
    exists = conn.execute(select(SyncCounter.name).where(SyncCounter.name == COUNTER)).first()
    if exists is None:
        conn.execute(insert(SyncCounter).values(name=COUNTER, value=0))


def _lock_counter(conn: Connection) -> None:
    """Take the counter's row lock (PostgreSQL) or the write lock (SQLite) for this push."""
    conn.execute(
        update(SyncCounter).where(SyncCounter.name == COUNTER).values(value=SyncCounter.value)
    )


def last_seq(conn: Connection) -> int:
    """The newest change number handed out."""
    value = conn.execute(select(SyncCounter.value).where(SyncCounter.name == COUNTER)).scalar()
    return int(value or 0)


_LOG_KEY = "onestop.pending_change_log"


class _PendingLog:
    """Change numbers and bookkeeping rows of one transaction, written together at the end.

    Numbers are handed out in memory from the counter (locked for the whole transaction),
    so a batch costs one write of the counter and one multi-row insert of its log.
    """

    def __init__(self, conn: Connection) -> None:
        self.next = last_seq(conn) + 1
        #: When this transaction's changes are logged as made: one time for all of them.
        self.at = utcnow()
        self.changes: list[dict[str, Any]] = []
        #: Per entry of ``changes``: whether a pushed change made it (not the server itself,
        #: as when it flags a possible duplicate); while ``by_server`` is above 0 it does.
        self.pushed: list[bool] = []
        self.by_server = 0
        self.new_fields: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
        #: Set while a batch is applied in one go (never while each change has a savepoint):
        #: its new rows in runs, the rows it touches read ahead, its duplicate screen.
        self.inserts: InsertRuns | None = None
        self.known: dict[Key, Row | None] | None = None
        self.screen: DuplicateScreen | None = None

    @contextlib.contextmanager
    def by_the_server(self) -> Iterator[None]:
        """Within it, the rows logged are the server's own (not a pushed change's)."""
        self.by_server += 1
        try:
            yield
        finally:
            self.by_server -= 1

    def mark(self) -> tuple[int, int, set[tuple[str, uuid.UUID]]]:
        return self.next, len(self.changes), set(self.new_fields)

    def undo(self, mark: tuple[int, int, set[tuple[str, uuid.UUID]]]) -> None:
        """Forget what was added since ``mark`` (its savepoint was rolled back)."""
        self.next, count, keys = mark
        del self.changes[count:]
        del self.pushed[count:]
        for key in set(self.new_fields) - keys:
            del self.new_fields[key]


def _pending(conn: Connection) -> _PendingLog:
    log = conn.info.get(_LOG_KEY)
    if not isinstance(log, _PendingLog):
        log = _PendingLog(conn)
        conn.info[_LOG_KEY] = log
    return log


def _flush_inserts(conn: Connection) -> None:
    """Insert the new rows waiting, before anything else reads or writes."""
    log = conn.info.get(_LOG_KEY)
    if isinstance(log, _PendingLog) and log.inserts is not None:
        log.inserts.flush()


def flush_log(conn: Connection) -> None:
    """Write the change log, new field versions and the counter of this transaction."""
    log = conn.info.pop(_LOG_KEY, None)
    if not isinstance(log, _PendingLog):
        return
    insert_rows(conn, _CHANGES, log.changes)
    insert_rows(
        conn,
        _FIELD_VERSIONS,
        [
            {"table_name": table, "row_id": row_id, "fields": fields}
            for (table, row_id), fields in log.new_fields.items()
        ],
    )
    conn.execute(update(SyncCounter).where(SyncCounter.name == COUNTER).values(value=log.next - 1))


def forget_log(conn: Connection) -> None:
    """Drop an unwritten log (its transaction was rolled back)."""
    conn.info.pop(_LOG_KEY, None)


def _log(
    conn: Connection,
    table: str,
    row_id: uuid.UUID,
    version: int,
    device: uuid.UUID,
    *,
    patients: tuple[uuid.UUID | None, uuid.UUID | None] = (None, None),
) -> int:
    log = _pending(conn)
    seq = log.next
    log.next += 1
    log.pushed.append(log.by_server == 0)
    log.changes.append(
        {
            "seq": seq,
            "table_name": table,
            "row_id": row_id,
            "row_version": version,
            "device_id": device,
            "at": log.at,
            "patient_id": patients[0],
            "other_patient_id": patients[1],
        }
    )
    return seq


def _patients_after(
    conn: Connection, name: str, before: Mapping[Any, Any] | None, after: Mapping[str, Any]
) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """Whose the row is now, and (for a row that moved to another patient) whose it was.

    A laptop holding the patient a row left must hear of the move, so the change names both.
    """
    if owner_of(name).kind == "parent":
        waiting = _pending(conn).inserts
        if waiting is not None:
            waiting.flush()  # the parent may be waiting to be inserted: it is read
    now = patients_of_row(conn, name, after)
    if before is None or owner_of(name).kind == "pair":
        return now
    was, _ = patients_of_row(conn, name, before)
    if was is None and now[0] is not None and owner_of(name).scoped:
        # It belonged to nobody (an image waiting for a patient), so every laptop has it:
        # every laptop hears that it now has a patient (and drops it unless it holds them).
        return None, None
    if was is not None and was != now[0]:
        return now[0], was
    return now


def _field_versions(conn: Connection, table: str, row_id: uuid.UUID) -> dict[str, Any] | None:
    waiting = _pending(conn).new_fields.get((table, row_id))
    if waiting is not None:
        return waiting
    return conn.execute(
        select(SyncFieldVersions.fields).where(
            SyncFieldVersions.table_name == table, SyncFieldVersions.row_id == row_id
        )
    ).scalar()


def _save_field_versions(
    conn: Connection, table: str, row_id: uuid.UUID, fields: dict[str, Any], *, new: bool
) -> None:
    waiting = _pending(conn).new_fields
    if new or (table, row_id) in waiting:
        waiting[(table, row_id)] = fields
    else:
        conn.execute(
            update(SyncFieldVersions)
            .where(SyncFieldVersions.table_name == table, SyncFieldVersions.row_id == row_id)
            .values(fields=fields)
        )


def _first_device(conn: Connection, table: str, row_id: uuid.UUID) -> uuid.UUID | None:
    """The device whose change made the row (version 1), from the change log."""
    for entry in _pending(conn).changes:
        if entry["table_name"] == table and entry["row_id"] == row_id and entry["row_version"] == 1:
            return uuid.UUID(str(entry["device_id"])) if entry["device_id"] else None
    device = conn.execute(
        select(SyncChange.device_id)
        .where(
            SyncChange.table_name == table,
            SyncChange.row_id == row_id,
            SyncChange.row_version == 1,
        )
        .order_by(SyncChange.seq)
        .limit(1)
    ).scalar()
    return uuid.UUID(str(device)) if device is not None else None


def _rejected(change: Change, reason: str) -> Result:
    return Result(change.key, Status.REJECTED, reason=reason)


def _insert(
    conn: Connection, synced: SyncedTable, change: Change, values: dict[str, Any], device: uuid.UUID
) -> Result:
    row = {**values, "id": change.row_id, "row_version": 1}
    waiting = _pending(conn).inserts
    if waiting is not None:
        waiting.add(synced.name, row)  # inserted with the rest of its run
    else:
        # Parameters apart from the statement: its compiled form is reused for every row.
        conn.execute(insert(synced.table), row)
    # No field versions are written for a new row: a field without one was last set at
    # version 1, by the device that made the row (its first change-log entry names it).
    patients = _patients_after(conn, synced.name, None, row)
    _log(conn, synced.name, change.row_id, 1, device, patients=patients)
    if synced.name == "patient" and _may_match(conn, change.row_id, values):
        _flag_duplicates(conn, change.row_id, device)
    _after_applied(conn, synced.name, change.row_id, device)
    return Result(change.key, Status.APPLIED, row_version=1)


def _after_applied(conn: Connection, table: str, row_id: uuid.UUID, device: uuid.UUID) -> None:
    """Add the rows the table's server hooks ask for (a double booking flagged, ...)."""
    hooks = applied_hooks(table)
    if not hooks:
        return
    _flush_inserts(conn)
    log = _pending(conn)
    with log.by_the_server():
        for hook in hooks:
            for name, columns in hook(conn, row_id):
                values = dict(columns)
                added = Change(uuid.uuid4(), name, values.pop("id"), "insert", 0, {}, None)
                if log.known is not None:
                    log.known.pop((name, added.row_id), None)  # read again if the batch changes it
                _insert(conn, synced_table(name), added, values, device)


#: Patient fields a possible duplicate is matched on (``people.duplicates.MATCH_RULES``).
_IDENTITY = frozenset(name for rule in MATCH_RULES for name in rule.fields)


def _may_match(conn: Connection, patient_id: uuid.UUID, values: Mapping[str, Any]) -> bool:
    """False only when the batch's screen shows this patient matches nobody."""
    screen = _pending(conn).screen
    return screen is None or screen.may_match(patient_id, values)


def _flag_duplicates(conn: Connection, patient_id: uuid.UUID, device: uuid.UUID) -> None:
    """A patient who matches another is kept, and the pair flagged for a person to merge."""
    _flush_inserts(conn)
    synced = synced_table("patient_duplicate")
    log = _pending(conn)
    with log.by_the_server():
        for values in new_duplicate_rows(conn, patient_id, device_id=device):
            flag = Change(uuid.uuid4(), synced.name, values.pop("id"), "insert", 0, {}, None)
            if log.known is not None:
                # Read again if the batch changes it.
                log.known.pop((synced.name, flag.row_id), None)
            _insert(conn, synced, flag, values, device)


def _record_conflicts(
    conn: Connection,
    synced: SyncedTable,
    change: Change,
    *,
    row: Mapping[Any, Any],
    names: list[str],
    fields: Mapping[str, Any],
    device: uuid.UUID,
) -> None:
    maker: str | None = None
    for name in names:
        last = fields.get(name)
        if last is None:
            if maker is None:
                made_by = _first_device(conn, synced.name, change.row_id)
                maker = str(made_by) if made_by is not None else ""
            last = [1, maker or None]
        conn.execute(
            insert(SyncConflict).values(
                id=uuid.uuid4(),
                table_name=synced.name,
                row_id=change.row_id,
                field=name,
                server_value=to_wire(row[name]),
                server_changed_by_device=uuid.UUID(last[1]) if last[1] else None,
                server_version=row["row_version"],
                device_value=change.fields.get(name),
                device_id=device,
                user_id=change.user_id,
                changed_at=utcnow(),
                status="open",
            )
        )


def _refusal(
    synced: SyncedTable, change: Change, row: Mapping[Any, Any], differing: list[str]
) -> Result | None:
    """The answer for a change to an existing row that is not merged, or None to merge it."""
    version = int(row["row_version"])
    if not differing:
        return Result(change.key, Status.DUPLICATE, row_version=version)
    if synced.append_only:
        return _rejected(change, "sync.append_only")
    if synced.signable and row["status"] == "signed":
        return _rejected(change, "sync.signed")
    return None


def _merge(
    conn: Connection,
    synced: SyncedTable,
    change: Change,
    *,
    row: Mapping[Any, Any],
    values: dict[str, Any],
    differing: list[str],
    device: uuid.UUID,
) -> Result:
    _flush_inserts(conn)
    table = synced.table
    version = int(row["row_version"])
    existing = _field_versions(conn, synced.name, change.row_id)
    fields = dict(existing or {})

    def changed_elsewhere(name: str) -> bool:
        # Changed since the version this change was made from, by anyone: this device too,
        # so an old change sent again (under any batch key) never reverts a newer value;
        # but not by a change this device made before this one, which a change made on top
        # of it follows (a laptop keeps its base after a merge until it pulls the merged row,
        # and its changes' keys are time-ordered UUIDv7s, counting up).
        last_version, last_device, *last_key = fields.get(name) or [1, None]
        if last_version <= change.base_version:
            return False
        if last_device != str(device) or not last_key:
            return True
        earlier = uuid.UUID(last_key[0])
        return not (earlier.version == change.key.version == 7 and earlier < change.key)

    concurrent = [name for name in differing if changed_elsewhere(name)]
    # A document that is signed must be signed as a whole: no part of it is merged.
    if concurrent and synced.signable:
        to_apply: list[str] = []
    else:
        to_apply = [name for name in differing if name not in concurrent]
    changed = {name: values[name] for name in to_apply}
    changed.update({name: values[name] for name in values if name in META_FIELDS})
    if concurrent and to_apply and _checked(conn, synced.name, change, row, changed) is not None:
        # The change was checked whole; the part of it merged would leave a row its checks
        # refuse (an episode ending before the start kept from another change): none of it
        # is written, and all of it is kept for a person.
        concurrent, to_apply = list(differing), []
    new_version = version
    if to_apply:
        new_version = version + 1
        conn.execute(
            update(table)
            .where(table.c.id == change.row_id)
            .values({**changed, "row_version": new_version})
        )
        for name in to_apply:
            fields[name] = [new_version, str(device), str(change.key)]
        _save_field_versions(conn, synced.name, change.row_id, fields, new=existing is None)
        if (
            synced.name == "patient"
            and _IDENTITY.intersection(to_apply)
            and _may_match(conn, change.row_id, {**row, **changed})
        ):
            _flag_duplicates(conn, change.row_id, device)
        _after_applied(conn, synced.name, change.row_id, device)
    if concurrent:
        _record_conflicts(
            conn, synced, change, row=row, names=concurrent, fields=fields, device=device
        )
    # A conflict alone still goes in the log, so the device pulls the server's value back.
    after = {**row, **{name: values[name] for name in to_apply}}
    patients = _patients_after(conn, synced.name, row, after)
    _log(conn, synced.name, change.row_id, new_version, device, patients=patients)
    if concurrent:
        return Result(
            change.key, Status.CONFLICT, row_version=new_version, conflicts=tuple(concurrent)
        )
    status = Status.APPLIED if change.base_version == version else Status.MERGED
    return Result(change.key, status, row_version=new_version)


FileCheck = Callable[[str], bool]


def _new_row(
    conn: Connection,
    synced: SyncedTable,
    change: Change,
    *,
    values: dict[str, Any],
    device: uuid.UUID,
    file_exists: FileCheck | None,
) -> Result:
    if change.operation != "insert":
        return _rejected(change, "sync.unknown_row")
    column = FILE_COLUMNS.get(synced.name)
    if column is not None and not (file_exists and file_exists(str(values.get(column)))):
        # The row is taken only once the file it names is here, whole and checked.
        return Result(change.key, Status.DEFERRED, reason="sync.file_missing")
    return _insert(conn, synced, change, values, device)


def _as_acting(
    change: Change, values: dict[str, Any], acting: Acting, device: uuid.UUID, *, new: bool
) -> Change:
    """Record the pushing user as the author, whatever the device claimed.

    When and by whom a row was made is set once, by the change that made it: a later change
    cannot move a record's creation (a patient's registration dates their red-flag checks).
    """
    if new:
        values["created_by"] = acting.user_id
    else:
        values.pop("created_by", None)
        values.pop("created_at", None)
    values["updated_by"] = acting.user_id
    values["device_id"] = device
    # As ``dataclasses.replace`` would make it, without its lookups: thousands a push.
    return Change(
        change.key,
        change.table,
        change.row_id,
        change.operation,
        change.base_version,
        change.fields,
        acting.user_id,
    )


def _differing(row: Mapping[Any, Any], values: Mapping[str, Any]) -> list[str]:
    return [n for n, v in values.items() if n not in META_FIELDS and row[n] != v]


def _not_theirs(
    acting: Acting, change: Change, row: Mapping[Any, Any] | None, values: dict[str, Any]
) -> Result | None:
    """A refusal when ``acting`` may not make this change; None when they may.

    A new row is checked whole; a stored one by the fields the change would alter (a change
    that alters nothing is answered as a duplicate, whoever sends it).
    """
    if row is None:
        wanted: Mapping[str, Any] = values
    else:
        wanted = {name: values[name] for name in _differing(row, values)}
        if not wanted:
            return None
    code = refusal(acting, change, row, wanted)
    return None if code is None else _rejected(change, code)


def _checked(
    conn: Connection,
    table: str,
    change: Change,
    row: Mapping[Any, Any] | None,
    values: Mapping[str, Any],
) -> Result | None:
    """A refusal from the table's own checks (``on_row_checked``, then ``on_checked``), or None.

    A record the change makes signed is then checked as its device would have checked it
    before signing, and its seal against what it covers (``records.seal.seal_refusal``).
    """
    alone, checks = row_checks(table), change_checks(table)
    record_type = record_type_for_table(table)
    sealed = record_type is not None and record_type.signed
    if not alone and not checks and not sealed:
        return None
    after = {**dict(row or {}), **values}
    # Checks of the row alone first: they ask the database nothing, so the batch's waiting
    # new rows are not written out for them (a first sync's patients go in together).
    for row_check in alone:
        code = row_check(after, row)
        if code is not None:
            return _rejected(change, code)
    if checks:
        _flush_inserts(conn)  # a row it links to may be earlier in this very batch
        for check in checks:
            code = check(conn, after, row)
            if code is not None:
                return _rejected(change, code)
    code = seal_refusal(record_type, after, row) if record_type is not None and sealed else None
    return None if code is None else _rejected(change, code)


def decoded_change(change: Change) -> tuple[SyncedTable, Mapping[str, Any]] | Result:
    """The change's table and values in their Python types, or its refusal.

    A value its column cannot hold is refused here, alike on both engines, before the
    database sees it.
    """
    try:
        synced = synced_table(change.table)
        values = synced.decode(change.fields)  # a dict of its own
        for name in _NEVER_SET:
            values.pop(name, None)
        if unfit_fields(synced.table, values):
            raise ValueError("a value its column cannot hold")
    except ClinicError as error:
        return _rejected(change, error.code)
    except (ValueError, TypeError, OverflowError):
        return _rejected(change, "sync.bad_value")
    return synced, values


def apply_change(
    conn: Connection,
    device: uuid.UUID,
    change: Change,
    file_exists: FileCheck | None = None,
    known: Mapping[tuple[str, uuid.UUID], Mapping[Any, Any] | None] | None = None,
    *,
    acting: Acting | None = None,
    decoded: tuple[SyncedTable, Mapping[str, Any]] | Result | None = None,
) -> Result:
    """Apply one change: insert, fast-forward, merge of other fields, or conflict.

    A field counts as changed concurrently when it changed after the version the change was
    made from; such a field keeps the server's value and both values go to the conflict
    queue. Signed and append-only rows never change.

    With ``acting`` (a device's push), the change is applied only if that user may make it
    (``clinic_app.server.authorise``), and is recorded as theirs; without it, it is the
    server's own write (users managed on the server, a person's choice in a conflict).
    """
    ready = decoded_change(change) if decoded is None else decoded
    if isinstance(ready, Result):
        return ready
    synced, values = ready[0], dict(ready[1])
    table = synced.table
    key = (synced.name, change.row_id)
    if known is not None and key in known:
        row = known[key]
    else:
        _flush_inserts(conn)
        row = conn.execute(select(table).where(table.c.id == change.row_id)).mappings().first()
    if row is None and change.operation != "insert":
        # Nothing to check a change against: the row never reached the server.
        return _rejected(change, "sync.unknown_row")
    if acting is not None:
        change = _as_acting(change, values, acting, device, new=row is None)
        refused = _not_theirs(acting, change, row, values) or _checked(
            conn, synced.name, change, row, values
        )
        if refused is not None:
            return refused
    if row is None:
        return _new_row(conn, synced, change, values=values, device=device, file_exists=file_exists)
    differing = _differing(row, values)
    stop = _refusal(synced, change, row, differing)
    if stop is not None:
        return stop
    return _merge(conn, synced, change, row=row, values=values, differing=differing, device=device)


def _apply_together(
    conn: Connection,
    device: uuid.UUID,
    request: PushRequest,
    file_exists: FileCheck | None,
    *,
    acting: Acting,
    outside: set[uuid.UUID],
    known: dict[Key, Row | None],
) -> list[Result]:
    """Apply a whole batch with what it shares read and written once (see ``batch``)."""
    log = _pending(conn)
    log.known = known
    # Each change decoded and checked once, for the duplicate screen and for applying it;
    # kept beside the change itself (by place in the batch, never looked up by its key).
    decoded = [decoded_change(change) for change in request.changes]
    log.screen = DuplicateScreen(
        conn,
        [
            (change, ready[1])
            for change, ready in zip(request.changes, decoded, strict=True)
            if change.table == "patient" and not isinstance(ready, Result)
        ],
        known,
    )
    log.inserts = InsertRuns(conn)
    try:
        results = [
            _rejected(change, "sync.patient_not_held")
            if change.key in outside
            else apply_change(
                conn,
                device,
                change,
                file_exists,
                known,
                acting=acting,
                decoded=ready,
            )
            for change, ready in zip(request.changes, decoded, strict=True)
        ]
        log.inserts.flush()
    finally:
        log.inserts = log.known = log.screen = None
    return results


def _database_refusal(error: SQLAlchemyError) -> str:
    """The reason for a change the database refused: a value it cannot hold, or a rule."""
    if isinstance(error, DataError) or (
        isinstance(error, StatementError)
        and not isinstance(error, IntegrityError)
        and isinstance(error.orig, ValueError | TypeError | OverflowError)
    ):
        return "sync.bad_value"
    return "sync.refused_by_database"


def _outside_scope(
    conn: Connection,
    device: uuid.UUID,
    changes: tuple[Change, ...],
    known: Mapping[Key, Row | None],
) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """Keys of changes to the record of a patient the device neither holds nor has in scope.

    A laptop writes only to patients it holds (or registers new ones): a change naming
    another patient, whom the server already has, is refused whatever the laptop says.
    ``known`` holds the batch's rows as they stand (``batch.rows_of``). Also returns the
    patients named that are not held there and in scope only as possible duplicates of (or
    merged with) one held there.
    """
    scoped = [change for change in changes if owner_of(change.table).scoped]
    if not scoped:
        return set(), set()
    named: dict[uuid.UUID, set[uuid.UUID]] = {}
    for change in scoped:
        key = (change.table, change.row_id)
        try:
            synced = synced_table(change.table)
            if key in known:
                row = known[key]
            else:  # the same row twice in the batch: read it
                row = (
                    conn.execute(select(synced.table).where(synced.table.c.id == change.row_id))
                    .mappings()
                    .first()
                )
            if row is None and owner_of(change.table).kind == "self":
                continue  # a new patient, registered on the laptop
            # As the change is applied: its bookkeeping columns (the row's id) set by nobody.
            values = synced.decode(
                {
                    k: v
                    for k, v in change.fields.items()
                    if k in synced.table.columns and k not in _NEVER_SET
                }
            )
            # The patients of the row as stored and as the change would leave it: a change
            # that gives a row its patient (an image filed) names that patient too.
            after = {**row, **values} if row is not None else values
            patients = {p for p in patients_of_row(conn, change.table, after) if p is not None}
            if row is not None:
                patients |= {p for p in patients_of_row(conn, change.table, row) if p}
        except (ClinicError, ValueError, TypeError, OverflowError):
            continue  # a bad change is refused by its own checks
        if patients:
            named[change.key] = patients
    everyone = sorted(set().union(*named.values())) if named else []
    if not everyone:
        return set(), set()
    # Only patients the server already has: a new one arrives in this batch (or is refused).
    existing: set[uuid.UUID] = set()
    step = ids_per_query(conn)
    for start in range(0, len(everyone), step):
        part = everyone[start : start + step]
        existing |= set(
            conn.execute(select(Patient.id).where(among(conn, Patient.id, part))).scalars()
        )
    unheld = existing - held(conn, device, of=existing)
    if not unheld:
        return set(), set()
    by_rule, by_link = scope_among(conn, device, unheld)
    refused = unheld - by_rule - by_link
    return {key for key, patients in named.items() if patients & refused}, by_link


def apply_push(
    conn: Connection,
    device: uuid.UUID,
    request: PushRequest,
    file_exists: FileCheck | None = None,
    *,
    acting: Acting,
) -> PushResponse:
    """Apply a batch once, as ``acting``; a batch seen before gets its stored answer.

    Each change is applied only if ``acting`` may make it; the others are answered
    ``rejected`` with the reason. The caller commits ``conn``'s transaction: the receipt and
    every change commit together.

    Raises:
        ClinicError: ``sync.batch_of_another_device`` when the key was used by another device.
        Conflict: ``sync.batch_key_reused`` when the key was answered for other changes.
    """
    _lock_counter(conn)
    stored = conn.execute(
        select(SyncPushReceipt).where(SyncPushReceipt.batch_key == request.batch_key)
    ).first()
    if stored is not None:
        if stored.device_id != device:
            raise ClinicError("sync.batch_of_another_device")
        answered = PushResponse.from_json(stored.response)
        # A laptop sends a batch again with the same changes (their bases may have moved):
        # other changes under the key would be answered as taken and never applied.
        if [result.key for result in answered.results] != [c.key for c in request.changes]:
            raise Conflict("sync.batch_key_reused")
        return answered
    # The batch's rows as they stand, read once for the scope check and for applying it.
    known = rows_of(conn, request.changes)
    outside, linked = _outside_scope(conn, device, request.changes, known)

    def apply_one(change: Change) -> Result:
        if change.key in outside:
            return _rejected(change, "sync.patient_not_held")
        return apply_change(conn, device, change, file_exists, acting=acting)

    try:
        # Fast path: the whole batch under one savepoint, its rows read ahead and its new
        # rows inserted in runs.
        with conn.begin_nested():
            results = _apply_together(
                conn, device, request, file_exists, acting=acting, outside=outside, known=known
            )
    except SQLAlchemyError:
        # Some change was refused by the database: again, each under its own savepoint, so
        # only that change is refused.
        forget_log(conn)
        results = []
        for change in request.changes:
            log = _pending(conn)
            mark = log.mark()
            savepoint = conn.begin_nested()
            try:
                result = apply_one(change)
            except SQLAlchemyError as error:
                savepoint.rollback()
                log.undo(mark)
                result = _rejected(change, _database_refusal(error))
            else:
                savepoint.commit()
            results.append(result)
    _file_with_patients(conn, device)
    # The laptop holds every patient it wrote to: their changes reach it from now on. (Not
    # those of rows the server made itself, such as a duplicate flagged with another.)
    log = _pending(conn)
    written = {
        patient
        for entry, pushed in zip(log.changes, log.pushed, strict=True)
        if pushed
        for patient in (entry["patient_id"], entry["other_patient_id"])
        if patient is not None
    }
    touch(conn, device, written, reason="written")
    _record_linked_writes(conn, device, acting, written & linked)
    flush_log(conn)
    response = PushResponse(request.batch_key, tuple(results), last_seq(conn), MAX_BATCH)
    conn.execute(
        insert(SyncPushReceipt).values(
            batch_key=request.batch_key,
            device_id=device,
            response=_json_text(conn, response.as_text),
            at=utcnow(),
        )
    )
    return response


def _file_with_patients(conn: Connection, device: uuid.UUID) -> None:
    """Give a file waiting for a patient the patient of the record the push filed it in.

    Set once, by the server (the file row is otherwise never changed), and logged as a change
    every laptop hears: those not holding the patient let go of the row and its bytes.
    """
    log = _pending(conn)
    named = [(entry["table_name"], entry["row_id"]) for entry in log.changes]
    for table_name, row_id, patient in files_filed(conn, named):
        table = synced_table(table_name).table
        row = conn.execute(select(table).where(table.c.id == row_id)).mappings().one()
        if row[PATIENT_COLUMN] is not None:
            continue  # named by two images of the batch: the first gave it its patient
        version = int(row["row_version"]) + 1
        conn.execute(
            update(table)
            .where(table.c.id == row_id)
            .values({PATIENT_COLUMN: patient, "row_version": version})
        )
        existing = _field_versions(conn, table_name, row_id)
        fields = {**(existing or {}), PATIENT_COLUMN: [version, str(device)]}
        _save_field_versions(conn, table_name, row_id, fields, new=existing is None)
        after = {**row, PATIENT_COLUMN: patient}
        with log.by_the_server():
            patients = _patients_after(conn, table_name, row, after)
            _log(conn, table_name, row_id, version, device, patients=patients)


def _json_text(conn: Connection, text: str) -> Any:
    """JSON already written out, for a JSON column: stored as it is, not parsed and rewritten.

    PostgreSQL takes it as text cast to ``json``; SQLite keeps JSON as text anyway.
    """
    value = bindparam(None, text, type_=Text())
    return sql_cast(value, JSON) if conn.dialect.name == "postgresql" else value


def _record_linked_writes(
    conn: Connection, device: uuid.UUID, acting: Acting, patients: set[uuid.UUID]
) -> None:
    """Record the patients a push took in only as possible duplicates of ones held there.

    Writing to a patient in scope only through a possible duplicate (or a merge) makes the
    laptop hold their whole record without anyone opening it on the scope step, where such
    a patient is otherwise recorded: it is recorded here instead, against the user.
    """
    for patient in sorted(patients):
        record_patient_reached(conn, device, "patient.linked", patient, acting.user_id)


def pull_page(
    conn: Connection, cursor: int, limit: int = MAX_PAGE, holder: uuid.UUID | None = None
) -> PullPage:
    """The changes after ``cursor``, each row as it now stands, oldest change first.

    With ``holder`` (a laptop), only reference rows and rows of the patients it holds.
    """
    limit = max(1, min(limit, MAX_PAGE))
    query = select(SyncChange.seq, SyncChange.table_name, SyncChange.row_id).where(
        SyncChange.seq > cursor
    )
    if holder is not None:
        query = query.where(
            or_(
                SyncChange.patient_id.is_(None),
                sent_to(holder, SyncChange.patient_id, SyncChange.seq),
                sent_to(holder, SyncChange.other_patient_id, SyncChange.seq),
            )
        )
    changes = conn.execute(query.order_by(SyncChange.seq).limit(limit + 1)).all()
    more = len(changes) > limit
    changes = changes[:limit]
    # Each row once, at its newest number, in the order of its first change in the page:
    # a row's parent was written before it, so parents arrive first.
    newest: dict[tuple[str, uuid.UUID], int] = {}
    for seq, table_name, row_id in changes:
        newest[(table_name, row_id)] = seq
    stored = stored_rows(conn, newest)
    rows = [
        PulledRow(seq, table_name, row_id, synced_table(table_name).encode(row))
        for (table_name, row_id), seq in newest.items()
        if (row := stored.get((table_name, row_id))) is not None
    ]
    next_cursor = changes[-1][0] if changes else cursor
    return PullPage(tuple(rows), next_cursor, more, last_seq(conn))


def table_digests(conn: Connection, holder: uuid.UUID | None = None) -> dict[str, dict[str, Any]]:
    """For each syncing table: how many rows, and a SHA-256 over their ids and versions.

    A device computes the same over its own rows; a difference means it should pull again.
    With ``holder`` (a laptop), patients' rows count only for the patients it holds, and
    rows that belong to nobody yet. On PostgreSQL each table's digest is one aggregate
    query, so no row travels to Python.
    """
    digests: dict[str, dict[str, Any]] = {}
    for name, synced in sorted(synced_tables().items()):
        table = synced.table
        owner = owner_of(name)
        where: list[Any] = []
        if holder is not None and owner.scoped:
            mine = held_rows(holder, name)
            if owner.kind in ("column", "parent"):
                mine = or_(mine, table.c[owner.columns[0]].is_(None))
            where.append(mine)
        if conn.dialect.name == "postgresql":
            entry = func.concat(table.c.id.cast(Text), ":", table.c.row_version.cast(Text), ";")
            in_order = aggregate_order_by(literal(""), table.c.id)
            joined = func.coalesce(func.string_agg(entry, in_order), "")
            digest = func.encode(func.sha256(func.convert_to(joined, "UTF8")), "hex")
            count, sha256 = conn.execute(select(func.count(), digest).where(*where)).one()
            digests[name] = {"count": int(count), "sha256": sha256}
            continue
        hashed = hashlib.sha256()
        count = 0
        query = select(table.c.id, table.c.row_version).where(*where).order_by(table.c.id)
        for row_id, version in conn.execute(query):
            count += 1
            hashed.update(f"{row_id}:{int(version)};".encode())
        digests[name] = {"count": count, "sha256": hashed.hexdigest()}
    return digests


def _choice_refusal(
    acting: Acting, synced: SyncedTable, change: Change, row: Mapping[Any, Any]
) -> str | None:
    """Why ``acting`` may not choose this value, by the rules of a push; None when they may."""
    if not acting.active:
        return "sync.user_disabled"
    if Action.SYNC_RESOLVE not in acting.actions:
        return "sync.not_allowed"
    try:
        values = synced.decode({name: change.fields[name] for name in change.fields})
    except ClinicError as error:
        return error.code
    except (ValueError, TypeError, OverflowError):
        return "sync.bad_value"
    wanted = {name: values[name] for name in _differing(row, values)}
    return refusal(acting, change, row, wanted)


def device_holds_row(
    conn: Connection, device: uuid.UUID, table_name: str, row: Mapping[Any, Any]
) -> bool:
    """Whether a laptop holds every patient a row belongs to (reference data: always)."""
    if not owner_of(table_name).scoped:
        return True
    patients = {p for p in patients_of_row(conn, table_name, row) if p is not None}
    return not patients or patients <= held(conn, device, of=patients)


def device_may_read_file(conn: Connection, device: uuid.UUID, sha256: str) -> bool:
    """Whether a laptop holds a row naming the file (its patient's, or nobody's yet)."""
    for table_name, column in FILE_COLUMNS.items():
        table = synced_table(table_name).table
        rows = conn.execute(
            select(table).where(table.c[column] == sha256, table.c.deleted.is_(False))
        ).mappings()
        if any(device_holds_row(conn, device, table_name, row) for row in rows):
            return True
    return False


def open_conflicts(conn: Connection, device: uuid.UUID) -> list[Any]:
    """The open conflicts on rows a laptop holds, oldest first: no other patient's values."""
    found = conn.execute(
        select(SyncConflict).where(SyncConflict.status == "open").order_by(SyncConflict.changed_at)
    ).all()
    shown = []
    for conflict in found:
        try:
            table = synced_table(conflict.table_name).table
        except ClinicError:
            continue
        row = conn.execute(select(table).where(table.c.id == conflict.row_id)).mappings().first()
        if row is not None and device_holds_row(conn, device, conflict.table_name, row):
            shown.append(conflict)
    return shown


def resolve_conflict(
    conn: Connection,
    device: uuid.UUID,
    conflict_id: uuid.UUID,
    value: Any,
    acting: Acting,
) -> Result:
    """A person's choice for a field kept in conflict: it becomes the value everywhere.

    The choice is made as ``acting`` (the user signed in on the device, by their token): it
    is taken only if their role on the server may resolve conflicts and may make that change
    to that field, by the rules of a push (``clinic_app.server.authorise``). The choice must
    be one of the values kept; every open conflict on that field of that row is closed with
    who chose and when.

    Raises:
        NotFound: ``sync.conflict_not_found``.
        PermissionDenied: a push's refusal code (``sync.user_disabled``,
            ``sync.not_allowed``, ...) when ``acting`` may not make this choice.
        Conflict: ``sync.conflict_resolved`` when someone already chose;
            ``sync.value_taken`` when the value chosen is unique and another row has it.
        ClinicError: ``sync.not_a_kept_value``.
    """
    _lock_counter(conn)
    conflict = conn.execute(select(SyncConflict).where(SyncConflict.id == conflict_id)).first()
    if conflict is None:
        raise NotFound("sync.conflict_not_found")
    synced = synced_table(conflict.table_name)
    table = synced.table
    row = conn.execute(select(table).where(table.c.id == conflict.row_id)).mappings().first()
    # A conflict about a patient this laptop does not hold is not its to see or settle.
    if row is None or not device_holds_row(conn, device, conflict.table_name, row):
        raise NotFound("sync.conflict_not_found")
    now = utcnow()
    change = Change(
        key=uuid.uuid4(),
        table=conflict.table_name,
        row_id=conflict.row_id,
        operation="update",
        base_version=int(row["row_version"]),
        fields={conflict.field: value},
        user_id=acting.user_id,
    )
    refused = _choice_refusal(acting, synced, change, row)
    if refused is not None:
        raise PermissionDenied(refused, field=conflict.field)
    if conflict.status != "open":
        raise Conflict("sync.conflict_resolved")
    if value not in (conflict.server_value, conflict.device_value):
        raise ClinicError("sync.not_a_kept_value")
    # A value other than the one stored must leave a row that passes the table's own checks,
    # as a pushed change must: a status chosen "signed" makes a signed record only with its
    # seal (else refused). Keeping the value stored changes nothing, and is never refused.
    chosen = synced.decode(dict(change.fields))
    if _differing(row, chosen):
        checked = _checked(conn, synced.name, change, row, chosen)
        if checked is not None:
            raise PermissionDenied(checked.reason or "sync.not_allowed", field=conflict.field)
    # Who chose is the signed-in user of the token, never a name the device sends.
    change = dataclasses.replace(
        change,
        fields={
            conflict.field: value,
            "updated_at": to_wire(now),
            "updated_by": str(acting.user_id) if acting.user_id else None,
            "device_id": str(device),
        },
    )
    try:
        with conn.begin_nested():
            result = apply_change(conn, device, change)
    except IntegrityError:
        forget_log(conn)
        raise Conflict("sync.value_taken", field=conflict.field) from None
    flush_log(conn)
    conn.execute(
        update(SyncConflict)
        .where(
            SyncConflict.table_name == conflict.table_name,
            SyncConflict.row_id == conflict.row_id,
            SyncConflict.field == conflict.field,
            SyncConflict.status == "open",
        )
        .values(status="resolved", resolved_by=acting.user_id, resolved_at=now)
    )
    return result
