"""The assessment as a record type: drafted and signed by its author, added to by notes."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from clinic_app.domains.assessments.model import Assessment, AssessmentAddendum
from clinic_app.domains.assessments.rules import SECTIONS, medicine_review_problems
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.vocabulary import AssessmentStatus, RecordStatus
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

#: Shown at signing and kept with the signed assessment.
ATTESTATIONS = {
    "sign": (
        "I assessed this patient and wrote this assessment, and it is a true record of the "
        "history and examination."
    ),
}

LIFECYCLE = Lifecycle(
    steps=(
        Step(
            "edit",
            statuses(RecordStatus.DRAFT),
            None,
            Action.ASSESSMENT_WRITE,
            (Check.STATUS, Check.AUTHOR),
            refused="assessment.signed",
        ),
        Step(
            "sign",
            statuses(RecordStatus.DRAFT),
            RecordStatus.SIGNED,
            Action.ASSESSMENT_SIGN,
            (Check.STATUS, Check.AUTHOR),
            refused="assessment.signed",
        ),
        Step(
            "amend",
            statuses(RecordStatus.SIGNED),
            None,
            Action.ASSESSMENT_SIGN,
            (Check.STATUS,),
            refused="assessment.not_signed",
        ),
    ),
    not_author="assessment.not_author",
)


def describe(row: Any) -> str:
    """E.g. "Assessment, signed, 3 March 2025"."""
    when = row.signed_at or row.created_at
    return ", ".join(
        words
        for words in ("Assessment", STATUS_WORDS.get(str(row.status), ""), day_words(when))
        if words
    )


def letter_sections(
    session: Session, patient_id: uuid.UUID, episode_id: uuid.UUID | None
) -> list[LetterSection]:
    """Each signed assessment's diagnosis, as a letter quotes it (drafts are never offered).

    The working diagnosis picked from the list, then the sections declared for letters.
    """
    query = select(Assessment).where(
        Assessment.patient_id == patient_id,
        Assessment.status == AssessmentStatus.SIGNED,
        Assessment.deleted.is_(False),
    )
    if episode_id is not None:
        query = query.where(Assessment.episode_id == episode_id)
    offered: list[LetterSection] = []
    for row in session.scalars(query.order_by(Assessment.signed_at)):
        picked = row.content.get("diagnosis") or {}
        label = str(picked.get("label") or "").strip() if isinstance(picked, dict) else ""
        words = [f"{ASSESSMENT.section('diagnosis_code').label}: {label}"] if label else []
        words += [
            f"{section.label}: {text}"
            for section in ASSESSMENT.text_sections
            if section.letter and (text := str(row.content.get(section.key) or "").strip())
        ]
        # What a signed addendum added or corrected since goes with it: a letter never
        # quotes a diagnosis without the correction signed after it.
        words += [
            f"Addendum, {day_words(added.signed_at)}: {added.text.strip()}"
            for added in session.scalars(
                select(AssessmentAddendum)
                .where(AssessmentAddendum.assessment_id == row.id)
                .order_by(AssessmentAddendum.signed_at)
            )
            if added.text.strip()
        ]
        if not words:
            continue
        offered.append(
            LetterSection(
                heading=f"Assessment, {day_words(row.signed_at)}",
                text="\n".join(words),
                record_type=ASSESSMENT.code,
                source_id=row.id,
                final=True,
                when=row.signed_at,
            )
        )
    return offered


def _assessments_signed(session: Session, start: datetime, end: datetime) -> float:
    return float(
        session.scalar(
            select(func.count(Assessment.id)).where(
                Assessment.status == AssessmentStatus.SIGNED,
                Assessment.deleted.is_(False),
                Assessment.signed_at >= start,
                Assessment.signed_at < end,
            )
        )
        or 0
    )


def unfinished(session: Session, patient_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Those of ``patient_ids`` with a draft assessment (one query for them all)."""
    if not patient_ids:
        return set()
    return set(
        session.scalars(
            select(Assessment.patient_id)
            .where(
                Assessment.patient_id.in_(list(patient_ids)),
                Assessment.status == AssessmentStatus.DRAFT,
                Assessment.deleted.is_(False),
            )
            .distinct()
        )
    )


MEASURES = (Measure("assessment.signed", "Assessments signed", "assessments", _assessments_signed),)


def episode_condition(episode_id: Any) -> Any:
    """The working diagnosis of an episode, for the figures' ``condition`` column.

    The diagnosis code (from resources/diagnoses) of the episode's latest signed assessment
    naming one, as a correlated value over ``episode_id``; NULL when there is none.
    """
    assessment = aliased(Assessment)
    code = assessment.content["diagnosis_code"].as_string()
    return (
        select(code)
        .where(
            assessment.episode_id == episode_id,
            assessment.status == AssessmentStatus.SIGNED,
            assessment.deleted.is_(False),
            code.is_not(None),
            code != "",
        )
        .order_by(assessment.signed_at.desc(), assessment.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def medicine_review_facts() -> Select[Any]:
    """One row per signed assessment listing an opioid or a gabapentinoid: was it reviewed.

    ``at`` is when it was signed, the clinician who signed it, the condition its own working
    diagnosis; ``outcome`` a code of resources/medicines/review_outcomes.json (NULL when not
    reviewed). The review is kept only while such a medicine is listed, and signing needs
    it answered, so its answer is what marks these assessments. Those signed before the
    question was asked have no answer and are not counted (their review was not recorded).
    """
    reviewed = Assessment.content[("medicine_review", "reviewed")].as_boolean()
    diagnosis = Assessment.content["diagnosis_code"].as_string()
    return select(
        *fact_columns(
            patient_id=Assessment.patient_id,
            at=Assessment.signed_at,
            clinician_id=Assessment.signed_by,
            condition=func.nullif(diagnosis, ""),
            reviewed=reviewed,
            outcome=Assessment.content[("medicine_review", "outcome")].as_string(),
        )
    ).where(
        Assessment.status == AssessmentStatus.SIGNED,
        Assessment.deleted.is_(False),
        Assessment.signed_at.is_not(None),
        reviewed.is_not(None),
    )


FACT_SOURCES = (
    FactSource(
        name="medicine_review",
        title="Assessments of patients taking an opioid or a gabapentinoid",
        select=medicine_review_facts,
        columns={"reviewed": "flag", "outcome": "code"},
    ),
)


ASSESSMENT = register(
    RecordType(
        code="assessment",
        title="Assessment",
        table=Assessment,
        sections=SECTIONS,
        lifecycle=LIFECYCLE,
        signing=SigningPolicy.ALONE,
        addendum=AddendumPolicy.NOTE,
        # Content only, as since the first release: every stored assessment digest still
        # checks. The attestation is kept beside it, not covered by it.
        digest_scheme="content-v1",
        required_code="assessment.required_to_sign",
        describe=describe,
        attestations=ATTESTATIONS,
        letter_sections=letter_sections,
        measures=MEASURES,
        fact_sources=FACT_SOURCES,
        unfinished=unfinished,
        sign_problems=lambda row: medicine_review_problems(row.content),
    )
)
