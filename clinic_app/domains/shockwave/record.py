"""The shockwave course and its sessions as record types.

A course stays a draft while its sessions are given and is closed by signing it with the
follow-up scores; each session is its own record, signed when given and never changed after.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from clinic_app.domains.questionnaires.content import ALL_QUESTIONNAIRES, questionnaire
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.shockwave.content import shockwave_content
from clinic_app.domains.shockwave.model import EswtCourse, EswtSession
from clinic_app.domains.shockwave.views import OutcomeChange, ScoreChange
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.people.duplicates import identities_of
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

COURSE_CODE = "eswt_course"
SESSION_CODE = "eswt_session"

COURSE_ATTESTATIONS = {
    "sign": (
        "I close this course of shockwave therapy with the follow-up scores recorded here, and "
        "this is a true record of it."
    ),
}
SESSION_ATTESTATIONS = {
    "sign": (
        "I gave this session of shockwave therapy with the settings recorded here, after the "
        "checks recorded, and this is a true record of it."
    ),
}

COURSE_SECTIONS: tuple[Section, ...] = (
    Section("indication", "Indication", SectionKind.STRUCTURED, required=True, letter=True),
    Section("side", "Side", SectionKind.STRUCTURED, required=True, letter=True),
    Section("planned_sessions", "Sessions planned", SectionKind.STRUCTURED, required=True),
    Section("eswt_device_id", "Device", SectionKind.STRUCTURED, required=True),
    Section("governance", "Governance", SectionKind.STRUCTURED, required=True),
    Section("contraindications", "Contraindications", SectionKind.STRUCTURED, required=True),
    Section("outcome_before", "Scores before", SectionKind.STRUCTURED, required=True, letter=True),
    Section("outcome_after", "Scores after", SectionKind.STRUCTURED, required=True, letter=True),
)

SESSION_SECTIONS: tuple[Section, ...] = (
    Section("number", "Session", SectionKind.STRUCTURED, required=True),
    Section("performed_on", "Date", SectionKind.STRUCTURED, required=True),
    Section("device_serial", "Device", SectionKind.STRUCTURED, required=True),
    Section("applicator", "Applicator", SectionKind.STRUCTURED, required=True),
    Section("frequency_hz", "Frequency (Hz)", SectionKind.STRUCTURED, required=True),
    Section("pulses", "Pulses", SectionKind.STRUCTURED, required=True),
    Section("target", "Target", SectionKind.STRUCTURED, required=True),
    Section("ultrasound_guided", "Ultrasound-guided", SectionKind.STRUCTURED),
    Section("local_anaesthetic", "Local anaesthetic", SectionKind.STRUCTURED),
    Section("pain_during", "Pain during (0-10)", SectionKind.STRUCTURED),
    Section("side_effects", "Side effects", SectionKind.STRUCTURED),
)

COURSE_LIFECYCLE = Lifecycle(
    steps=(
        Step(
            "edit",
            statuses(RecordStatus.DRAFT),
            None,
            Action.ESWT_RECORD,
            (Check.STATUS, Check.AUTHOR),
            refused="eswt.course_closed",
        ),
        Step(
            "sign",
            statuses(RecordStatus.DRAFT),
            RecordStatus.SIGNED,
            Action.ESWT_SIGN,
            (Check.STATUS, Check.AUTHOR),
            refused="eswt.course_closed",
        ),
    ),
    not_author="eswt.not_author",
)

SESSION_LIFECYCLE = Lifecycle(
    steps=(
        Step(
            "edit",
            statuses(RecordStatus.DRAFT),
            None,
            Action.ESWT_RECORD,
            (Check.STATUS, Check.AUTHOR),
            refused="eswt.session_signed",
        ),
        Step(
            "sign",
            statuses(RecordStatus.DRAFT),
            RecordStatus.SIGNED,
            Action.ESWT_SIGN,
            (Check.STATUS, Check.AUTHOR),
            refused="eswt.session_signed",
        ),
    ),
    not_author="eswt.not_author",
)


def indication_title(indication_id: str | None) -> str:
    """The indication in words (its id when the shipped indications no longer have it)."""
    if indication_id is None:
        return ""
    found = shockwave_content().indications.indication(indication_id)
    return found.title if found is not None else indication_id


def describe_course(row: Any) -> str:
    """E.g. "Shockwave course, draft, 3 March 2027"."""
    when = row.signed_at or row.created_at
    words = ("Shockwave course", STATUS_WORDS.get(str(row.status), ""), day_words(when))
    return ", ".join(part for part in words if part)


def describe_session(row: Any) -> str:
    """E.g. "Shockwave session 2, signed, 10 March 2027"."""
    title = f"Shockwave session {row.number}" if row.number else "Shockwave session"
    words = (title, STATUS_WORDS.get(str(row.status), ""), day_words(row.performed_on))
    return ", ".join(part for part in words if part)


def course_words(row: Any) -> str:
    """E.g. "Refractory plantar fasciitis, left, 3 sessions planned"."""
    parts = [indication_title(row.indication), row.side or ""]
    if row.planned_sessions:
        parts.append(f"{row.planned_sessions} sessions planned")
    return ", ".join(p for p in parts if p)


def _responses(stored: Mapping[str, Any] | None) -> list[uuid.UUID]:
    return [uuid.UUID(r) for r in (stored or {}).get("responses") or ()]


def _measure(questionnaire_id: str) -> tuple[str, bool | None]:
    """A questionnaire's name and which way is better ("" and None for one not shipped)."""
    if questionnaire_id not in ALL_QUESTIONNAIRES:
        return "", None
    definition = questionnaire(questionnaire_id)
    return definition.title, definition.higher_is_better


