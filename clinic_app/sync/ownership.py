"""Whose record a synced row is part of: the patient it belongs to, found from the model.

A laptop holds its scope, not the service: rows that belong to a patient travel only to
laptops that hold that patient, while reference rows (users, sites, practices, settings)
travel to every laptop. Which patient a row belongs to is read from the model's foreign
keys, so a new record type is scoped without code of its own:

- the ``patient`` table: the row is the patient;
- a table with a ``patient_id`` column: that column (empty means nobody's yet, e.g. an image
  waiting for a patient, which every laptop of the service may place);
- a table naming two patients (a possible duplicate, a merge): both;
- a table whose foreign key points at a patient-owned table: that parent's patient
  (an addendum's assessment, an image's study, a review's report);
- anything else is reference data.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    Uuid,
    any_,
    bindparam,
    exists,
    literal,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.types import UserDefinedType

from clinic_app.sync.wire import SyncedTable, synced_tables

PATIENT_TABLE = "patient"
PATIENT_COLUMN = "patient_id"


@dataclass(frozen=True)
class Owner:
    """How a table's rows name their patient.

    ``kind`` is ``reference``, ``self`` (the patient table), ``column`` (``columns[0]`` holds
    the patient), ``pair`` (both ``columns`` hold one) or ``parent`` (``columns[0]`` points at
    a row of ``parent``, whose patient it is).
    """

    kind: str
    columns: tuple[str, ...] = ()
    parent: str | None = None

    @property
    def scoped(self) -> bool:
        """The table's rows belong to patients."""
        return self.kind != "reference"


def _fk_targets(table: Table) -> list[tuple[str, str]]:
    """(column, referenced table) for each foreign key, in column order."""
    found: list[tuple[str, str]] = []
    for column in table.columns:
        for key in column.foreign_keys:
            found.append((column.name, key.column.table.name))
    return found


@cache
def owners() -> dict[str, Owner]:
    """Every synced table's owner rule, by table name."""
    tables = synced_tables()
    result: dict[str, Owner] = {}

    def resolve(name: str, seen: frozenset[str]) -> Owner:
        if name in result:
            return result[name]
        table = tables[name].table
        if name == PATIENT_TABLE:
            owner = Owner("self", ("id",))
        elif PATIENT_COLUMN in table.columns:
            owner = Owner("column", (PATIENT_COLUMN,))
        else:
            targets = _fk_targets(table)
            to_patient = tuple(col for col, target in targets if target == PATIENT_TABLE)
            owner = Owner("reference")
            if to_patient:
                owner = Owner("pair" if len(to_patient) > 1 else "column", to_patient[:2])
            else:
                for column, target in targets:
                    usable = target in tables and target != name and target not in seen
                    if usable and resolve(target, seen | {name}).scoped:
                        owner = Owner("parent", (column,), target)
                        break
        result[name] = owner
        return owner

    for name in sorted(tables):
        resolve(name, frozenset())
    return result


def owner_of(table_name: str) -> Owner:
    """The owner rule of a synced table (reference for a name that does not sync)."""
    return owners().get(table_name, Owner("reference"))


def scoped_tables() -> list[str]:
    """Tables whose rows belong to patients, parents before children."""
    done: list[str] = []
    pending = [name for name, owner in sorted(owners().items()) if owner.scoped]
    while pending:
        progressed = False
        for name in list(pending):
            owner = owners()[name]
            if owner.kind != "parent" or owner.parent in done:
                done.append(name)
                pending.remove(name)
                progressed = True
        if not progressed:  # pragma: no cover - the model has no cycle of parents
            done.extend(pending)
            break
    # The patient first: every other scoped row points at it.
    done.sort(key=lambda name: name != PATIENT_TABLE)
    return done


def among(
    conn: Connection, column: ColumnElement[Any] | QueryableAttribute[Any], values: Sequence[Any]
) -> Any:
    """SQL: ``column`` is one of ``values``.

    On PostgreSQL the values go as one array parameter (``= ANY``): a statement with hundreds
    of separate parameters costs more to build and send than to run. Elsewhere, ``IN``.
    """
    if conn.dialect.name == "postgresql":
        # An IdList is checked and written out once, however many tables are asked about it.
        listed = values if isinstance(values, IdList) else list(values)
        if isinstance(column.type, Uuid) and (ids := id_array(conn, listed)) is not None:
            return column == any_(ids)
        return column == any_(bindparam(None, listed, type_=ARRAY(column.type)))
    return column.in_(values)


def id_array(conn: Connection, ids: Sequence[uuid.UUID]) -> BindParameter[Any] | None:
    """``ids`` as one ``uuid[]`` parameter on PostgreSQL (for ``unnest``); None elsewhere."""
    if conn.dialect.name != "postgresql":
        return None
    # An IdList holds UUIDs only (checked when it was made).
    if not isinstance(ids, IdList) and not all(type(value) is uuid.UUID for value in ids):
        return None
    if not _id_arrays(conn):
        return None
    listed = ids if isinstance(ids, _IdArray) else _IdArray(ids)
    return bindparam(None, listed, type_=_IdArrayType())


