"""A choice in a conflict is made as the signed-in user, and only if their role allows it.

A real server process (PostgreSQL, and an SQLite file as a one-machine trial uses) and two
approved laptops that changed the same field offline. The choice goes to the server with
the user's own token, as the app sends it; the server takes it only from a user who may
resolve conflicts and may change that field, and records who chose from the token, never
from what the request says.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, select

from clinic_app.bootstrap import create_clinic
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import AuthenticationFailed, PermissionDenied
from clinic_app.kernel.local import StoreMeta
from clinic_app.kernel.security import keychain
from clinic_app.kernel.session import Actor
from clinic_app.people.model import Patient
from clinic_app.people.sync_service import SERVER_KEY
from clinic_app.people.views import PatientInput
from clinic_app.sync.client import SyncClient
from clinic_app.sync.http import HttpTransport
from clinic_app.sync.model import SyncConflict
from clinic_app.sync.protocol import USER_TOKEN_HEADER
from tests.support.sync_server import Device, SyncServer, sign_in

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"
_DEVICE_TOKENS: dict[uuid.UUID, str] = {}


@pytest.fixture(params=["postgresql", "sqlite"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SyncServer]:
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'server.db'}"
    with SyncServer(url, tmp_path / "server.log") as running:
        yield running


def _laptop(server: SyncServer, tmp_path: Path, name: str) -> Iterator[Device]:
    services = create_clinic(tmp_path / f"{name}.db")
    transport = HttpTransport(server.url)
    # The device's own token is kept for the hand-built request below.
    _DEVICE_TOKENS[services.context.device_id] = transport.enrol(
        str(services.context.device_id), name
    )
    server.approve(services.context.device_id)
    yield Device(services, transport, SyncClient(services.context.store, transport))
    transport.close()
    services.close()


@pytest.fixture
def laptop_a(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    yield from _laptop(server, tmp_path, "laptop-a")


@pytest.fixture
def laptop_b(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    yield from _laptop(server, tmp_path, "laptop-b")


@pytest.fixture
def db(server: SyncServer) -> Iterator[Engine]:
    engine = create_engine(server.db_url)
    yield engine
    engine.dispose()


def _edit_phone(device: Device, user: CurrentUser, patient_id: uuid.UUID, phone: str) -> None:
    context = device.services.context
    with context.store.sessions.begin() as session:
        session.actor = Actor(device_id=context.device_id, user_id=user.id)
        row = session.get(Patient, patient_id)
        assert row is not None
        row.phone = phone


def _token(device: Device, user: CurrentUser) -> str:
    token = keychain.sync_token(device.device_id, user.id)
    assert token is not None
    return token


def _conflict_row(db: Engine, conflict_id: str) -> Any:
    with db.connect() as conn:
        return conn.execute(
            select(SyncConflict.status, SyncConflict.resolved_by).where(
                SyncConflict.id == uuid.UUID(conflict_id)
            )
        ).one()


def _patient_row(db: Engine, patient_id: uuid.UUID) -> Any:
    with db.connect() as conn:
        return conn.execute(
            select(Patient.phone, Patient.updated_by).where(Patient.id == patient_id)
        ).one()


def test_a_choice_is_taken_only_as_a_signed_in_user_allowed_to_make_it(
    server: SyncServer, laptop_a: Device, laptop_b: Device, db: Engine
) -> None:
    for username, role in (("priya", "clinician"), ("omar", "clinician"), ("ann", "admin")):
        server.add_user(username, username.title(), role, PASSWORD)
    priya = sign_in(laptop_a, "priya", PASSWORD)
    ann = sign_in(laptop_b, "ann", PASSWORD)
    omar = sign_in(laptop_b, "omar", PASSWORD)
    patient = laptop_a.services.patients.register(
        priya,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number="9990000018",
            phone="0113 496 0000",
        ),
    ).id
    laptop_a.client.sync_once()
    laptop_b.client.sync_once()
    # A day offline: both laptops change the phone; the second to arrive is kept aside.
    _edit_phone(laptop_a, priya, patient, "0113 496 0001")
    _edit_phone(laptop_b, omar, patient, "0113 496 0999")
    laptop_a.client.sync_once()
    laptop_b.client.sync_once()
    (conflict,) = laptop_b.transport.conflicts()
    assert (conflict["server_value"], conflict["device_value"]) == (
        "0113 496 0001",
        "0113 496 0999",
    )

    # The admin may edit a patient's phone but does not resolve conflicts (the matrix the
    # laptop uses): refused by the server, the conflict still open.
    with pytest.raises(PermissionDenied) as refused:
        laptop_b.transport.resolve_conflict(conflict["id"], "0113 496 0999", _token(laptop_b, ann))
    assert refused.value.code == "sync.not_allowed"
    # A disabled clinician's choice is refused too.
    server.set_user_active("omar", active=False)
    with pytest.raises(PermissionDenied) as refused:
        laptop_b.transport.resolve_conflict(conflict["id"], "0113 496 0999", _token(laptop_b, omar))
    assert refused.value.code == "sync.user_disabled"
    server.set_user_active("omar", active=True)
    # With no user at all, or a token the server never gave: refused before anything else.
    for token in ("", "not-a-token"):
        with pytest.raises(AuthenticationFailed):
            laptop_b.transport.resolve_conflict(conflict["id"], "0113 496 0999", token)
    assert _conflict_row(db, conflict["id"]).status == "open"
    assert _patient_row(db, patient).phone == "0113 496 0001"

    # The clinician chooses; the request claims the admin chose: the token's user is recorded.
    answer = httpx.post(
        f"{server.url}/v1/conflicts/{conflict['id']}/resolve",
        content=json.dumps({"value": "0113 496 0999", "user_id": str(ann.id)}).encode(),
        headers={
            "authorization": f"Bearer {_DEVICE_TOKENS[laptop_b.device_id]}",
            USER_TOKEN_HEADER: _token(laptop_b, omar),
            "content-type": "application/json",
        },
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert _conflict_row(db, conflict["id"]) == ("resolved", omar.id)
    assert _patient_row(db, patient) == ("0113 496 0999", omar.id)
    # Every laptop gets the choice at its next sync.
    laptop_a.client.sync_once()
    with laptop_a.services.context.store.sessions() as session:
        stored = session.get(Patient, patient)
        assert stored is not None
        assert stored.phone == "0113 496 0999"


def test_the_app_sends_a_choice_as_the_clinician_signed_in(
    server: SyncServer, laptop_a: Device, laptop_b: Device, db: Engine
) -> None:
    for username in ("priya", "omar"):
        server.add_user(username, username.title(), "clinician", PASSWORD)
    priya = sign_in(laptop_a, "priya", PASSWORD)
    omar = sign_in(laptop_b, "omar", PASSWORD)
    patient = laptop_a.services.patients.register(
        priya,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number="9990000026",
        ),
    ).id
    laptop_a.client.sync_once()
    laptop_b.client.sync_once()
    _edit_phone(laptop_a, priya, patient, "0113 496 0001")
    _edit_phone(laptop_b, omar, patient, "0113 496 0999")
    laptop_a.client.sync_once()
    laptop_b.client.sync_once()
    # The sync screen's service, with the server and device token as enrolment leaves them.
    context = laptop_b.services.context
    with context.store.sessions.begin() as session:
        session.add(StoreMeta(key=SERVER_KEY, value=server.url))
    keychain.set_sync_token(context.device_id, _DEVICE_TOKENS[context.device_id])
    sync = laptop_b.services.sync
    (choice,) = sync.conflicts(omar)
    sync.resolve(omar, choice, "0113 496 0999")
    assert _conflict_row(db, choice.id) == ("resolved", omar.id)
    assert _patient_row(db, patient) == ("0113 496 0999", omar.id)
