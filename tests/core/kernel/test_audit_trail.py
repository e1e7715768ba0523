"""The audit trail: one entry per read or write, no clinical text, and tampering is found."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import keyring
import pytest
from sqlalchemy import exc, select, text

from clinic_app.bootstrap import create_clinic, open_clinic
from clinic_app.container import Services
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import AuthenticationFailed, FormErrors
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.security import audit, keychain
from clinic_app.kernel.security.audit import AuditProblem, entry_hash
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import AlertKind, Role
from clinic_app.people.views import PatientInput, ReferralInput

PASSWORD = "correct horse battery"
AUDIT_COLUMNS = {
    # The chain version, and the staff name of a command-line operator: no patient data.
    "chain",
    "operator",
    "seq",
    "id",
    "at",
    "device_id",
    "user_id",
    "patient_id",
    "action",
    "entity",
    "entity_id",
    "prev_hash",
    "hash",
}

GIVEN, FAMILY, NHS, BORN, POSTCODE = "Philippa", "Underwood", "9990000026", "1949-11-30", "LS6 2AB"
PHONE, EMAIL = "0113 496 0000", "pu@example.org"
ALERT = "Allergy: latex gloves"
REASON = "Persistent lateral elbow pain when gripping"
REFERRER = "Dr Rosalind Mensah"


def _patient_input() -> PatientInput:
    return PatientInput(
        given_name=GIVEN,
        family_name=FAMILY,
        nhs_number=NHS,
        date_of_birth=BORN,
        sex="2",
        postcode=POSTCODE,
        phone=PHONE,
        email=EMAIL,
        address="1 Canal Street, Leeds",
        alerts=((AlertKind.ALLERGY, ALERT),),
    )


def _referral_input(patient_id: uuid.UUID) -> ReferralInput:
    return ReferralInput(
        patient_id=patient_id,
        source="gp",
        received_on="2024-03-01",
        referrer_name=REFERRER,
        referrer_organisation="Riverside Medical Practice",
        reason=REASON,
        specialty="physiotherapy",
    )


def _entries(services: Services) -> list[AuditEntry]:
    with services.context.store.sessions() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def _raw(services: Services, sql: str, **params: Any) -> list[Any]:
    with services.context.store.engine.begin() as conn:
        result = conn.execute(text(sql), params)
        return list(result.all()) if result.returns_rows else []


# ---------------------------------------------------------------- one entry per action


@dataclass
class Clinic:
    services: Services
    clinician: CurrentUser
    patient_id: uuid.UUID


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    services = create_clinic(Path(tmp_path_factory.mktemp("audit")) / "clinic.db")
    try:
        services.users.add(
            SYSTEM,
            username="physio",
            display_name="Physio",
            role=Role.CLINICIAN,
            password=PASSWORD,
        )
        clinician = services.auth.login("physio", PASSWORD)
        record = services.patients.register(clinician, _patient_input())
        yield Clinic(services, clinician, record.id)
    finally:
        services.close()


def _one_new_entry(services: Services, before: int) -> AuditEntry:
    entries = _entries(services)
    assert len(entries) == before + 1, [e.action for e in entries[before:]]
    return entries[-1]


def _check_entry(
    entry: AuditEntry,
    services: Services,
    *,
    action: str,
    user_id: uuid.UUID | None,
    patient_id: uuid.UUID | None,
    started: datetime,
) -> None:
    assert entry.action == action
    assert entry.user_id == user_id
    assert entry.patient_id == patient_id
    assert entry.device_id == services.context.device_id
    assert started <= entry.at <= utcnow()


def test_opening_a_record_is_audited(clinic: Clinic) -> None:
    services, before, started = clinic.services, len(_entries(clinic.services)), utcnow()
    services.patients.open(clinic.clinician, clinic.patient_id)
    entry = _one_new_entry(services, before)
    _check_entry(
        entry,
        services,
        action="patient.open",
        user_id=clinic.clinician.id,
        patient_id=clinic.patient_id,
        started=started,
    )
    assert (entry.entity, entry.entity_id) == ("patient", clinic.patient_id)


def test_registering_is_audited_once(clinic: Clinic) -> None:
    services, before, started = clinic.services, len(_entries(clinic.services)), utcnow()
    record = services.patients.register(
        clinic.clinician,
        PatientInput(
            given_name="Bert",
            family_name="Newcome",
            date_of_birth="1980-01-01",
            sex="1",
            alerts=((AlertKind.CLINICAL, "Takes warfarin"), (AlertKind.ACCESS, "Wheelchair")),
        ),
    )
    # One entry for the registration, however many alert rows came with it.
    entry = _one_new_entry(services, before)
    _check_entry(
        entry,
        services,
        action="patient.register",
        user_id=clinic.clinician.id,
        patient_id=record.id,
        started=started,
    )


def test_creating_a_referral_is_audited(clinic: Clinic) -> None:
    services, before, started = clinic.services, len(_entries(clinic.services)), utcnow()
    made = services.referrals.create(clinic.clinician, _referral_input(clinic.patient_id))
    entry = _one_new_entry(services, before)
    _check_entry(
        entry,
        services,
        action="referral.create",
        user_id=clinic.clinician.id,
        patient_id=clinic.patient_id,
        started=started,
    )
    assert (entry.entity, entry.entity_id) == ("referral", made.id)


def test_adding_a_user_is_audited(clinic: Clinic) -> None:
    services, before, started = clinic.services, len(_entries(clinic.services)), utcnow()
    added = services.users.add(
        SYSTEM, username="sono", display_name="Sono", role=Role.SONOGRAPHER, password=PASSWORD
    )
    entry = _one_new_entry(services, before)
    # SYSTEM is the command line: recorded as no user rather than a made-up id.
    _check_entry(entry, services, action="user.add", user_id=None, patient_id=None, started=started)
    assert (entry.entity, entry.entity_id) == ("app_user", added.id)


def test_signing_in_is_audited(clinic: Clinic) -> None:
    services, before, started = clinic.services, len(_entries(clinic.services)), utcnow()
    services.auth.login("physio", PASSWORD)
    entry = _one_new_entry(services, before)
    _check_entry(
        entry,
        services,
        action="user.login",
        user_id=clinic.clinician.id,
        patient_id=None,
        started=started,
    )


@pytest.mark.parametrize(("username", "known"), [("physio", True), ("nobody-here", False)])
def test_failed_sign_in_is_audited(clinic: Clinic, username: str, known: bool) -> None:
    services, before, started = clinic.services, len(_entries(clinic.services)), utcnow()
    with pytest.raises(AuthenticationFailed):
        services.auth.login(username, "not the password")
    entry = _one_new_entry(services, before)
    _check_entry(
        entry,
        services,
        action="user.login_failed",
        user_id=clinic.clinician.id if known else None,
        patient_id=None,
        started=started,
    )


def test_searching_writes_nothing(clinic: Clinic) -> None:
    before = len(_entries(clinic.services))
    assert clinic.services.patients.search(clinic.clinician, FAMILY)
    assert len(_entries(clinic.services)) == before


def test_rejected_input_is_not_audited(clinic: Clinic) -> None:
    before = len(_entries(clinic.services))
    with pytest.raises(FormErrors):
        clinic.services.patients.register(
            clinic.clinician,
            PatientInput(given_name="", family_name="", date_of_birth="", sex=""),
        )
    assert len(_entries(clinic.services)) == before


def test_no_clinical_or_identifying_text_in_the_trail(clinic: Clinic) -> None:
    services = clinic.services
    services.referrals.create(clinic.clinician, _referral_input(clinic.patient_id))
    services.patients.open(clinic.clinician, clinic.patient_id)

    rows = _raw(services, "SELECT * FROM audit_entry")
    columns = {row[1] for row in _raw(services, "PRAGMA table_info(audit_entry)")}
    # Adding a column to the trail is a decision for the safety case, not a side effect.
    assert columns == AUDIT_COLUMNS
    secrets = [GIVEN, FAMILY, NHS, BORN, POSTCODE, PHONE, EMAIL, ALERT, REASON]
    secrets += ["Canal Street", REFERRER, "Riverside", "latex", "elbow", "physio", PASSWORD]
    stored = [str(value).casefold() for row in rows for value in row if value is not None]
    assert stored, "the trail is empty: this test would prove nothing"
    leaks = {s for s in secrets for value in stored if s.casefold() in value}
    assert leaks == set()


def test_chain_verifies_intact_after_ordinary_use(clinic: Clinic) -> None:
    admin_summary = clinic.services.users.add(
        SYSTEM, username="lead", display_name="Lead", role=Role.ADMIN, password=PASSWORD
    )
    admin = clinic.services.auth.login("lead", PASSWORD)
    assert admin.id == admin_summary.id
    report = clinic.services.audit.verify(admin)
    assert report.intact
    assert report.problems == ()
    # verify() audits itself after a clean check.
    entries = _entries(clinic.services)
    assert report.entries == len(entries) - 1
    assert entries[-1].action == "audit.verify"
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))


# ---------------------------------------------------------------- tampering


RECORDED = [
    "user.add",  # 1 SYSTEM adds physio
    "user.add",  # 2 SYSTEM adds lead
    "user.login",  # 3 physio
    "patient.register",  # 4
    "patient.open",  # 5
    "referral.create",  # 6
    "user.login_failed",  # 7 physio, wrong password
    "user.login",  # 8 lead
    "patient.open",  # 9 lead
]
LAST = len(RECORDED)


@pytest.fixture(scope="module")
def recorded_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A closed store whose trail holds RECORDED; each test tampers with its own copy."""
    path = Path(tmp_path_factory.mktemp("recorded")) / "clinic.db"
    services = create_clinic(path)
    try:
        for name, role in (("physio", Role.CLINICIAN), ("lead", Role.ADMIN)):
            services.users.add(
                SYSTEM, username=name, display_name=name.title(), role=role, password=PASSWORD
            )
        physio = services.auth.login("physio", PASSWORD)
        record = services.patients.register(physio, _patient_input())
        services.patients.open(physio, record.id)
        services.referrals.create(physio, _referral_input(record.id))
        with pytest.raises(AuthenticationFailed):
            services.auth.login("physio", "wrong password!")
        lead = services.auth.login("lead", PASSWORD)
        services.patients.open(lead, record.id)
        key = keychain.store_key(path)
        sealing = keychain.audit_key(path)
    finally:
        services.close()
    assert key is not None
    assert not path.with_name(path.name + "-wal").exists()
    return path, key, sealing