def outcome_change(session: Session, row: EswtCourse) -> OutcomeChange:
    """Pain before -> after, then each questionnaire answered before or after (its totals)."""
    before, after = row.outcome_before or {}, row.outcome_after or {}
    changes = [ScoreChange("pain_nrs", before.get("pain_nrs"), after.get("pain_nrs"))]
    first_ids, last_ids = _responses(before), _responses(after)
    ids = first_ids + last_ids
    rows = (
        {
            r.id: r
            for r in session.scalars(
                select(QuestionnaireResponse).where(
                    QuestionnaireResponse.id.in_(ids),
                    # Only this patient's responses were ever accepted (under any of their
                    # registrations, merged ones too); read as such too.
                    QuestionnaireResponse.patient_id.in_(identities_of(session, row.patient_id)),
                )
            )
        }
        if ids
        else {}
    )

    def totals(responses: Sequence[uuid.UUID]) -> dict[str, int | None]:
        found: dict[str, int | None] = {}
        for response in responses:
            stored = rows.get(response)
            if stored is not None:
                found[stored.questionnaire_id] = stored.total
        return found

    first, last = totals(first_ids), totals(last_ids)
    for answered in sorted(set(first) | set(last)):
        title, higher_is_better = _measure(answered)
        changes.append(
            ScoreChange(answered, first.get(answered), last.get(answered), title, higher_is_better)
        )
    return OutcomeChange(tuple(changes))


def change_lines(change: OutcomeChange) -> list[str]:
    """Each score before -> after in words, pain first.

    E.g. "Pain (0-10): 7 -> 3", then
    "Musculoskeletal Health Questionnaire (MSK-HQ): 28 -> 41 (higher scores are better)".
    """
    lines: list[str] = []
    for item in change.changes:
        if item.measure == "pain_nrs":
            lines.append(f"Pain (0-10): {item.words}")
            continue
        line = f"{item.title or item.measure}: {item.words}"
        if item.higher_is_better is not None:
            better = "higher" if item.higher_is_better else "lower"
            line += f" ({better} scores are better)"
        lines.append(line)
    return lines


