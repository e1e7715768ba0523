"""The letter as a record type: drafted from the record, edited, signed, never changed after."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from clinic_app.domains.assessments.record import episode_condition
from clinic_app.domains.letters.content import prsb_headings
from clinic_app.domains.letters.model import LetterRecord
from clinic_app.domains.letters.rules import (
    NO_PROVIDER,
    PRSB_KINDS,
    TITLES,
    LetterKind,
    SectionText,
    empty_mandatory,
)
from clinic_app.domains.triage.model import TriageDecision
from clinic_app.domains.triage.record import ONWARD_OUTCOMES
from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.vocabulary import EpisodeStatus, RecordStatus
from clinic_app.people.care import EpisodeOfCare
from clinic_app.records.facts import fact_columns
from clinic_app.records.lifecycle import Check, Lifecycle, Step, statuses
from clinic_app.records.offers import FactSource
from clinic_app.records.registry import (
    STATUS_WORDS,
    AddendumPolicy,
    RecordType,
    SigningPolicy,
    day_words,
    register,
)
from clinic_app.records.sections import Section, SectionKind

CODE = "letter"

ATTESTATIONS = {
    "sign": (
        "I have read this letter, it is accurate, and I am content for it to be sent to the "
        "people it names."
    ),
}

SECTIONS: tuple[Section, ...] = (
    Section("kind", "Kind of letter", SectionKind.STRUCTURED, required=True),
    Section("recipient", "To", SectionKind.STRUCTURED),
    Section("sections", "The letter", SectionKind.STRUCTURED, required=True),
)

LIFECYCLE = Lifecycle(
    steps=(
        Step(
            "edit",
            statuses(RecordStatus.DRAFT),
            None,
            Action.LETTER_WRITE,
            (Check.STATUS, Check.AUTHOR),
            refused="letter.signed",
        ),
        Step(
            "sign",
            statuses(RecordStatus.DRAFT),
            RecordStatus.SIGNED,
            Action.LETTER_SIGN,
            (Check.STATUS, Check.AUTHOR),
            refused="letter.signed",
        ),
    ),
    not_author="letter.not_author",
)


def kind_title(kind: str) -> str:
    """The kind of a letter in words ("Discharge letter")."""
    try:
        return TITLES[LetterKind(kind)]
    except ValueError:
        return "Letter"


def describe(row: Any) -> str:
    """E.g. "Discharge letter, signed, 3 March 2027" (never who it is about)."""
    when = row.signed_at or row.created_at
    words = (kind_title(row.kind), STATUS_WORDS.get(str(row.status), ""), day_words(when))
    return ", ".join(part for part in words if part)


def unfinished(session: Session, patient_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """The patients among ``patient_ids`` with a letter still a draft."""
    if not patient_ids:
        return set()
    return set(
        session.scalars(
            select(LetterRecord.patient_id)
            .where(
                LetterRecord.patient_id.in_(list(patient_ids)),
                LetterRecord.status == RecordStatus.DRAFT.value,
                LetterRecord.deleted.is_(False),
            )
            .distinct()
        )
    )


def _first_signed(kind: LetterKind, *where: Any) -> Any:
    """When the first signed letter of ``kind`` matching ``where`` was signed (or NULL)."""
    letter = aliased(LetterRecord)
    return (
        select(func.min(letter.signed_at))
        .where(
            letter.kind == kind.value,
            letter.status == RecordStatus.SIGNED.value,
            letter.deleted.is_(False),
            *(condition(letter) for condition in where),
        )
        .scalar_subquery()
    )


def discharge_facts() -> Select[Any]:
    """One row per episode closed: the day it closed and when its GP discharge letter was signed.

    ``at`` is the day the episode closed; the clinician is its lead clinician. The letter is
    the first signed discharge letter to the GP about the episode (NULL while none is).
    """
    signed = _first_signed(
        LetterKind.GP_DISCHARGE, lambda letter: letter.episode_id == EpisodeOfCare.id
    )
    return select(
        *fact_columns(
            patient_id=EpisodeOfCare.patient_id,
            at=EpisodeOfCare.ended_on,
            site_id=EpisodeOfCare.site_id,
            clinician_id=EpisodeOfCare.lead_clinician_id,
            condition=episode_condition(EpisodeOfCare.id),
            ended_on=EpisodeOfCare.ended_on,
            letter_signed_at=signed,
        )
    ).where(
        EpisodeOfCare.deleted.is_(False),
        EpisodeOfCare.status == EpisodeStatus.CLOSED,
        EpisodeOfCare.ended_on.is_not(None),
    )


def onward_notice_facts() -> Select[Any]:
    """One row per onward referral decided at triage, and when the GP notice was signed.

    ``at`` is when the onward referral was decided, the clinician who decided it.
    """
    decision = aliased(TriageDecision)
    signed = _first_signed(
        LetterKind.GP_REFERRAL_NOTICE, lambda letter: letter.onward_decision_id == decision.id
    )
    return select(
        *fact_columns(
            patient_id=decision.patient_id,
            at=decision.decided_at,
            clinician_id=decision.decided_by,
            decided_at=decision.decided_at,
            notice_signed_at=signed,
            emergency=(decision.outcome == "emergency_onward_referral"),
        )
    ).where(
        decision.deleted.is_(False),
        decision.decided_at.is_not(None),
        decision.outcome.in_(ONWARD_OUTCOMES),
    )


FACT_SOURCES = (
    FactSource(
        name="discharge_letter",
        title="Episodes closed (discharge letters)",
        select=discharge_facts,
        columns={"ended_on": "day", "letter_signed_at": "time"},
    ),
    FactSource(
        name="onward_referral_notice",
        title="Onward referrals (notices to the GP)",
        select=onward_notice_facts,
        columns={"decided_at": "time", "notice_signed_at": "time", "emergency": "flag"},
    ),
)


def letter_sections(row: LetterRecord) -> tuple[SectionText, ...]:
    """The letter's sections as written, heading by heading."""
    return tuple(
        SectionText(
            key=str(part.get("key", "")),
            title=str(part.get("title", "")),
            text=str(part.get("text", "")),
            mandatory=bool(part.get("mandatory", False)),
            filled=bool(part.get("filled", True)),
        )
        for part in row.sections
    )


def sign_problems(row: LetterRecord) -> list[ValidationError]:
    """What, besides a required section, stops a letter being signed.

    A letter of a PRSB kind has every mandatory heading filled in (the headings shipped say
    which are mandatory, not the letter); a referral letter names the provider it goes to.
    """
    problems: list[ValidationError] = []
    if row.kind == LetterKind.ONWARD_REFERRAL and (row.recipient or "").strip() in (
        "",
        NO_PROVIDER,
    ):
        # A referral to no one reaches no one: the patient's choice of provider is named.
        problems.append(ValidationError("letter.no_provider", field="sections"))
    if row.kind in PRSB_KINDS:
        problems += [
            ValidationError("letter.mandatory_empty", field=key)
            for key in empty_mandatory(letter_sections(row), prsb_headings())
        ]
    return problems


LETTER = register(
    RecordType(
        code=CODE,
        title="Letter",
        table=LetterRecord,
        sections=SECTIONS,
        lifecycle=LIFECYCLE,
        signing=SigningPolicy.ALONE,
        # A signed letter is never added to: a correction is a new letter.
        addendum=AddendumPolicy.NEW_VERSION,
        digest_scheme="record-v1",
        required_code="letter.mandatory_empty",
        describe=describe,
        attestations=ATTESTATIONS,
        fact_sources=FACT_SOURCES,
        unfinished=unfinished,
        sign_problems=sign_problems,
    )
)