@pytest.fixture
def recorded(recorded_store: tuple[Path, str, str], tmp_path: Path) -> Iterator[Services]:
    source, key, sealing = recorded_store
    copy = tmp_path / "copy.db"
    shutil.copyfile(source, copy)
    keyring.set_password(keychain.SERVICE, keychain.store_key_name(copy), key)
    keyring.set_password(keychain.SERVICE, keychain.audit_key_name(copy), sealing)
    services = open_clinic(copy)
    yield services
    services.close()


def _drop_guards(services: Services) -> None:
    """What an attacker holding the key does first: remove the append-only triggers."""
    _raw(services, "DROP TRIGGER audit_entry_no_update")
    _raw(services, "DROP TRIGGER audit_entry_no_delete")


def _problems(services: Services) -> tuple[AuditProblem, ...]:
    with services.context.store.sessions() as session:
        return audit.verify(session).problems


def test_recorded_chain_is_as_expected_and_intact(recorded: Services) -> None:
    assert [e.action for e in _entries(recorded)] == RECORDED
    assert _problems(recorded) == ()


@pytest.mark.parametrize(
    ("column", "value_sql"),
    [
        ("action", "'patient.search'"),
        # Pin the open on another user (seq 8 is the lead's sign-in).
        ("user_id", "(SELECT user_id FROM audit_entry WHERE seq = 8)"),
        ("patient_id", "NULL"),
        ("at", "(SELECT at FROM audit_entry WHERE seq = 2)"),
        ("device_id", "NULL"),
        ("entity_id", "NULL"),
    ],
)
def test_changed_entry_is_reported_at_its_seq(
    recorded: Services, column: str, value_sql: str
) -> None:
    _drop_guards(recorded)
    _raw(recorded, f"UPDATE audit_entry SET {column} = {value_sql} WHERE seq = 5")
    assert _problems(recorded) == (AuditProblem(seq=5, kind="changed"),)


