"""A signed personalised care and support plan as its FHIR document.

The plan is read through the care plans domain's read model (:class:`CarePlanView`); nothing
here writes its table. Its parts go under the PRSB outpatient-letter headings (the mapping is
in docs/fhir/README.md); the mandatory headings are filled from the record as the letters'
assembly fills them, and an empty one says so in words. The attachment is the patient's
printed copy of the plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.care_plans.content import SafetyNets, SupportServices
from clinic_app.domains.care_plans.views import CarePlanView
from clinic_app.domains.letters.content import prsb_headings
from clinic_app.domains.letters.fhir.document import LetterDocument, SectionText
from clinic_app.domains.letters.fhir.from_letter import (
    ATTENDANCE_WORDS,
    author_of,
    episode_attendance,
    gp_practice_of,
    patient_details,
    service_of,
)
from clinic_app.domains.letters.rules import day
from clinic_app.kernel.reference import code_list
from clinic_app.kernel.staff import User, display_name
from clinic_app.kernel.vocabulary import AlertKind
from clinic_app.people.care import EpisodeOfCare
from clinic_app.people.model import GpPractice, Patient, PatientAlert
from clinic_app.people.nhs_number import format_nhs_number

#: What the document is, in words (its kind, and the end of its title).
PLAN_TITLE = "Personalised care and support plan"
#: The attachment's file title.
PDF_TITLE = "care_plan.pdf"


@contextmanager
def same_bytes_pdf() -> Iterator[None]:
    """Draw PDFs with no creation time and a fixed document id while inside.

    The plan's printed copy is drawn again for each document; without this, reportlab stamps
    the time into it and the same plan would give a different attachment every time.
    """
    from reportlab import rl_config  # noqa: PLC0415 - reportlab loads only when a PDF is drawn

    before = rl_config.invariant
    rl_config.invariant = True
    try:
        yield
    finally:
        rl_config.invariant = before


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _block(title: str, items: list[str]) -> str:
    """A titled list, one item a line; "" when there is nothing in it."""
    return _lines(title, *items) if items else ""


def _paragraphs(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


def _demographics(patient: Patient) -> str:
    return _lines(
        " ".join(p for p in (patient.title, patient.given_name, patient.family_name) if p),
        f"NHS number {format_nhs_number(patient.nhs_number)}"
        if patient.nhs_number
        else "NHS number not recorded",
        f"Born {day(patient.date_of_birth)}",
        ", ".join(p for p in (patient.address, patient.postcode) if p),
    )


def _gp(session: Session, patient: Patient) -> str:
    practice = session.get(GpPractice, patient.gp_practice_id) if patient.gp_practice_id else None
    if practice is None or practice.deleted:
        return ""
    return _lines(
        practice.name,
        ", ".join(p for p in (practice.address, practice.postcode) if p),
        f"ODS code {practice.ods_code}",
    )


def _allergies(session: Session, patient: Patient) -> str:
    alerts = session.scalars(
        select(PatientAlert)
        .where(
            PatientAlert.patient_id == patient.id,
            PatientAlert.kind == AlertKind.ALLERGY,
            PatientAlert.active.is_(True),
            PatientAlert.deleted.is_(False),
        )
        .order_by(PatientAlert.created_at, PatientAlert.id)
    ).all()
    return "\n".join(alert.text for alert in alerts)


def _summary(view: CarePlanView) -> str:
    plan = view.plan
    made = (
        f"Personalised care and support plan agreed with the patient, signed {day(view.signed_at)}."
    )
    if view.supersedes_id is not None:
        made += " It replaces the earlier version after a review."
    return _paragraphs(
        made,
        f"What matters to the patient, in their words: {plan.what_matters}"
        if plan.what_matters
        else "",
        f"Strengths and support: {plan.strengths}" if plan.strengths else "",
    )


def _plan(view: CarePlanView) -> str:
    plan = view.plan
    actions = []
    for action in plan.actions:
        who = f" ({action.who})" if action.who else ""
        by = f" by {day(action.by)}" if action.by else ""
        actions.append(f"{action.what}{who}{by}")
    follow_up = []
    if plan.pifu_months and view.pifu_ends_on:
        follow_up.append(
            f"Patient-initiated follow-up for {plan.pifu_months} months: the patient can book "
            f"straight back until {day(view.pifu_ends_on)}."
        )
    if plan.review_on:
        follow_up.append(f"Review: {day(plan.review_on)}.")
    contact = [plan.named_contact, plan.contact_route]
    return _paragraphs(
        _block("Goals, in the patient's own words:", [f'"{goal}"' for goal in plan.goals]),
        _block("Actions (who, by when):", actions),
        _lines(*follow_up),
        _block("Named contact:", [part for part in contact if part]),
    )


def _advice(view: CarePlanView, nets: SafetyNets, services: SupportServices) -> str:
    plan = view.plan
    warnings = [net.title for net_id in plan.safety_nets if (net := nets.get(net_id)) is not None]
    support = []
    for choice in plan.support_services:
        listed = services.get(choice.service_id) if choice.service_id else None
        support.append(": ".join(p for p in (listed.name if listed else "", choice.text) if p))
    return _paragraphs(
        f"Self-management: {plan.self_management}" if plan.self_management else "",
        f"In a flare: {plan.flare_plan}" if plan.flare_plan else "",
        f"When to seek help: {plan.seek_help}" if plan.seek_help else "",
        _block("Warning signs explained on the patient's copy:", warnings),
        _block("Support services:", [item for item in support if item]),
    )


def _requirements(view: CarePlanView) -> str:
    needs = code_list("accessible_information_need")
    languages = code_list("interpreter_language")
    lines = [
        f"Information needed as: {needs.label_for(need) or need}" for need in view.information_needs
    ]
    if view.language:
        lines.append(f"Language: {languages.label_for(view.language) or view.language}")
    return "\n".join(lines)


def _distribution(view: CarePlanView) -> str:
    given_by = view.plan.gp_consent_given_by or "patient"
    recorded = view.gp_consent_recorded_at
    on = f" on {day(recorded)}" if recorded is not None else ""
    return (
        "Copy to: the patient (their printed copy is attached).\n"
        f"Shared with the GP practice with the consent of the {given_by}, recorded{on}."
    )


def _texts(
    session: Session,
    view: CarePlanView,
    patient: Patient,
    *,
    nets: SafetyNets,
    services: SupportServices,
    site_name: str,
) -> dict[str, str]:
    plan = view.plan
    episode = session.get(EpisodeOfCare, view.episode_id) if view.episode_id else None
    signer = display_name(session, view.signed_by) if view.signed_by else ""
    seen = (
        f"Episode of care from {day(episode.started_on)}"
        + (f" to {day(episode.ended_on)}" if episode.ended_on else "")
        + "."
        if episode is not None
        else ""
    )
    made = (
        f"Plan made with the patient at {site_name}" if site_name else "Plan made with the patient"
    )
    treatments = [
        f"{t.treatment}: {t.outcome}" if t.outcome else t.treatment for t in plan.treatments
    ]
    return {
        "patient_demographics": _demographics(patient),
        "gp_practice": _gp(session, patient),
        "attendance_details": _lines(seen, f"{made} by {signer}." if signer else f"{made}."),
        "clinical_summary": _summary(view),
        "allergies": _allergies(session, patient),
        "person_completing_record": _lines(signer, site_name),
        "problems_and_issues": _block("Long-term conditions:", list(plan.conditions)),
        "history": _block("Treatments tried, and how they went:", treatments),
        "plan_and_requested_actions": _plan(view),
        "information_and_advice_given": _advice(view, nets, services),
        "individual_requirements": _requirements(view),
        "distribution_list": _distribution(view),
    }


def care_plan_document(
    session: Session,
    view: CarePlanView,
    pdf: bytes,
    site_id: object,
    *,
    nets: SafetyNets,
    services: SupportServices,
) -> LetterDocument:
    """The document values of a signed plan (the caller checks it is signed and current).

    Raises:
        LookupError: the plan's patient is not in the store.
    """
    patient = session.get(Patient, view.patient_id)
    if patient is None:
        raise LookupError("patient")
    service = service_of(session, site_id)
    signed_at: datetime = view.signed_at or view.created_at
    texts = _texts(session, view, patient, nets=nets, services=services, site_name=service.name)
    sections = []
    for heading in prsb_headings():
        words = texts.get(heading.key, "").strip()
        if words or heading.mandatory:
            sections.append(SectionText(heading.snomed, heading.title, words or heading.empty))
    return LetterDocument(
        letter_id=view.id,
        kind=PLAN_TITLE,
        title=f"{ATTENDANCE_WORDS}: {PLAN_TITLE}",
        signed_at=signed_at,
        patient=patient_details(patient),
        gp_practice=gp_practice_of(session, patient),
        service=service,
        author=author_of(session.get(User, view.signed_by) if view.signed_by else None),
        attendance=episode_attendance(
            session, view.episode_id, signed_at, f"{ATTENDANCE_WORDS}: {PLAN_TITLE.lower()}"
        ),
        sections=tuple(sections),
        pdf=pdf,
        pdf_title=PDF_TITLE,
    )
