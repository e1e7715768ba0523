"""The sync protocol shared by the device and the server: what a push and a pull carry.

Plain JSON over HTTP. A device pushes batches of changes, each batch under an idempotency
key; it pulls the server's changes after a cursor, in pages, by the server's gap-free change
numbers (never by clock). Parsing is strict: anything malformed is refused with a reason.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.ids import read_uuid

PROTOCOL_VERSION = 1
#: Most changes in one push; a device splits larger queues.
MAX_BATCH = 2000
#: Most changes a device sends in one push until the server has said how many it takes
#: (``PushResponse.max_batch``): what every server took before it said so.
FIRST_BATCH = 500
#: Most changes in one page of a pull.
MAX_PAGE = 1000
OPERATIONS = frozenset({"insert", "update", "tombstone"})
#: The header a push carries the signed-in user's server token in (the device's own token is
#: in ``Authorization``): the server applies the batch as that user, or refuses it.
USER_TOKEN_HEADER = "X-OneStop-User"
#: The reason ``sync.unreachable`` gives when the server answered with a certificate the
#: device does not trust (not signed by the authority given at enrolment, or expired).
UNTRUSTED_CERTIFICATE = "untrusted_certificate"


class Status(StrEnum):
    """What the server did with one pushed change."""

    APPLIED = "applied"  # on top of the version the device last saw
    MERGED = "merged"  # others changed the row meanwhile, other fields only
    CONFLICT = "conflict"  # a field was changed on both sides: kept for a person
    DUPLICATE = "duplicate"  # already there (an insert pushed twice)
    REJECTED = "rejected"  # refused, with the reason; the device quarantines it
    DEFERRED = "deferred"  # the file it names has not arrived whole: send it again later


#: Each status by its text: a laptop reads thousands of answers a push.
_STATUSES: dict[str, Status] = {status.value: status for status in Status}


def _bad(reason: str, **params: Any) -> ClinicError:
    return ClinicError("sync.bad_message", reason=reason, **params)


def _uuid(value: object, name: str) -> uuid.UUID:
    try:
        return read_uuid(value if type(value) is str else str(value))
    except ValueError:
        raise _bad("not_a_uuid", field=name) from None


def _optional_uuid(value: object, name: str) -> uuid.UUID | None:
    return None if value is None else _uuid(value, name)


#: The largest count or version a message carries (what a 64-bit column holds).
_MAX_INT = 2**63 - 1


def _int(value: object, name: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= _MAX_INT:
        raise _bad("not_a_count", field=name)
    return value


def _object(value: object, name: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _bad("not_an_object", field=name)
    return value


def _own_dict(value: Mapping[str, Any]) -> dict[str, Any]:
    return value if type(value) is dict else dict(value)


#: JSON as a request body carries it: compact, UTF-8, never NaN or infinity.
_dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class StoredFields(Mapping[str, Any]):
    """A change's fields as the device stored them: JSON text, read only if someone asks.

    A push of thousands of changes sends each one's fields as they were written to the outbox;
    reading them into values and writing them out again cost the laptop a third of its part of
    the push. The text is read on first use (a file to upload, a change the server refused).
    """

    __slots__ = ("_values", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._values: dict[str, Any] | None = None

    def _read(self) -> dict[str, Any]:
        if self._values is None:
            values = json.loads(self.text)
            if not isinstance(values, dict):
                raise _bad("not_an_object", field="fields")
            self._values = values
        return self._values

    def __getitem__(self, key: str) -> Any:
        return self._read()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())


def fields_text(fields: Mapping[str, Any]) -> str:
    """``fields`` as JSON text: as stored when they come from storage, else written now."""
    if isinstance(fields, StoredFields):
        return fields.text
    return _dumps(fields if type(fields) is dict else dict(fields))


@dataclass(frozen=True)
class Change:
    """One row's change as a device pushes it.

    Attributes:
        key: idempotency key (the key of the device's newest outbox entry for the row).
        table: the table's name in the shared model.
        row_id: the row's id.
        operation: ``insert``, ``update`` or ``tombstone``.
        base_version: the server's version of the row the device last saw (0 if never).
        fields: the columns changed, as wire values (every column for an insert); on a
            device, perhaps as stored (:class:`StoredFields`).
        user_id: who made the change on the device.
    """

    key: uuid.UUID
    table: str
    row_id: uuid.UUID
    operation: str
    base_version: int
    fields: Mapping[str, Any]
    user_id: uuid.UUID | None = None

    def to_json(self) -> dict[str, Any]:
        """This message as JSON."""
        return {
            "key": str(self.key),
            "table": self.table,
            "row_id": str(self.row_id),
            "operation": self.operation,
            "base_version": self.base_version,
            "fields": dict(self.fields),
            "user_id": str(self.user_id) if self.user_id else None,
        }

    def json_text(self) -> str:
        """:meth:`to_json` written out, its fields as stored when they come from storage."""
        user = f'"{self.user_id}"' if self.user_id else "null"
        return (
            f'{{"key":"{self.key}","table":{_dumps(self.table)},"row_id":"{self.row_id}",'
            f'"operation":{_dumps(self.operation)},"base_version":{int(self.base_version)},'
            f'"fields":{fields_text(self.fields)},"user_id":{user}}}'
        )

    @classmethod
    def from_json(cls, data: object) -> Change:
        """Parse the JSON form; ``sync.bad_message`` (with a reason) when malformed."""
        raw = _object(data, "change")
        operation = raw.get("operation")
        # Checked as text first: an object or a list is no operation (and cannot be looked up).
        if not isinstance(operation, str) or operation not in OPERATIONS:
            raise _bad("unknown_operation")
        table = raw.get("table")
        if not isinstance(table, str) or not table:
            raise _bad("no_table")
        return cls(
            key=_uuid(raw.get("key"), "key"),
            table=table,
            row_id=_uuid(raw.get("row_id"), "row_id"),
            operation=str(operation),
            base_version=_int(raw.get("base_version"), "base_version"),
            # Parsed JSON is this change's own: taken as it is, not copied.
            fields=_own_dict(_object(raw.get("fields"), "fields")),
            user_id=_optional_uuid(raw.get("user_id"), "user_id"),
        )


@dataclass(frozen=True)
class Result:
    """The server's answer for one change."""

    key: uuid.UUID
    status: Status
    row_version: int = 0
    conflicts: tuple[str, ...] = ()
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """This message as JSON."""
        return {
            "key": str(self.key),
            "status": self.status.value,
            "row_version": self.row_version,
            "conflicts": list(self.conflicts),
            "reason": self.reason,
        }

    def json_text(self) -> str:
        """:meth:`to_json` written out (a server answers thousands a push)."""
        conflicts = _dumps(list(self.conflicts)) if self.conflicts else "[]"
        reason = "null" if self.reason is None else _dumps(self.reason)
        return (
            f'{{"key":"{self.key}","status":"{self.status.value}",'
            f'"row_version":{int(self.row_version)},"conflicts":{conflicts},"reason":{reason}}}'
        )

    @classmethod
    def from_json(cls, data: object) -> Result:
        """Parse the JSON form; ``sync.bad_message`` (with a reason) when malformed."""
        raw = _object(data, "result")
        text = raw.get("status")
        status = _STATUSES.get(text) if isinstance(text, str) else None
        if status is None:
            raise _bad("unknown_status")
        conflicts = raw.get("conflicts") or []
        if conflicts and (
            not isinstance(conflicts, list) or not all(isinstance(f, str) for f in conflicts)
        ):
            raise _bad("bad_conflicts")
        reason = raw.get("reason")
        return cls(
            key=_uuid(raw.get("key"), "key"),
            status=status,
            row_version=_int(raw.get("row_version", 0), "row_version"),
            conflicts=tuple(conflicts),
            reason=reason if isinstance(reason, str) else None,
        )


@dataclass(frozen=True)
class PushRequest:
    """A batch of changes under one idempotency key."""

    batch_key: uuid.UUID
    changes: tuple[Change, ...]

    def to_json(self) -> dict[str, Any]:
        """This message as JSON."""
        return {
            "protocol": PROTOCOL_VERSION,
            "batch_key": str(self.batch_key),
            "changes": [change.to_json() for change in self.changes],
        }

    @cached_property
    def body(self) -> bytes:
        """This message as the bytes of a request body (UTF-8 JSON), written once.

        A laptop writes the next batch's body while the server takes the one before in.
        """
        changes = ",".join(change.json_text() for change in self.changes)
        return (
            f'{{"protocol":{PROTOCOL_VERSION},"batch_key":"{self.batch_key}",'
            f'"changes":[{changes}]}}'
        ).encode()

    @classmethod
    def from_json(cls, data: object) -> PushRequest:
        """Parse the JSON form; ``sync.bad_message`` (with a reason) when malformed."""
        raw = _object(data, "push")
        if raw.get("protocol") != PROTOCOL_VERSION:
            raise _bad("protocol_version")
        changes = raw.get("changes")
        if not isinstance(changes, list) or len(changes) > MAX_BATCH:
            raise _bad("changes_not_a_list")
        parsed = tuple(Change.from_json(change) for change in changes)
        # Each change is answered by its key: two with one key could not be told apart.
        if len({change.key for change in parsed}) != len(parsed):
            raise _bad("repeated_key")
        return cls(batch_key=_uuid(raw.get("batch_key"), "batch_key"), changes=parsed)


@dataclass(frozen=True)
class PushResponse:
    """The answers for a batch, in its order, and the newest change number on the server."""

    batch_key: uuid.UUID
    results: tuple[Result, ...]
    last_seq: int
    #: Most changes the server takes in one push (None: it did not say; 500 then).
    max_batch: int | None = None

    def to_json(self) -> dict[str, Any]:
        """This message as JSON."""
        answer: dict[str, Any] = {
            "batch_key": str(self.batch_key),
            "results": [result.to_json() for result in self.results],
            "last_seq": self.last_seq,
        }
        if self.max_batch is not None:
            answer["max_batch"] = self.max_batch
        return answer

    @cached_property
    def as_text(self) -> str:
        """This answer written out once, for the server's receipt and its reply alike."""
        results = ",".join(result.json_text() for result in self.results)
        limit = "" if self.max_batch is None else f',"max_batch":{int(self.max_batch)}'
        return (
            f'{{"batch_key":"{self.batch_key}","results":[{results}],'
            f'"last_seq":{int(self.last_seq)}{limit}}}'
        )

    @classmethod
    def from_json(cls, data: object) -> PushResponse:
        """Parse the JSON form; ``sync.bad_message`` (with a reason) when malformed."""
        raw = _object(data, "push_response")
        results = raw.get("results")
        if not isinstance(results, list):
            raise _bad("results_not_a_list")
        max_batch = raw.get("max_batch")
        return cls(
            batch_key=_uuid(raw.get("batch_key"), "batch_key"),
            results=tuple(Result.from_json(result) for result in results),
            last_seq=_int(raw.get("last_seq"), "last_seq"),
            max_batch=None if max_batch is None else _int(max_batch, "max_batch", minimum=1),
        )


@dataclass(frozen=True)
class PulledRow:
    """One changed row as it now stands on the server (``row`` is every column, wire form)."""

    seq: int
    table: str
    row_id: uuid.UUID
    row: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """This message as JSON."""
        return {"seq": self.seq, "table": self.table, "row_id": str(self.row_id), "row": self.row}

    @classmethod
    def from_json(cls, data: object) -> PulledRow:
        """Parse the JSON form; ``sync.bad_message`` (with a reason) when malformed."""
        raw = _object(data, "pulled_row")
        table = raw.get("table")
        if not isinstance(table, str):
            raise _bad("no_table")
        return cls(
            seq=_int(raw.get("seq"), "seq", 1),
            table=table,
            row_id=_uuid(raw.get("row_id"), "row_id"),
            row=dict(_object(raw.get("row"), "row")),
        )


@dataclass(frozen=True)
class PullPage:
    """One page of the server's changes after a cursor."""

    rows: tuple[PulledRow, ...]
    next_cursor: int
    more: bool
    last_seq: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """This message as JSON."""
        return {
            "rows": [row.to_json() for row in self.rows],
            "next_cursor": self.next_cursor,
            "more": self.more,
            "last_seq": self.last_seq,
        }

    @classmethod
    def from_json(cls, data: object) -> PullPage:
        """Parse the JSON form; ``sync.bad_message`` (with a reason) when malformed."""
        raw = _object(data, "pull")
        rows = raw.get("rows")
        if not isinstance(rows, list):
            raise _bad("rows_not_a_list")
        more = raw.get("more")
        if not isinstance(more, bool):
            raise _bad("more_not_yes_or_no")
        return cls(
            rows=tuple(PulledRow.from_json(row) for row in rows),
            next_cursor=_int(raw.get("next_cursor"), "next_cursor"),
            more=more,
            last_seq=_int(raw.get("last_seq", 0), "last_seq"),
        )
