"""The server authorises an appointment's moves by its lifecycle, whoever the laptop says did it.

A real server (PostgreSQL, and an SQLite file) and an approved laptop whose pushes are built by
hand, as a modified app would send them: reception may book and mark an arrival, but never
record that a patient was seen or did not attend, nor jump a booking straight to finished.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select

from clinic_app.bootstrap import create_clinic
from clinic_app.domains.appointments.views import BookingInput
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security import keychain
from clinic_app.people.views import PatientInput
from clinic_app.sync.protocol import Change, PushRequest, PushResponse, Result, Status
from clinic_app.sync.wire import synced_table
from tests.support.sync_server import (
    Device,
    SyncServer,
    enrolled_device,
    server_command,
    signed_in_user,
)

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"


@pytest.fixture(params=["postgresql", "sqlite"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SyncServer]:
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'server.db'}"
    with SyncServer(url, tmp_path / "server.log") as running:
        yield running


@pytest.fixture
def laptop(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    services = create_clinic(tmp_path / "laptop.db")
    device = enrolled_device(server, services, "laptop")
    yield device
    device.transport.close()
    services.close()


@pytest.fixture
def db(server: SyncServer) -> Iterator[Engine]:
    engine = create_engine(server.db_url)
    yield engine
    engine.dispose()


def _token(device: Device, user: CurrentUser) -> str:
    token = keychain.sync_token(device.device_id, user.id)
    assert token is not None
    return token


def _push(device: Device, token: str, *changes: Change) -> PushResponse:
    return device.transport.push(PushRequest(uuid.uuid4(), changes), token)


def _only(response: PushResponse) -> Result:
    assert len(response.results) == 1
    return response.results[0]


def _change(
    row_id: uuid.UUID, fields: dict[str, Any], *, base: int = 0, op: str = "update"
) -> Change:
    return Change(uuid.uuid4(), "appointment", row_id, op, base, fields)


def _stored(db: Engine, row_id: uuid.UUID) -> Any:
    table = synced_table("appointment").table
    with db.connect() as conn:
        return conn.execute(select(table).where(table.c.id == row_id)).mappings().first()


def _appointment(
    patient: uuid.UUID, clinician: uuid.UUID, site: uuid.UUID, **values: Any
) -> Change:
    fields: dict[str, Any] = {
        "patient_id": str(patient),
        "episode_id": None,
        "clinician_id": str(clinician),
        "site_id": str(site),
        "room": "Room 2",
        "starts_at": (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat(),
        "minutes": 30,
        "appointment_type": "follow_up",
        "mechanism": "face_to_face",
        "status": "booked",
        "deleted": False,
    }
    fields.update(values)
    return _change(uuid.uuid4(), fields, op="insert")


def test_reception_cannot_push_a_booking_to_finished_nor_record_a_non_attendance(
    server: SyncServer, laptop: Device, db: Engine
) -> None:
    site = server.add_site("Riverside")
    desk = signed_in_user(server, laptop, "desk", "admin", PASSWORD)
    priya = signed_in_user(server, laptop, "priya", "clinician", PASSWORD)
    as_desk, as_priya = _token(laptop, desk), _token(laptop, priya)
    patient = laptop.services.patients.register(
        desk,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number="9990000018",
        ),
    ).id
    assert laptop.client.push().statuses == {"applied": 1}

    # Inserted already finished: no step makes a new appointment finished.
    done = _appointment(patient, priya.id, site, status="finished")
    assert _only(_push(laptop, as_desk, done)).reason == "sync.step_refused"
    assert _stored(db, done.row_id) is None

    booked = _appointment(patient, priya.id, site)
    assert _only(_push(laptop, as_desk, booked)).status is Status.APPLIED
    row = _stored(db, booked.row_id)
    assert row["status"] == "booked"

    # Booked straight to finished, or to did not attend, by reception: refused.
    for status, reason in (("finished", "sync.step_refused"), ("dna", "sync.not_allowed")):
        pushed = _change(booked.row_id, {"status": status}, base=row["row_version"])
        assert _only(_push(laptop, as_desk, pushed)).reason == reason
        assert _stored(db, booked.row_id)["status"] == "booked"

    # Reception marks the arrival: allowed, recorded as theirs.
    arrived = _change(
        booked.row_id,
        {"status": "arrived", "arrived_at": datetime.now(UTC).isoformat()},
        base=row["row_version"],
    )
    assert _only(_push(laptop, as_desk, arrived)).status is Status.APPLIED
    row = _stored(db, booked.row_id)
    assert (row["status"], row["updated_by"]) == ("arrived", desk.id)
    # Reception may not see the patient out; the clinician may.
    out = _change(booked.row_id, {"status": "finished"}, base=row["row_version"])
    assert _only(_push(laptop, as_desk, out)).reason == "sync.not_allowed"
    assert _only(_push(laptop, as_priya, out)).status is Status.APPLIED
    row = _stored(db, booked.row_id)
    assert (row["status"], row["updated_by"]) == ("finished", priya.id)
    # A finished appointment is never cancelled afterwards.
    cancel = _change(booked.row_id, {"status": "cancelled"}, base=row["row_version"])
    assert _only(_push(laptop, as_desk, cancel)).reason == "sync.step_refused"


def test_the_non_attendance_rule_set_on_the_server_changes_the_laptops_offer(
    server: SyncServer, laptop: Device
) -> None:
    site = server.add_site("Riverside")
    priya = signed_in_user(server, laptop, "priya", "clinician", PASSWORD)
    server.set_user_site("priya", site)
    appointments = laptop.services.appointments
    patient = laptop.services.patients.register(
        priya,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number="9990000018",
        ),
    ).id
    laptop.client.pull()
    made = appointments.book(
        priya,
        BookingInput(
            patient_id=patient,
            clinician_id=priya.id,
            site_id=site,
            room="",
            day=(date.today() + timedelta(days=1)).isoformat(),
            time="10:30",
            minutes="30",
            appointment_type="follow_up",
            mechanism="face_to_face",
        ),
    )
    assert appointments.dna_check(priya, made.id).discharge_offered is False

    done = subprocess.run(
        server_command(
            "settings",
            "set",
            "dna_rule.offer_discharge_after",
            "1",
            "--db",
            server.db_url,
            "--operator",
            "lee.lead",
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    laptop.client.pull()
    assert appointments.dna_check(priya, made.id).discharge_offered is True
    refused = subprocess.run(
        server_command(
            "settings",
            "set",
            "dna_rule.offer_discharge_after",
            "many",
            "--db",
            server.db_url,
            "--operator",
            "lee.lead",
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode != 0
