"""What the server checks of a pushed course or session, beyond who may take their steps.

A device's own service refuses a session beyond the course's plan, one added to a closed
course, or one whose course is another patient's; a tampered device could push one anyway, so
the server checks again as it holds the course: ``sync.not_allowed`` for a session beyond the
plan or on a closed course, and for a signing dated after it was signed, or made while an
absolute contraindication is answered yes or the governance of the guidance is not ticked;
``sync.wrong_patient`` for a session of another patient's course, and for a course or session
linking another patient's episode or shared decision.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from clinic_app.domains.decisions.handlers import decision_link_refusal
from clinic_app.domains.shockwave.content import shockwave_content
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


def _stops(indication: Any, answers: Any, ticked: Any) -> bool:
    """True when a course stops every session.

    That is: an absolute contraindication answered yes, the governance its guidance asks for
    not ticked, or answers that are not answers.
    """
    if not isinstance(answers, dict) or not isinstance(ticked, dict):
        return True
    content = shockwave_content()
    if any(answers.get(item) == "yes" for item in content.contraindications.of_kind("absolute")):
        return True
    found = content.indications.indication(str(indication) if indication else None)
    required = (
        found.requires
        if found is not None
        else tuple(r.id for r in content.indications.requirements)
    )
    return not all(ticked.get(requirement) is True for requirement in required)


def _allowed(row: Mapping[str, Any], course: Mapping[str, Any]) -> bool:
    """Whether a pushed session fits its course as the server holds it."""
    if course["deleted"] or str(course["status"]) == "signed":
        return False
    number, planned = row.get("number"), course["planned_sessions"]
    if number is not None and (int(number) < 1 or planned is None or int(number) > planned):
        return False
    if str(row.get("status")) != "signed":
        return True
    performed, signed = _day(row.get("performed_on")), _day(row.get("signed_at"))
    if performed is None or (signed is not None and performed > signed):
        return False
    return not _stops(course["indication"], course["contraindications"], course["governance"])


def session_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """``sync.not_allowed`` for a pushed session its course does not allow.

    Checked on every change to a session not yet signed on the server: its course must exist
    and be open, and its number within 1..N; a signing must not be dated after the day it was
    signed, and its course must not stop it (an absolute contraindication answered yes, the
    governance of its guidance not ticked).
    """
    if stored is not None and str(stored.get("status")) == "signed":
        return None  # the lifecycle refuses any change to a signed session
    table = EswtCourse.__table__
    try:
        course_id = uuid.UUID(str(row.get("course_id")))
        course = conn.execute(select(table).where(table.c.id == course_id)).mappings().first()
        allowed = course is not None and _allowed(row, dict(course))
    except (ValueError, TypeError):
        return "sync.not_allowed"
    return None if allowed else "sync.not_allowed"


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
