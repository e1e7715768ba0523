"""The SDM record as a record type: drafted in the conversation, signed by the clinician."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from clinic_app.domains.assessments.record import episode_condition
from clinic_app.domains.decisions.content import UNDECIDED, decision_aids
from clinic_app.domains.decisions.model import DecisionRecord
from clinic_app.domains.decisions.rules import DECISION_MAKERS
from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.records.facts import fact_columns
from clinic_app.records.lifecycle import Check, Lifecycle, Step, statuses
from clinic_app.records.offers import FactSource, LetterSection, Measure
from clinic_app.records.registry import (
    STATUS_WORDS,
    AddendumPolicy,
    RecordType,
    SigningPolicy,
    day_words,
    register,
)
from clinic_app.records.sections import Section, SectionKind

CODE = "sdm"

#: Shown at signing and kept with the signed record.
ATTESTATIONS = {
    "sign": (
        "I talked this decision through with the patient using this decision aid, and this is "
        "a true record of the options discussed, what mattered to them and what they chose."
    ),
}

#: Its parts, in order. All are structured (the consultation screen has its own widgets);
#: letters quote the aid, the choice and the patient's reasons.
SECTIONS: tuple[Section, ...] = (
    Section("aid_id", "Decision aid", SectionKind.STRUCTURED, letter=True),
    Section("options_discussed", "Options discussed", SectionKind.STRUCTURED, letter=True),
    Section("ratings", "What matters to the patient", SectionKind.STRUCTURED),
    Section("leaning", "Leaning towards", SectionKind.STRUCTURED, prints=False),
    Section("choice", "Choice", SectionKind.STRUCTURED, required=True, letter=True),
    Section("choice_words", "Why, in the patient's words", SectionKind.STRUCTURED, letter=True),
    Section("questions", "The patient's questions", SectionKind.STRUCTURED),
    Section("participants", "Who took part", SectionKind.STRUCTURED),
    Section("teach_back", "Teach-back", SectionKind.STRUCTURED),
    Section("decision_maker", "Who decided", SectionKind.STRUCTURED, letter=True),
)

LIFECYCLE = Lifecycle(
    steps=(
        Step(
            "edit",
            statuses(RecordStatus.DRAFT),
            None,
            Action.DECISION_RECORD,
            (Check.STATUS, Check.AUTHOR),
            refused="decision.signed",
        ),
        Step(
            "sign",
            statuses(RecordStatus.DRAFT),
            RecordStatus.SIGNED,
            Action.DECISION_SIGN,
            (Check.STATUS, Check.AUTHOR),
            refused="decision.signed",
        ),
        # A change of mind starts a new record from a signed one; the signed one is kept.
        Step(
            "supersede",
            statuses(RecordStatus.SIGNED),
            None,
            Action.DECISION_RECORD,
            (Check.STATUS,),
            refused="decision.not_signed",
        ),
    ),
    not_author="decision.not_author",
)

_MAKER_WORDS = {
    "patient": "the patient",
    "patient_and_carer": "the patient with their carer",
    "shared_with_clinician": "the patient and the clinician together",
}


def describe(row: Any) -> str:
    """E.g. "Shared decision, signed, 3 March 2027"."""
    when = row.signed_at or row.created_at
    words = ("Shared decision", STATUS_WORDS.get(str(row.status), ""), day_words(when))
    return ", ".join(part for part in words if part)


def _titles(aid_id: str) -> tuple[str, dict[str, str]]:
    """The aid's title and its options' titles (the ids themselves when it is not offered)."""
    aid = decision_aids().get(aid_id)
    if aid is None:
        return aid_id, {}
    return aid.title, {option.id: option.title for option in aid.options}


def choice_words(choice: str | None, titles: dict[str, str]) -> str:
    """The choice as a letter or the timeline says it."""
    if choice is None:
        return ""
    if choice == UNDECIDED:
        return "Not decided yet; will think about it"
    return titles.get(choice, choice)


def letter_sections(
    session: Session, patient_id: uuid.UUID, episode_id: uuid.UUID | None
) -> list[LetterSection]:
    """Each signed SDM record's aid, options, choice and reasons (a draft is never offered)."""
    query = select(DecisionRecord).where(
        DecisionRecord.patient_id == patient_id,
        DecisionRecord.status == RecordStatus.SIGNED.value,
        DecisionRecord.deleted.is_(False),
    )
    if episode_id is not None:
        query = query.where(DecisionRecord.episode_id == episode_id)
    offered: list[LetterSection] = []
    for row in session.scalars(query.order_by(DecisionRecord.signed_at, DecisionRecord.id)):
        title, titles = _titles(row.aid_id)
        words = [f"Decision aid: {title} (version {row.aid_version})"]
        if row.options_discussed:
            discussed = "; ".join(titles.get(o, o) for o in row.options_discussed)
            words.append(f"Options discussed: {discussed}")
        words.append(f"Choice: {choice_words(row.choice, titles)}")
        if reasons := " ".join(row.choice_words.split()):
            words.append(f"Why, in the patient's words: {reasons}")
        if row.decision_maker in DECISION_MAKERS:
            words.append(f"Decided by {_MAKER_WORDS[row.decision_maker]}")
        offered.append(
            LetterSection(
                heading=f"Shared decision, {day_words(row.signed_at)}",
                text="\n".join(words),
                record_type=CODE,
                source_id=row.id,
                final=True,
                when=row.signed_at,
            )
        )
    return offered


