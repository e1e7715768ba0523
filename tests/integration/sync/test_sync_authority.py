"""The server is the authority: a tampered laptop's pushes are checked change by change.

A real server process (PostgreSQL, and an SQLite file as a one-machine trial uses) and an
approved laptop. The hostile client is the laptop's own HTTP transport with batches built
by hand, as a modified app would send them: the server must refuse what the user could not
do through the app, whatever the batch says about who made it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keyring
import pytest
from sqlalchemy import Engine, create_engine, select

from clinic_app.bootstrap import create_clinic
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import AuthenticationFailed
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.security import keychain
from clinic_app.kernel.session import Actor
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.kernel.signing import content_digest
from clinic_app.kernel.staff import User
from clinic_app.people.model import Patient
from clinic_app.people.views import PatientInput
from clinic_app.sync.model import SyncIssue
from clinic_app.sync.protocol import Change, PushRequest, PushResponse, Result, Status
from clinic_app.sync.wire import synced_table
from tests.support.server_push import sealed
from tests.support.sync_server import Device, SyncServer, enrolled_device, signed_in_user

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


def _laptop(server: SyncServer, tmp_path: Path, name: str) -> Iterator[Device]:
    services = create_clinic(tmp_path / f"{name}.db")
    device = enrolled_device(server, services, name)
    yield device
    device.transport.close()
    services.close()


@pytest.fixture
def laptop(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    yield from _laptop(server, tmp_path, "laptop")


@pytest.fixture
def other_laptop(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    yield from _laptop(server, tmp_path, "other-laptop")


@pytest.fixture
def db(server: SyncServer) -> Iterator[Engine]:
    engine = create_engine(server.db_url)
    yield engine
    engine.dispose()


def _token(device: Device, user: CurrentUser) -> str:
    token = keychain.sync_token(device.device_id, user.id)
    assert token is not None
    return token


def _push(device: Device, token: str | None, *changes: Change) -> PushResponse:
    """A batch built by hand, under a new key, as a modified laptop would send it."""
    return device.transport.push(PushRequest(uuid.uuid4(), changes), token)


def _change(
    table: str, row_id: uuid.UUID, fields: dict[str, Any], *, base: int = 0, op: str = "update"
) -> Change:
    return Change(uuid.uuid4(), table, row_id, op, base, fields)


def _only(response: PushResponse) -> Result:
    assert len(response.results) == 1
    return response.results[0]


def _user_row(db: Engine, username: str) -> Any:
    with db.connect() as conn:
        return conn.execute(select(User.__table__).where(User.username == username)).first()


def _now() -> str:
    return datetime.now(UTC).isoformat()


def test_tables_only_the_server_writes_are_refused_from_a_laptop(
    server: SyncServer, laptop: Device, db: Engine
) -> None:
    admin = signed_in_user(server, laptop, "ann", "admin", PASSWORD)
    priya = signed_in_user(server, laptop, "priya", "clinician", PASSWORD)
    signed_in_user(server, laptop, "sam", "trainee", PASSWORD)
    server.set_user_active("sam", active=False)
    as_priya = _token(laptop, priya)
    before = {name: _user_row(db, name) for name in ("ann", "priya", "sam")}

    # The clinician makes herself admin; reactivates a disabled colleague; replaces the
    # admin's password hash; adds a new admin: each refused, nothing changed.
    attempts = [
        _change("app_user", priya.id, {"role": "admin"}, base=before["priya"].row_version),
        _change("app_user", before["sam"].id, {"active": True}, base=before["sam"].row_version),
        _change(
            "app_user",
            admin.id,
            {"password_hash": before["priya"].password_hash},
            base=before["ann"].row_version,
        ),
        _change(
            "app_user",
            uuid.uuid4(),
            {"username": "mallory", "display_name": "Mallory", "role": "admin"},
            op="insert",
        ),
    ]
    for attempt in attempts:
        result = _only(_push(laptop, as_priya, attempt))
        assert (result.status, result.reason) == (Status.REJECTED, "sync.server_only")
    # Even the admin does not change users through a laptop: only on the server.
    result = _only(
        _push(
            laptop,
            _token(laptop, admin),
            _change("app_user", priya.id, {"role": "admin"}, base=before["priya"].row_version),
        )
    )
    assert result.reason == "sync.server_only"
    for name, row in before.items():
        assert _user_row(db, name) == row
    assert _user_row(db, "mallory") is None

    # Every laptop's PACS address, redirected through one setting: refused.
    pacs = _change(
        "service_setting",
        setting_id("dicom"),
        {"key": "dicom", "value": {"pacs_host": "203.0.113.9", "pacs_port": 104}},
        op="insert",
    )
    result = _only(_push(laptop, _token(laptop, admin), pacs))
    assert (result.status, result.reason) == (Status.REJECTED, "sync.server_only")
    with db.connect() as conn:
        assert (
            conn.execute(
                select(ServiceSetting.__table__).where(ServiceSetting.key == "dicom")
            ).first()
            is None
        )


def _register(device: Device, user: CurrentUser, nhs_number: str) -> uuid.UUID:
    record = device.services.patients.register(
        user,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number=nhs_number,
            phone="0113 496 0000",
        ),
    )
    return record.id


def _study(patient_id: uuid.UUID) -> Change:
    return _change(
        "imaging_study",
        uuid.uuid4(),
        {
            "patient_id": str(patient_id),
            "episode_id": None,
            "study_uid": f"2.25.{uuid.uuid4().int}",
            "accession": None,
            "started_at": _now(),
            "description": "Point-of-care ultrasound",
            "purpose": "clinical",
            "archived_at": None,
            "deleted": False,
        },
        op="insert",
    )


def _report(patient_id: uuid.UUID, study_id: uuid.UUID, author: uuid.UUID, **values: Any) -> Change:
    fields: dict[str, Any] = {
        "study_id": str(study_id),
        "patient_id": str(patient_id),
        "episode_id": None,
        "author_id": str(author),
        "status": "draft",
        "version": 1,
        "predecessor_id": None,
        "content": {
            "findings": "Full-thickness tear of supraspinatus.",
            "impression": "Rotator cuff tear.",
        },
        "supervisor_id": None,
        "deleted": False,
    }
    fields.update(values)
    return _change("scan_report", uuid.uuid4(), fields, op="insert")


def _stored(db: Engine, table: str, row_id: uuid.UUID) -> Any:
    synced = synced_table(table).table
    with db.connect() as conn:
        return conn.execute(select(synced).where(synced.c.id == row_id)).mappings().first()


def _verify(report: Change, row: Any, verifier: uuid.UUID) -> Change:
    """The verification a supervisor's device would push: sealed over the report as stored."""
    signed_at = datetime.now(UTC).replace(microsecond=0)
    verified = {"status": "signed", "verified_by": verifier, "signed_by": verifier}
    seal = sealed("scan_report", {**dict(row), **verified, "signed_at": signed_at})
    return _change(
        "scan_report",
        report.row_id,
        {
            **{name: str(value) for name, value in verified.items()},
            "signed_at": signed_at.isoformat(),
            "content_sha256": seal["content_sha256"],
        },
        base=row["row_version"],
    )


