"""One schema, two engines: the same migrations and services on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import exc, func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm.exc import StaleDataError

from clinic_app.container import Services
from clinic_app.kernel.base import Base
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.migrate import current_revision
from clinic_app.kernel.migrations import HEAD
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.session import Actor
from clinic_app.kernel.store import Store, create_sqlite_store, open_url_store
from clinic_app.kernel.uow import SYSTEM, AppConfig, Context
from clinic_app.kernel.vocabulary import AlertKind, Role
from clinic_app.people.model import Patient
from clinic_app.people.views import PatientInput, ReferralInput

pytestmark = pytest.mark.postgres

PASSWORD = "correct horse battery"


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[Store]:
    store = open_url_store(postgres_url)
    yield store
    store.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = create_sqlite_store(tmp_path / "clinic.db", "ab" * 32)
    yield store
    store.close()


@pytest.fixture
def pg_services(pg_store: Store) -> Services:
    # As bootstrap wires a device, minus the keychain: the server database has no key.
    return Services.build(Context(store=pg_store, device_id=uuid7(), config=AppConfig()))


def _shape(engine: Engine) -> dict[str, dict[str, Any]]:
    """Tables, columns, keys and indexes as the database itself reports them."""
    shape: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        inspector = inspect(conn)
        for table in inspector.get_table_names():
            uniques = {
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            }
            indexes = {
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
                # PostgreSQL also lists the index behind each unique constraint.
                if "duplicates_constraint" not in i
            }
            shape[table] = {
                "columns": [(c["name"], c["nullable"]) for c in inspector.get_columns(table)],
                "primary_key": tuple(inspector.get_pk_constraint(table)["constrained_columns"]),
                "foreign_keys": {
                    (
                        fk["name"],
                        tuple(fk["constrained_columns"]),
                        fk["referred_table"],
                        tuple(fk["referred_columns"]),
                    )
                    for fk in inspector.get_foreign_keys(table)
                },
                "uniques": uniques,
                "indexes": indexes,
            }
    return shape


def test_migrations_run_from_empty(postgres_url: str) -> None:
    store = open_url_store(postgres_url, create_schema=False)
    try:
        assert current_revision(store.engine) is None
        with store.engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
    finally:
        store.close()
    store = open_url_store(postgres_url)
    try:
        assert current_revision(store.engine) == HEAD
    finally:
        store.close()
    # Opening again finds the schema current and leaves it be.
    store = open_url_store(postgres_url)
    try:
        with store.engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        assert [tuple(v) for v in versions] == [(HEAD,)]
    finally:
        store.close()


def test_a_final_reports_sr_and_kos_move_to_their_own_row(postgres_url: str) -> None:
    from sqlalchemy import create_engine

    from tests.core.reports.test_scan_report_dicom_migration import check_the_move

    engine = create_engine(postgres_url)
    try:
        check_the_move(engine)
    finally:
        engine.dispose()


def test_postgres_schema_is_exactly_the_model(pg_store: Store) -> None:
    with pg_store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_postgres_and_sqlite_schemas_match(pg_store: Store, sqlite_store: Store) -> None:
    on_postgres = _shape(pg_store.engine)
    on_sqlite = _shape(sqlite_store.engine)
    assert set(on_postgres) == set(Base.metadata.tables) | {"alembic_version"}
    assert set(on_postgres) == set(on_sqlite)
    # The comparison below has something to compare (reflection did not come back empty).
    assert any(on_postgres[table]["uniques"] for table in on_postgres)
    assert len(on_postgres["patient"]["indexes"]) >= 3
    assert len(on_postgres["episode_of_care"]["foreign_keys"]) == 4
    for table in sorted(on_postgres):
        assert on_postgres[table] == on_sqlite[table], table


def test_audit_trail_is_append_only_on_postgres(pg_services: Services) -> None:
    pg_services.users.add(
        SYSTEM, username="lead", display_name="Lead", role=Role.ADMIN, password=PASSWORD
    )
    engine = pg_services.context.store.engine
    for statement in (
        "UPDATE audit_entry SET action = 'patient.search'",
        "DELETE FROM audit_entry",
        "TRUNCATE audit_entry",
    ):
        with pytest.raises(exc.DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        actions = conn.execute(text("SELECT action FROM audit_entry ORDER BY seq")).scalars()
        assert list(actions) == ["user.add"]


def test_round_trip_through_the_services(pg_services: Services) -> None:
    services = pg_services
    services.users.add(
        SYSTEM, username="lead", display_name="Lead", role=Role.ADMIN, password=PASSWORD
    )
    lead = services.auth.login("Lead", PASSWORD)
    record = services.patients.register(
        lead,
        PatientInput(
            given_name="Zoë",
            family_name="O'Brien",
            date_of_birth="12/03/1975",
            sex="2",
            nhs_number="999 000 0018",
            postcode="ls1 4ap",
            alerts=((AlertKind.ALLERGY, "Penicillin"),),
        ),
    )
    for query in ("obrien", "zoe o'brien", "O'BRIEN, Zoe", "9990000018", "999 000", "1975-03-12"):
        assert [p.id for p in services.patients.search(lead, query)] == [record.id], query
    opened = services.patients.open(lead, record.id)
    assert (opened.family_name, opened.postcode, opened.row_version) == ("O'Brien", "LS1 4AP", 1)
    assert [a.text for a in opened.alerts] == ["Penicillin"]
    services.referrals.create(
        lead,
        ReferralInput(
            patient_id=record.id,
            source="gp",
            received_on="2024-05-01",
            referrer_name="Dr A Hughes",
            reason="Right knee pain",
            specialty="physiotherapy",
        ),
    )
    assert len(services.referrals.for_patient(lead, record.id)) == 1

    report = services.audit.verify(lead)
    assert report.intact, report.problems
    # user.add, user.login, patient.register, patient.open, referral.create and the
    # referral list read back (every read of clinical content is audited)
    assert report.entries == 6
    with services.context.store.sessions() as session:
        tables = list(session.scalars(select(OutboxEntry.table_name).order_by(OutboxEntry.seq)))
    assert tables == ["app_user", "patient", "patient_alert", "referral"]


def test_stale_update_is_refused_on_postgres(pg_services: Services) -> None:
    record = pg_services.patients.register(
        SYSTEM,
        PatientInput(given_name="Ada", family_name="Quill", date_of_birth="1950-01-01", sex="2"),
    )
    sessions = pg_services.context.store.sessions
    actor = Actor(device_id=pg_services.context.device_id)
    first, second = sessions(), sessions()
    try:
        first.actor = second.actor = actor
        mine, theirs = first.get(Patient, record.id), second.get(Patient, record.id)
        assert mine is not None
        assert theirs is not None
        first.commit()
        second.commit()
        mine.phone = "0113 496 0001"
        first.commit()
        theirs.phone = "0113 496 0999"
        with pytest.raises(StaleDataError):
            second.commit()
        second.rollback()
    finally:
        first.close()
        second.close()
    with sessions() as session:
        assert session.scalar(select(Patient.phone)) == "0113 496 0001"
        assert session.scalar(select(func.count()).select_from(Patient)) == 1