def unfinished(session: Session, patient_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """The patients among ``patient_ids`` with an SDM record still a draft."""
    if not patient_ids:
        return set()
    return set(
        session.scalars(
            select(DecisionRecord.patient_id)
            .where(
                DecisionRecord.patient_id.in_(list(patient_ids)),
                DecisionRecord.status == RecordStatus.DRAFT.value,
                DecisionRecord.deleted.is_(False),
            )
            .distinct()
        )
    )


def _signed(session: Session, start: datetime, end: datetime) -> float:
    return float(
        session.scalar(
            select(func.count(DecisionRecord.id)).where(
                DecisionRecord.status == RecordStatus.SIGNED.value,
                DecisionRecord.deleted.is_(False),
                DecisionRecord.signed_at >= start,
                DecisionRecord.signed_at < end,
            )
        )
        or 0
    )


MEASURES = (Measure("sdm.signed", "Shared decisions recorded", "records", _signed),)

#: CollaboRATE's top box: an item scored 9 (see resources/sdm_measures/collaborate.json).
_TOP_BOX = 9
_COLLABORATE_ITEMS = 3


def decision_facts() -> Select[Any]:
    """One row per signed SDM record: was CollaboRATE answered in full, and was it top box.

    ``at`` is when it was signed, the clinician who signed it; a record superseded by a
    change of mind counts too (each was a conversation with an aid).
    """
    items = [DecisionRecord.collaborate[i].as_integer() for i in range(_COLLABORATE_ITEMS)]
    answered = and_(*(item.is_not(None) for item in items))
    return select(
        *fact_columns(
            patient_id=DecisionRecord.patient_id,
            at=DecisionRecord.signed_at,
            clinician_id=DecisionRecord.signed_by,
            condition=episode_condition(DecisionRecord.episode_id),
            aid=DecisionRecord.aid_id,
            collaborate_answered=answered,
            collaborate_top_box=and_(answered, *(item == _TOP_BOX for item in items)),
        )
    ).where(
        DecisionRecord.status == RecordStatus.SIGNED.value,
        DecisionRecord.deleted.is_(False),
        DecisionRecord.signed_at.is_not(None),
    )


FACT_SOURCES = (
    FactSource(
        name="sdm_record",
        title="Shared decisions recorded",
        select=decision_facts,
        columns={"aid": "code", "collaborate_answered": "flag", "collaborate_top_box": "flag"},
    ),
)


def sign_problems(row: DecisionRecord) -> list[ValidationError]:
    """What, besides a required section, stops a decision record being signed.

    A choice (or "undecided"), who decided, and the language of an interpreter who took part.
    """
    problems: list[ValidationError] = []
    if row.choice is None:
        problems.append(ValidationError("decision.no_choice", field="choice"))
    if row.decision_maker is None:
        problems.append(ValidationError("decision.no_decision_maker", field="decision_maker"))
    interpreted = any(person.get("role") == "interpreter" for person in row.participants or ())
    if interpreted and not row.interpreter_language:
        problems.append(
            ValidationError("decision.interpreter_language", field="interpreter_language")
        )
    return problems


DECISION = register(
    RecordType(
        code=CODE,
        title="Shared decision",
        table=DecisionRecord,
        sections=SECTIONS,
        lifecycle=LIFECYCLE,
        signing=SigningPolicy.ALONE,
        # A signed record is never added to: a change of mind is a new record superseding it.
        addendum=AddendumPolicy.NEW_VERSION,
        # Everything recorded (``DecisionRecord.content``), whose record it is, who signed,
        # when and the sentence agreed to.
        digest_scheme="record-v1",
        required_code="decision.no_choice",
        describe=describe,
        attestations=ATTESTATIONS,
        letter_sections=letter_sections,
        measures=MEASURES,
        fact_sources=FACT_SOURCES,
        unfinished=unfinished,
        sign_problems=sign_problems,
    )
)