def _rehash_fifth_without_its_user(recorded: Services, key: str | None) -> None:
    entry = _entries(recorded)[4]
    assert entry.seq == 5
    forged = entry_hash(
        seq=5,
        entry_id=entry.id,
        at=entry.at,
        device_id=entry.device_id,
        user_id=None,
        patient_id=entry.patient_id,
        action=entry.action,
        entity=entry.entity,
        entity_id=entry.entity_id,
        prev_hash=entry.prev_hash,
        chain=entry.chain if key else audit.CHAIN_PLAIN,
        operator=entry.operator,
        key=key,
    )
    _raw(recorded, "UPDATE audit_entry SET user_id = NULL, hash = :h WHERE seq = 5", h=forged)


def test_rehashed_entry_breaks_the_link_to_the_next(recorded: Services) -> None:
    # A cleverer attacker, holding the audit key too, recomputes the changed entry's seal.
    _drop_guards(recorded)
    path = recorded.context.store.path
    assert path is not None
    _rehash_fifth_without_its_user(recorded, keychain.audit_key(path))
    assert _problems(recorded) == (AuditProblem(seq=6, kind="broken_link"),)


def test_rehashing_with_the_store_key_alone_does_not_reseal_an_entry(recorded: Services) -> None:
    # Holding only the store key (the audit key is in the keychain, not the store), the
    # plain SHA-256 of the changed fields is not the entry's keyed seal.
    _drop_guards(recorded)
    _rehash_fifth_without_its_user(recorded, None)
    assert AuditProblem(seq=5, kind="changed") in _problems(recorded)


def test_deleted_middle_entry_is_reported(recorded: Services) -> None:
    _drop_guards(recorded)
    _raw(recorded, "DELETE FROM audit_entry WHERE seq = 5")
    assert _problems(recorded) == (
        AuditProblem(seq=5, kind="missing"),
        AuditProblem(seq=6, kind="broken_link"),
    )