def test_a_report_moves_only_by_steps_its_lifecycle_allows_the_pushing_user(
    server: SyncServer, laptop: Device, db: Engine
) -> None:
    sam = signed_in_user(server, laptop, "sam", "trainee", PASSWORD)
    helen = signed_in_user(server, laptop, "helen", "supervisor", PASSWORD)
    as_sam, as_helen = _token(laptop, sam), _token(laptop, helen)
    patient = _register(laptop, sam, "9990000018")
    report = laptop.client.push()
    assert report.statuses == {"applied": 1}  # an ordinary push as the trainee

    study = _study(patient)
    submitted = _report(
        patient,
        study.row_id,
        sam.id,
        status="submitted",
        supervisor_id=str(helen.id),
        submitted_at=_now(),
    )
    results = _push(laptop, as_sam, study, submitted).results
    assert [r.status for r in results] == [Status.APPLIED, Status.APPLIED]

    # The trainee verifies their own report: refused (a trainee never verifies).
    row = _stored(db, "scan_report", submitted.row_id)
    refused = _only(_push(laptop, as_sam, _verify(submitted, row, sam.id)))
    assert (refused.status, refused.reason) == (Status.REJECTED, "sync.not_allowed")
    # A trainee cannot make a report final alone either, even by inserting it so.
    signed_alone = _report(patient, study.row_id, sam.id, status="signed")
    assert _only(_push(laptop, as_sam, signed_alone)).reason == "sync.not_allowed"
    # Nor write a report as someone else.
    as_other = _report(patient, study.row_id, helen.id)
    assert _only(_push(laptop, as_sam, as_other)).reason == "sync.not_yours"
    assert _stored(db, "scan_report", submitted.row_id)["status"] == "submitted"

    # The supervisor's own report, submitted to herself: she is its author, never its verifier.
    own = _report(patient, study.row_id, helen.id, status="submitted", supervisor_id=str(helen.id))
    assert _only(_push(laptop, as_helen, own)).status is Status.APPLIED
    own_row = _stored(db, "scan_report", own.row_id)
    assert _only(_push(laptop, as_helen, _verify(own, own_row, helen.id))).reason == (
        "sync.own_record"
    )

    # The named supervisor verifies the trainee's report: applied, recorded as hers.
    verified = _only(_push(laptop, as_helen, _verify(submitted, row, helen.id)))
    assert verified.status is Status.APPLIED
    final = _stored(db, "scan_report", submitted.row_id)
    assert (final["status"], final["verified_by"], final["updated_by"]) == (
        "signed",
        helen.id,
        helen.id,
    )
    # A signed report never changes, whoever asks.
    again = _change("scan_report", submitted.row_id, {"content": {}}, base=final["row_version"])
    assert _only(_push(laptop, as_helen, again)).reason in {"sync.signed", "sync.step_refused"}


