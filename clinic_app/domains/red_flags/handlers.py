"""What the server checks of a pushed red-flag screening, resolution or action.

A device works a screening's outcome out from its answers, lets only a role allowed to
override a positive screen override it (with a reason long enough), records one resolution
per screening, and asks each kind of action for its own details. A tampered device could
push an emergency as clear, so that it never reaches the banner and lifts the steroid
injection's hard stop, or resolve it with anything at all; the server checks each again
with the device's own functions: ``sync.bad_value`` for an outcome that does not follow
from the answers (as the server works the patient's age out on the screening's day), an
unknown screen or version, answers that are not the screen's, a resolution its screening
does not accept, or an action whose kind or details the device would not write;
``sync.not_allowed`` for an override by a role without the permission, a second
resolution of one screening, and a change to an action other than marking it done.
A screening or an action links only its own patient's records (``sync.wrong_patient``).
An alert an outstanding action keeps on the patient's banner stays there until the action
is marked done (``sync.alert_kept``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, select

from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.domains.red_flags.model import RedFlagAction, RedFlagResolution, RedFlagScreening
from clinic_app.domains.red_flags.rules import (
    Level,
    RecordedAction,
    RedFlagScreen,
    check_resolution,
    evaluate,
    recorded_result,
    stored_answers,
    stored_outcome,
)
from clinic_app.domains.red_flags.service import REASON_MAX, check_details, offered_kinds
from clinic_app.domains.red_flags.views import ActionKind, ActionStatus
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.kernel.staff import User
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.care import EpisodeOfCare
from clinic_app.people.demographics import age_on
from clinic_app.people.model import Patient, PatientAlert
from clinic_app.records.links import link_refusal
from clinic_app.sync.hooks import on_checked

BAD_VALUE = "sync.bad_value"
NOT_ALLOWED = "sync.not_allowed"

#: How far a device's day may be from the server's: its clock drifts, and its clinic's day
#: is not the server's UTC day.
DRIFT = timedelta(days=1)

#: Who-and-when columns, set anew by every change.
_META = frozenset({"created_at", "created_by", "updated_at", "updated_by", "device_id"})

#: What a change to a stored action may alter: marking it done, and tying its alert (once).
_MARKING_DONE = frozenset({"status", "done_at", "done_by", "done_note", "alert_id"})


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _ages(date_of_birth: date, day: date) -> set[int | None]:
    """The ages a device could have worked out on ``day``, give or take :data:`DRIFT`."""
    days = (day - DRIFT, day, day + DRIFT)
    return {age_on(date_of_birth, d) if date_of_birth <= d else None for d in days}


def _screen_and_age(
    conn: Connection, row: Mapping[str, Any]
) -> tuple[RedFlagScreen, int | None] | None:
    """The screen at the row's version and its patient's age that day; None if not so.

    The day is the one it was recorded, not before the patient was registered nor after
    today, each give or take :data:`DRIFT`.
    """
    try:
        screen = red_flag_screen(str(row.get("screen_id")))
    except ClinicError:
        return None
    when = _moment(row.get("recorded_at"))
    patient = conn.execute(
        select(Patient.date_of_birth, Patient.created_at).where(Patient.id == row.get("patient_id"))
    ).first()
    if row.get("screen_version") != screen.version or when is None or patient is None:
        return None
    # Recorded after the patient was registered, and not ahead of today: a day moved back
    # to when the patient was younger would leave the rules for an older age unfired.
    registered = _moment(patient.created_at)
    if when > utcnow() + DRIFT or (registered is not None and when < registered - DRIFT):
        return None
    age = row.get("patient_age")
    return (screen, age) if age in _ages(patient.date_of_birth, when.date()) else None


def screening_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """``sync.bad_value`` for a new screening its answers do not give, as a device records it.

    The screen must be one shipped at the version the row names, the answers every one of
    its questions answered with an answer code, the age the patient's (as the server holds
    the date of birth) on the day it was recorded, and the level, fired rules, whether it
    needs action and the actions that resolve it what ``rules.evaluate`` gives.
    """
    if stored is not None:
        return None  # append-only: a change to a stored screening is refused as such
    found = _screen_and_age(conn, row)
    answers = row.get("answers")
    if found is None or not isinstance(answers, dict):
        return BAD_VALUE
    screen, age = found
    try:
        given = stored_answers(screen, answers)
        outcome = stored_outcome(evaluate(screen, answers, age=age))
    except (ClinicError, ValueError, TypeError):
        return BAD_VALUE
    kept = {name: row.get(name) for name in outcome}
    return None if given == answers and kept == outcome else BAD_VALUE


def _may_override(conn: Connection, user_id: Any) -> bool:
    """Whether the pushing user's role, as the server holds it, may override a red flag."""
    role = conn.execute(select(User.role).where(User.id == user_id)).scalar()
    return role is not None and allows(Role(role), Action.RED_FLAG_OVERRIDE)


def _screening(conn: Connection, screening_id: Any) -> Mapping[str, Any] | None:
    table = RedFlagScreening.__table__
    found = conn.execute(select(table).where(table.c.id == screening_id)).mappings().first()
    return None if found is None or found["deleted"] else dict(found)


