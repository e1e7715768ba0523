"""Who may do what: the role matrix, pinned in writing and enforced by the real services."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from clinic_app.bootstrap import create_clinic
from clinic_app.container import Services
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import AuthenticationFailed, PermissionDenied
from clinic_app.kernel.local import Draft
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.security.permissions import PERMISSIONS, Action, allows
from clinic_app.kernel.session import Actor
from clinic_app.kernel.staff import User
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput, ReferralInput

PASSWORD = "correct horse battery"

# The matrix as the service agreed it, written out by hand: a change to PERMISSIONS that
# is not also made here fails, so nobody widens or narrows a role by accident.
C, S, T, V, A = (Role.CLINICIAN, Role.SONOGRAPHER, Role.TRAINEE, Role.SUPERVISOR, Role.ADMIN)
EXPECTED: dict[Action, frozenset[Role]] = {
    Action.PATIENT_SEARCH: frozenset({C, S, T, V, A}),
    Action.PATIENT_OPEN: frozenset({C, S, T, V, A}),
    Action.PATIENT_REGISTER: frozenset({C, S, T, V, A}),
    Action.PATIENT_EDIT: frozenset({C, S, T, V, A}),
    Action.PATIENT_MERGE: frozenset({V, A}),
    Action.REFERRAL_CREATE: frozenset({C, S, T, V, A}),
    Action.REFERRAL_VIEW: frozenset({C, S, T, V, A}),
    Action.REFERRAL_UPDATE_STATUS: frozenset({C, S, V}),
    Action.DRAFT_KEEP: frozenset({C, S, T, V, A}),
    Action.STATUS_VIEW: frozenset({C, S, T, V, A}),
    Action.USER_MANAGE: frozenset({A}),
    Action.USER_LIST: frozenset({V, A}),
    Action.AUDIT_VERIFY: frozenset({A}),
    Action.STORE_BACKUP: frozenset({A}),
    Action.DEMO_SEED: frozenset({A}),
    Action.TRIAGE_WORKLIST: frozenset({C, S, T, V, A}),
    Action.TRIAGE_DECIDE: frozenset({C, V}),
    Action.ASSESSMENT_VIEW: frozenset({C, S, T, V}),
    Action.ASSESSMENT_WRITE: frozenset({C, S, T, V}),
    Action.ASSESSMENT_SIGN: frozenset({C, S, T, V}),
    Action.RED_FLAG_SCREEN: frozenset({C, S, T, V}),
    Action.RED_FLAG_OVERRIDE: frozenset({C, S, V}),
    Action.QUESTIONNAIRE_RECORD: frozenset({C, S, T, V}),
    Action.WORDING_PACK_IMPORT: frozenset({A}),
    Action.QUESTIONNAIRE_VIEW: frozenset({C, S, T, V}),
    Action.SETTINGS_MANAGE: frozenset({A}),
    Action.SYNC_MANAGE: frozenset({A}),
    Action.SYNC_VIEW: frozenset({C, S, T, V, A}),
    Action.SYNC_RESOLVE: frozenset({C, S, T, V}),
    Action.ATTACHMENT_ADD: frozenset({C, S, T, V}),
    Action.ATTACHMENT_VIEW: frozenset({C, S, T, V}),
    Action.IMAGE_CAPTURE: frozenset({C, S, T, V}),
    Action.IMAGE_VIEW: frozenset({C, S, T, V}),
    Action.IMAGE_RECEIVE: frozenset({A}),
    Action.IMAGE_ARCHIVE: frozenset({C, S, T, V, A}),
    Action.REPORT_VIEW: frozenset({C, S, T, V}),
    Action.REPORT_WRITE: frozenset({C, S, T, V}),
    Action.REPORT_SIGN: frozenset({C, S, V}),
    Action.REPORT_VERIFY: frozenset({V}),
    Action.APPOINTMENT_VIEW: frozenset({C, S, T, V, A}),
    Action.APPOINTMENT_BOOK: frozenset({C, S, T, V, A}),
    Action.APPOINTMENT_ARRIVE: frozenset({C, S, T, V, A}),
    Action.CONTACT_RECORD: frozenset({C, S, T, V}),
    Action.CLINIC_TEMPLATE_MANAGE: frozenset({V, A}),
    Action.CONTACT_NOTE_WRITE: frozenset({C, S, T, V}),
    Action.CONTACT_NOTE_SIGN: frozenset({C, S, T, V}),
    Action.DECISION_RECORD: frozenset({C, S, T, V}),
    Action.DECISION_SIGN: frozenset({C, S, T, V}),
    Action.DECISION_AIDS_REVIEW: frozenset({V, A}),
    Action.INJECTION_RECORD: frozenset({C, S, V}),
    Action.INJECTION_SIGN: frozenset({C, S, V}),
    Action.PGD_MANAGE: frozenset({A}),
    Action.PACK_CODE_MANAGE: frozenset({A}),
    Action.ESWT_RECORD: frozenset({C, V}),
    Action.ESWT_SIGN: frozenset({C, V}),
    Action.ESWT_DEVICE_MANAGE: frozenset({A}),
    Action.CARE_PLAN_RECORD: frozenset({C, S, T, V}),
    Action.CARE_PLAN_SIGN: frozenset({C, S, T, V}),
    Action.PIFU_OVERSIGHT: frozenset({V, A}),
    Action.LETTER_WRITE: frozenset({C, V}),
    Action.LETTER_SIGN: frozenset({C, V}),
    Action.LETTERS_DUE: frozenset({C, V, A}),
    Action.FIGURES_SERVICE: frozenset({A}),
    Action.FIGURES_OWN: frozenset({C, S, T, V}),
    Action.EXPERIENCE_RECORD: frozenset({C, S, T, V, A}),
    Action.EXPERIENCE_VIEW: frozenset({A}),
}


def test_expected_table_covers_every_action() -> None:
    assert set(EXPECTED) == set(Action)


def test_permissions_match_the_written_table_exactly() -> None:
    assert set(PERMISSIONS) == set(Role)
    actual = {action: frozenset(r for r in Role if action in PERMISSIONS[r]) for action in Action}
    differences = {
        action.value: {"expected": sorted(EXPECTED[action]), "actual": sorted(actual[action])}
        for action in Action
        if actual[action] != EXPECTED[action]
    }
    assert differences == {}
    for role in Role:
        for action in Action:
            assert allows(role, action) is (role in EXPECTED[action])


# ---------------------------------------------------------------- the services themselves


@dataclass
class Clinic:
    """One store shared by the matrix tests: a signed-in user per role and a patient."""

    services: Services
    users: dict[Role, CurrentUser]
    patient_id: uuid.UUID


def _username(role: Role) -> str:
    return f"matrix-{role.value}"


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    services = create_clinic(Path(tmp_path_factory.mktemp("permissions")) / "clinic.db")
    try:
        users: dict[Role, CurrentUser] = {}
        for role in Role:
            services.users.add(
                SYSTEM,
                username=_username(role),
                display_name=f"Matrix {role.value}",
                role=role,
                password=PASSWORD,
            )
            users[role] = services.auth.login(_username(role), PASSWORD)
        # The user every user-management call acts on.
        services.users.add(
            SYSTEM, username="target", display_name="Target", role=Role.CLINICIAN, password=PASSWORD
        )
        record = services.patients.register(
            SYSTEM,
            PatientInput(
                given_name="Harriet",
                family_name="Ashworth",
                date_of_birth="1961-07-04",
                sex="2",
                nhs_number="9990000018",
            ),
        )
        yield Clinic(services=services, users=users, patient_id=record.id)
    finally:
        services.close()


Call = Callable[[Clinic, CurrentUser], Any]


def _search(clinic: Clinic, actor: CurrentUser) -> None:
    found = clinic.services.patients.search(actor, "ashworth")
    assert [p.id for p in found] == [clinic.patient_id]


def _open(clinic: Clinic, actor: CurrentUser) -> None:
    assert clinic.services.patients.open(actor, clinic.patient_id).id == clinic.patient_id


def _register(clinic: Clinic, actor: CurrentUser) -> None:
    record = clinic.services.patients.register(
        actor,
        PatientInput(
            given_name="Ivo",
            family_name=f"Registered By {actor.role.value.title()}",
            date_of_birth="02/02/1990",
            sex="1",
        ),
    )
    assert record.family_name.startswith("Registered By")


def _create_referral(clinic: Clinic, actor: CurrentUser) -> None:
    made = clinic.services.referrals.create(
        actor,
        ReferralInput(
            patient_id=clinic.patient_id,
            source="gp",
            received_on="2024-05-01",
            referrer_name="Dr A Hughes",
            reason="Right knee pain on stairs",
            specialty="physiotherapy",
        ),
    )
    assert made.patient_id == clinic.patient_id


def _referrals_for_patient(clinic: Clinic, actor: CurrentUser) -> None:
    listed = clinic.services.referrals.for_patient(actor, clinic.patient_id)
    assert all(r.patient_id == clinic.patient_id for r in listed)


def _save_draft(clinic: Clinic, actor: CurrentUser) -> None:
    clinic.services.drafts.save(actor, "referral", "new", {"reason": "typed so far"})


def _load_draft(clinic: Clinic, actor: CurrentUser) -> None:
    assert clinic.services.drafts.load(actor, "referral", "never-saved") is None


def _add_user(clinic: Clinic, actor: CurrentUser) -> None:
    added = clinic.services.users.add(
        actor,
        username=f"added-by-{actor.role.value}",
        display_name="Added",
        role=Role.CLINICIAN,
        password=PASSWORD,
    )
    assert added.username == f"added-by-{actor.role.value}"


def _list_users(clinic: Clinic, actor: CurrentUser) -> None:
    names = {u.username for u in clinic.services.users.list(actor)}
    assert {_username(role) for role in Role} <= names


def _set_active(clinic: Clinic, actor: CurrentUser) -> None:
    clinic.services.users.set_active(actor, "target", active=True)


def _reset_password(clinic: Clinic, actor: CurrentUser) -> None:
    clinic.services.users.reset_password(actor, "target", "a brand new passphrase")


def _verify_audit(clinic: Clinic, actor: CurrentUser) -> None:
    assert clinic.services.audit.verify(actor).intact


def _status(clinic: Clinic, actor: CurrentUser) -> None:
    assert clinic.services.status.current(actor).device_id == clinic.services.context.device_id


# Each service method and the action it stands for; None: every signed-in user may call it.
METHODS: dict[str, tuple[Call, Action | None]] = {
    "patients.search": (_search, Action.PATIENT_SEARCH),
    "patients.open": (_open, Action.PATIENT_OPEN),
    "patients.register": (_register, Action.PATIENT_REGISTER),
    "referrals.create": (_create_referral, Action.REFERRAL_CREATE),
    "referrals.for_patient": (_referrals_for_patient, Action.REFERRAL_VIEW),
    "drafts.save": (_save_draft, Action.DRAFT_KEEP),
    "drafts.load": (_load_draft, Action.DRAFT_KEEP),
    "users.add": (_add_user, Action.USER_MANAGE),
    "users.list": (_list_users, Action.USER_LIST),
    "users.set_active": (_set_active, Action.USER_MANAGE),
    "users.reset_password": (_reset_password, Action.USER_MANAGE),
    "audit.verify": (_verify_audit, Action.AUDIT_VERIFY),
    "status.current": (_status, Action.STATUS_VIEW),
}


def _footprint(services: Services) -> tuple[int, int, int]:
    """Rows a write leaves behind: outbox entries, audit entries, drafts."""
    with services.context.store.sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(OutboxEntry)) or 0,
            session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
            session.scalar(select(func.count()).select_from(Draft)) or 0,
        )


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("method", list(METHODS))
def test_service_enforces_the_matrix(clinic: Clinic, method: str, role: Role) -> None:
    call, action = METHODS[method]
    actor = clinic.users[role]
    allowed = action is None or role in EXPECTED[action]
    if allowed:
        call(clinic, actor)
        return
    before = _footprint(clinic.services)
    with pytest.raises(PermissionDenied) as caught:
        call(clinic, actor)
    assert caught.value.code == "permission.denied"
    assert caught.value.params == {"action": action.value, "role": role.value}
    assert _footprint(clinic.services) == before, "a refused action left something behind"


# ---------------------------------------------------------------- changes under a signed-in user


def _sign_in(services: Services, username: str, role: Role) -> CurrentUser:
    services.users.add(
        SYSTEM, username=username, display_name=username.title(), role=role, password=PASSWORD
    )
    return services.auth.login(username, PASSWORD)


def _set_role(services: Services, user_id: uuid.UUID, role: Role) -> None:
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id)
        user = session.get(User, user_id)
        assert user is not None
        user.role = role


def test_disabled_user_is_refused_at_the_next_action(services: Services) -> None:
    admin = _sign_in(services, "lead", Role.ADMIN)
    clinician = _sign_in(services, "physio", Role.CLINICIAN)
    record = services.patients.register(
        clinician,
        PatientInput(given_name="Ada", family_name="Quill", date_of_birth="1950-01-01", sex="2"),
    )

    services.users.set_active(admin, "physio", active=False)

    attempts: list[Callable[[], Any]] = [
        lambda: services.patients.search(clinician, "quill"),
        lambda: services.patients.open(clinician, record.id),
        lambda: services.referrals.for_patient(clinician, record.id),
        lambda: services.drafts.load(clinician, "referral", "new"),
        lambda: services.status.current(clinician),
    ]
    for attempt in attempts:
        with pytest.raises(AuthenticationFailed) as caught:
            attempt()
        assert caught.value.code == "auth.disabled"
    with pytest.raises(AuthenticationFailed) as caught:
        services.auth.login("physio", PASSWORD)
    assert caught.value.code == "auth.disabled"

    # Re-enabled, the same session works again: the check reads the store, not a cache.
    services.users.set_active(admin, "physio", active=True)
    assert [p.id for p in services.patients.search(clinician, "quill")] == [record.id]


def test_unknown_user_id_is_refused(services: Services) -> None:
    ghost = CurrentUser(id=uuid.uuid4(), username="ghost", display_name="Ghost", role=Role.ADMIN)
    with pytest.raises(AuthenticationFailed) as caught:
        services.users.list(ghost)
    assert caught.value.code == "auth.disabled"


def test_tombstoned_user_is_refused(services: Services) -> None:
    clinician = _sign_in(services, "leaver", Role.CLINICIAN)
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id)
        user = session.get(User, clinician.id)
        assert user is not None
        user.tombstone()
    with pytest.raises(AuthenticationFailed) as caught:
        services.patients.search(clinician, "anyone")
    assert caught.value.code == "auth.disabled"


def test_promoted_user_must_sign_in_again(services: Services) -> None:
    clinician = _sign_in(services, "physio", Role.CLINICIAN)
    _set_role(services, clinician.id, Role.ADMIN)
    # Search is allowed to both roles, so only the role-change check can refuse it.
    with pytest.raises(PermissionDenied) as caught:
        services.patients.search(clinician, "anyone")
    assert caught.value.code == "permission.role_changed"
    assert services.auth.login("physio", PASSWORD).role is Role.ADMIN


def test_demoted_user_loses_rights_at_once(services: Services) -> None:
    admin = _sign_in(services, "lead", Role.ADMIN)
    _set_role(services, admin.id, Role.CLINICIAN)
    before = _footprint(services)
    with pytest.raises(PermissionDenied) as caught:
        services.users.add(
            admin, username="sneaky", display_name="Sneaky", role=Role.ADMIN, password=PASSWORD
        )
    assert caught.value.code == "permission.role_changed"
    assert _footprint(services) == before
    names = [u.username for u in services.users.list(SYSTEM)]
    assert "sneaky" not in names


def test_forged_role_on_the_signed_in_user_is_refused(services: Services) -> None:
    trainee = _sign_in(services, "learner", Role.TRAINEE)
    forged = CurrentUser(
        id=trainee.id, username=trainee.username, display_name="x", role=Role.ADMIN
    )
    with pytest.raises(PermissionDenied) as caught:
        services.audit.verify(forged)
    assert caught.value.code == "permission.role_changed"