class _IdArray(list[Any]):
    """Ids sent to PostgreSQL as one ``uuid[]`` written out in a single join.

    The driver's own array writer checks every element for quoting, which an id never
    needs: with a scope fetch asking 24 tables about 250 patients each, most of the
    server's time went there.
    """

    #: The array as the driver sends it, once written (see :class:`IdList`).
    text: bytes | None = None


class IdList(_IdArray):
    """Ids (``uuid.UUID`` only) to be asked about more than once, e.g. one per table.

    ``among`` sends it as it is, and its ``uuid[]`` text is written once for every query
    that names it: a scope fetch asks each of two dozen tables about the same patients.
    Do not change it after the first query.
    """

    def __init__(self, ids: Iterable[uuid.UUID]) -> None:
        super().__init__(ids)
        if not all(type(value) is uuid.UUID for value in self):
            raise TypeError("an IdList holds uuid.UUID values only")


class _IdArrayType(UserDefinedType[list[Any]]):
    """A ``uuid[]`` parameter whose value reaches the driver as an :class:`_IdArray`."""

    cache_ok = True

    def get_col_spec(self, **_kw: Any) -> str:
        return "UUID[]"

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        return _as_id_array


def _as_id_array(values: list[Any]) -> _IdArray:
    return values if isinstance(values, _IdArray) else _IdArray(values)


#: Driver connections the id-array writer is registered on.
_REGISTERED: weakref.WeakSet[Any] = weakref.WeakSet()


def _id_arrays(conn: Connection) -> bool:
    """Register the id-array writer on ``conn``'s psycopg connection; False if it is not one."""
    raw = conn.connection.driver_connection
    if raw in _REGISTERED:
        return True
    try:
        import psycopg  # noqa: PLC0415 - the server's driver, absent on a laptop
        from psycopg.adapt import Dumper  # noqa: PLC0415
    except ImportError:  # pragma: no cover - PostgreSQL is reached through psycopg
        return False
    if not isinstance(raw, psycopg.Connection):
        return False

    class IdArrayDumper(Dumper):
        oid = psycopg.postgres.types["uuid"].array_oid

        def dump(self, obj: _IdArray) -> bytes:
            # Only ever ``uuid.UUID`` values (``among`` and ``IdList`` check): none needs
            # quoting, and PostgreSQL reads an id's 32 hex digits without the hyphens.
            text = obj.text
            if text is None:
                text = ("{" + ",".join(f"{value.int:032x}" for value in obj) + "}").encode()
                obj.text = text
            return text

    raw.adapters.register_dumper(_IdArray, IdArrayDumper)
    _REGISTERED.add(raw)
    return True


#: Most ids in one query's list of separate parameters (``IN``, off PostgreSQL).
IDS_PER_QUERY = 500
#: Most ids in one query's array on PostgreSQL (one parameter however long): a push batch's
#: rows in one query. In lists of 500 a batch of 2,000 new patients cost four queries per
#: lookup, each a scan of the table while its statistics still said it was small.
IDS_PER_ARRAY = 5000


def ids_per_query(conn: Connection) -> int:
    """How many ids one query of ``conn`` is given at most (see :func:`among`)."""
    return IDS_PER_ARRAY if conn.dialect.name == "postgresql" else IDS_PER_QUERY


#: Most patients (or parent rows) in one query of a patient's rows: a scope fetch asks
#: about up to 1,000 patients, one query per table.
_KEYS_PER_QUERY = 1000


def by_table(keys: Iterable[tuple[str, uuid.UUID]]) -> dict[str, list[uuid.UUID]]:
    """Row ids grouped by their table, in the order they came."""
    grouped: dict[str, list[uuid.UUID]] = {}
    for name, row_id in keys:
        grouped.setdefault(name, []).append(row_id)
    return grouped


def stored_rows(
    conn: Connection, keys: Iterable[tuple[str, uuid.UUID]]
) -> dict[tuple[str, uuid.UUID], Mapping[Any, Any]]:
    """The rows named by ``keys`` as they now stand (absent ones left out).

    One query per table and :func:`ids_per_query` ids.
    """
    found: dict[tuple[str, uuid.UUID], Mapping[Any, Any]] = {}
    step = ids_per_query(conn)
    for name, ids in by_table(keys).items():
        table = synced_tables()[name].table
        for start in range(0, len(ids), step):
            part = ids[start : start + step]
            for row in conn.execute(select(table).where(among(conn, table.c.id, part))).mappings():
                found[(name, row["id"])] = row
    return found


