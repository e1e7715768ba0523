"""Scoped sync over a real server and PostgreSQL: a laptop holds its site, not the service.

A two-site service: Ann works at Northgate, Ben at Southfield, each on their own laptop.
With the service's default rules, a patient triaged into a pathway at Southfield never
reaches Northgate's laptop, unless someone there opens them (fetched on demand, while
connected); a laptop cannot take a patient outside its scope without a user who may open
records; a patient who leaves scope is removed only once nothing of theirs waits to go.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import keyring
import pytest
from sqlalchemy import func, select

from clinic_app.domains.triage.views import TriageInput
from clinic_app.kernel.errors import AuthenticationFailed, ClinicError, PermissionDenied
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.security import keychain
from clinic_app.kernel.session import Actor
from clinic_app.people.care import Referral
from clinic_app.people.model import Patient
from clinic_app.people.views import ReferralInput
from clinic_app.sync import scope as laptop_scope
from clinic_app.sync.ownership import rows_of_patients
from clinic_app.sync.protocol import Change, PushRequest, Status
from tests.support.sync_server import (
    Device,
    SyncServer,
    server_command,
)
from tests.support.two_sites import PASSWORD, register, site_laptop, two_site_server

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with two_site_server(postgres_url, tmp_path / "server.log") as running:
        yield running


@pytest.fixture
def north(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    yield from site_laptop(server, tmp_path, "northgate", "ann")


@pytest.fixture
def south(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    yield from site_laptop(server, tmp_path, "southfield", "ben")


def _refer_and_triage(device: Device, patient_id: uuid.UUID, *, triage: bool = True) -> None:
    referral = device.services.referrals.create(
        device.actor,
        ReferralInput(
            patient_id=patient_id,
            source="gp",
            received_on="2026-11-20",
            referrer_name="Dr A Hughes",
            reason="Knee pain on stairs, worse for a month",
            specialty="physiotherapy",
        ),
    ).id
    if triage:
        device.services.triage.triage(
            device.actor,
            referral,
            TriageInput(outcome="appointment", priority="routine", pathway="physiotherapy"),
        )


def _has(device: Device, patient_id: uuid.UUID) -> bool:
    with device.services.context.store.sessions() as session:
        return session.get(Patient, patient_id) is not None


def _rows_held(device: Device, patient_id: uuid.UUID) -> int:
    with device.services.context.store.engine.connect() as conn:
        return sum(len(rows) for _table, rows in rows_of_patients(conn, [patient_id]))


def _token(device: Device) -> str:
    token = keychain.sync_token(device.device_id, device.actor.id)
    assert token
    return token


def _user_token_of(device: Device) -> dict[str, str]:
    return {"X-OneStop-User": _token(device)}


def test_a_sites_patients_stay_at_that_site_unless_opened_elsewhere(
    north: Device, south: Device
) -> None:
    mine = register(south, "9990000018", "Southern")
    _refer_and_triage(south, mine)
    here = register(north, "9990000026", "Northern")
    _refer_and_triage(north, here)
    for _round in range(2):
        south.client.sync_once(check=True)
        north.client.sync_once(check=True)

    assert _has(south, mine)
    assert not _has(south, here)
    assert _has(north, here)
    assert not _has(north, mine)
    # The count-and-hash check agrees with the server's view of what each laptop holds:
    # no endless pull again.
    assert not north.client.sync_once(check=True).repulled

    # Ann searches: nothing on her laptop, so the search falls through to the server.
    assert not north.services.patients.search(north.actor, "Southern")
    found = north.transport.search_patients("Southern", _token(north))
    assert [item["id"] for item in found] == [str(mine)]
    laptop_scope.fetch_patient(
        north.services.context.store,
        north.transport,
        mine,
        north.client.store_rows,
        _token(north),
    )
    assert _has(north, mine)
    assert _rows_held(north, mine) == _rows_held(south, mine)
    record = north.services.patients.open(north.actor, mine)
    assert record.family_name == "Southern"

    # Opened here, so from now on Ben's changes to that record reach Ann's laptop.
    _refer_and_triage(south, mine, triage=False)
    south.client.sync_once()
    north.client.sync_once(check=True)
    with north.services.context.store.sessions() as session:
        referrals = session.scalar(
            select(func.count()).select_from(Referral).where(Referral.patient_id == mine)
        )
    assert referrals == 2


def test_a_laptop_cannot_take_a_patient_outside_its_scope_without_a_user(
    server: SyncServer, north: Device, south: Device
) -> None:
    theirs = register(south, "9990000034", "Southern")
    _refer_and_triage(south, theirs)
    south.client.sync_once()
    north.client.sync_once()
    assert not _has(north, theirs)

    # A tampered laptop asks for the rows, or claims to hold the patient, as the device
    # alone (no user token): both refused, and pulls still bring nothing of theirs.
    with pytest.raises(PermissionDenied):
        north.transport.scope_rows([str(theirs)])
    with pytest.raises(PermissionDenied):
        north.transport.scope_held([str(theirs)], [])
    north.client.sync_once(check=True)
    assert not _has(north, theirs)
    page = north.transport.pull(0, 500)
    assert not [row for row in page.rows if str(theirs) in str(row.row)]

    # Nor can it write to that patient's record: a change naming them is refused.
    now = datetime.now(UTC).isoformat()
    alert = Change(
        uuid.uuid4(),
        "patient_alert",
        uuid.uuid4(),
        "insert",
        0,
        {
            "patient_id": str(theirs),
            "kind": "communication",
            "text": "Prefers letters",
            "active": True,
            "created_at": now,
            "updated_at": now,
            "device_id": str(north.device_id),
            "deleted": False,
        },
        north.actor.id,
    )
    answer = north.transport.push(PushRequest(uuid.uuid4(), (alert,)), _token(north))
    assert [(r.status, r.reason) for r in answer.results] == [
        (Status.REJECTED, "sync.patient_not_held")
    ]

    # Searching the service needs a signed-in user who may search.
    with pytest.raises(AuthenticationFailed):
        north.transport.search_patients("Southern", "not-a-token")
    raw = httpx.get(
        f"{server.url}/v1/patients/search",
        params={"q": "Southern"},
        headers={"Authorization": "Bearer nonsense"},
    )
    assert raw.status_code == 401


def test_a_patient_leaving_scope_goes_only_once_their_work_is_pushed(
    server: SyncServer, north: Device, south: Device
) -> None:
    # Triage is done from every clinic: referrals waiting for it are on every laptop.
    server.set_scope({"awaiting_triage": True, "recent_days": 0})
    waiting = register(south, "9990000042", "Waiting")
    _refer_and_triage(south, waiting, triage=False)
    south.client.sync_once()
    north.client.sync_once()
    assert _has(north, waiting)

    # Ann changes the record offline; Ben triages it at Southfield meanwhile.
    with north.services.context.store.sessions.begin() as session:
        session.actor = _actor(north)
        patient = session.get(Patient, waiting)
        assert patient is not None
        patient.phone = "0113 496 0999"
    with south.services.context.store.sessions() as session:
        referral_id = session.scalar(select(Referral.id).where(Referral.patient_id == waiting))
    assert referral_id is not None
    south.services.triage.triage(
        south.actor,
        referral_id,
        TriageInput(outcome="appointment", priority="routine", pathway="physiotherapy"),
    )
    south.client.sync_once()

    # Out of Northgate's scope now, but Ann's change has not gone: the round pushes it
    # first, then lets the patient go.
    report = north.client.sync_once()
    assert report.scope is not None
    assert not _has(north, waiting)
    with north.services.context.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(OutboxEntry)).scalar() == 0
    south.client.sync_once()
    with south.services.context.store.sessions() as session:
        kept = session.get(Patient, waiting)
        assert kept is not None
        assert kept.phone == "0113 496 0999"


def test_work_waiting_on_a_patient_out_of_scope_keeps_them_until_it_is_pushed(
    server: SyncServer, north: Device, south: Device
) -> None:
    server.set_scope({"awaiting_triage": True, "recent_days": 0})
    waiting = register(south, "9990000050", "Kept")
    _refer_and_triage(south, waiting, triage=False)
    south.client.sync_once()
    north.client.sync_once()
    assert _has(north, waiting)
    with north.services.context.store.sessions.begin() as session:
        session.actor = _actor(north)
        patient = session.get(Patient, waiting)
        assert patient is not None
        patient.phone = "0113 496 0777"
    # Ann's token goes: her change cannot be pushed (it waits for her to sign in again).
    keyring.delete_password(
        keychain.SERVICE, keychain.sync_token_name(north.device_id, north.actor.id)
    )
    with south.services.context.store.sessions() as session:
        referral_id = session.scalar(select(Referral.id).where(Referral.patient_id == waiting))
    assert referral_id is not None
    south.services.triage.triage(
        south.actor,
        referral_id,
        TriageInput(outcome="appointment", priority="routine", pathway="physiotherapy"),
    )
    south.client.sync_once()
    report = north.client.sync_once()
    assert report.scope is not None
    assert report.scope.kept == 1
    assert _has(north, waiting)


def _actor(device: Device) -> Any:
    context = device.services.context
    return Actor(device_id=context.device_id, user_id=device.actor.id)


def _command(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        server_command(*args, "--db", db_url, "--operator", "lee.lead"),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_an_administrator_sets_sites_and_scope_rules_with_the_server_command(
    tmp_path: Path,
) -> None:
    db_url = f"sqlite:///{tmp_path / 'server.db'}"
    assert (
        _command(db_url, "site", "add", "Northgate Health Centre", "--ods", "rx1a").returncode == 0
    )
    listed = _command(db_url, "site", "list")
    assert "RX1A" in listed.stdout
    assert "Northgate Health Centre" in listed.stdout
    added = _command(db_url, "user", "add", "ann", "--name", "Ann North", "--role", "clinician")
    assert added.returncode != 0  # no password typed: nothing added
    with_password = subprocess.run(
        server_command(
            "user",
            "add",
            "ann",
            "--name",
            "Ann North",
            "--role",
            "clinician",
            "--password-stdin",
            "--db",
            db_url,
            "--operator",
            "lee.lead",
        ),
        input=f"{PASSWORD}\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert with_password.returncode == 0, with_password.stderr
    moved = _command(db_url, "user", "set-site", "ann", "--site", "Northgate Health Centre")
    assert moved.returncode == 0, moved.stderr
    nowhere = _command(db_url, "user", "set-site", "ann", "--site", "Atlantis")
    assert nowhere.returncode == 2
    assert "no site with that name" in nowhere.stderr

    assert _command(db_url, "settings", "set", "sync_scope.recent_days", "14").returncode == 0
    refused = _command(db_url, "settings", "set", "sync_scope.recent_days", "lots")
    assert refused.returncode == 2
    assert "recent_days is a whole number of days" in refused.stderr
    unknown = _command(db_url, "settings", "set", "sync_scope.everything", "on")
    assert unknown.returncode == 2
    shown = _command(db_url, "settings", "list").stdout
    assert "sync_scope.recent_days = 14" in shown
    assert "sync_scope.whole_service = false  (default)" in shown


def test_the_plan_names_how_many_patients_one_request_may_ask_for(
    server: SyncServer, north: Device, south: Device
) -> None:
    ours = register(north, "9990000042", "Northern")
    north.client.sync_once()
    plan = north.transport.scope_plan()
    assert plan["fetch_limit"] == 1000
    # Up to the limit in one request (a patient it holds among ids the server has not
    # got: only those rows come back); one more is refused whole.
    unknown = [str(uuid.uuid4()) for _ in range(999)]
    token = keychain.sync_token(north.device_id, north.actor.id)
    answer = north.transport.scope_rows([str(ours), *unknown], token)
    assert {row["row_id"] for row in answer["rows"] if row["table"] == "patient"} == {str(ours)}
    with pytest.raises(ClinicError) as refused:
        north.transport.scope_rows([str(ours), *unknown, str(uuid.uuid4())], token)
    assert refused.value.code == "sync.bad_message"
