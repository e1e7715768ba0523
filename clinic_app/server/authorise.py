"""Who pushed a change, and whether they may make it: the server is the authority.

A device's own permission checks are a convenience for its user. The server checks every
pushed change again, as the user whose token came with the push, in that user's role as the
server holds it now, with the same definitions the device uses: the role → action matrix
(``clinic_app.kernel.security.permissions``) and each record type's lifecycle
(``clinic_app.records``). What each table needs is declared once, as data, in
:data:`TABLE_RULES`; a syncing table missing from it is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, select

from clinic_app.kernel.errors import AuthenticationFailed, Conflict, PermissionDenied
from clinic_app.kernel.security.permissions import PERMISSIONS, Action
from clinic_app.kernel.staff import User
from clinic_app.kernel.vocabulary import Role
from clinic_app.records.lifecycle import Lifecycle, Step
from clinic_app.records.registry import record_type_for_table
from clinic_app.records.seal import note_digest
from clinic_app.server.devices import token_digest
from clinic_app.sync.hooks import ChangeCheck, on_checked
from clinic_app.sync.model import SyncUserLogin
from clinic_app.sync.ownership import owner_of
from clinic_app.sync.protocol import USER_TOKEN_HEADER, Change
from clinic_app.sync.wire import synced_table

__all__ = ["USER_TOKEN_HEADER", "Acting", "TableRule", "acting_user", "refusal"]


#: What a device does by itself, with nobody signed in: it receives what a scanner sends and
#: runs the PACS queue. A change with no user is checked against these and nothing more.
DEVICE_ACTIONS = frozenset({Action.IMAGE_RECEIVE, Action.IMAGE_ARCHIVE})


@dataclass(frozen=True)
class Acting:
    """Who a push is made as: a user (their role now, on the server) or the device itself."""

    user_id: uuid.UUID | None
    role: Role | None
    active: bool = True

    @property
    def actions(self) -> frozenset[Action]:
        """What this one may do."""
        if self.role is None:
            return DEVICE_ACTIONS
        return PERMISSIONS.get(self.role, frozenset())


def _actions(*names: Action) -> frozenset[Action]:
    return frozenset(names)


@dataclass(frozen=True)
class TableRule:
    """What a user's role must allow to write one table (any one of the actions listed).

    Attributes:
        insert: actions, any of which allows adding a row.
        update: actions, any of which allows changing (or tombstoning) a row.
        server_only: only the server writes it; a device's change is always refused.
        own_columns: columns that, when a change sets them, must name the acting user
            (the signer, the verifier, the reviewer, the author).
        made_by: columns of ``own_columns`` a new row always fills (the app names who made
            a decision when it makes it): one left empty is ``sync.nobody_named``.
        author: the column naming the record's author, for its lifecycle's checks.
        reviewer: the column naming who the record was sent to for review.
        removable: the app removes rows of this table (a tombstone); of any other table, a
            change that removes a row is refused.
        adds_to: ``(column, table)`` of an addendum: the signed record it adds to, which it
            may name only once that record is signed, and only with its own signer.
        fixed: columns, besides whose the row is and its author, that a change may set
            only while they are empty (the records it links, set when it is made).
        step_columns: (step, columns) pairs: for a lifecycle step named here, the only
            columns it may change (besides the status and who-and-when): a supervisor
            verifying a report adds her verdict and seal, and never rewrites what the
            trainee wrote.
        review_columns: columns only a step of ``step_columns`` may set: an author signing
            alone never records a verdict on their own report.
    """

    insert: frozenset[Action] = frozenset()
    update: frozenset[Action] = frozenset()
    server_only: bool = False
    own_columns: tuple[str, ...] = ()
    made_by: tuple[str, ...] = ()
    author: str = "created_by"
    reviewer: str | None = None
    removable: bool = False
    adds_to: tuple[str, str] | None = None
    fixed: tuple[str, ...] = ()
    step_columns: tuple[tuple[str, frozenset[str]], ...] = ()
    review_columns: frozenset[str] = frozenset()


SERVER_ONLY = TableRule(server_only=True)
#: A supervisor's verdict on a trainee's report, and what signing a record seals.
_REVIEW = frozenset({"supervisor_words", "supervision_mode", "agreement", "verified_by"})
_SEAL = frozenset({"signed_at", "signed_by", "attestation", "content_sha256"})
#: Who changed a row and when, which every change sets.
_WHO_AND_WHEN = frozenset(
    {"created_at", "created_by", "updated_at", "updated_by", "device_id", "status"}
)
_SIGNED = "signed"
_PEOPLE = _actions(Action.PATIENT_REGISTER, Action.PATIENT_EDIT)
_CAPTURE = _actions(Action.IMAGE_CAPTURE, Action.IMAGE_RECEIVE)
_REPORT_FINAL = _actions(Action.REPORT_SIGN, Action.REPORT_VERIFY)
_EPISODE = _actions(Action.REFERRAL_UPDATE_STATUS, Action.TRIAGE_DECIDE)

#: Every syncing table and what writing it needs: one place, data only.
TABLE_RULES: Mapping[str, TableRule] = MappingProxyType(
    {
        # Users, roles, sites and the service's settings (the PACS address among them) are
        # the server's: an administrator changes them there, never through a device.
        "app_user": SERVER_ONLY,
        "site": SERVER_ONLY,
        "service_setting": SERVER_ONLY,
        "patient": TableRule(_actions(Action.PATIENT_REGISTER), _PEOPLE),
        # Possible duplicates are flagged by the server alone; a person dismisses one on a
        # device (an update), and a merge is a new row by someone allowed to merge.
        "patient_duplicate": TableRule(
            update=_actions(Action.PATIENT_MERGE), own_columns=("resolved_by",)
        ),
        "patient_merge": TableRule(_actions(Action.PATIENT_MERGE), own_columns=("merged_by",)),
        "gp_practice": TableRule(_PEOPLE, _PEOPLE),
        "patient_alert": TableRule(
            _PEOPLE | {Action.RED_FLAG_SCREEN}, _PEOPLE | {Action.RED_FLAG_SCREEN}
        ),
        "referral": TableRule(_actions(Action.REFERRAL_CREATE), _EPISODE),
        "episode_of_care": TableRule(_EPISODE | {Action.REFERRAL_CREATE}, _EPISODE),
        "episode_change": TableRule(_EPISODE, own_columns=("changed_by",)),
        "triage_decision": TableRule(
            _actions(Action.TRIAGE_DECIDE), own_columns=("decided_by",), made_by=("decided_by",)
        ),
        "assessment": TableRule(
            _actions(Action.ASSESSMENT_WRITE),
            _actions(Action.ASSESSMENT_WRITE, Action.ASSESSMENT_SIGN),
            own_columns=("signed_by",),
        ),
        "assessment_addendum": TableRule(
            _actions(Action.ASSESSMENT_SIGN),
            own_columns=("signed_by",),
            adds_to=("assessment_id", "assessment"),
        ),
        # Who recorded, decided or did something is whoever pushes it: the service's figures
        # count work by these columns.
        "questionnaire_response": TableRule(
            _actions(Action.QUESTIONNAIRE_RECORD), own_columns=("recorded_by",)
        ),
        "red_flag_screening": TableRule(
            _actions(Action.RED_FLAG_SCREEN), own_columns=("recorded_by",)
        ),
        "red_flag_action": TableRule(
            _actions(Action.RED_FLAG_SCREEN),
            _actions(Action.RED_FLAG_SCREEN),
            own_columns=("recorded_by", "done_by"),
        ),
        "red_flag_resolution": TableRule(
            _actions(Action.RED_FLAG_SCREEN, Action.RED_FLAG_OVERRIDE),
            own_columns=("recorded_by",),
        ),
        "attachment": TableRule(_CAPTURE | _REPORT_FINAL | {Action.ATTACHMENT_ADD}),
        "imaging_study": TableRule(_CAPTURE, _CAPTURE | _REPORT_FINAL | {Action.IMAGE_ARCHIVE}),
        "image_instance": TableRule(_CAPTURE | _REPORT_FINAL, _CAPTURE, fixed=("attachment_id",)),
        "image_marks": TableRule(
            _actions(Action.IMAGE_CAPTURE, Action.IMAGE_VIEW),
            _actions(Action.IMAGE_CAPTURE, Action.IMAGE_VIEW),
        ),
        "scan_report": TableRule(
            _actions(Action.REPORT_WRITE),
            _actions(Action.REPORT_WRITE, Action.REPORT_VERIFY),
            own_columns=("author_id", "signed_by", "verified_by"),
            author="author_id",
            reviewer="supervisor_id",
            # As ``ReportService.verify`` and ``return_to_trainee`` change the report.
            step_columns=(("verify", _REVIEW | _SEAL), ("return", frozenset())),
            review_columns=_REVIEW,
        ),
        "scan_report_dicom": TableRule(_REPORT_FINAL),
        "scan_report_review": TableRule(
            _actions(Action.REPORT_VERIFY), own_columns=("reviewer_id",)
        ),
        # The clinic day. An appointment's moves are its lifecycle's steps, each with its
        # own permission; the table rule lets in anyone who may take one of them.
        "clinic_template": TableRule(
            _actions(Action.CLINIC_TEMPLATE_MANAGE), _actions(Action.CLINIC_TEMPLATE_MANAGE)
        ),
        "appointment": TableRule(
            _actions(Action.APPOINTMENT_BOOK),
            _actions(Action.APPOINTMENT_BOOK, Action.APPOINTMENT_ARRIVE, Action.CONTACT_RECORD),
        ),
        "care_contact": TableRule(
            _actions(Action.APPOINTMENT_ARRIVE, Action.CONTACT_RECORD),
            _actions(Action.CONTACT_RECORD),
        ),
        # A double booking is flagged by the server (and by each device after a pull, under
        # the same id); a person settles it on a device, an update.
        "appointment_clash": TableRule(
            update=_actions(Action.APPOINTMENT_BOOK),
            own_columns=("resolved_by",),
            fixed=("second_appointment_id", "clinician_id"),
        ),
        "contact_note": TableRule(
            _actions(Action.CONTACT_NOTE_WRITE),
            _actions(Action.CONTACT_NOTE_WRITE, Action.CONTACT_NOTE_SIGN),
            own_columns=("signed_by",),
        ),
        "contact_note_addendum": TableRule(
            _actions(Action.CONTACT_NOTE_SIGN),
            own_columns=("signed_by",),
            adds_to=("contact_note_id", "contact_note"),
        ),
        # Shared decisions: drafted in the conversation, signed by whoever had it.
        "sdm_records": TableRule(
            _actions(Action.DECISION_RECORD),
            _actions(Action.DECISION_RECORD, Action.DECISION_SIGN),
            own_columns=("signed_by",),
        ),
        # The Friends and Family Test: recorded once from the patient's answer; only its
        # status moves after (withdrawn at the patient's wish), by its lifecycle's step.
        "fft_response": TableRule(
            _actions(Action.EXPERIENCE_RECORD),
            _actions(Action.EXPERIENCE_RECORD),
            own_columns=("recorded_by", "withdrawn_by"),
        ),
        # Care plans: drafted with the patient and signed by whoever made it; a review is a
        # new row, so a signed plan is never pushed again.
        "care_plan": TableRule(
            _actions(Action.CARE_PLAN_RECORD),
            _actions(Action.CARE_PLAN_RECORD, Action.CARE_PLAN_SIGN),
            own_columns=("signed_by", "gp_consent_recorded_by"),
        ),
        # Injections: drafted and signed by whoever gave it (their authority is checked by the
        # injections domain's own server check); the PGD register and the pack codes are the
        # service lead's.
        "injection_pgd": TableRule(_actions(Action.PGD_MANAGE), _actions(Action.PGD_MANAGE)),
        # A pack code taken off the list is the one row the app removes (a tombstone).
        "injection_pack_code": TableRule(
            _actions(Action.PACK_CODE_MANAGE), _actions(Action.PACK_CODE_MANAGE), removable=True
        ),
        "injection_record": TableRule(
            _actions(Action.INJECTION_RECORD),
            _actions(Action.INJECTION_RECORD, Action.INJECTION_SIGN),
            own_columns=("signed_by",),
        ),
        "injection_addendum": TableRule(
            _actions(Action.INJECTION_SIGN),
            own_columns=("signed_by",),
            adds_to=("injection_id", "injection_record"),
        ),
        # Shockwave: a course and each session drafted and signed by whoever gave it (the
        # shockwave domain's own server check holds a session to its course); the device
        # register is the service lead's.
        "eswt_device": TableRule(
            _actions(Action.ESWT_DEVICE_MANAGE), _actions(Action.ESWT_DEVICE_MANAGE)
        ),
        "eswt_course": TableRule(
            _actions(Action.ESWT_RECORD),
            _actions(Action.ESWT_RECORD, Action.ESWT_SIGN),
            own_columns=("signed_by",),
        ),
        "eswt_session": TableRule(
            _actions(Action.ESWT_RECORD),
            _actions(Action.ESWT_RECORD, Action.ESWT_SIGN),
            own_columns=("signed_by",),
        ),
        # Letters: drafted, edited and signed by their author only; never changed once signed.
        "letter_record": TableRule(
            _actions(Action.LETTER_WRITE),
            _actions(Action.LETTER_WRITE, Action.LETTER_SIGN),
            own_columns=("signed_by",),
            # The clinic it is written from is named when it is drafted, never changed.
            fixed=("site_id",),
        ),
    }
)


def acting_user(conn: Connection, device: uuid.UUID, token: str | None) -> Acting:
    """Who a push from ``device`` is made as.

    No token: the device itself (:data:`DEVICE_ACTIONS` only). A token must be one the
    server issued at an online sign-in on this very device; the user's role and whether
    they are active are read now, not taken from the device.

    Raises:
        AuthenticationFailed: ``sync.user_token_unknown`` for a token not issued to a user
            on this device (unknown, replaced by a later sign-in, or another device's).
    """
    if token is None:
        return Acting(None, None)
    login = conn.execute(
        select(SyncUserLogin.user_id, SyncUserLogin.device_id).where(
            SyncUserLogin.token_sha256 == token_digest(token)
        )
    ).first()
    if login is None or login.device_id != device:
        raise AuthenticationFailed("sync.user_token_unknown")
    user = conn.execute(
        select(User.id, User.role, User.active, User.deleted).where(User.id == login.user_id)
    ).first()
    if user is None:
        raise AuthenticationFailed("sync.user_token_unknown")
    return Acting(
        uuid.UUID(str(user.id)), Role(user.role), active=bool(user.active and not user.deleted)
    )


def _step_refusal(lifecycle: Lifecycle, error: PermissionDenied | Conflict) -> str:
    if isinstance(error, Conflict):
        return "sync.step_refused"
    return {
        lifecycle.not_author: "sync.not_author",
        lifecycle.own_record: "sync.own_record",
        lifecycle.not_named_reviewer: "sync.not_named_reviewer",
    }.get(error.code, "sync.not_allowed")


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


def _candidate_steps(lifecycle: Lifecycle, source: str, target: str) -> list[Step]:
    """The steps that take a record from ``source`` to ``target`` (or keep it there)."""
    if target != source:
        return [s for s in lifecycle.steps if source in s.sources and s.target == target]
    # The status stays: an edit where the lifecycle has one, else any step from it (a
    # reviewer's words saved before the verdict).
    staying = [s for s in lifecycle.steps if source in s.sources and s.target is None]
    return staying or [s for s in lifecycle.steps if source in s.sources]


def _lifecycle_refusal(
    lifecycle: Lifecycle,
    rule: TableRule,
    acting: Acting,
    stored: Mapping[Any, Any] | None,
    values: Mapping[str, Any],
) -> str | None:
    """Whether the change moves the record by a step its lifecycle allows this user.

    The row as stored on the server is the source: its status, its author and its reviewer.
    A new row starts in the lifecycle's first status (a draft, for a written record).
    """
    if acting.role is None:
        return "sync.not_allowed"
    source = str(stored["status"]) if stored is not None else lifecycle.initial
    target = str(values.get("status", source))
    basis = stored if stored is not None else values
    steps = _candidate_steps(lifecycle, source, target)
    if not steps:
        return "sync.step_refused"
    refusal = "sync.step_refused"
    for step in steps:
        try:
            lifecycle.check(
                step.name,
                status=source,
                role=acting.role,
                actor=acting.user_id,
                author=_uuid_or_none(basis.get(rule.author)),
                reviewer=_uuid_or_none(basis.get(rule.reviewer)) if rule.reviewer else None,
            )
        except (PermissionDenied, Conflict) as error:
            refusal = _step_refusal(lifecycle, error)
            continue
        found = _step_columns_refusal(rule, step, acting, stored, values)
        if found is None:
            return None
        refusal = found
    return refusal


def _step_columns_refusal(
    rule: TableRule,
    step: Step,
    acting: Acting,
    stored: Mapping[Any, Any] | None,
    values: Mapping[str, Any],
) -> str | None:
    """Whether the change sets only what ``step`` sets, and signs as the one who pushes it.

    A new row's columns count where they hold something; a stored row's, where they change.
    """
    changed = {
        name
        for name, value in values.items()
        if name not in _WHO_AND_WHEN and (stored is not None or value is not None)
    }
    allowed = dict(rule.step_columns).get(step.name)
    if allowed is not None and not changed <= allowed:
        return "sync.step_columns"
    if allowed is None and changed & rule.review_columns:
        return "sync.step_columns"
    if step.target == _SIGNED and (stored is None or stored.get("status") != _SIGNED):
        # Whoever takes a record to signed is its signer: never nobody, never another.
        signer = values.get("signed_by", stored.get("signed_by") if stored else None)
        if signer is None or signer != acting.user_id:
            return "sync.nobody_named"
    return None


@cache
def fixed_columns(table: str) -> tuple[str, ...]:
    """Columns a change may set on a row only while they are empty: whose record it is.

    The patient a row belongs to (or the parent row it belongs through) and its author are
    set when it is made; a record is never moved to another patient or author by a change.
    An image that arrived with nobody's name is given its patient (or study) once.
    """
    owner = owner_of(table)
    rule = TABLE_RULES.get(table)
    linked = owner.columns if owner.kind in ("column", "pair", "parent") else ()
    own = (rule.author, *rule.fixed) if rule is not None else ()
    return tuple(dict.fromkeys((*linked, *own)))


def _whose_refusal(
    rule: TableRule,
    acting: Acting,
    table: str,
    stored: Mapping[Any, Any] | None,
    values: Mapping[str, Any],
) -> str | None:
    """A change that removes a record the app never removes, moves it, or names another."""
    if values.get("deleted") is True and not rule.removable:
        return "sync.not_removable"
    if stored is not None:
        for column in fixed_columns(table):
            if column in values and stored.get(column) is not None:
                return "sync.record_moved"
    for column in rule.own_columns:
        claimed = values.get(column)
        if claimed is not None and claimed != acting.user_id:
            return "sync.not_yours"
    if stored is None and any(values.get(column) is None for column in rule.made_by):
        return "sync.nobody_named"  # who decided is whoever pushes it, never nobody
    if rule.adds_to is not None and stored is None and values.get("signed_by") is None:
        return "sync.not_signable"  # an addendum is signed by whoever adds it, always
    return None


def addendum_refusal(conn: Connection, table: str, row: Mapping[str, Any]) -> str | None:
    """Why a new addendum is not one the app would add; None when it is.

    ``sync.adds_to_unsigned`` for one to a record that is not signed (or absent);
    ``sync.bad_value`` for one with no words, or signed before the record it adds to;
    ``sync.seal_broken`` for one whose seal does not cover the record's seal and its own
    words, time and signer as the app seals it (``records.seal.note_digest``): every
    laptop would show it as altered.
    """
    rule = TABLE_RULES.get(table)
    if rule is None or rule.adds_to is None:
        return None
    column, parent_name = rule.adds_to
    parent = synced_table(parent_name).table
    found = conn.execute(
        select(parent.c.status, parent.c.content_sha256, parent.c.signed_at).where(
            parent.c.id == row.get(column)
        )
    ).first()
    if found is None or found.status != "signed":
        return "sync.adds_to_unsigned"
    text, signed_at = row.get("text"), row.get("signed_at")
    if not isinstance(text, str) or not text.strip() or signed_at is None:
        return "sync.bad_value"
    if found.signed_at is not None and signed_at < found.signed_at:
        return "sync.bad_value"
    expected = note_digest(row[column], found.content_sha256, text, signed_at, row.get("signed_by"))
    return None if row.get("sha256") == expected else "sync.seal_broken"


def refusal(
    acting: Acting,
    change: Change,
    stored: Mapping[Any, Any] | None,
    values: Mapping[str, Any],
) -> str | None:
    """Why ``acting`` may not make ``change``, as a code; None when they may.

    Args:
        acting: who the push is made as.
        change: the change as pushed.
        stored: the row as the server holds it now (None when it is new).
        values: the change's values, decoded (the columns it sets; for a stored row, only
            those whose value it changes).
    """
    if not acting.active:
        return "sync.user_disabled"
    rule = TABLE_RULES.get(change.table)
    if rule is None or rule.server_only:
        return "sync.server_only"
    needed = rule.insert if stored is None else rule.update
    if not needed & acting.actions:
        return "sync.not_allowed"
    claimed = _whose_refusal(rule, acting, change.table, stored, values)
    if claimed is not None:
        return claimed
    record_type = record_type_for_table(change.table)
    if record_type is not None:
        return _lifecycle_refusal(record_type.lifecycle, rule, acting, stored, values)
    return None


def _addendum_check(table: str) -> ChangeCheck:
    """The check of a new addendum of ``table`` (an addendum never changes once made)."""

    def check(
        conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
    ) -> str | None:
        return None if stored is not None else addendum_refusal(conn, table, row)

    return check


# Checked with each table's own checks (``sync.hooks``), where they are run.
for _table, _rule in TABLE_RULES.items():
    if _rule.adds_to is not None:
        on_checked(_table, "adds_to_a_signed_record", _addendum_check(_table))
