"""The Friends and Family Test response as a record type: recorded once, withdrawn on request.

It is the patient's answer, not a clinician's document, so it is never signed or sealed. It
moves by two steps: recorded (when the patient hands the device back) and withdrawn (at the
patient's wish: kept, no longer counted). The server authorises every pushed change by the
same steps.

It offers the figures a fact source (:func:`fft_facts`): the service's measure of patient
experience is the share of answers that are very good or good.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from clinic_app.domains.experience.content import fft_question
from clinic_app.domains.experience.model import FftResponse
from clinic_app.domains.experience.rules import SECTIONS, Status
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.staff import User
from clinic_app.records.facts import fact_columns
from clinic_app.records.lifecycle import Check, Lifecycle, Step, statuses
from clinic_app.records.offers import FactSource
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

    Columns: the standard ones (``patient_id``, ``at`` when it was answered, ``site_id`` the
    site of ``clinician_id``, who handed the device over, and no ``condition``), then
    ``answer`` (its code), ``positive`` (very good or good) and ``answered`` (an answer other
    than "don't know"). The patient's words are not among them.
    """
    positive = fft_question().positive
    known = [code for code in fft_question().codes if code != "dont_know"]
    return (
        select(
            *fact_columns(
                patient_id=FftResponse.patient_id,
                at=FftResponse.recorded_at,
                site_id=User.site_id,
                clinician_id=FftResponse.recorded_by,
                answer=FftResponse.answer,
                positive=FftResponse.answer.in_(positive),
                answered=FftResponse.answer.in_(known),
            )
        )
        .outerjoin(User, User.id == FftResponse.recorded_by)
        .where(FftResponse.status == Status.RECORDED.value, FftResponse.deleted.is_(False))
    )


FACT_SOURCES = (
    FactSource(
        name="fft_response",
        title="Friends and Family Test answers",
        select=fft_facts,
        columns={
            "answer": "code",
            "positive": "flag",
            "answered": "flag",
        },
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
        fact_sources=FACT_SOURCES,
    )
)
