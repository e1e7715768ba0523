"""Possible duplicate patients: the rule that finds them, and following a merge to its survivor.

Two clinics that see one person offline register them twice, and sync must take both rows
(a unique NHS number in the store made the second laptop's pull fail on every round). So
the second registration becomes a *possible duplicate*: a ``patient_duplicate`` row a person
resolves by merging the two (``people.merge``) or by saying they are not the same person.

The server flags a pair when a pushed patient matches another; a device flags one when a
pulled patient matches a local one the server has not seen yet. The row's id is derived from
the pair, so both make the same row and a pair is flagged once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, insert, or_, select
from sqlalchemy.orm import Session

from clinic_app.kernel.base import utcnow
from clinic_app.people.model import Patient, PatientDuplicate, PatientMerge
from clinic_app.sync.hooks import on_pulled

OPEN = "open"
MERGED = "merged"
DISMISSED = "dismissed"


@dataclass(frozen=True)
class MatchRule:
    """A rule for two live patient rows that may be one person.

    They match when every field in ``fields`` is present and equal in both, unless both have
    a value of ``unless_both_differ`` and those values differ.
    """

    name: str
    fields: tuple[str, ...]
    unless_both_differ: str | None = None


#: The NHS number identifies one person across the NHS, so a second row with it is the same
#: person registered twice. Without one, the person is matched on what two clinics record the
#: same way from one conversation: folded family and given names (``people.text.search_key``:
#: case, accents and spacing do not count), date of birth and stated sex. Address, postcode
#: and phone are left out: they change, and a family shares them. Two different NHS numbers
#: are two people, however alike their details.
MATCH_RULES: tuple[MatchRule, ...] = (
    MatchRule("nhs_number", ("nhs_number",)),
    MatchRule(
        "demographics",
        ("family_key", "given_key", "date_of_birth", "sex"),
        unless_both_differ="nhs_number",
    ),
)

_NAMESPACE = uuid.UUID("5b0f6a0e-2d1c-4c39-9a57-2f1c0d8e6a31")

Reader = Session | Connection


def duplicate_id(one: uuid.UUID, other: uuid.UUID) -> uuid.UUID:
    """The id of the possible-duplicate row for a pair, whichever order they come in."""
    first, second = sorted((one, other))
    return uuid.uuid5(_NAMESPACE, f"patient-duplicate:{first}:{second}")


def _merged_ids(reader: Reader) -> set[uuid.UUID]:
    return set(
        reader.execute(select(PatientMerge.merged_id).where(PatientMerge.deleted.is_(False)))
        .scalars()
        .all()
    )


def matches_of(reader: Reader, patient_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """Other live patients the rules match with ``patient_id``: (their id, the rule's name).

    Patients already merged into another are left out: their survivor stands for them.
    """
    table = Patient.__table__
    row = reader.execute(select(table).where(table.c.id == patient_id)).mappings().first()
    if row is None or row["deleted"]:
        return []
    merged = _merged_ids(reader)
    found: dict[uuid.UUID, str] = {}
    for rule in MATCH_RULES:
        if any(row[name] in (None, "") for name in rule.fields):
            continue
        conditions = [table.c[name] == row[name] for name in rule.fields]
        if rule.unless_both_differ is not None and row[rule.unless_both_differ] is not None:
            column = table.c[rule.unless_both_differ]
            conditions.append(or_(column.is_(None), column == row[rule.unless_both_differ]))
        for (other,) in reader.execute(
            select(table.c.id).where(
                and_(*conditions), table.c.id != patient_id, table.c.deleted.is_(False)
            )
        ):
            if other not in merged and other not in found:
                found[other] = rule.name
    return sorted(found.items())


def new_duplicate_rows(
    reader: Reader,
    patient_id: uuid.UUID,
    *,
    device_id: uuid.UUID | None,
    at: datetime | None = None,
) -> list[dict[str, Any]]:
    """Every column of the ``patient_duplicate`` rows to add for ``patient_id``'s new matches.

    Pairs already flagged (open, merged or dismissed) are not flagged again. ``row_version``
    is left to the caller: the server's numbering, or 0 on a device for a pair the server has
    not sent yet.
    """
    matches = matches_of(reader, patient_id)
    if not matches:
        return []
    table = PatientDuplicate.__table__
    ids = {duplicate_id(patient_id, other): (other, rule) for other, rule in matches}
    known = set(reader.execute(select(table.c.id).where(table.c.id.in_(ids))).scalars().all())
    when = at or utcnow()
    rows = []
    for row_id, (other, rule) in ids.items():
        if row_id in known:
            continue
        first, second = sorted((patient_id, other))
        rows.append(
            {
                "id": row_id,
                "first_patient_id": first,
                "second_patient_id": second,
                "matched_on": rule,
                "status": OPEN,
                "resolved_by": None,
                "resolved_at": None,
                "resolution_reason": None,
                "created_at": when,
                "created_by": None,
                "updated_at": when,
                "updated_by": None,
                "device_id": device_id,
                "deleted": False,
                "deleted_at": None,
            }
        )
    return rows


def _with_matches(conn: Connection, patient_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """Those of ``patient_ids`` that share some rule's fields with another row.

    A quick prefilter over a whole page, so a first sync of many patients costs one query per
    rule and part, not several per patient.
    """
    table = Patient.__table__
    other = table.alias("other")
    found: set[uuid.UUID] = set()
    for start in range(0, len(patient_ids), 500):
        part = list(patient_ids[start : start + 500])
        for rule in MATCH_RULES:
            # Another live row with every field of the rule equal (a field left empty never
            # matches): the fields' index finds it, the table is never grouped.
            same = [other.c[name] == table.c[name] for name in rule.fields]
            another = exists().where(*same, other.c.id != table.c.id, other.c.deleted.is_(False))
            found |= set(
                conn.execute(select(table.c.id).where(table.c.id.in_(part), another)).scalars()
            )
    return sorted(found)


def _flag_pulled(conn: Connection, stored: Sequence[tuple[str, uuid.UUID]]) -> None:
    """A pulled patient who matches a local one: keep both, and flag the pair here.

    The row is this device's note (version 0, not queued to go): the server flags the same
    pair under the same id when the local patient reaches it, and that row replaces this one.
    """
    pulled = [row_id for name, row_id in stored if name == "patient"]
    for row_id in _with_matches(conn, pulled) if pulled else []:
        rows = new_duplicate_rows(conn, row_id, device_id=None)
        if rows:
            conn.execute(insert(PatientDuplicate), [{**row, "row_version": 0} for row in rows])


on_pulled("people.duplicates", _flag_pulled)


def _standing(
    patient_id: uuid.UUID, first_merge: Callable[[uuid.UUID], uuid.UUID | None]
) -> uuid.UUID:
    """Where following each registration's first merge from ``patient_id`` ends.

    ``first_merge`` gives the record a registration was first merged into (None: never). A
    loop (two devices merging the same pair opposite ways offline) has no end: its members
    and every registration leading into it stand for its lowest id, so each of them gives
    one answer, and that answer gives itself.
    """
    path = [patient_id]
    while (survivor := first_merge(path[-1])) is not None:
        if survivor in path:
            return min(path[path.index(survivor) :])
        path.append(survivor)
    return path[-1]


def survivor_of(reader: Reader, patient_id: uuid.UUID) -> uuid.UUID:
    """The patient whose record now stands for ``patient_id`` (itself unless merged).

    Each registration's first merge is followed in turn (A into B, then B into C gives C);
    on a loop, see :func:`_standing`.
    """

    def first_merge(registration: uuid.UUID) -> uuid.UUID | None:
        return reader.execute(
            select(PatientMerge.survivor_id)
            .where(PatientMerge.merged_id == registration, PatientMerge.deleted.is_(False))
            .order_by(PatientMerge.merged_at, PatientMerge.id)
            .limit(1)
        ).scalar()

    return _standing(patient_id, first_merge)


def every_survivor(reader: Reader) -> dict[uuid.UUID, uuid.UUID]:
    """Each registration merged into another record → the record standing for it.

    As :func:`survivor_of` gives it, for every merge at once (one query): for a report over
    the whole service.
    """
    first: dict[uuid.UUID, uuid.UUID] = {}
    for merged, survivor in reader.execute(
        select(PatientMerge.merged_id, PatientMerge.survivor_id)
        .where(PatientMerge.deleted.is_(False))
        .order_by(PatientMerge.merged_at, PatientMerge.id)
    ):
        first.setdefault(merged, survivor)
    return {merged: _standing(merged, first.get) for merged in first}


def same_patient(reader: Reader, first: uuid.UUID, second: uuid.UUID) -> bool:
    """True for one patient row, or two rows merged into the same survivor."""
    return first == second or survivor_of(reader, first) == survivor_of(reader, second)


def standing_for_number(
    reader: Reader, nhs_number: str, *, live_only: bool = False
) -> set[uuid.UUID]:
    """The records that stand for the registrations of an NHS number (its digits).

    Registrations merged into one record give that one; two not merged (a duplicate not yet
    resolved) give two; none gives an empty set. With ``live_only``, removed registrations
    are left out (matching what a scanner's image names).
    """
    query = select(Patient.id).where(Patient.nhs_number == nhs_number)
    if live_only:
        query = query.where(Patient.deleted.is_(False))
    found = reader.execute(query).scalars().all()
    return {survivor_of(reader, patient_id) for patient_id in found}


def identities_of(reader: Reader, patient_id: uuid.UUID) -> list[uuid.UUID]:
    """The survivor standing for ``patient_id`` first, then every record merged into it.

    Only registrations that stand for that survivor (:func:`survivor_of`): one merged into
    two records by two devices offline belongs to the record its first merge names, and is
    not listed under the other. Read as :func:`identities_among` reads a list (one query for
    a patient never merged).
    """
    return identities_among(reader, [patient_id])[patient_id]


def identities_among(
    reader: Reader, patient_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """:func:`identities_of` of each of ``patient_ids``, read together (a day list's patients).

    The merges touching them are read a round at a time (one query a round; a list with no
    merged registration costs one), then followed as :func:`survivor_of` and
    :func:`identities_of` follow them.
    """
    merges: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID, datetime]] = {}
    known = set(patient_ids)
    asking = sorted(known)
    while asking:
        found = reader.execute(
            select(
                PatientMerge.id,
                PatientMerge.merged_id,
                PatientMerge.survivor_id,
                PatientMerge.merged_at,
            ).where(
                or_(PatientMerge.merged_id.in_(asking), PatientMerge.survivor_id.in_(asking)),
                PatientMerge.deleted.is_(False),
            )
        ).all()
        for row_id, merged, survivor, at in found:
            merges[row_id] = (merged, survivor, at)
        named = {one for _, merged, survivor, _ in found for one in (merged, survivor)}
        asking = sorted(named - known)
        known |= named
    # Each registration's first merge (as survivor_of takes it), and who was merged into whom.
    first: dict[uuid.UUID, tuple[datetime, uuid.UUID, uuid.UUID]] = {}
    into: dict[uuid.UUID, list[uuid.UUID]] = {}
    for row_id, (merged, survivor, at) in merges.items():
        if merged not in first or (at, row_id) < first[merged][:2]:
            first[merged] = (at, row_id, survivor)
        into.setdefault(survivor, []).append(merged)

    def first_merge(registration: uuid.UUID) -> uuid.UUID | None:
        found = first.get(registration)
        return found[2] if found is not None else None

    def standing(patient_id: uuid.UUID) -> uuid.UUID:
        return _standing(patient_id, first_merge)

    answer: dict[uuid.UUID, list[uuid.UUID]] = {}
    for patient_id in patient_ids:
        survivor = standing(patient_id)
        found_ids, reached, waiting = [survivor], {survivor}, [survivor]
        while waiting:
            for merged in into.get(waiting.pop(), ()):
                if merged not in reached:
                    reached.add(merged)
                    waiting.append(merged)
                    if standing(merged) == survivor:
                        found_ids.append(merged)
        answer[patient_id] = found_ids
    return answer


def standing_rows(session: Session, patient_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Patient]:
    """For each of ``patient_ids`` merged into another record, that record's row.

    A list of many patients (a day list, the triage worklist) names each row as the record
    opened from it names the patient: a registration merged away is shown as its survivor.
    Ids not merged are left out (the caller has their rows). The merges are read together,
    and the survivors' rows in one more query, made only when a merge is found.
    """
    return survivor_rows(session, identities_among(session, patient_ids))


def survivor_rows(
    session: Session, identities: Mapping[uuid.UUID, Sequence[uuid.UUID]]
) -> dict[uuid.UUID, Patient]:
    """:func:`standing_rows` from registrations already read (:func:`identities_among`)."""
    survivors = {
        patient_id: registrations[0]
        for patient_id, registrations in identities.items()
        if registrations[0] != patient_id
    }
    if not survivors:
        return {}
    rows = {
        row.id: row
        for row in session.scalars(
            select(Patient).where(Patient.id.in_(sorted(set(survivors.values()))))
        )
    }
    return {
        patient_id: rows[survivor] for patient_id, survivor in survivors.items() if survivor in rows
    }


def merged_among(reader: Reader, patient_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``patient_ids`` have been merged into another record."""
    if not patient_ids:
        return set()
    return set(
        reader.execute(
            select(PatientMerge.merged_id).where(
                PatientMerge.merged_id.in_(patient_ids), PatientMerge.deleted.is_(False)
            )
        )
        .scalars()
        .all()
    )
