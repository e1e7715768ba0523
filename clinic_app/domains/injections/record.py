"""The injection record as a record type: drafted at the bedside, signed, added to by notes."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, cast, func, or_, select
from sqlalchemy.orm import Session

from clinic_app.domains.assessments.record import episode_condition
from clinic_app.domains.injections.content import injection_content
from clinic_app.domains.injections.model import InjectionRecord
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

CODE = "injection"

#: Shown at signing and kept with the signed record.
ATTESTATIONS = {
    "sign": (
        "I gave this injection under the authority recorded, after the checks and the "
        "discussion of risks recorded here, and this is a true record of what was given."
    ),
}

#: Its parts, in order. All are structured (the injection screen has its own widgets).
SECTIONS: tuple[Section, ...] = (
    Section("performed_on", "Date", SectionKind.STRUCTURED, required=True),
    Section("target", "Site", SectionKind.STRUCTURED, required=True, letter=True),
    Section("side", "Side", SectionKind.STRUCTURED, required=True, letter=True),
    Section("approach", "Approach", SectionKind.STRUCTURED),
    Section("guidance", "Guidance", SectionKind.STRUCTURED, required=True, letter=True),
    Section("authority_kind", "Authority", SectionKind.STRUCTURED, required=True),
    Section("consent_risks", "Risks discussed", SectionKind.STRUCTURED, required=True),
    Section("checklist", "Checks before injecting", SectionKind.STRUCTURED, required=True),
    Section("drugs", "Drugs given", SectionKind.STRUCTURED, required=True, letter=True),
    Section("aspirate", "Aspirate", SectionKind.STRUCTURED, letter=True),
    Section("immediate_reaction", "Immediate reaction", SectionKind.STRUCTURED),
    Section("observation_minutes", "Observed for (minutes)", SectionKind.STRUCTURED),
    Section("aftercare_given", "Aftercare advice given", SectionKind.STRUCTURED, letter=True),
    Section("steroid_card_considered", "Steroid emergency card", SectionKind.STRUCTURED),
    Section("review_date", "Review", SectionKind.STRUCTURED, letter=True),
)

LIFECYCLE = Lifecycle(
    steps=(
        Step(
            "edit",
            statuses(RecordStatus.DRAFT),
            None,
            Action.INJECTION_RECORD,
            (Check.STATUS, Check.AUTHOR),
            refused="injection.signed",
        ),
        Step(
            "sign",
            statuses(RecordStatus.DRAFT),
            RecordStatus.SIGNED,
            Action.INJECTION_SIGN,
            (Check.STATUS, Check.AUTHOR),
            refused="injection.signed",
        ),
        # A later fact (a culture result, a reaction the next day) is a signed addendum.
        Step(
            "amend",
            statuses(RecordStatus.SIGNED),
            None,
            Action.INJECTION_SIGN,
            (Check.STATUS,),
            refused="injection.not_signed",
        ),
    ),
    not_author="injection.not_author",
)


def target_title(target_id: str | None) -> str:
    """The target in words (its id when the shipped targets no longer have it)."""
    if target_id is None:
        return ""
    target = injection_content().targets.target(target_id)
    return target.title if target is not None else target_id


def product_name(product_id: str) -> str:
    """The product in words (its id when the formulary no longer has it)."""
    product = injection_content().formulary.product(product_id)
    return product.name if product is not None else product_id


def describe(row: Any) -> str:
    """E.g. "Injection, signed, 3 March 2027"."""
    when = row.signed_at or row.created_at
    words = ("Injection", STATUS_WORDS.get(str(row.status), ""), day_words(when))
    return ", ".join(part for part in words if part)


def site_words(row: Any) -> str:
    """E.g. "Knee joint, left"."""
    parts = [target_title(row.target), row.side or ""]
    return ", ".join(p for p in parts if p)


def drug_words(drug: dict[str, Any]) -> str:
    """E.g. "Methylprednisolone acetate 40 mg/mL (Depo-Medrone) 40 mg (1 mL)"."""
    return f"{product_name(str(drug.get('product_id')))} {drug.get('mg')} mg ({drug.get('ml')} mL)"


def letter_sections(
    session: Session, patient_id: uuid.UUID, episode_id: uuid.UUID | None
) -> list[LetterSection]:
    """Each signed injection: where, how guided, what was given, the review (no draft)."""
    query = select(InjectionRecord).where(
        InjectionRecord.patient_id == patient_id,
        InjectionRecord.status == RecordStatus.SIGNED.value,
        InjectionRecord.deleted.is_(False),
    )
    if episode_id is not None:
        query = query.where(InjectionRecord.episode_id == episode_id)
    offered: list[LetterSection] = []
    for row in session.scalars(query.order_by(InjectionRecord.signed_at, InjectionRecord.id)):
        words = [f"Site: {site_words(row)}"]
        if row.guidance:
            words.append(f"Guidance: {row.guidance}")
        if row.drugs:
            words.append("Given: " + "; ".join(drug_words(d) for d in row.drugs))
        if row.aspirate:
            words.append(f"Aspirated: {row.aspirate.get('volume_ml')} mL")
        if row.review_date:
            words.append(f"Review: {day_words(row.review_date)}")
        offered.append(
            LetterSection(
                heading=f"Injection, {day_words(row.performed_on or row.signed_at)}",
                text="\n".join(words),
                record_type=CODE,
                source_id=row.id,
                final=True,
                when=row.signed_at,
            )
        )
    return offered


def unfinished(session: Session, patient_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """The patients among ``patient_ids`` with an injection record still a draft."""
    if not patient_ids:
        return set()
    return set(
        session.scalars(
            select(InjectionRecord.patient_id)
            .where(
                InjectionRecord.patient_id.in_(list(patient_ids)),
                InjectionRecord.status == RecordStatus.DRAFT.value,
                InjectionRecord.deleted.is_(False),
            )
            .distinct()
        )
    )


def _signed(session: Session, start: datetime, end: datetime) -> float:
    return float(
        session.scalar(
            select(func.count(InjectionRecord.id)).where(
                InjectionRecord.status == RecordStatus.SIGNED.value,
                InjectionRecord.deleted.is_(False),
                InjectionRecord.signed_at >= start,
                InjectionRecord.signed_at < end,
            )
        )
        or 0
    )


MEASURES = (Measure("injection.signed", "Injections given", "records", _signed),)

#: The warnings whose acknowledgement makes a repeat injection, as the checks raise them.
REPEAT_WARNINGS: tuple[str, ...] = ("repeat_too_soon", "too_many_at_site")


def repeat_raised() -> Any:
    """True for a record holding an acknowledgement of a repeat warning.

    Acknowledgements are kept as a JSON list of ``{"code", "by", "at"}``: the text of the
    list names the code in quotes exactly when it was acknowledged (no other value is a code).
    """
    text = cast(InjectionRecord.acknowledgements, Text)
    return or_(*(text.contains(f'"{code}"', autoescape=True) for code in REPEAT_WARNINGS))


def injection_facts() -> Select[Any]:
    """One row per signed injection: its target, an immediate reaction, a repeat, an aid.

    ``at`` is when it was signed, the clinician who signed it. A complication is an
    immediate reaction recorded on the record; a repeat raised and had acknowledged a
    repeat warning; ``with_decision_aid`` names the SDM record that led to it.
    """
    return select(
        *fact_columns(
            patient_id=InjectionRecord.patient_id,
            at=InjectionRecord.signed_at,
            clinician_id=InjectionRecord.signed_by,
            condition=episode_condition(InjectionRecord.episode_id),
            target=InjectionRecord.target,
            immediate_reaction=(InjectionRecord.immediate_reaction != ""),
            repeat=repeat_raised(),
            with_decision_aid=InjectionRecord.sdm_record_id.is_not(None),
        )
    ).where(
        InjectionRecord.status == RecordStatus.SIGNED.value,
        InjectionRecord.deleted.is_(False),
        InjectionRecord.signed_at.is_not(None),
    )


FACT_SOURCES = (
    FactSource(
        name="injection",
        title="Injections given",
        select=injection_facts,
        columns={
            "target": "code",
            "immediate_reaction": "flag",
            "repeat": "flag",
            "with_decision_aid": "flag",
        },
    ),
)


def sign_problems(row: InjectionRecord) -> list[ValidationError]:
    """What, besides a required section, stops an injection record being signed.

    Each drug's batch and expiry, every safety check answered once any is, the authority's
    particulars (a PGD and its version, or the prescriber of a PSD), the images of an
    ultrasound-guided injection, and the anticoagulant of an anticoagulated patient.
    """
    problems: list[ValidationError] = []
    for index, drug in enumerate(row.drugs or ()):
        if not drug.get("batch"):
            problems.append(
                ValidationError("injection.batch_required", field=f"drugs.{index}.batch")
            )
        if not drug.get("expiry"):
            problems.append(
                ValidationError("injection.expiry_required", field=f"drugs.{index}.expiry")
            )
    checklist = row.checklist or {}
    for item in injection_content().checklist.ids:
        if checklist and item not in checklist:
            problems.append(
                ValidationError("injection.check_unanswered", field=f"checklist.{item}")
            )
    if row.authority_kind == "pgd" and (row.pgd_id is None or not row.pgd_version):
        problems.append(ValidationError("injection.pgd_required", field="pgd_id"))
    if row.authority_kind == "psd" and not row.prescriber_name:
        problems.append(ValidationError("injection.prescriber_required", field="prescriber_name"))
    if row.guidance == "ultrasound" and row.imaging_study_id is None:
        problems.append(ValidationError("injection.images_required", field="imaging_study_id"))
    if checklist.get("anticoagulated") == "yes" and row.anticoagulant is None:
        problems.append(ValidationError("injection.anticoagulant_required", field="anticoagulant"))
    return problems


INJECTION = register(
    RecordType(
        code=CODE,
        title="Injection",
        table=InjectionRecord,
        sections=SECTIONS,
        lifecycle=LIFECYCLE,
        signing=SigningPolicy.ALONE,
        addendum=AddendumPolicy.NOTE,
        # Everything recorded (``InjectionRecord.content``: the drugs with their batches and
        # expiries, the checks and the acknowledgements), whose record it is, who signed,
        # when and the sentence agreed to.
        digest_scheme="record-v1",
        required_code="injection.required_to_sign",
        describe=describe,
        attestations=ATTESTATIONS,
        letter_sections=letter_sections,
        measures=MEASURES,
        sign_problems=sign_problems,
        fact_sources=FACT_SOURCES,
        unfinished=unfinished,
    )
)
