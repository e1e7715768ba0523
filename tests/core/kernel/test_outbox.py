"""Sync readiness: device-made ids, stamped rows, and every change queued in the outbox."""

from __future__ import annotations

import enum
import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import exc, func, inspect, select, text
from sqlalchemy.orm.exc import StaleDataError

from clinic_app.container import Services
from clinic_app.kernel.base import Base, Syncable, utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError, Conflict
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.session import Actor
from clinic_app.kernel.staff import User
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import AlertKind, Role
from clinic_app.people.care import Referral
from clinic_app.people.model import Patient, PatientAlert
from clinic_app.people.views import PatientInput, ReferralInput

PASSWORD = "correct horse battery"
SYNC_COLUMNS = {
    "id",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "device_id",
    "row_version",
    "deleted",
    "deleted_at",
}


def _sign_in(services: Services) -> CurrentUser:
    services.users.add(
        SYSTEM, username="physio", display_name="Physio", role=Role.CLINICIAN, password=PASSWORD
    )
    return services.auth.login("physio", PASSWORD)


def _patient(nhs: str = "9990000042", **extra: Any) -> PatientInput:
    values: dict[str, Any] = {
        "given_name": "Winifred",
        "family_name": "Ollerenshaw",
        "date_of_birth": "1958-08-21",
        "sex": "2",
        "nhs_number": nhs,
    }
    values.update(extra)
    return PatientInput(**values)


def _outbox(services: Services) -> list[OutboxEntry]:
    with services.context.store.sessions() as session:
        return list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)))


def _count(services: Services, model: type[Any]) -> int:
    with services.context.store.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _uuid7_time(value: uuid.UUID) -> datetime:
    return datetime.fromtimestamp((value.int >> 80) / 1000, tz=UTC)