def test_a_push_is_made_as_a_signed_in_user_of_this_laptop(
    server: SyncServer, laptop: Device, other_laptop: Device, db: Engine
) -> None:
    priya = signed_in_user(server, laptop, "priya", "clinician", PASSWORD)
    helen = signed_in_user(server, laptop, "helen", "supervisor", PASSWORD)
    patient = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": "1960-03-14",
        "sex": "2",
        "nhs_number": "9990000026",
        "deleted": False,
        "created_by": str(helen.id),
        "updated_by": str(helen.id),
    }

    # No user: the laptop by itself may receive a scanner's images, not register patients.
    alone = _only(_push(laptop, None, _change("patient", uuid.uuid4(), patient, op="insert")))
    assert (alone.status, alone.reason) == (Status.REJECTED, "sync.not_allowed")
    # A made-up token, and a token the server gave the same user on another laptop: 401.
    _, elsewhere = other_laptop.transport.login("priya", PASSWORD)
    for token in ("not-a-token", elsewhere):
        with pytest.raises(AuthenticationFailed) as refused:
            _push(laptop, token, _change("patient", uuid.uuid4(), patient, op="insert"))
        assert refused.value.code == "sync.user_token_unknown"

    # The author is who signed in, never who the laptop says made the change.
    row_id = uuid.uuid4()
    applied = _only(
        _push(laptop, _token(laptop, priya), _change("patient", row_id, patient, op="insert"))
    )
    assert applied.status is Status.APPLIED
    stored = _stored(db, "patient", row_id)
    assert (stored["created_by"], stored["updated_by"]) == (priya.id, priya.id)

    # A disabled user's changes are refused, change by change, with the reason.
    server.set_user_active("priya", active=False)
    edit = _change("patient", row_id, {"phone": "0113 496 0999"}, base=stored["row_version"])
    result = _only(_push(laptop, _token(laptop, priya), edit))
    assert (result.status, result.reason) == (Status.REJECTED, "sync.user_disabled")
    assert _stored(db, "patient", row_id)["phone"] is None