def test_deleted_last_entry_is_reported(recorded: Services) -> None:
    _drop_guards(recorded)
    _raw(recorded, "DELETE FROM audit_entry WHERE seq = :s", s=LAST)
    assert _problems(recorded) == (AuditProblem(seq=LAST - 1, kind="head_mismatch"),)


def _forge(after: AuditEntry, seq: int) -> AuditEntry:
    """A well-formed entry claiming the physio opened the record, chained after ``after``."""
    forged = AuditEntry(
        seq=seq,
        id=uuid7(),
        at=after.at,
        device_id=after.device_id,
        user_id=after.user_id,
        patient_id=after.patient_id,
        action="patient.open",
        entity="patient",
        entity_id=after.patient_id,
        prev_hash=after.hash,
        hash="",
    )
    forged.hash = entry_hash(
        seq=forged.seq,
        entry_id=forged.id,
        at=forged.at,
        device_id=forged.device_id,
        user_id=forged.user_id,
        patient_id=forged.patient_id,
        action=forged.action,
        entity=forged.entity,
        entity_id=forged.entity_id,
        prev_hash=forged.prev_hash,
    )
    return forged


def test_forged_entry_inserted_with_renumbering_is_reported(recorded: Services) -> None:
    _drop_guards(recorded)
    entries = _entries(recorded)
    # Make room at seq 6 (in two steps: the primary key must stay unique throughout).
    _raw(recorded, "UPDATE audit_entry SET seq = -seq WHERE seq >= 6")
    _raw(recorded, "UPDATE audit_entry SET seq = 1 - seq WHERE seq < 0")
    with recorded.context.store.sessions.begin() as session:
        session.add(_forge(entries[4], seq=6))

    problems = _problems(recorded)
    # The entry after the forgery no longer follows it, every renumbered entry fails its
    # own hash, and the chain ends past its recorded head.
    assert AuditProblem(seq=7, kind="broken_link") in problems
    assert {p.seq for p in problems if p.kind == "changed"} == set(range(7, LAST + 2))
    assert AuditProblem(seq=LAST + 1, kind="head_mismatch") in problems
    assert not any(p.seq <= 6 for p in problems), problems


def test_forged_entry_appended_without_moving_the_head_is_reported(recorded: Services) -> None:
    entries = _entries(recorded)
    with recorded.context.store.sessions.begin() as session:
        session.add(_forge(entries[-1], seq=LAST + 1))
    assert _problems(recorded) == (AuditProblem(seq=LAST + 1, kind="head_mismatch"),)


def test_forged_entry_in_the_middle_with_a_made_up_hash_is_reported(recorded: Services) -> None:
    # Without renumbering there is no free seq in the middle: use one past a gap.
    _drop_guards(recorded)
    entries = _entries(recorded)
    _raw(recorded, "DELETE FROM audit_entry WHERE seq = 5")
    with recorded.context.store.sessions.begin() as session:
        forged = _forge(entries[3], seq=5)
        forged.hash = "f" * 64
        session.add(forged)
    assert _problems(recorded) == (
        AuditProblem(seq=5, kind="changed"),
        AuditProblem(seq=6, kind="broken_link"),
    )


def test_store_refuses_update_and_delete_of_the_trail(recorded: Services) -> None:
    statements = [
        "UPDATE audit_entry SET action = 'patient.search' WHERE seq = 5",
        "UPDATE audit_entry SET user_id = NULL",
        "DELETE FROM audit_entry WHERE seq = 5",
        "DELETE FROM audit_entry",
    ]
    for statement in statements:
        with pytest.raises(exc.DatabaseError, match="append-only"):
            _raw(recorded, statement)
    # Through the ORM too.
    store = recorded.context.store
    with pytest.raises(exc.DatabaseError, match="append-only"), store.sessions.begin() as session:  # noqa: PT012
        entry = session.get(AuditEntry, 5)
        assert entry is not None
        session.delete(entry)
    assert [e.action for e in _entries(recorded)] == RECORDED
    assert _problems(recorded) == ()


def test_audit_service_reports_tampering_to_the_admin(recorded: Services) -> None:
    _drop_guards(recorded)
    _raw(recorded, "UPDATE audit_entry SET action = 'patient.search' WHERE seq = 5")
    lead = recorded.auth.login("lead", PASSWORD)
    report = recorded.audit.verify(lead)
    assert not report.intact
    assert report.problems == (AuditProblem(seq=5, kind="changed"),)
    assert report.entries == LAST + 1  # the lead's sign-in was appended after the change
    # A failed check is not recorded as a clean one.
    assert [e.action for e in _entries(recorded)][-1] == "user.login"