def _wire(value: Any) -> Any:
    """A column value as JSON would carry it (written here independently of the core)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _stored_row(services: Services, model: type[Any], row_id: uuid.UUID) -> dict[str, Any]:
    with services.context.store.sessions() as session:
        row = session.get(model, row_id)
        assert row is not None
        return {
            attr.key: _wire(getattr(row, attr.key))
            for attr in inspect(model).column_attrs
            if attr.key != "row_version"
        }


def _syncable_models() -> list[type[Any]]:
    return [m.class_ for m in Base.registry.mappers if issubclass(m.class_, Syncable)]


# ---------------------------------------------------------------- identity


def test_every_syncable_table_has_the_sync_columns() -> None:
    models = _syncable_models()
    names = {m.__tablename__ for m in models}
    assert {"patient", "patient_alert", "referral", "app_user", "site", "gp_practice"} <= names
    for model in models:
        assert set(model.__table__.columns.keys()) >= SYNC_COLUMNS, model.__tablename__
        assert inspect(model).version_id_col is model.__table__.c.row_version


def test_uuid7_is_version_7_and_strictly_increasing() -> None:
    started = utcnow()
    ids = [uuid7() for _ in range(5000)]  # far more than one per millisecond
    finished = utcnow()
    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    assert all(a < b for a, b in itertools.pairwise(ids))
    assert len(set(ids)) == len(ids)
    for value in (ids[0], ids[-1]):
        moment = _uuid7_time(value)
        assert started - timedelta(milliseconds=2) <= moment <= finished + timedelta(seconds=1)


def test_registered_rows_are_stamped(services: Services) -> None:
    physio = _sign_in(services)
    started = utcnow()
    record = services.patients.register(
        physio, _patient(alerts=((AlertKind.ALLERGY, "Penicillin"),))
    )
    with services.context.store.sessions() as session:
        patient = session.get(Patient, record.id)
        alerts = list(session.scalars(select(PatientAlert)))
        assert patient is not None
        assert len(alerts) == 1
        for row in (patient, alerts[0]):
            assert row.id.version == 7
            assert row.id.variant == uuid.RFC_4122
            assert started <= row.created_at <= utcnow()
            assert row.updated_at == row.created_at
            assert row.created_by == row.updated_by == physio.id
            assert row.device_id == services.context.device_id
            assert row.row_version == 1
            assert row.deleted is False
            assert row.deleted_at is None
            # The id is made on the device at the moment of writing.
            assert abs(_uuid7_time(row.id) - row.created_at) < timedelta(seconds=2)
        assert patient.id < alerts[0].id  # time-ordered: the alert was written after


def test_rows_written_later_get_larger_ids(services: Services) -> None:
    ids = [
        services.patients.register(SYSTEM, _patient(nhs, family_name=name)).id
        for name, nhs in (("Alpha", "9990000042"), ("Bravo", "9990000050"), ("Kilo", "9990000069"))
    ]
    assert ids == sorted(ids)


# ---------------------------------------------------------------- the outbox


def test_registration_queues_patient_and_alerts(services: Services) -> None:
    physio = _sign_in(services)
    before = _outbox(services)
    record = services.patients.register(
        physio,
        _patient(alerts=((AlertKind.ALLERGY, "Penicillin"), (AlertKind.ACCESS, "Wheelchair"))),
    )
    new = _outbox(services)[len(before) :]
    with services.context.store.sessions() as session:
        alert_ids = set(session.scalars(select(PatientAlert.id)))

    assert [(e.table_name, e.operation) for e in new] == [
        ("patient", "insert"),
        ("patient_alert", "insert"),
        ("patient_alert", "insert"),
    ]
    assert new[0].row_id == record.id
    assert {e.row_id for e in new[1:]} == alert_ids
    for entry in new:
        assert (entry.base_version, entry.new_version) == (0, 1)
        assert entry.device_id == services.context.device_id
        assert entry.user_id == physio.id
        assert entry.idempotency_key.version == 7
    seqs = [e.seq for e in _outbox(services)]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)
    keys = [e.idempotency_key for e in _outbox(services)]
    assert len(set(keys)) == len(keys)
    assert new[0].changed["family_name"] == "Ollerenshaw"
    assert new[0].changed["nhs_number"] == "9990000042"
    assert "row_version" not in new[0].changed


@pytest.mark.parametrize("model", [Patient, PatientAlert, Referral, User])
def test_insert_entry_carries_the_row_as_stored(services: Services, model: type[Any]) -> None:
    # The server builds its copy of the row from this entry: it must be the row itself,
    # including values the database filled in from column defaults.
    record = services.patients.register(
        SYSTEM, _patient(alerts=((AlertKind.CLINICAL, "On warfarin"),))
    )
    services.referrals.create(
        SYSTEM,
        ReferralInput(
            patient_id=record.id,
            source="gp",
            received_on="2024-05-01",
            referrer_name="Dr A Hughes",
            reason="Right knee pain",
            specialty="physiotherapy",
        ),
    )
    if model is User:
        # Added only: signing in would change the row (last sign-in time) after its insert.
        services.users.add(
            SYSTEM,
            username="physio",
            display_name="Physio",
            role=Role.CLINICIAN,
            password=PASSWORD,
        )
    entries = [
        e
        for e in _outbox(services)
        if e.table_name == model.__tablename__ and e.operation == "insert"
    ]
    assert len(entries) == 1
    assert entries[0].changed == _stored_row(services, model, entries[0].row_id)


def test_update_queues_only_the_changed_fields(services: Services) -> None:
    record = services.patients.register(SYSTEM, _patient())
    physio = _sign_in(services)
    before = len(_outbox(services))
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id, user_id=physio.id)
        patient = session.get(Patient, record.id)
        assert patient is not None
        old_version = patient.row_version
        patient.given_name = "Winnie"
        patient.postcode = "HX1 5LT"
        patient.sex = "2"  # set to the value it already has: not a change

    new = _outbox(services)[before:]
    assert len(new) == 1
    entry = new[0]
    assert (entry.table_name, entry.row_id, entry.operation) == ("patient", record.id, "update")
    assert (entry.base_version, entry.new_version) == (old_version, old_version + 1)
    assert set(entry.changed) == {"given_name", "given_key", "postcode", "updated_at", "updated_by"}
    assert entry.changed["given_name"] == "Winnie"
    assert entry.changed["given_key"] == "winnie"
    assert entry.changed["postcode"] == "HX1 5LT"
    assert entry.changed["updated_by"] == str(physio.id)
    stored = _stored_row(services, Patient, record.id)
    assert entry.changed["updated_at"] == stored["updated_at"]
    with services.context.store.sessions() as session:
        patient = session.get(Patient, record.id)
        assert patient is not None
        assert patient.row_version == old_version + 1
        assert patient.updated_by == physio.id


def test_tombstone_is_queued_and_the_row_stays(services: Services) -> None:
    record = services.patients.register(SYSTEM, _patient())
    before = len(_outbox(services))
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id)
        patient = session.get(Patient, record.id)
        assert patient is not None
        patient.tombstone()
    new = _outbox(services)[before:]
    assert [(e.table_name, e.row_id, e.operation) for e in new] == [
        ("patient", record.id, "tombstone")
    ]
    assert new[0].changed["deleted"] is True
    assert new[0].changed["deleted_at"] is not None
    assert (new[0].base_version, new[0].new_version) == (1, 2)
    with services.context.store.sessions() as session:
        patient = session.get(Patient, record.id)
        assert patient is not None
        assert patient.deleted is True
        assert patient.family_name == "Ollerenshaw"


def test_hard_delete_of_a_syncable_row_is_refused(services: Services) -> None:
    record = services.patients.register(SYSTEM, _patient())
    before = len(_outbox(services))
    store = services.context.store
    with pytest.raises(ClinicError) as caught, store.sessions.begin() as session:  # noqa: PT012
        session.actor = Actor(device_id=services.context.device_id)
        patient = session.get(Patient, record.id)
        session.delete(patient)
    assert caught.value.code == "store.hard_delete"
    assert _count(services, Patient) == 1
    assert len(_outbox(services)) == before


def test_write_without_an_actor_is_refused(services: Services) -> None:
    store = services.context.store
    with pytest.raises(ClinicError) as caught, store.sessions.begin() as session:
        session.add(Patient(given_name="No", family_name="Actor", date_of_birth=date(1990, 1, 1)))
    assert caught.value.code == "store.no_actor"
    assert _count(services, Patient) == 0
    assert _outbox(services) == []


def test_update_without_an_actor_is_refused(services: Services) -> None:
    record = services.patients.register(SYSTEM, _patient())
    before = len(_outbox(services))
    store = services.context.store
    with pytest.raises(ClinicError) as caught, store.sessions.begin() as session:  # noqa: PT012
        patient = session.get(Patient, record.id)
        assert patient is not None
        patient.given_name = "Changed"
    assert caught.value.code == "store.no_actor"
    assert len(_outbox(services)) == before
    assert services.patients.open(SYSTEM, record.id).given_name == "Winifred"


# ---------------------------------------------------------------- all or nothing


def test_duplicate_nhs_number_leaves_no_row_and_no_entry(services: Services) -> None:
    services.patients.register(SYSTEM, _patient())
    patients, entries = _count(services, Patient), len(_outbox(services))
    with pytest.raises(Conflict) as caught:
        services.patients.register(
            SYSTEM, _patient(family_name="Other", alerts=((AlertKind.ALLERGY, "Nuts"),))
        )
    assert caught.value.code == "patient.duplicate_nhs_number"
    assert (_count(services, Patient), len(_outbox(services))) == (patients, entries)
    assert _count(services, PatientAlert) == 0


def test_database_refusal_at_flush_leaves_no_entry(services: Services) -> None:
    first = services.patients.register(SYSTEM, _patient())
    patients, entries = _count(services, Patient), len(_outbox(services))
    # Bypass the services: the primary key itself refuses a second row with the same id.
    with pytest.raises(exc.IntegrityError), services.context.store.sessions.begin() as session:  # noqa: PT012
        session.actor = Actor(device_id=services.context.device_id)
        session.add(
            Patient(
                id=first.id,
                nhs_number="9990000042",
                given_name="Twin",
                family_name="Copy",
                date_of_birth=date(1990, 1, 1),
            )
        )
    assert (_count(services, Patient), len(_outbox(services))) == (patients, entries)


def test_failure_after_flush_rolls_back_row_and_entry(services: Services) -> None:
    class Interrupted(Exception):
        pass

    with pytest.raises(Interrupted), services.context.store.sessions.begin() as session:  # noqa: PT012
        session.actor = Actor(device_id=services.context.device_id)
        session.add(Patient(given_name="Half", family_name="Done", date_of_birth=date(1990, 1, 1)))
        session.flush()
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 1
        raise Interrupted
    assert _count(services, Patient) == 0
    assert _outbox(services) == []


# ---------------------------------------------------------------- nothing silently overwritten


def test_second_writer_of_a_stale_copy_is_refused(services: Services) -> None:
    record = services.patients.register(SYSTEM, _patient())
    store = services.context.store
    actor = Actor(device_id=services.context.device_id)
    # Two forms open on the same record; each read its copy in its own transaction.
    first, second = store.sessions(), store.sessions()
    try:
        first.actor = second.actor = actor
        mine = first.get(Patient, record.id)
        first.commit()
        theirs = second.get(Patient, record.id)
        second.commit()
        assert mine is not None
        assert theirs is not None
        assert mine.row_version == theirs.row_version == 1

        mine.phone = "0113 496 0001"
        first.commit()
        theirs.phone = "0113 496 0999"
        with pytest.raises(StaleDataError):
            second.commit()
        second.rollback()
    finally:
        first.close()
        second.close()

    opened = services.patients.open(SYSTEM, record.id)
    assert opened.phone == "0113 496 0001"
    assert opened.row_version == 2
    updates = [e for e in _outbox(services) if e.operation == "update"]
    assert [(e.changed.get("phone"), e.base_version) for e in updates] == [("0113 496 0001", 1)]


# ---------------------------------------------------------------- the device's change counter


def test_outbox_seq_keeps_counting_after_acknowledged_entries_are_removed(
    services: Services,
) -> None:
    services.patients.register(SYSTEM, _patient())
    highest = max(e.seq for e in _outbox(services))
    # The server acknowledged everything: the entries go (SYNC.md: removed only after ack).
    with services.context.store.engine.begin() as conn:
        conn.execute(text("DELETE FROM sync_outbox"))
    services.patients.register(SYSTEM, _patient("9990000050", family_name="Later"))
    later = _outbox(services)
    assert later
    # A per-device sequence number that starts again would make the server see a new
    # change as one it already has.
    assert min(e.seq for e in later) > highest
