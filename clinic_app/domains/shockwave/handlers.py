"""What the server checks of a pushed course or session, beyond who may take their steps.

A device's own service refuses a session beyond the course's plan, one added to a closed
course, or one whose course is another patient's; a tampered device could push one anyway, so
the server checks again as it holds the course: ``sync.not_allowed`` for a session beyond the
plan, dated after it was signed, or on a closed course; ``sync.wrong_patient`` for a session
of another patient's course, and for a course or session linking another patient's episode or
shared decision.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from clinic_app.domains.decisions.handlers import decision_link_refusal
from clinic_app.domains.shockwave.model import EswtCourse, EswtSession
from clinic_app.people.care import EpisodeOfCare
from clinic_app.records.links import link_refusal
from clinic_app.sync.hooks import on_checked


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value[:10])
    return None


def session_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """``sync.not_allowed`` for a pushed session its course does not allow.

    Checked on every change that is not already signed on the server: the course must exist
    and still be open (not signed), and the session's number must be within 1..N; a signing
    must not be dated after the day it was signed.
    """
    if stored is not None and str(stored.get("status")) == "signed":
        return None  # the lifecycle refuses any change to a signed session
    table = EswtCourse.__table__
    try:
        course_id = uuid.UUID(str(row.get("course_id")))
        number = row.get("number")
        number = None if number is None else int(number)
        performed = _day(row.get("performed_on"))
        signed = _day(row.get("signed_at"))
    except (ValueError, TypeError):
        return "sync.not_allowed"
    course = conn.execute(select(table).where(table.c.id == course_id)).mappings().first()
    if course is None or course["deleted"] or str(course["status"]) == "signed":
        return "sync.not_allowed"
    planned = course["planned_sessions"]
    if number is not None and (number < 1 or planned is None or number > planned):
        return "sync.not_allowed"
    if str(row.get("status")) == "signed" and (
        performed is None or (signed is not None and performed > signed)
    ):
        return "sync.not_allowed"
    return None


on_checked(
    EswtCourse.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(conn, row, {"episode_id": EpisodeOfCare}),
)
on_checked(
    EswtCourse.__tablename__,
    "same_patient_decision",
    lambda conn, row, _stored: decision_link_refusal(conn, row),
)
on_checked(
    EswtSession.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(
        conn, row, {"episode_id": EpisodeOfCare, "course_id": EswtCourse}
    ),
)
on_checked(EswtSession.__tablename__, "within_course", session_refusal)
