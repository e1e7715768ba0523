"""Shockwave courses and their sessions on the patient's timeline."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.shockwave.model import EswtCourse, EswtSession
from clinic_app.domains.shockwave.record import (
    COURSE,
    SESSION,
    change_lines,
    course_words,
    outcome_change,
)
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.records.timeline import EntryStatus, TimelineEntry, aware, register_source

#: The screen that continues and reads a shockwave course (its sessions open within it).
SCREEN = "shockwave"


def shockwave_entries(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
    """Each course (an open one continues) and each of its sessions (a draft continues).

    A closed course's second line names its scores before -> after, pain and questionnaires.
    """
    courses = session.scalars(
        select(EswtCourse).where(EswtCourse.patient_id == patient_id, EswtCourse.deleted.is_(False))
    ).all()
    entries: list[TimelineEntry] = []
    for row in courses:
        closed = row.status == RecordStatus.SIGNED
        detail = course_words(row)
        if closed:
            scores = "; ".join(change_lines(outcome_change(session, row)))
            detail = ". ".join(part for part in (detail, scores) if part)
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=row.episode_id,
                when=aware(row.signed_at if closed and row.signed_at else row.created_at),
                kind=COURSE.code,
                description=COURSE.describe(row),
                status=EntryStatus.SIGNED if closed else EntryStatus.DRAFT,
                record_id=row.id,
                screen_id=SCREEN,
                item_id=row.id,
                can_continue=not closed,
                detail=detail,
            )
        )
    for given in session.scalars(
        select(EswtSession).where(
            EswtSession.patient_id == patient_id, EswtSession.deleted.is_(False)
        )
    ):
        signed = given.status == RecordStatus.SIGNED
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=given.episode_id,
                when=aware(given.signed_at if signed and given.signed_at else given.created_at),
                kind=SESSION.code,
                description=SESSION.describe(given),
                status=EntryStatus.SIGNED if signed else EntryStatus.DRAFT,
                record_id=given.id,
                screen_id=SCREEN,
                item_id=given.course_id,
                can_continue=not signed,
            )
        )
    return entries


register_source(COURSE.code, shockwave_entries)
