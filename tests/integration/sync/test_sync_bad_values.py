"""One bad value refuses only its own change: the rest of the batch is applied.

A real server process (PostgreSQL, and an SQLite file as a one-machine trial uses) and an
approved laptop whose batches are built by hand, as a modified or broken app would send
them: values of the wrong type, over-long text, an unknown choice, a number no column
holds. Each such change is answered ``rejected`` with a reason; every other change of the
batch is applied, and a retry of the batch gets the same answers from its receipt.
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
from clinic_app.kernel.security import keychain
from clinic_app.sync.client import SyncClient
from clinic_app.sync.http import HttpTransport
from clinic_app.sync.model import SyncPushReceipt
from clinic_app.sync.protocol import (
    PROTOCOL_VERSION,
    USER_TOKEN_HEADER,
    Change,
    PushRequest,
    PushResponse,
    Status,
)
from clinic_app.sync.wire import synced_table
from tests.support.sync_server import Device, SyncServer, signed_in_user

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


@pytest.fixture
def laptop(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    services = create_clinic(tmp_path / "laptop.db")
    transport = HttpTransport(server.url)
    # The device's own token is kept for the raw pushes below.
    _DEVICE_TOKENS[services.context.device_id] = transport.enrol(
        str(services.context.device_id), "laptop"
    )
    server.approve(services.context.device_id)
    device = Device(services, transport, SyncClient(services.context.store, transport))
    yield device
    device.transport.close()
    services.close()


@pytest.fixture
def db(server: SyncServer) -> Iterator[Engine]:
    engine = create_engine(server.db_url)
    yield engine
    engine.dispose()


def _patient(nhs: str, **values: Any) -> Change:
    fields: dict[str, Any] = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": "1960-03-14",
        "sex": "2",
        "nhs_number": nhs,
        "deleted": False,
    }
    fields.update(values)
    return Change(uuid.uuid4(), "patient", uuid.uuid4(), "insert", 0, fields)


def _alert(patient: uuid.UUID, **values: Any) -> Change:
    fields: dict[str, Any] = {
        "patient_id": str(patient),
        "kind": "allergy",
        "text": "Penicillin",
        "active": True,
        "deleted": False,
    }
    fields.update(values)
    return Change(uuid.uuid4(), "patient_alert", uuid.uuid4(), "insert", 0, fields)


def _stored(db: Engine, change: Change) -> Any:
    table = synced_table(change.table).table
    with db.connect() as conn:
        return conn.execute(select(table).where(table.c.id == change.row_id)).mappings().first()


def _push_raw(
    server: SyncServer, device: Device, token: str, body: dict[str, Any]
) -> httpx.Response:
    """A push sent as bytes, so numbers no client library would send can be in it."""
    return httpx.post(
        f"{server.url}/v1/push",
        content=json.dumps(body).encode(),
        headers={
            "authorization": f"Bearer {_DEVICE_TOKENS[device.device_id]}",
            USER_TOKEN_HEADER: token,
            "content-type": "application/json",
        },
        timeout=30,
    )


def test_each_bad_value_refuses_only_its_own_change(
    server: SyncServer, laptop: Device, db: Engine
) -> None:
    priya = signed_in_user(server, laptop, "priya", "clinician", PASSWORD)
    token = keychain.sync_token(laptop.device_id, priya.id)
    assert token is not None

    good = _patient("9990000018")
    bad = {
        "phone over its 40 characters": _patient("9990000026", phone="0" * 41),
        "text in a yes/no field": _patient("9990000034", interpreter_needed="yes"),
        "a number for a name": _patient("9990000042", given_name=12345),
        "a number for an NHS number": _patient("9990000050", nhs_number=9990000050),
        "a list for a name": _patient("9990000069", family_name=["Love", "lace"]),
        "an unknown alert kind": _alert(good.row_id, kind="curse"),
        "not a date": _patient("9990000077", date_of_birth="the fourteenth of March"),
        "a time without a zone": _patient("9990000085", updated_at="2026-01-01T10:00:00"),
        "a row id for a patient that is not": _alert(good.row_id, patient_id="nobody"),
    }
    also_good = _alert(good.row_id)
    # Well formed, but refused by the database itself: an alert on a patient nobody has.
    orphan = _alert(uuid.uuid4())
    batch = PushRequest(uuid.uuid4(), (good, *bad.values(), orphan, also_good))

    response = laptop.transport.push(batch, token)

    by_key = {result.key: result for result in response.results}
    assert [r.key for r in response.results] == [c.key for c in batch.changes]
    assert by_key[good.key].status is Status.APPLIED
    assert by_key[also_good.key].status is Status.APPLIED
    for what, change in bad.items():
        result = by_key[change.key]
        assert (result.status, result.reason) == (Status.REJECTED, "sync.bad_value"), what
        assert _stored(db, change) is None, what
    if server.db_url.startswith("postgresql"):
        assert (by_key[orphan.key].status, by_key[orphan.key].reason) == (
            Status.REJECTED,
            "sync.refused_by_database",
        )
        assert _stored(db, orphan) is None
    assert _stored(db, good)["nhs_number"] == "9990000018"
    assert _stored(db, also_good)["text"] == "Penicillin"

    # The answers are the batch's receipt: a retry is answered the same, nothing applied twice.
    with db.connect() as conn:
        receipt = conn.execute(
            select(SyncPushReceipt.response).where(SyncPushReceipt.batch_key == batch.batch_key)
        ).scalar_one()
    assert PushResponse.from_json(receipt).results == response.results
    assert laptop.transport.push(batch, token).results == response.results


def test_a_number_beyond_any_column_refuses_only_its_change(
    server: SyncServer, laptop: Device, db: Engine
) -> None:
    priya = signed_in_user(server, laptop, "priya", "clinician", PASSWORD)
    token = keychain.sync_token(laptop.device_id, priya.id)
    assert token is not None
    good = _patient("9990000093")
    huge = _patient("9990000107", given_name=10**30)
    wide = _patient("9990000115", interpreter_needed=2**70)
    body = {
        "protocol": PROTOCOL_VERSION,
        "batch_key": str(uuid.uuid4()),
        "changes": [good.to_json(), huge.to_json(), wide.to_json()],
    }

    answer = _push_raw(server, laptop, token, body)

    assert answer.status_code == 200, answer.text
    results = PushResponse.from_json(answer.json()).results
    assert [(r.status, r.reason) for r in results] == [
        (Status.APPLIED, None),
        (Status.REJECTED, "sync.bad_value"),
        (Status.REJECTED, "sync.bad_value"),
    ]
    assert _stored(db, good) is not None
    assert _stored(db, huge) is None
