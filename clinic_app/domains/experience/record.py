"""The Friends and Family Test response as a record type: recorded once, withdrawn on request.

It is the patient's answer, not a clinician's document, so it is never signed or sealed. It
moves by two steps: recorded (when the patient hands the device back) and withdrawn (at the
patient's wish: kept, no longer counted). The server authorises every pushed change by the
same steps.

It offers the figures a fact source (:func:`fft_facts`) and two counts for today's
``Measure``: the responses, and of them the positive ones (very good or good), from which
the positive share is their ratio.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, func, select
from sqlalchemy.orm import Session

from clinic_app.domains.experience.content import fft_question
from clinic_app.domains.experience.model import FftResponse
from clinic_app.domains.experience.rules import SECTIONS, Status
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.staff import User
from clinic_app.records.lifecycle import Check, Lifecycle, Step, statuses
from clinic_app.records.offers import Measure
from clinic_app.records.registry import (
    AddendumPolicy,
    RecordType,
    SigningPolicy,
    day_words,
    register,
)

CODE = "fft_response"

LIFECYCLE = Lifecycle(
    steps=(
        Step(
            "record",
            statuses(Status.RECORDED),
            None,
            Action.EXPERIENCE_RECORD,
            (Check.STATUS,),
            refused="experience.withdrawn",
        ),
        Step(
            "withdraw",
            statuses(Status.RECORDED),
            Status.WITHDRAWN,
            Action.EXPERIENCE_RECORD,
            (Check.STATUS,),
            refused="experience.withdrawn",
        ),
    ),
    not_author="experience.not_author",
    initial=Status.RECORDED.value,
)

_STATUS_WORDS = {Status.RECORDED.value: "answered", Status.WITHDRAWN.value: "withdrawn"}


def describe(row: Any) -> str:
    """E.g. "Friends and Family Test, answered, 3 March 2027": never the answer itself."""
    words = (
        "Friends and Family Test",
        _STATUS_WORDS.get(str(row.status), ""),
        day_words(row.recorded_at or row.created_at),
    )
    return ", ".join(part for part in words if part)


def fft_facts() -> Select[*tuple[Any, ...]]:
    """One row per response counted (recorded, not withdrawn), for the figures engine.

    Columns: ``record_id``, ``patient_id``, ``episode_id``, ``at`` (when it was answered),
    ``clinician_id`` (who handed the device over), ``site_id`` (that clinician's site),
    ``answer`` (its code), ``positive`` (1 for very good or good, else 0) and ``answered``
    (1 for an answer other than "don't know"). The patient's words are not among them.
    """
    positive = fft_question().positive
    known = [code for code in fft_question().codes if code != "dont_know"]
    return (
        select(
            FftResponse.id.label("record_id"),
            FftResponse.patient_id.label("patient_id"),
            FftResponse.episode_id.label("episode_id"),
            FftResponse.recorded_at.label("at"),
            FftResponse.recorded_by.label("clinician_id"),
            User.site_id.label("site_id"),
            FftResponse.answer.label("answer"),
            FftResponse.answer.in_(positive).cast(Integer).label("positive"),
            FftResponse.answer.in_(known).cast(Integer).label("answered"),
        )
        .outerjoin(User, User.id == FftResponse.recorded_by)
        .where(FftResponse.status == Status.RECORDED.value, FftResponse.deleted.is_(False))
    )


def _count(session: Session, start: datetime, end: datetime, *, positive: bool) -> float:
    facts = fft_facts().subquery()
    query = select(func.count()).where(facts.c.at >= start, facts.c.at < end)
    if positive:
        query = query.where(facts.c.positive == 1)
    return float(session.scalar(query.select_from(facts)) or 0)


def _responses(session: Session, start: datetime, end: datetime) -> float:
    return _count(session, start, end, positive=False)


def _positive(session: Session, start: datetime, end: datetime) -> float:
    return _count(session, start, end, positive=True)


MEASURES = (
    Measure("fft.responses", "Friends and Family Test responses", "responses", _responses),
    Measure(
        "fft.positive",
        "Friends and Family Test responses: very good or good",
        "responses",
        _positive,
    ),
)

FFT_RESPONSE = register(
    RecordType(
        code=CODE,
        title="Friends and Family Test",
        table=FftResponse,
        sections=SECTIONS,
        lifecycle=LIFECYCLE,
        signing=SigningPolicy.NONE,
        addendum=AddendumPolicy.NOTE,
        digest_scheme="",
        required_code="experience.no_answer",
        describe=describe,
        measures=MEASURES,
    )
)
