"""What a push batch reads once and writes together, so a change costs no query of its own.

A batch of 500 new rows used to cost about six statements a row: reading the row, inserting
it, and looking for possible duplicate patients. Here the rows a batch touches are read with
one query per table, new rows are inserted in runs (one executemany per run of one table,
in the batch's order), and a screen built from one query per matching rule tells which
patients cannot match anyone, so only the others are looked for one by one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, select

from clinic_app.kernel.errors import ClinicError
from clinic_app.people.duplicates import MATCH_RULES
from clinic_app.server.bulk import insert_rows
from clinic_app.sync.ownership import among, ids_per_query
from clinic_app.sync.protocol import Change
from clinic_app.sync.wire import synced_table

#: Patient fields any matching rule compares.
_IDENTITY = frozenset(name for rule in MATCH_RULES for name in rule.fields)

Key = tuple[str, uuid.UUID]
Row = Mapping[Any, Any]
#: What a batch's rows read ahead give for a row that was not read.
_UNREAD: Any = object()


def rows_of(conn: Connection, changes: Iterable[Change]) -> dict[Key, Row | None]:
    """The rows a batch touches as they stand, one query per table (None where new).

    Empty when a row comes twice (each is then read as the batch goes): every row is read
    before any is written, so this holds only while each row is changed once.
    """
    wanted: dict[str, list[uuid.UUID]] = {}
    for change in changes:
        wanted.setdefault(change.table, []).append(change.row_id)
    if any(len(ids) != len(set(ids)) for ids in wanted.values()):
        return {}
    found: dict[Key, Row | None] = {}
    step = ids_per_query(conn)
    for name, ids in wanted.items():
        try:
            table = synced_table(name).table
        except ClinicError:
            continue  # the change is refused when it is applied
        for start in range(0, len(ids), step):
            part = ids[start : start + step]
            found.update(dict.fromkeys(((name, row_id) for row_id in part), None))
            for row in conn.execute(select(table).where(among(conn, table.c.id, part))).mappings():
                found[(name, row["id"])] = row
    return found


class InsertRuns:
    """New rows waiting to be inserted: consecutive rows of one table go as one statement.

    Whoever is about to read or write anything else calls :meth:`flush` first, so the
    database sees every statement in the batch's order.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._run: tuple[str, frozenset[str]] | None = None
        self._rows: list[dict[str, Any]] = []

    def add(self, table: str, row: dict[str, Any]) -> None:
        """Queue ``row`` for ``table``, after the rows already waiting.

        A run holds rows with the same columns only: one statement sets the same columns
        in every row it inserts.
        """
        run = (table, frozenset(row))
        if run != self._run:
            self.flush()
            self._run = run
        self._rows.append(row)

    def flush(self) -> None:
        """Insert the rows waiting, as one statement."""
        if self._run is not None and self._rows:
            insert_rows(self._conn, synced_table(self._run[0]).table, self._rows)
        self._rows = []


def _identity(rule_fields: tuple[str, ...], values: Mapping[Any, Any]) -> tuple[Any, ...] | None:
    """The values a rule compares; None when one is missing (the rule is skipped).

    Values are compared as their Python types: stored rows and decoded changes hold the same.
    """
    found = tuple(map(values.get, rule_fields))
    if None in found or "" in found:
        return None
    return found


class DuplicateScreen:
    """Which patients of a batch could match another patient, from one query per rule.

    It errs one way only: a patient it clears matches nobody by any rule, so looking for
    their duplicates would find none; a patient it does not clear is looked for as before.
    Deleted and merged rows and the rules' exceptions are ignored here (they can only make
    a match fail), and a patient whose values it did not foresee is never cleared.
    """

    def __init__(
        self,
        conn: Connection,
        patients: Iterable[tuple[Change, Mapping[str, Any]]],
        known: Mapping[Key, Row | None],
    ) -> None:
        #: Per rule: each foreseen identity (wire form) → the patients holding it.
        self._holders: list[dict[tuple[Any, ...], set[uuid.UUID]]] = [{} for _ in MATCH_RULES]
        #: Per rule: each foreseen identity → its values as stored (the query's parameters).
        self._stored_form: list[dict[tuple[Any, ...], tuple[Any, ...]]] = [{} for _ in MATCH_RULES]
        self._ready = self._foresee(patients, known)
        if not self._ready:
            return
        table = synced_table("patient").table
        step = ids_per_query(conn)
        for index, rule in enumerate(MATCH_RULES):
            # Looked up by the rule's first field alone (indexed: the NHS number, the family
            # name's key), the rest compared here: a list of whole tuples is no index's shape.
            columns = [table.c[name] for name in rule.fields]
            holders = self._holders[index]
            wanted = sorted({values[0] for values in self._stored_form[index].values()})
            for start in range(0, len(wanted), step):
                part = wanted[start : start + step]
                for row in conn.execute(
                    select(table.c.id, *columns).where(among(conn, columns[0], part))
                ).mappings():
                    identity = _identity(rule.fields, row)
                    if identity in holders:
                        holders[identity].add(row["id"])

    def _foresee(
        self, patients: Iterable[tuple[Change, Mapping[str, Any]]], known: Mapping[Key, Row | None]
    ) -> bool:
        """Note each patient of the batch as it will stand; False when that is not known.

        ``patients`` are the batch's patient changes that decoded and fit their columns, with
        their values; the others are refused when applied and never become rows.
        """
        rules = list(zip(MATCH_RULES, self._holders, self._stored_form, strict=True))
        for change, values in patients:
            stored = known.get(("patient", change.row_id), _UNREAD)
            if stored is _UNREAD:
                return False
            after = {**dict(stored), **values} if stored is not None else values
            for rule, holders, stored_form in rules:
                identity = _identity(rule.fields, after)
                if identity is None:
                    continue
                held = holders.get(identity)
                if held is None:
                    holders[identity] = {change.row_id}
                    # Every value is there (or there is no identity): as stored, as it is.
                    stored_form[identity] = identity
                else:
                    held.add(change.row_id)
        return True

    def may_match(self, patient_id: uuid.UUID, values: Mapping[str, Any]) -> bool:
        """Whether the patient ``patient_id``, now holding ``values``, could match another."""
        if not self._ready:
            return True
        for index, rule in enumerate(MATCH_RULES):
            identity = _identity(rule.fields, values)
            if identity is None:
                continue
            holders = self._holders[index].get(identity)
            # Anyone holding it but this patient (who is among its holders when foreseen).
            if holders is None or len(holders) > 1 or patient_id not in holders:
                return True
        return False
