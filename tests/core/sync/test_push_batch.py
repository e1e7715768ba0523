"""A push batch and a pull page cost a few statements whatever their size, and still do it all.

The server reads a batch's rows together, inserts its new rows in runs and looks for
duplicate patients only where one could be; a pull page reads its rows one query per table.
These tests hold the statement counts down and check that duplicates are still flagged,
every change is numbered with no gaps, and each row keeps exactly the columns it carried.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from clinic_app.kernel.errors import ClinicError, Conflict
from clinic_app.kernel.outbox import wire_value
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.model import Patient, PatientDuplicate
from clinic_app.people.nhs_number import synthetic_numbers
from clinic_app.people.text import search_key
from clinic_app.server.apply import apply_push, pull_page
from clinic_app.server.authorise import Acting
from clinic_app.server.database import open_server_store
from clinic_app.server.scope import touch
from clinic_app.sync.model import (
    SyncChange,
    SyncConflict,
    SyncDevicePatient,
    SyncFieldVersions,
)
from clinic_app.sync.protocol import MAX_BATCH, Change, PushRequest, Result, Status

DEVICE = uuid.UUID("01900000-0000-7000-8000-00000000d001")
OTHER_DEVICE = uuid.UUID("01900000-0000-7000-8000-00000000d002")
CLINICIAN = Acting(uuid.UUID("01900000-0000-7000-8000-00000000c001"), Role.CLINICIAN)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    store = open_server_store(f"sqlite:///{tmp_path / 'server.db'}")
    yield store.engine
    store.engine.dispose()


def _patient(
    family: str, given: str, born: date, nhs_number: str | None, **more: Any
) -> dict[str, Any]:
    """A new patient's columns as a device pushes them (wire form)."""
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    values: dict[str, Any] = {
        "nhs_number": nhs_number,
        "given_name": given,
        "family_name": family,
        "given_key": search_key(given),
        "family_key": search_key(family),
        "date_of_birth": born,
        "sex": "2",
        "ethnicity": "Z",
        "postcode": "LS1 4AP",
        "created_at": now,
        "updated_at": now,
        "created_by": CLINICIAN.user_id,
        "updated_by": CLINICIAN.user_id,
        "device_id": DEVICE,
        "deleted": False,
        **more,
    }
    return _wire(values)


def _wire(values: dict[str, Any]) -> dict[str, Any]:
    return {name: wire_value(value) for name, value in values.items()}


def _insert(fields: dict[str, Any]) -> Change:
    return Change(uuid.uuid4(), "patient", uuid.uuid4(), "insert", 0, fields, CLINICIAN.user_id)


def _push(engine: Engine, changes: list[Change]) -> list[Status]:
    with engine.begin() as conn:
        response = apply_push(
            conn, DEVICE, PushRequest(uuid.uuid4(), tuple(changes)), None, acting=CLINICIAN
        )
    return [result.status for result in response.results]


