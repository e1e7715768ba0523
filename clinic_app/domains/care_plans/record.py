"""The personalised care and support plan as a record type: drafted with the patient, signed.

Its sections follow NHS England's personalised care and support planning (what matters, goals,
actions, conditions and treatments, self-management and safety net, support, contact and the
way back in, review, consent to share, format and language).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.care_plans.model import CarePlan
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.records.lifecycle import Check, Lifecycle, Step, statuses
from clinic_app.records.offers import LetterSection
from clinic_app.records.registry import (
    STATUS_WORDS,
    AddendumPolicy,
    RecordType,
    SigningPolicy,
    day_words,
    register,
)
from clinic_app.records.sections import Section, SectionKind

CODE = "care_plan"

ATTESTATIONS = {
    "sign": (
        "I made this plan with the patient, the goals are in their own words, and they agreed "
        "to the actions, the way back in and whether it is shared with their GP."
    ),
}

_S = SectionKind.STRUCTURED

SECTIONS: tuple[Section, ...] = (
    Section("what_matters", "What matters to me", _S, letter=True),
    Section("strengths", "My strengths and support", _S),
    Section("goals", "My goals", _S, required=True, letter=True),
    Section("actions", "Actions: what, who and by when", _S, letter=True),
    Section("conditions", "Long-term conditions", _S, letter=True),
    Section("treatments", "Treatments tried and how they went", _S, letter=True),
    Section("self_management", "Managing day to day", _S, letter=True),
    Section("flare_plan", "What to do in a flare", _S, letter=True),
    Section("seek_help", "When to seek help", _S, letter=True),
    Section("safety_nets", "Warning signs", _S),
    Section("support_services", "Support services", _S, letter=True),
    Section("named_contact", "Named contact", _S, letter=True),
    Section("pifu_months", "Booking straight back (patient-initiated follow-up)", _S, letter=True),
    Section("review_on", "Review date", _S, letter=True),
    Section("gp_consent", "Consent to share with the GP", _S, prints=False),
    Section("information_needs", "Format and language", _S, prints=False),
)

LIFECYCLE = Lifecycle(
    steps=(
        Step(
            "edit",
            statuses(RecordStatus.DRAFT),
            None,
            Action.CARE_PLAN_RECORD,
            (Check.STATUS, Check.AUTHOR),
            refused="care_plan.signed",
        ),
        Step(
            "sign",
            statuses(RecordStatus.DRAFT),
            RecordStatus.SIGNED,
            Action.CARE_PLAN_SIGN,
            (Check.STATUS, Check.AUTHOR),
            refused="care_plan.signed",
        ),
        # A review starts a new version from a signed one; the signed one is kept as it is.
        Step(
            "review",
            statuses(RecordStatus.SIGNED),
            None,
            Action.CARE_PLAN_RECORD,
            (Check.STATUS,),
            refused="care_plan.not_signed",
        ),
    ),
    not_author="care_plan.not_author",
)


def describe(row: Any) -> str:
    """E.g. "Care plan, signed, 3 March 2027"."""
    when = row.signed_at or row.created_at
    words = ("Care plan", STATUS_WORDS.get(str(row.status), ""), day_words(when))
    return ", ".join(part for part in words if part)


def _current(rows: list[CarePlan]) -> list[CarePlan]:
    replaced = {row.supersedes_id for row in rows if row.supersedes_id is not None}
    return [row for row in rows if row.id not in replaced]


def _day_of(stored: object) -> str:
    """An action's date as letters write dates ("2 January 2027"); text kept as it is."""
    try:
        return day_words(date.fromisoformat(str(stored)))
    except ValueError:
        return str(stored)


def letter_sections(
    session: Session, patient_id: uuid.UUID, episode_id: uuid.UUID | None
) -> list[LetterSection]:
    """The current signed plan's goals and actions (a draft or a replaced version never).

    Only a plan the patient agreed to share with their GP: every letter goes to the GP (a
    letter to the patient says a copy goes there), so a plan they asked to keep from the GP
    is never quoted in one. The plan itself is printed for the patient from its own screen.
    """
    query = select(CarePlan).where(
        CarePlan.patient_id == patient_id,
        CarePlan.status == RecordStatus.SIGNED.value,
        CarePlan.deleted.is_(False),
    )
    if episode_id is not None:
        query = query.where(CarePlan.episode_id == episode_id)
    offered: list[LetterSection] = []
    for row in _current(list(session.scalars(query.order_by(CarePlan.signed_at, CarePlan.id)))):
        if row.gp_consent is not True:
            continue  # the current plan is one to keep from the GP (an older one is replaced)
        lines = [f"Goal, in the patient's words: {goal}" for goal in row.goals]
        for action in row.actions:
            by = f" by {_day_of(action['by'])}" if action.get("by") else ""
            who = f" ({action['who']})" if action.get("who") else ""
            lines.append(f"Action: {action.get('what', '')}{who}{by}")
        if row.pifu_months and row.pifu_ends_on:
            lines.append(
                f"Patient-initiated follow-up: can book straight back until "
                f"{day_words(row.pifu_ends_on)}"
            )
        if row.review_on:
            lines.append(f"Review: {day_words(row.review_on)}")
        offered.append(
            LetterSection(
                heading=f"Personalised care and support plan, {day_words(row.signed_at)}",
                text="\n".join(lines),
                record_type=CODE,
                source_id=row.id,
                final=True,
                when=row.signed_at,
            )
        )
    return offered


def unfinished(session: Session, patient_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """The patients among ``patient_ids`` with a care plan still a draft."""
    if not patient_ids:
        return set()
    return set(
        session.scalars(
            select(CarePlan.patient_id)
            .where(
                CarePlan.patient_id.in_(list(patient_ids)),
                CarePlan.status == RecordStatus.DRAFT.value,
                CarePlan.deleted.is_(False),
            )
            .distinct()
        )
    )


CARE_PLAN = register(
    RecordType(
        code=CODE,
        title="Care plan",
        table=CarePlan,
        sections=SECTIONS,
        lifecycle=LIFECYCLE,
        signing=SigningPolicy.ALONE,
        # A signed plan is never added to: a review is a new version replacing it.
        addendum=AddendumPolicy.NEW_VERSION,
        digest_scheme="record-v1",
        required_code="care_plan.no_goals",
        describe=describe,
        attestations=ATTESTATIONS,
        letter_sections=letter_sections,
        unfinished=unfinished,
    )
)
