"""What the server checks in pushed patients, referrals and episodes: what the device checks.

A device registers a patient only with a valid NHS number (or none), a plausible date of
birth, codes from the sex and ethnicity lists and both names; it takes a referral in only
with a known source and specialty, received on a day not yet to come; triage opens an
episode on a known pathway today, and it ends on the day it is closed. A tampered device could
push anything, so the server runs the same rules (``sync.hooks.on_checked``) and refuses a
row the app would never write (``sync.bad_value``).

Only what a change brings is judged: a new row whole, a stored one by the fields the change
alters, so a row written before a rule existed still syncs its other fields. Nothing here
asks the database: a patient is the sync's hot path (a first sync pushes every one).

"Not in the future" is judged against the row's own time (a laptop's clock may be wrong, and
a push may arrive days after the change was made), never later than the server's own day,
with a day's tolerance either way for time zones and drifting clocks. Two registrations of
one person (the same NHS number from two laptops) are both valid rows: they arrive, and the
server flags the pair for a person to merge (``people.duplicates``).

A patient is checked on the row alone (``on_row_checked``), so the server still inserts a
first sync's patients a batch at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from clinic_app.kernel import validation as check
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import ValidationError
from clinic_app.people import nhs_number
from clinic_app.people.care import EpisodeChange, EpisodeOfCare, Referral
from clinic_app.people.demographics import tidy_name, validate_date_of_birth
from clinic_app.people.episodes import CLOSED, REOPENED
from clinic_app.people.model import Patient
from clinic_app.people.referrals import check_received_on
from clinic_app.sync.hooks import on_checked, on_row_checked

BAD_VALUE = "sync.bad_value"
#: How far past its own time (and the server's day) a "today" on a laptop may lie.
TOLERANCE = timedelta(days=1)

Row = Mapping[str, Any]
_PATIENT = cast(Table, Patient.__table__)
_REFERRAL = cast(Table, Referral.__table__)
_EPISODE = cast(Table, EpisodeOfCare.__table__)
_EPISODE_CHANGE = cast(Table, EpisodeChange.__table__)
#: A field's rule: raises ValidationError for a value the device would never write.
FieldRule = Callable[[Any, Row], None]


def changed_fields(after: Row, stored: Row | None, names: Iterator[str]) -> list[str]:
    """Those of ``names`` a change brings: all for a new row, else those it alters."""
    if stored is None:
        return list(names)
    return [name for name in names if after.get(name) != stored.get(name)]


def latest_day(row_time: datetime | None) -> date:
    """The latest "today" a device could have seen when it wrote a row at ``row_time``.

    The row's own day, but never later than the server's, plus :data:`TOLERANCE`.
    """
    server_day = utcnow().date()
    day = server_day if row_time is None else min(row_time.date(), server_day)
    return day + TOLERANCE


def _refusal(
    rules: Mapping[str, FieldRule], table: Table, after: Row, stored: Row | None
) -> str | None:
    for name in changed_fields(after, stored, iter(rules)):
        try:
            rules[name](after[name] if name in after else _default(table, name), after)
        except (ValidationError, TypeError):
            return BAD_VALUE
    return None


def _default(table: Table, name: str) -> Any:
    """What a column left out of a new row holds: its default (SQL ``NULL`` without one)."""
    default = table.c[name].default
    return default.arg if isinstance(default, ScalarElementColumnDefault) else None


def _code(list_name: str, *, required: bool = True) -> FieldRule:
    """A code of ``list_name`` as the device keeps it (trimmed); blank only if not required."""

    def rule(value: Any, _row: Row) -> None:
        if value is None and not required:
            return
        if not isinstance(value, str) or check.code_in(
            list_name, value, list_name, required=required
        ) != (value or None):
            raise ValidationError("code.unknown", field=list_name)

    return rule


def _nhs_number(value: Any, _row: Row) -> None:
    # No number is allowed (not everyone knows theirs); one is kept as its ten digits.
    if value is not None and nhs_number.normalise(value) != value:
        raise ValidationError("nhs_number.not_digits", field=nhs_number.FIELD)


def _name(value: Any, _row: Row) -> None:
    if not isinstance(value, str) or not tidy_name(value):
        raise ValidationError("name.empty", field="name")


def _date_of_birth(value: Any, row: Row) -> None:
    validate_date_of_birth(value, latest_day(row.get("created_at")))


#: The identity fields a device checks when it registers a patient.
PATIENT_RULES: dict[str, FieldRule] = {
    "nhs_number": _nhs_number,
    "given_name": _name,
    "family_name": _name,
    "date_of_birth": _date_of_birth,
    "sex": _code("person_stated_gender"),
    "ethnicity": _code("ethnic_category"),
}


def patient_refusal(_conn: Connection | None, after: Row, stored: Row | None) -> str | None:
    """``sync.bad_value`` for a patient whose identity the device would never have kept."""
    return _refusal(PATIENT_RULES, _PATIENT, after, stored)


def _received_on(value: Any, row: Row) -> None:
    check_received_on(value, latest_day(row.get("created_at")))


#: What a device checks when it takes a referral in.
REFERRAL_RULES: dict[str, FieldRule] = {
    "source": _code("referral_source"),
    "specialty": _code("specialty"),
    "received_on": _received_on,
}


def referral_refusal(_conn: Connection | None, after: Row, stored: Row | None) -> str | None:
    """``sync.bad_value`` for a referral with an unknown source or specialty or a later day."""
    return _refusal(REFERRAL_RULES, _REFERRAL, after, stored)


def _started_on(value: Any, row: Row) -> None:
    # Triage opens an episode on the day it triages: the row's own day.
    if value > latest_day(row.get("created_at")):
        raise ValidationError("date.future", field="started_on")
    _ended_on(row.get("ended_on"), row)


def _ended_on(value: Any, row: Row) -> None:
    # An episode ends on the day it is closed (the change's own day), never before it began.
    if value is None:
        return
    if value < row["started_on"] or value > latest_day(row.get("updated_at")):
        raise ValidationError("date.invalid", field="ended_on")


#: How a device opens and closes an episode (a triage's pathway is a specialty).
EPISODE_RULES: dict[str, FieldRule] = {
    "pathway": _code("specialty", required=False),
    "started_on": _started_on,
    "ended_on": _ended_on,
}


def episode_refusal(_conn: Connection | None, after: Row, stored: Row | None) -> str | None:
    """``sync.bad_value`` for an episode on an unknown pathway or with impossible dates."""
    return _refusal(EPISODE_RULES, _EPISODE, after, stored)


def _change_kind(value: Any, _row: Row) -> None:
    if value not in (CLOSED, REOPENED):
        raise ValidationError("code.unknown", field="change")


def episode_change_refusal(_conn: Connection | None, after: Row, stored: Row | None) -> str | None:
    """``sync.bad_value`` for an episode change that is neither a close nor a reopening."""
    return _refusal({"change": _change_kind}, _EPISODE_CHANGE, after, stored)


on_checked(Referral.__tablename__, "codes_and_day", referral_refusal)
on_checked(EpisodeOfCare.__tablename__, "pathway_and_dates", episode_refusal)
on_checked(EpisodeChange.__tablename__, "a_close_or_reopening", episode_change_refusal)
on_row_checked(
    Patient.__tablename__, "identity", lambda after, stored: patient_refusal(None, after, stored)
)