class _Statements:
    """Counts the statements sent to the database (an executemany counts once)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)
        self._engine = engine

    def _seen(self, *_args: Any) -> None:
        self.count += 1

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._seen)


def _statements_to_push(engine: Engine, count: int, start: int) -> int:
    numbers = synthetic_numbers(count, start=start)
    changes = [
        _insert(_patient(f"Batch{start + i:05d}", "Ada", date(1960, 1, 1), next(numbers)))
        for i in range(count)
    ]
    counter = _Statements(engine)
    try:
        statuses = _push(engine, changes)
    finally:
        counter.close()
    assert statuses == [Status.APPLIED] * count
    return counter.count


def test_a_batch_of_new_patients_costs_the_same_few_statements_whatever_its_size(
    engine: Engine,
) -> None:
    small = _statements_to_push(engine, 20, start=0)
    large = _statements_to_push(engine, 400, start=20)
    assert large == small
    assert large <= 20, large
    with engine.connect() as conn:
        seqs = conn.execute(select(SyncChange.seq).order_by(SyncChange.seq)).scalars().all()
        stored = conn.execute(select(Patient.__table__.c.id)).scalars().all()
    assert seqs == list(range(1, 421))
    assert len(stored) == 420


def test_a_page_of_pulled_rows_costs_the_same_few_statements_whatever_its_size(
    engine: Engine,
) -> None:
    _statements_to_push(engine, 300, start=0)
    counter = _Statements(engine)
    try:
        with engine.connect() as conn:
            page_small = pull_page(conn, 0, 10)
            small = counter.count
            page_large = pull_page(conn, 10, 290)
            large = counter.count - small
    finally:
        counter.close()
    assert large == small <= 4
    rows = page_small.rows + page_large.rows
    assert [row.seq for row in rows] == list(range(1, 301))
    assert page_large.next_cursor == 300
    assert not page_large.more
    with engine.connect() as conn:
        names = dict(
            conn.execute(select(Patient.__table__.c.id, Patient.__table__.c.family_name)).all()
        )
    assert all(row.row["family_name"] == names[row.row_id] for row in rows)


def _pairs(engine: Engine) -> set[frozenset[uuid.UUID]]:
    table = PatientDuplicate.__table__
    with engine.connect() as conn:
        return {
            frozenset((first, second))
            for first, second in conn.execute(
                select(table.c.first_patient_id, table.c.second_patient_id)
            )
        }


def test_duplicates_are_flagged_within_a_batch_and_against_stored_patients(
    engine: Engine,
) -> None:
    numbers = synthetic_numbers(4, start=500)
    one, two, three, four = next(numbers), next(numbers), next(numbers), next(numbers)
    stored_a = _insert(_patient("Hopper", "Grace", date(1950, 2, 3), one))
    stored_b = _insert(_patient("Turing", "Alan", date(1952, 6, 23), None))
    assert _push(engine, [stored_a, stored_b]) == [Status.APPLIED] * 2

    same_number = _insert(_patient("Hoper", "Grace", date(1950, 2, 3), one))
    same_person = _insert(_patient("TURING", "alan", date(1952, 6, 23), two))
    nobody_else = _insert(_patient("Lovelace", "Ada", date(1960, 3, 14), three))
    first_twin = _insert(_patient("Franklin", "Rosalind", date(1970, 7, 25), four))
    second_twin = _insert(_patient("Franklyn", "Ros", date(1971, 7, 25), four))
    batch = [same_number, same_person, nobody_else, first_twin, second_twin]
    assert _push(engine, batch) == [Status.APPLIED] * 5

    assert _pairs(engine) == {
        frozenset((stored_a.row_id, same_number.row_id)),
        frozenset((stored_b.row_id, same_person.row_id)),
        frozenset((first_twin.row_id, second_twin.row_id)),
    }
    with engine.connect() as conn:
        seqs = conn.execute(select(SyncChange.seq).order_by(SyncChange.seq)).scalars().all()
    # Five patients, three flags and the two first patients: every change numbered once.
    assert seqs == list(range(1, 11))


def test_an_update_that_makes_a_stored_patient_match_another_is_flagged(
    engine: Engine,
) -> None:
    numbers = synthetic_numbers(2, start=600)
    one, two = next(numbers), next(numbers)
    first = _insert(_patient("Curie", "Marie", date(1967, 11, 7), one))
    second = _insert(_patient("Sklodowska", "Maria", date(1967, 11, 7), two))
    assert _push(engine, [first, second]) == [Status.APPLIED] * 2
    assert _pairs(engine) == set()
    renamed = Change(
        uuid.uuid4(),
        "patient",
        second.row_id,
        "update",
        1,
        _wire({"nhs_number": one, "updated_by": CLINICIAN.user_id}),
        CLINICIAN.user_id,
    )
    assert _push(engine, [renamed]) == [Status.APPLIED]
    assert _pairs(engine) == {frozenset((first.row_id, second.row_id))}


def test_rows_of_one_batch_keep_exactly_the_columns_each_carried(engine: Engine) -> None:
    numbers = synthetic_numbers(3, start=700)
    plain = _insert(_patient("Noether", "Emmy", date(1982, 3, 23), next(numbers)))
    with_phone = _insert(
        _patient("Germain", "Sophie", date(1976, 4, 1), next(numbers), phone="0113 496 0000")
    )
    plain_again = _insert(_patient("Byron", "Ada", date(1985, 12, 10), next(numbers)))
    assert _push(engine, [plain, with_phone, plain_again]) == [Status.APPLIED] * 3
    table = Patient.__table__
    with engine.connect() as conn:
        phones = dict(conn.execute(select(table.c.id, table.c.phone)).all())
    assert phones == {
        plain.row_id: None,
        with_phone.row_id: "0113 496 0000",
        plain_again.row_id: None,
    }


def test_a_new_row_keeps_no_field_versions_yet_a_conflict_on_it_names_the_device_that_made_it(
    engine: Engine,
) -> None:
    made = _insert(_patient("Okafor", "Ngozi", date(1971, 5, 2), "9990000018"))
    assert _push(engine, [made]) == [Status.APPLIED]
    with engine.connect() as conn:
        assert conn.execute(select(SyncFieldVersions)).first() is None
    # Another laptop made the same row offline (same id), with another postcode.
    other = uuid.UUID("01900000-0000-7000-8000-00000000d002")
    again = Change(
        uuid.uuid4(),
        "patient",
        made.row_id,
        "insert",
        0,
        {**made.fields, "postcode": "LS2 9JT", "device_id": str(other)},
        CLINICIAN.user_id,
    )
    with engine.begin() as conn:
        touch(conn, other, [made.row_id], reason="opened")  # it holds the patient
        response = apply_push(
            conn, other, PushRequest(uuid.uuid4(), (again,)), None, acting=CLINICIAN
        )
    assert [(result.status, result.reason) for result in response.results] == [
        (Status.CONFLICT, None)
    ]
    with engine.connect() as conn:
        conflict = conn.execute(select(SyncConflict)).one()
    assert conflict.field == "postcode"
    assert conflict.server_value == "LS1 4AP"
    assert conflict.device_value == "LS2 9JT"
    assert conflict.server_changed_by_device == DEVICE
    assert conflict.device_id == other


def test_the_servers_answer_says_how_many_changes_it_takes_in_one_push(engine: Engine) -> None:
    with engine.begin() as conn:
        response = apply_push(conn, DEVICE, PushRequest(uuid.uuid4(), ()), None, acting=CLINICIAN)
    assert response.max_batch == MAX_BATCH == 2000


def test_a_possible_duplicate_flagged_by_the_server_brings_no_one_into_the_laptops_hold(
    engine: Engine,
) -> None:
    # The laptop holds the patient it pushed; the flag names another laptop's patient too,
    # but the server made that row: the other patient stays where they were.
    number = next(synthetic_numbers(1, start=700))
    theirs = _insert(_patient("Hopper", "Grace", date(1950, 2, 3), number))
    with engine.begin() as conn:
        apply_push(conn, OTHER_DEVICE, PushRequest(uuid.uuid4(), (theirs,)), None, acting=CLINICIAN)
    ours = _insert(_patient("Hoper", "Grace", date(1950, 2, 3), number))
    assert _push(engine, [ours]) == [Status.APPLIED]
    assert _pairs(engine) == {frozenset((theirs.row_id, ours.row_id))}
    with engine.connect() as conn:
        held = {
            (device, patient)
            for device, patient in conn.execute(
                select(SyncDevicePatient.device_id, SyncDevicePatient.patient_id)
            )
        }
    assert held == {(OTHER_DEVICE, theirs.row_id), (DEVICE, ours.row_id)}


def test_two_changes_with_one_key_are_refused_and_never_take_each_others_values(
    engine: Engine,
) -> None:
    first = _insert(_patient("Hopper", "Grace", date(1950, 2, 3), next(synthetic_numbers(1))))
    assert _push(engine, [first]) == [Status.APPLIED]
    key = uuid.uuid4()
    # A tampered laptop gives a harmless change and a forbidden one the same key.
    cover = Change(key, "patient", first.row_id, "update", 1, {"phone": "0113 496 0001"}, None)
    payload = Change(key, "app_user", uuid.uuid4(), "update", 1, {"role": "admin"}, None)
    body = PushRequest(uuid.uuid4(), (cover, payload)).to_json()
    with pytest.raises(ClinicError) as refused:
        PushRequest.from_json(body)
    assert refused.value.code == "sync.bad_message"

    # Had such a batch reached the server, each change is applied with its own values.
    statuses = _push(engine, [cover, payload])
    assert statuses[0] == Status.APPLIED
    assert statuses[1] == Status.REJECTED
    with engine.connect() as conn:
        assert conn.execute(select(Patient.phone).where(Patient.id == first.row_id)).scalar() == (
            "0113 496 0001"
        )


def test_an_id_among_a_changes_values_names_no_patient_and_moves_nothing(engine: Engine) -> None:
    numbers = synthetic_numbers(2, start=900)
    mine = _insert(_patient("Hopper", "Grace", date(1950, 2, 3), next(numbers)))
    assert _push(engine, [mine]) == [Status.APPLIED]
    theirs = _insert(_patient("Turing", "Alan", date(1952, 6, 23), next(numbers)))
    with engine.begin() as conn:
        apply_push(conn, OTHER_DEVICE, PushRequest(uuid.uuid4(), (theirs,)), None, acting=CLINICIAN)

    # The id written among the values is the server's to keep: the change is to my patient.
    fields = {"id": str(theirs.row_id), "phone": "0113 496 0002"}
    update = Change(uuid.uuid4(), "patient", mine.row_id, "update", 1, fields, None)
    assert _push(engine, [update]) == [Status.APPLIED]
    with engine.connect() as conn:
        phones = dict(conn.execute(select(Patient.id, Patient.phone)).all())
    assert phones[mine.row_id] == "0113 496 0002"
    assert phones[theirs.row_id] is None


def _push_as(engine: Engine, key: uuid.UUID, changes: list[Change]) -> list[Result]:
    with engine.begin() as conn:
        response = apply_push(
            conn, DEVICE, PushRequest(key, tuple(changes)), None, acting=CLINICIAN
        )
    return list(response.results)


def test_a_batch_key_is_answered_again_only_for_the_same_changes(engine: Engine) -> None:
    numbers = synthetic_numbers(2, start=950)
    first = _insert(_patient("Hopper", "Grace", date(1950, 2, 3), next(numbers)))
    other = _insert(_patient("Lovelace", "Ada", date(1960, 3, 14), next(numbers)))
    assert _push(engine, [first]) == [Status.APPLIED]
    key = uuid.uuid4()
    phone = Change(uuid.uuid4(), "patient", first.row_id, "update", 1, {"phone": "0113 496 0001"})
    answered = _push_as(engine, key, [phone])

    # The answer was lost; the laptop sends the batch again, its base moved by a pull since.
    assert _push_as(engine, key, [replace(phone, base_version=2)]) == answered
    # Other changes under the same key are refused, not answered as taken.
    for changes in ([other], [phone, other], []):
        with pytest.raises(Conflict) as refused:
            _push_as(engine, key, changes)
        assert refused.value.code == "sync.batch_key_reused"

    with engine.connect() as conn:
        versions = conn.execute(select(Patient.id, Patient.row_version)).all()
    assert versions == [(first.row_id, 2)]