def _edit(device: Device, user: CurrentUser, patient_id: uuid.UUID, phone: str) -> None:
    context = device.services.context
    with context.store.sessions.begin() as session:
        session.actor = Actor(device_id=context.device_id, user_id=user.id)
        row = session.get(Patient, patient_id)
        assert row is not None
        row.phone = phone


def test_an_old_change_sent_again_under_a_new_batch_key_does_not_revert_a_newer_value(
    server: SyncServer, laptop: Device, db: Engine
) -> None:
    priya = signed_in_user(server, laptop, "priya", "clinician", PASSWORD)
    patient = _register(laptop, priya, "9990000034")
    laptop.client.push()
    _edit(laptop, priya, patient, "0113 496 0001")
    with laptop.services.context.store.sessions() as session:
        first = session.scalars(select(OutboxEntry)).one()
        old = Change(
            uuid.uuid4(), "patient", patient, "update", first.base_version, dict(first.changed)
        )
        # The same change as the laptop made it (its own key, a UUIDv7 older than the next).
        again = replace(old, key=first.idempotency_key)
    laptop.client.push()
    _edit(laptop, priya, patient, "0113 496 0002")
    assert laptop.client.push().statuses == {"applied": 1}

    for sent in (old, again):
        replayed = _only(_push(laptop, _token(laptop, priya), sent))
        assert replayed.status is Status.CONFLICT
        assert replayed.conflicts == ("phone",)
        assert _stored(db, "patient", patient)["phone"] == "0113 496 0002"


def test_refused_changes_stay_on_the_laptop_and_a_user_without_a_token_waits(
    server: SyncServer, laptop: Device, db: Engine
) -> None:
    admin = signed_in_user(server, laptop, "ann", "admin", PASSWORD)
    context = laptop.services.context
    with context.store.sessions.begin() as session:
        session.actor = Actor(device_id=context.device_id, user_id=admin.id)
        session.add(ServiceSetting(id=setting_id("dicom"), key="dicom", value={"pacs_host": "x"}))
    report = laptop.client.push()
    assert report.statuses == {"rejected": 1}
    with context.store.sessions() as session:
        issue = session.scalars(select(SyncIssue)).one()
        assert (issue.table_name, issue.reason, issue.resolved) == (
            "service_setting",
            "sync.server_only",
            False,
        )
        assert session.get(ServiceSetting, setting_id("dicom")) is not None

    # A user whose sign-in here never reached the server: their change waits, unsent.
    keyring.delete_password(keychain.SERVICE, keychain.sync_token_name(context.device_id, admin.id))
    patient = _register(laptop, admin, "9990000042")
    waiting = laptop.client.push()
    assert waiting.waiting_for_sign_in == admin.id
    assert laptop.client.outbox_size() == 1
    assert _stored(db, "patient", patient) is None
    user_id, token = laptop.transport.login("ann", PASSWORD)
    keychain.set_sync_token(context.device_id, token, uuid.UUID(user_id))
    assert laptop.client.push().statuses == {"applied": 1}
    assert _stored(db, "patient", patient)["created_by"] == admin.id


# ---------------------------------------------------------------- signed records


CODEINE = [{"name": "codeine 30 mg", "dose": "1 qds"}]


