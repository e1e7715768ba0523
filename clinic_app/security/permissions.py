"""Who may do what: every service action is checked against the signed-in user's role.

A hidden button is not a permission: services call ``require`` before they do anything.
"""

from __future__ import annotations

from enum import StrEnum

from clinic_app.clinical.vocabulary import Role
from clinic_app.errors import PermissionDenied


class Action(StrEnum):
    """Every action a service performs on behalf of a user."""

    PATIENT_SEARCH = "patient.search"
    PATIENT_OPEN = "patient.open"
    PATIENT_REGISTER = "patient.register"
    PATIENT_EDIT = "patient.edit"
    REFERRAL_CREATE = "referral.create"
    REFERRAL_VIEW = "referral.view"
    REFERRAL_UPDATE_STATUS = "referral.update_status"
    DRAFT_KEEP = "draft.keep"
    STATUS_VIEW = "status.view"
    USER_MANAGE = "user.manage"
    USER_LIST = "user.list"
    AUDIT_VERIFY = "audit.verify"
    STORE_BACKUP = "store.backup"
    DEMO_SEED = "demo.seed"


_CLINICAL_WORK = frozenset(
    {
        Action.PATIENT_SEARCH,
        Action.PATIENT_OPEN,
        Action.PATIENT_REGISTER,
        Action.PATIENT_EDIT,
        Action.REFERRAL_CREATE,
        Action.REFERRAL_VIEW,
        Action.REFERRAL_UPDATE_STATUS,
        Action.DRAFT_KEEP,
        Action.STATUS_VIEW,
    }
)

# The admin / service lead books and registers (admin and booking teams take referrals in),
# manages users and the store, but changing a referral's clinical status is for clinicians.
_ADMIN_WORK = frozenset(
    {
        Action.PATIENT_SEARCH,
        Action.PATIENT_OPEN,
        Action.PATIENT_REGISTER,
        Action.PATIENT_EDIT,
        Action.REFERRAL_CREATE,
        Action.REFERRAL_VIEW,
        Action.DRAFT_KEEP,
        Action.STATUS_VIEW,
        Action.USER_MANAGE,
        Action.USER_LIST,
        Action.AUDIT_VERIFY,
        Action.STORE_BACKUP,
        Action.DEMO_SEED,
    }
)

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.CLINICIAN: _CLINICAL_WORK,
    Role.SONOGRAPHER: _CLINICAL_WORK,
    Role.TRAINEE: _CLINICAL_WORK - {Action.REFERRAL_UPDATE_STATUS},
    Role.SUPERVISOR: _CLINICAL_WORK | {Action.USER_LIST},
    Role.ADMIN: _ADMIN_WORK,
}


def allows(role: Role, action: Action) -> bool:
    """True if ``role`` may perform ``action``."""
    return action in PERMISSIONS.get(role, frozenset())


def require(role: Role, action: Action) -> None:
    """Raise PermissionDenied unless ``role`` may perform ``action``.

    Raises:
        PermissionDenied: ``permission.denied`` with the action and role.
    """
    if not allows(role, action):
        raise PermissionDenied("permission.denied", action=action.value, role=role.value)
