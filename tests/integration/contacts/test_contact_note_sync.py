"""A signed contact note never changes on the server, whatever a tampered laptop pushes.

A real server process (PostgreSQL, and an SQLite file as a one-machine trial uses) and an
approved laptop. The note is written and signed through the app and pushed as usual; then
batches built by hand, as a modified app would send them, try to change it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select

from clinic_app.bootstrap import create_clinic
from clinic_app.kernel.security import keychain
from clinic_app.people.views import PatientInput
from clinic_app.sync.protocol import Change, PushRequest, Status
from clinic_app.sync.wire import synced_table
from tests.support.sync_server import Device, SyncServer, enrolled_device, signed_in_user

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"
NOTE = {
    "subjective": "Knee better since last seen.",
    "plan": "Review in four weeks.",
    "exercises": [{"name": "Sit to stand", "sets": 3, "reps": 10}],
}


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


def _stored(server: SyncServer, table: str, row_id: uuid.UUID) -> Any:
    engine: Engine = create_engine(server.db_url)
    try:
        synced = synced_table(table).table
        with engine.connect() as conn:
            return conn.execute(select(synced).where(synced.c.id == row_id)).mappings().first()
    finally:
        engine.dispose()


def _push(
    device: Device, token: str, table: str, row_id: uuid.UUID, base: int, **fields: Any
) -> Any:
    change = Change(uuid.uuid4(), table, row_id, "update", base, fields)
    [result] = device.transport.push(PushRequest(uuid.uuid4(), (change,)), token).results
    return result


def laptop_digest(device: Device, note_id: uuid.UUID) -> str | None:
    """The note's seal as the laptop keeps it."""
    synced = synced_table("contact_note").table
    with device.services.context.store.sessions() as session:
        return session.execute(
            select(synced.c.content_sha256).where(synced.c.id == note_id)
        ).scalar_one()


def test_a_pushed_change_to_a_signed_contact_note_is_refused(
    server: SyncServer, laptop: Device
) -> None:
    priya = signed_in_user(server, laptop, "priya", "clinician", PASSWORD)
    token = keychain.sync_token(laptop.device_id, priya.id)
    assert token is not None
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
    notes = laptop.services.contact_notes
    draft = notes.save_draft(priya, patient, NOTE)
    signed = notes.sign(priya, draft.id, PASSWORD)
    notes.add_addendum(priya, signed.id, "Phoned: settled.", PASSWORD)
    pushed = laptop.client.push()
    assert set(pushed.statuses) == {"applied"}
    row = _stored(server, "contact_note", signed.id)
    assert row["status"] == "signed"
    assert row["content_sha256"] == laptop_digest(laptop, signed.id)

    # Its author, with her own token, rewrites the plan of the signed note: refused.
    changed = {**NOTE, "plan": "Discharged."}
    refused = _push(laptop, token, "contact_note", signed.id, row["row_version"], content=changed)
    assert refused.status is Status.REJECTED
    assert refused.reason == "sync.signed"
    # Nor may she take it back to a draft to change it then.
    undone = _push(laptop, token, "contact_note", signed.id, row["row_version"], status="draft")
    assert (undone.status, undone.reason) == (Status.REJECTED, "sync.step_refused")
    kept = _stored(server, "contact_note", signed.id)
    assert kept["content"]["plan"] == NOTE["plan"]
    assert kept["status"] == "signed"
    assert kept["row_version"] == row["row_version"]

    # An addendum, once signed, is never changed either.
    [addendum] = notes.get(priya, signed.id).addenda
    stored = _stored(server, "contact_note_addendum", addendum.id)
    assert stored["text"] == "Phoned: settled."
    rewritten = _push(
        laptop, token, "contact_note_addendum", addendum.id, stored["row_version"], text="Nothing"
    )
    # (append-only: no update to it is allowed from any laptop)
    assert (rewritten.status, rewritten.reason) == (Status.REJECTED, "sync.not_allowed")
    assert _stored(server, "contact_note_addendum", addendum.id)["text"] == "Phoned: settled."