def _signed_assessment(laptop: Device, user: CurrentUser, patient: uuid.UUID) -> Change:
    """An assessment signed through the app on ``laptop``, as one insert of the whole row.

    Its changes are read from the laptop's outbox and not pushed by the app: each test
    sends this row, or a tampered copy, by hand.
    """
    assessments = laptop.services.assessments
    draft = assessments.save_draft(
        user,
        patient,
        {
            "presenting_complaint": "Knee pain on stairs",
            "medicines": CODEINE,
            "medicine_review": {"reviewed": True, "outcome": "continue"},
        },
    )
    assessments.sign(user, draft.id, PASSWORD)
    fields: dict[str, Any] = {}
    with laptop.services.context.store.sessions() as session:
        for entry in session.scalars(
            select(OutboxEntry)
            .where(OutboxEntry.table_name == "assessment", OutboxEntry.row_id == draft.id)
            .order_by(OutboxEntry.seq)
        ):
            fields.update(entry.changed)
        session.query(OutboxEntry).delete()
        session.commit()
    assert fields["status"] == "signed"
    return Change(uuid.uuid4(), "assessment", draft.id, "insert", 0, fields)


def _tampered(signed: Change, **content: Any) -> Change:
    return Change(
        uuid.uuid4(),
        signed.table,
        uuid.uuid4(),
        "insert",
        0,
        {**signed.fields, "content": {**signed.fields["content"], **content}},
    )


def test_a_record_pushed_as_signed_must_be_one_the_app_would_have_signed(
    server: SyncServer, laptop: Device, db: Engine
) -> None:
    priya = signed_in_user(server, laptop, "priya", "clinician", PASSWORD)
    patient = _register(laptop, priya, "9990000018")
    assert laptop.client.push().statuses == {"applied": 1}
    signed = _signed_assessment(laptop, priya, patient)
    token = _token(laptop, priya)

    # An opioid listed and its review taken out, the seal made again over what is left (a
    # modified app would do both): the app never signs that, so the server never holds it.
    unreviewed = _tampered(signed, medicine_review=None)
    unreviewed.fields["content_sha256"] = content_digest(unreviewed.fields["content"])
    refused = _only(_push(laptop, token, unreviewed))
    assert (refused.status, refused.reason) == (Status.REJECTED, "sync.not_signable")
    # A required part emptied: refused alike.
    emptied = _tampered(signed, presenting_complaint="")
    emptied.fields["content_sha256"] = content_digest(emptied.fields["content"])
    assert _only(_push(laptop, token, emptied)).reason == "sync.not_signable"
    # What it says changed after signing, the seal left as it was.
    changed = _tampered(signed, presenting_complaint="Hip pain")
    assert _only(_push(laptop, token, changed)).reason == "sync.seal_broken"
    # A draft moved to signed by an update that leaves the review out.
    draft_id = uuid.uuid4()
    draft_fields = {
        **signed.fields,
        "status": "draft",
        "signed_at": None,
        "signed_by": None,
        "content_sha256": None,
        "content": {**signed.fields["content"], "medicine_review": None},
    }
    assert (
        _only(
            _push(
                laptop,
                token,
                Change(uuid.uuid4(), "assessment", draft_id, "insert", 0, draft_fields),
            )
        ).status
        is Status.APPLIED
    )
    signing = {
        name: signed.fields[name] for name in ("status", "signed_at", "signed_by", "attestation")
    }
    signing["content_sha256"] = content_digest(draft_fields["content"])
    moved = _only(_push(laptop, token, _change("assessment", draft_id, signing, base=1)))
    assert (moved.status, moved.reason) == (Status.REJECTED, "sync.not_signable")
    assert _stored(db, "assessment", draft_id)["status"] == "draft"
    for tampered in (unreviewed, emptied, changed):
        assert _stored(db, "assessment", tampered.row_id) is None

    # The row exactly as the app signed it is taken.
    assert _only(_push(laptop, token, signed)).status is Status.APPLIED
    assert _stored(db, "assessment", signed.row_id)["status"] == "signed"
