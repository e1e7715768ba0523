"""The audit trail leaves the laptop: shipped append-only, anchored, a rewrite caught.

A real ``onestop-server`` process over an SQLite file on loopback, a real encrypted device
store writing through its services, and the HTTP transport between them.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.exc import DBAPIError

from clinic_app.bootstrap import create_clinic
from clinic_app.container import Services
from clinic_app.kernel.audit_entry import AuditEntry, AuditRefusal, ServiceAuditEntry
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict
from clinic_app.kernel.security import audit, keychain
from clinic_app.kernel.uow import SYSTEM, command_line
from clinic_app.people.views import PatientInput
from clinic_app.server import audit_store
from clinic_app.sync import audit_ship
from clinic_app.sync.audit_ship import ShippedEntry
from clinic_app.sync.client import SyncClient
from clinic_app.sync.http import HttpTransport
from tests.support.sync_server import SyncServer, enrolled_device, server_command

pytestmark = pytest.mark.timeout(300)


@dataclass
class Link:
    services: Services
    server: Engine
    transport: HttpTransport

    def sync(self) -> None:
        SyncClient(self.services.context.store, self.transport).sync_once()


@pytest.fixture
def link(services: Services, tmp_path: Path) -> Iterator[Link]:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with SyncServer(url, tmp_path / "server.log") as server:
        device = enrolled_device(server, services, "laptop-a")
        engine = create_engine(url)
        yield Link(services, engine, device.transport)
        device.transport.close()
        engine.dispose()


def _register(services: Services, nhs_number: str, actor: CurrentUser = SYSTEM) -> uuid.UUID:
    return services.patients.register(
        actor,
        PatientInput(
            given_name="Ada",
            family_name="Quennell",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number=nhs_number,
        ),
    ).id


def _local(services: Services) -> list[AuditEntry]:
    with services.context.store.sessions() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def _held(engine: Engine, device_id: uuid.UUID) -> list[ServiceAuditEntry]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(ServiceAuditEntry)
            .where(ServiceAuditEntry.device_id == device_id)
            .order_by(ServiceAuditEntry.seq)
        ).all()
    return [ServiceAuditEntry(**row._mapping) for row in rows]


def _rewrite_whole_chain(services: Services, *, change_seq: int) -> None:
    """What someone holding the store key and the audit key can do: change an entry's
    user and re-seal every entry after it, so every local hash re-verifies."""
    path = services.context.store.path
    assert path is not None
    key = keychain.audit_key(path)
    entries = _local(services)
    with services.context.store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_entry_no_update"))
        prev = entries[change_seq - 2].hash if change_seq > 1 else audit.GENESIS
        for entry in entries[change_seq - 1 :]:
            user = uuid.uuid4() if entry.seq == change_seq else entry.user_id
            sealed = audit.entry_hash(
                seq=entry.seq,
                entry_id=entry.id,
                at=entry.at,
                device_id=entry.device_id,
                user_id=user,
                patient_id=entry.patient_id,
                action=entry.action,
                entity=entry.entity,
                entity_id=entry.entity_id,
                prev_hash=prev,
                chain=entry.chain,
                operator=entry.operator,
                key=key,
            )
            conn.execute(
                text(
                    "UPDATE audit_entry SET user_id = :u, prev_hash = :p, hash = :h WHERE seq = :s"
                ),
                {"u": user.hex if user else None, "p": prev, "h": sealed, "s": entry.seq},
            )
            prev = sealed
        conn.execute(
            text("UPDATE store_meta SET value = :v WHERE key = 'audit_head'"),
            {"v": f"{entries[-1].seq}:{prev}"},
        )
        conn.execute(
            text(
                "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
                "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
            )
        )


def test_entries_are_keyed_and_the_key_is_in_the_keychain_not_the_store(
    services: Services,
) -> None:
    _register(services, "9990000018")
    entries = _local(services)
    assert entries
    assert {e.chain for e in entries} == {audit.CHAIN_KEYED}
    path = services.context.store.path
    assert path is not None
    key = keychain.audit_key(path)
    with services.context.store.engine.connect() as conn:
        kept = [str(v) for (v,) in conn.execute(text("SELECT value FROM store_meta"))]
    assert not any(key in value for value in kept)
    # Re-sealing with the plain (version 1) rule does not give the stored seal.
    first = entries[0]
    plain = audit.entry_hash(
        seq=first.seq,
        entry_id=first.id,
        at=first.at,
        device_id=first.device_id,
        user_id=first.user_id,
        patient_id=first.patient_id,
        action=first.action,
        entity=first.entity,
        entity_id=first.entity_id,
        prev_hash=first.prev_hash,
    )
    assert plain != first.hash


def test_a_sync_round_ships_every_entry_and_keeps_the_servers_head(link: Link) -> None:
    patient = _register(link.services, "9990000018")
    link.services.patients.open(command_line("j.bloggs"), patient)
    link.sync()
    local = _local(link.services)
    held = _held(link.server, link.services.context.device_id)
    assert [(e.seq, e.hash) for e in held] == [(e.seq, e.hash) for e in local]
    assert held[-1].operator == "j.bloggs"
    report = link.services.audit.verify(SYSTEM, audit_ship.read_anchor(link.transport))
    assert report.intact
    assert report.anchor is not None
    assert report.anchor.seq == local[-1].seq
    # More work, another round: only the new entries go, the chain goes on.
    _register(link.services, "9990000026")
    link.sync()
    assert len(_held(link.server, link.services.context.device_id)) == len(_local(link.services))


def test_a_rewritten_chain_re_verifies_locally_but_not_against_the_server(link: Link) -> None:
    _register(link.services, "9990000018")
    _register(link.services, "9990000026")
    link.sync()
    shipped = len(_local(link.services))
    _rewrite_whole_chain(link.services, change_seq=2)

    # Every local seal holds: on its own, the chain looks intact.
    with link.services.context.store.sessions() as session:
        assert audit.verify(session).intact
    # Against the head the server acknowledged, it does not.
    report = link.services.audit.verify(SYSTEM, audit_ship.read_anchor(link.transport))
    assert not report.intact
    assert ("anchor_mismatch", shipped) in {(p.kind, p.seq) for p in report.problems}
    # Offline, the copy of that head recorded at the last shipment also catches it.
    offline = link.services.audit.verify(SYSTEM)
    assert "anchor_mismatch" in {p.kind for p in offline.problems}


def test_the_server_refuses_rewritten_entries_and_keeps_the_refusal(link: Link) -> None:
    _register(link.services, "9990000018")
    link.sync()
    before = _held(link.server, link.services.context.device_id)
    _rewrite_whole_chain(link.services, change_seq=1)
    # Entries after the rewrite link to a head the server never held: a fork.
    _register(link.services, "9990000026")
    shipped = audit_ship.ship(link.services.context.store, link.transport)
    assert shipped.refused == "audit.fork"
    # Shipping the rewritten entries from the start again: a rewrite.
    with link.services.context.store.engine.begin() as conn:
        conn.execute(text("DELETE FROM store_meta WHERE key = :k"), {"k": audit.ANCHOR_KEY})
    again = audit_ship.ship(link.services.context.store, link.transport)
    assert again.refused == "audit.rewrite"
    # The server's copy is as it was, and both refusals are on record.
    after = _held(link.server, link.services.context.device_id)
    assert [(e.seq, e.hash) for e in after] == [(e.seq, e.hash) for e in before]
    with link.server.connect() as conn:
        codes = sorted(conn.execute(select(AuditRefusal.code)).scalars())
    assert codes == ["audit.fork", "audit.rewrite"]


def test_a_gap_is_refused(link: Link) -> None:
    _register(link.services, "9990000018")
    _register(link.services, "9990000026")
    entries = [ShippedEntry.of(e) for e in _local(link.services)]
    assert len(entries) >= 2
    with pytest.raises(Conflict) as refused:
        link.transport.push_audit(audit_ship.entries_json(entries[1:]))
    assert refused.value.code == "audit.gap"
    assert _held(link.server, link.services.context.device_id) == []


def test_server_commands_name_their_operator(link: Link) -> None:
    # The device was approved by ``onestop-server device approve`` (ONESTOP_OPERATOR set).
    held = _held(link.server, audit_store.SERVER_CHAIN)
    assert [(e.action, e.operator, e.entity_id) for e in held] == [
        ("server.device.approve", "test.operator", link.services.context.device_id)
    ]


def test_a_device_cannot_ship_entries_in_another_devices_name(link: Link) -> None:
    _register(link.services, "9990000018")
    entries = [ShippedEntry.of(e) for e in _local(link.services)]
    with link.server.begin() as conn, pytest.raises(audit_store.AuditRefused) as refused:
        audit_store.receive(conn, uuid.uuid4(), entries)
    assert refused.value.code == "audit.wrong_device"


def _laptop(server: SyncServer, services: Services, name: str) -> Services:
    services.sync.enrol(command_line("it.desk"), server.url, name)
    server.approve(services.context.device_id)
    return services


def test_who_opened_the_record_is_answered_across_devices(
    services: Services, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    password = "a long enough password"
    with SyncServer(url, tmp_path / "server.log") as server:
        server.add_user("lead", "Jo Lead", "admin", password)
        laptop_a = _laptop(server, services, "laptop-a")
        laptop_b = _laptop(server, create_clinic(tmp_path / "b.db"), "laptop-b")
        try:
            # Registered by the admin signed in online on laptop A: a change reaches the
            # server only as a signed-in user's.
            laptop_a.sync.online_login("lead", password)
            lead = laptop_a.auth.login("lead", password)
            patient = _register(laptop_a, "9990000018", lead)
            laptop_a.sync.sync_now(check=False)
            laptop_b.sync.sync_now(check=False)
            # Opened on each laptop, by people named at the command line.
            laptop_a.patients.open(command_line("a.okafor"), patient)
            laptop_b.patients.open(command_line("b.shah"), patient)
            laptop_b.sync.sync_now(check=False)
            laptop_a.sync.sync_now(check=False)

            # On laptop A the admin asks: both laptops answer.
            trail = laptop_a.audit_log.patient_trail(lead, patient)
            assert trail.source == "service"
            opened = {(x.user, x.device) for x in trail.lines if x.action == "patient.open"}
            assert opened == {
                ("a.okafor (command line)", "laptop-a"),
                ("b.shah (command line)", "laptop-b"),
            }

            # The server's own command, as CSV for a subject access request.
            target = tmp_path / "sar.csv"
            done = subprocess.run(
                server_command(
                    "audit", "patient", "999 000 0018", "--db", url, "--csv", str(target)
                ),
                check=False,
                capture_output=True,
            )
            assert done.returncode == 0, done.stderr
            exported = target.read_text(encoding="utf-8")
            assert "laptop-b" in exported
            assert "b.shah (command line)" in exported
            assert "Jo Lead (lead)" in exported  # asking is on the record too
            assert "Quennell" not in exported  # the patient's family name is not in it
            assert "9990000018" not in exported
        finally:
            laptop_b.close()


def test_on_postgresql_the_service_trail_is_append_only_and_a_rewrite_refused(
    services: Services, postgres_url: str, tmp_path: Path
) -> None:
    with SyncServer(postgres_url, tmp_path / "server.log") as server:
        device = enrolled_device(server, services, "laptop-a")
        engine = create_engine(postgres_url)
        try:
            link = Link(services, engine, device.transport)
            _register(services, "9990000018")
            link.sync()
            held = _held(engine, services.context.device_id)
            assert [e.hash for e in held] == [e.hash for e in _local(services)]
            # The database itself refuses to change what it holds.
            with pytest.raises(DBAPIError), engine.begin() as conn:
                conn.execute(text("UPDATE audit_service_entry SET action = 'x'"))
            with pytest.raises(DBAPIError), engine.begin() as conn:
                conn.execute(text("DELETE FROM audit_service_entry"))
            _rewrite_whole_chain(services, change_seq=1)
            _register(services, "9990000026")
            assert audit_ship.ship(services.context.store, device.transport).refused == (
                "audit.fork"
            )
            report = services.audit.verify(SYSTEM, audit_ship.read_anchor(device.transport))
            assert "anchor_mismatch" in {p.kind for p in report.problems}
        finally:
            device.transport.close()
            engine.dispose()