def letter_sections(
    session: Session, patient_id: uuid.UUID, episode_id: uuid.UUID | None
) -> list[LetterSection]:
    """Each closed course: what it treated, the sessions given and its scores before -> after.

    The scores are pain, then each questionnaire chosen before the course or at its follow-up.
    """
    query = select(EswtCourse).where(
        EswtCourse.patient_id == patient_id,
        EswtCourse.status == RecordStatus.SIGNED.value,
        EswtCourse.deleted.is_(False),
    )
    if episode_id is not None:
        query = query.where(EswtCourse.episode_id == episode_id)
    offered: list[LetterSection] = []
    for row in session.scalars(query.order_by(EswtCourse.signed_at, EswtCourse.id)):
        given = session.scalar(
            select(func.count(EswtSession.id)).where(
                EswtSession.course_id == row.id,
                EswtSession.status == RecordStatus.SIGNED.value,
                EswtSession.deleted.is_(False),
            )
        )
        words = [
            f"Treated: {course_words(row)}",
            f"Sessions given: {given or 0}",
            *change_lines(outcome_change(session, row)),
        ]
        offered.append(
            LetterSection(
                heading=f"Shockwave therapy, closed {day_words(row.signed_at)}",
                text="\n".join(words),
                record_type=COURSE_CODE,
                source_id=row.id,
                final=True,
                when=row.signed_at,
            )
        )
    return offered


def unfinished_sessions(session: Session, patient_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """The patients among ``patient_ids`` with a shockwave session still a draft."""
    if not patient_ids:
        return set()
    return set(
        session.scalars(
            select(EswtSession.patient_id)
            .where(
                EswtSession.patient_id.in_(list(patient_ids)),
                EswtSession.status == RecordStatus.DRAFT.value,
                EswtSession.deleted.is_(False),
            )
            .distinct()
        )
    )


def _sessions_signed(session: Session, start: datetime, end: datetime) -> float:
    return float(
        session.scalar(
            select(func.count(EswtSession.id)).where(
                EswtSession.status == RecordStatus.SIGNED.value,
                EswtSession.deleted.is_(False),
                EswtSession.signed_at >= start,
                EswtSession.signed_at < end,
            )
        )
        or 0
    )


def course_facts() -> Select[Any]:
    """One row per closed course: its indication, and pain (0-10) before and after.

    ``at`` is when it was closed (signed), the clinician who closed it; the condition is its
    indication. The change is after minus before (below zero: less pain), NULL unless both
    scores were recorded.
    """
    before = EswtCourse.outcome_before["pain_nrs"].as_integer()
    after = EswtCourse.outcome_after["pain_nrs"].as_integer()
    return select(
        *fact_columns(
            patient_id=EswtCourse.patient_id,
            at=EswtCourse.signed_at,
            clinician_id=EswtCourse.signed_by,
            condition=EswtCourse.indication,
            indication=EswtCourse.indication,
            pain_before=before,
            pain_after=after,
            pain_change=(after - before),
            with_decision_aid=EswtCourse.sdm_record_id.is_not(None),
        )
    ).where(
        EswtCourse.status == RecordStatus.SIGNED.value,
        EswtCourse.deleted.is_(False),
        EswtCourse.signed_at.is_not(None),
    )


COURSE_FACTS = (
    FactSource(
        name="eswt_course",
        title="Shockwave courses closed",
        select=course_facts,
        columns={
            "indication": "code",
            "pain_before": "number",
            "pain_after": "number",
            "pain_change": "number",
            "with_decision_aid": "flag",
        },
    ),
)


COURSE = register(
    RecordType(
        code=COURSE_CODE,
        title="Shockwave course",
        table=EswtCourse,
        sections=COURSE_SECTIONS,
        lifecycle=COURSE_LIFECYCLE,
        signing=SigningPolicy.ALONE,
        addendum=AddendumPolicy.NOTE,
        # Everything recorded (``EswtCourse.content``), whose record it is, who closed it,
        # when and the sentence agreed to.
        digest_scheme="record-v1",
        required_code="eswt.required_to_close",
        describe=describe_course,
        attestations=COURSE_ATTESTATIONS,
        letter_sections=letter_sections,
        fact_sources=COURSE_FACTS,
    )
)

SESSION = register(
    RecordType(
        code=SESSION_CODE,
        title="Shockwave session",
        table=EswtSession,
        sections=SESSION_SECTIONS,
        lifecycle=SESSION_LIFECYCLE,
        signing=SigningPolicy.ALONE,
        addendum=AddendumPolicy.NOTE,
        digest_scheme="record-v1",
        required_code="eswt.required_to_sign",
        describe=describe_session,
        attestations=SESSION_ATTESTATIONS,
        measures=(
            Measure(
                "eswt.sessions_signed", "Shockwave sessions given", "records", _sessions_signed
            ),
        ),
        unfinished=unfinished_sessions,
    )
)