def resolution_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """Why a new resolution is refused, as a code; None when it is taken.

    ``sync.not_allowed`` for an override pushed by a user whose role may not override
    (``created_by`` is the pushing user, set by the server), or a screening that already
    has a live resolution; ``sync.bad_value`` for a screening the server does not hold, a
    reason longer than a device keeps, or an action ``rules.check_resolution`` refuses for
    the screening as it was recorded.
    """
    if stored is not None:
        return None  # append-only: a change to a stored resolution is refused as such
    screening = _screening(conn, row.get("screening_id"))
    reason = row.get("reason")
    if screening is None or (
        reason is not None and (not isinstance(reason, str) or len(reason) > REASON_MAX)
    ):
        return BAD_VALUE
    action = str(row.get("action"))
    if action == RecordedAction.CLINICIAN_OVERRIDE.value and not _may_override(
        conn, row.get("created_by")
    ):
        return NOT_ALLOWED
    try:
        result = recorded_result(
            str(screening["screen_id"]),
            Level(screening["level"]),
            bool(screening["needs_action"]),
            screening["accepted_actions"] or (),
        )
        check_resolution(result, action, reason)
    except (ClinicError, ValueError, TypeError):
        return BAD_VALUE
    earlier = conn.execute(
        select(RedFlagResolution.id)
        .where(
            RedFlagResolution.screening_id == screening["id"],
            RedFlagResolution.deleted.is_(False),
        )
        .limit(1)
    ).first()
    return None if earlier is None else NOT_ALLOWED


def _changed(row: Mapping[str, Any], stored: Mapping[str, Any]) -> set[str]:
    return {name for name in row if name not in _META and row[name] != stored.get(name)}


def action_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """Why a pushed action is refused, as a code; None when it is taken.

    A new action: ``sync.bad_value`` unless its kind is one its screening is offered
    (``service.offered_kinds``), its status a known one and its details exactly what
    ``service.check_details`` keeps of them on the day it was recorded. A stored one may
    only be marked done (and tie its alert): ``sync.not_allowed`` for any other change,
    a tombstone or a done action made outstanding again among them.
    """
    if stored is not None:
        changed = _changed(row, stored)
        # Its alert is tied once: untied or tied to another, the alert it put on the banner
        # could then be taken off while the action is outstanding.
        retied = "alert_id" in changed and stored.get("alert_id") is not None
        if changed - _MARKING_DONE or retied:
            return NOT_ALLOWED
        if "status" in changed and (
            stored.get("status") != ActionStatus.OUTSTANDING.value
            or row.get("status") != ActionStatus.DONE.value
        ):
            return NOT_ALLOWED
        return None
    when = _moment(row.get("recorded_at"))
    screening = _screening(conn, row.get("screening_id"))
    details = row.get("details")
    if when is None or screening is None or not isinstance(details, dict):
        return BAD_VALUE
    try:
        kind = ActionKind(str(row.get("kind")))
        ActionStatus(str(row.get("status")))
        offered = offered_kinds(
            str(screening["screen_id"]),
            Level(screening["level"]),
            screening["fired_rules"] or (),
            screening["accepted_actions"] or (),
        )
        # A date may not be before the day it was recorded, on the device's clinic's day.
        clean = check_details(kind, details, today=when.date() - DRIFT)
    except (ClinicError, ValueError, TypeError):
        return BAD_VALUE
    return None if kind in offered and clean == details else BAD_VALUE


def alert_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """Why a change to an alert is refused, as a code; None when it is taken.

    ``sync.alert_kept`` for a change that takes an alert off the banner (made inactive or
    removed) while a red-flag action tied to it is still outstanding. On a device the alert
    goes only as its action is marked done, and the action's change is queued first, so the
    server has taken it by the time the alert's change arrives.
    """
    if stored is None:
        return None
    leaving = (bool(stored.get("active")) and not row.get("active")) or (
        bool(row.get("deleted")) and not stored.get("deleted")
    )
    if not leaving:
        return None
    outstanding = conn.execute(
        select(RedFlagAction.id)
        .where(
            RedFlagAction.alert_id == row["id"],
            RedFlagAction.status == ActionStatus.OUTSTANDING.value,
            RedFlagAction.deleted.is_(False),
        )
        .limit(1)
    ).first()
    return None if outstanding is None else "sync.alert_kept"


def _foreign(column: ColumnElement[Any]) -> type[Any]:
    """The table ``column``'s foreign key names, shaped as ``link_refusal`` reads a model.

    For a table of a domain this one may not import (an assessment's).
    """
    (key,) = column.foreign_keys
    return type(key.column.table.name, (), {"__table__": key.column.table})


def _links_refusal(
    conn: Connection,
    row: Mapping[str, Any],
    stored: Mapping[str, Any] | None,
    links: Mapping[str, type[Any]],
) -> str | None:
    """``link_refusal`` of a new row's links, or of those a change to a stored row alters."""
    if stored is not None:
        links = {name: model for name, model in links.items() if row.get(name) != stored.get(name)}
    return link_refusal(conn, row, links) if links else None


on_checked(
    RedFlagScreening.__tablename__,
    "same_patient",
    lambda conn, row, stored: _links_refusal(
        conn,
        row,
        stored,
        {
            "episode_id": EpisodeOfCare,
            "assessment_id": _foreign(RedFlagScreening.__table__.c.assessment_id),
        },
    ),
)
on_checked(RedFlagScreening.__tablename__, "outcome_from_answers", screening_refusal)
on_checked(RedFlagResolution.__tablename__, "a_resolution_allowed", resolution_refusal)
on_checked(
    RedFlagAction.__tablename__,
    "same_patient",
    lambda conn, row, stored: _links_refusal(
        conn, row, stored, {"screening_id": RedFlagScreening, "alert_id": PatientAlert}
    ),
)
on_checked(RedFlagAction.__tablename__, "kind_and_details", action_refusal)
on_checked(PatientAlert.__tablename__, "kept_while_action_outstanding", alert_refusal)