def _as_uuid(value: Any) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def patients_of_row(
    conn: Connection, table_name: str, row: Mapping[Any, Any]
) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The patient a row belongs to (and a second one for a pair), read through its parents.

    ``row`` may hold Python values or wire values. A row of reference data, or one whose
    patient is not known yet, gives ``(None, None)``.
    """
    owner = owner_of(table_name)
    if owner.kind == "reference":
        return None, None
    if owner.kind == "pair":
        return _as_uuid(row.get(owner.columns[0])), _as_uuid(row.get(owner.columns[1]))
    if owner.kind in ("self", "column"):
        return _as_uuid(row.get(owner.columns[0])), None
    parent_id = _as_uuid(row.get(owner.columns[0]))
    if parent_id is None or owner.parent is None:
        return None, None
    parent = synced_tables()[owner.parent].table
    found = conn.execute(select(parent).where(parent.c.id == parent_id)).mappings().first()
    if found is None:
        return None, None
    return patients_of_row(conn, owner.parent, found)


def rows_of_patients(
    conn: Connection, patient_ids: Iterable[uuid.UUID], *, pairs_need_both: bool = False
) -> list[tuple[SyncedTable, list[Mapping[Any, Any]]]]:
    """Every row that belongs to these patients, table by table, parents before children.

    Rows of a pair table are included when either patient is one of them (both, with
    ``pairs_need_both``: what a laptop holding exactly these patients keeps).
    """
    wanted = list(dict.fromkeys(patient_ids))
    wanted_set = set(wanted)
    if not wanted:
        return []
    tables = synced_tables()
    ids_by_table: dict[str, list[uuid.UUID]] = {}
    # Each list of keys cut into query-sized parts once: the same patients (or parent rows)
    # are asked of several tables, and each part is written out for the driver once.
    parts_of: dict[str, list[IdList]] = {}

    def parts(source: str, keys: list[uuid.UUID]) -> list[IdList]:
        if source not in parts_of:
            parts_of[source] = [
                IdList(keys[start : start + _KEYS_PER_QUERY])
                for start in range(0, len(keys), _KEYS_PER_QUERY)
            ]
        return parts_of[source]

    # Which tables hold anything of these patients, asked once: most patients have rows in
    # few of the tables, and a query that finds nothing costs as much to make as one that does.
    present = _holding(conn, parts("", wanted))
    found: list[tuple[SyncedTable, list[Mapping[Any, Any]]]] = []
    for name in scoped_tables():
        owner = owners()[name]
        table = tables[name].table
        column = table.c[owner.columns[0]]
        if owner.kind == "parent":
            source = owner.parent or ""
            keys = ids_by_table.get(source, [])
        else:
            source, keys = "", wanted
        rows: list[Mapping[Any, Any]] = []
        columns = [column] if owner.kind != "pair" else [table.c[c] for c in owner.columns]
        seen: set[uuid.UUID] = set()
        for index, part in enumerate(parts(source, keys)):
            for col in columns:
                if source == "" and present is not None and (name, col.name) not in present[index]:
                    continue
                for row in conn.execute(select(table).where(among(conn, col, part))).mappings():
                    half = owner.kind == "pair" and not all(
                        row[c] in wanted_set for c in owner.columns
                    )
                    if pairs_need_both and half:
                        continue
                    if row["id"] not in seen:
                        seen.add(row["id"])
                        rows.append(row)
        ids_by_table[name] = [row["id"] for row in rows]
        if rows:
            found.append((tables[name], rows))
    return found


def _holding(conn: Connection, parts: list[IdList]) -> list[set[tuple[str, str]]] | None:
    """For each part of the patients: the (table, column) pairs naming one of them.

    One query per part on PostgreSQL; None elsewhere (every table is then asked itself).
    """
    if conn.dialect.name != "postgresql":
        return None
    tables = synced_tables()
    probes = {
        f"{name}.{column}": (name, column)
        for name in scoped_tables()
        if (owner := owners()[name]).kind != "parent"
        for column in owner.columns
    }
    found: list[set[tuple[str, str]]] = []
    for part in parts:
        # One parameter, named in every table's question: the ids go (and are read) once.
        ids = (
            bindparam("holding", part, type_=_IdArrayType())
            if _id_arrays(conn)
            else bindparam("holding", list(part), type_=ARRAY(Uuid()))
        )
        asked = [
            select(literal(f"{name}.{column}")).where(
                exists().where(tables[name].table.c[column] == any_(ids))
            )
            for name, column in probes.values()
        ]
        found.append({probes[hit] for hit in conn.execute(union_all(*asked)).scalars()})
    return found


def unowned_versions(conn: Connection, table_name: str) -> list[tuple[uuid.UUID, int]]:
    """Ids and versions of a scoped table's rows that belong to nobody yet.

    Every laptop of the service has those (an image waiting for a patient).
    """
    owner = owner_of(table_name)
    if owner.kind not in ("column", "parent"):
        return []
    table = synced_tables()[table_name].table
    column = table.c[owner.columns[0]]
    return [
        (row_id, int(version))
        for row_id, version in conn.execute(
            select(table.c.id, table.c.row_version).where(column.is_(None))
        )
    ]
