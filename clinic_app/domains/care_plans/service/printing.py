"""The patient's copy of a plan: its words gathered from the plan and the patient's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from clinic_app.domains.care_plans.content import SafetyNets, SupportServices
from clinic_app.domains.care_plans.model import CarePlan
from clinic_app.domains.care_plans.pdf import CopyAction, PlanCopy, care_plan_pdf
from clinic_app.kernel.errors import NotFound
from clinic_app.kernel.reference import code_list
from clinic_app.kernel.staff import display_name
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.people.duplicates import survivor_of
from clinic_app.people.model import Patient
from clinic_app.people.nhs_number import format_nhs_number

#: The accessible-information need that asks for large print (as the patient's record keeps it).
LARGE_PRINT = "large_print"


@dataclass(frozen=True)
class PrintableCopy:
    """A copy ready to render, read while the unit of work was open."""

    copy: PlanCopy

    def render(self) -> bytes:
        """The PDF (reportlab runs outside the store's transaction)."""
        return care_plan_pdf(self.copy)


def _needs_words(row: CarePlan, patient: Patient) -> tuple[str, ...]:
    notes: list[str] = []
    needs = list(patient.accessible_information_needs or [])
    others = [need for need in needs if need != LARGE_PRINT]
    if others:
        labels = code_list("accessible_information_need")
        named = ", ".join((labels.label_for(need) or need).lower() for need in others)
        notes.append(f"Your record says you need information as: {named}. Ask us for it.")
    language = patient.interpreter_language if patient.interpreter_needed else row.language
    if language:
        name = code_list("interpreter_language").label_for(language) or language
        notes.append(
            f"Your record says you prefer {name}. Ask us for an interpreter to go through this "
            "plan with you."
        )
    return tuple(notes)


def copy_for_patient(
    session: Session, row: CarePlan, nets: SafetyNets, services: SupportServices
) -> PrintableCopy:
    """The copy of ``row`` for its patient, the name and needs read from their record here.

    The record is the one standing for the plan's patient now: a plan made under a
    registration since merged into another record is printed with that record's details.

    Raises:
        NotFound: ``patient.not_found``.
    """
    patient = session.get(Patient, survivor_of(session, row.patient_id))
    if patient is None or patient.deleted:
        raise NotFound("patient.not_found")
    signed = row.status == RecordStatus.SIGNED
    support = []
    for choice in row.support_services:
        listed = services.get(choice["service_id"]) if choice.get("service_id") else None
        words = [part for part in (listed.name if listed else "", choice.get("text", "")) if part]
        support.append(": ".join(words))
    made = row.signed_at if signed and row.signed_at else row.created_at
    copy = PlanCopy(
        patient_name=f"{patient.family_name.upper()}, {patient.given_name}",
        nhs_number=format_nhs_number(patient.nhs_number) if patient.nhs_number else "",
        date_of_birth=patient.date_of_birth,
        clinician=display_name(session, row.signed_by or row.created_by),
        made_on=made.date() if made else date.today(),
        final=signed,
        goals=tuple(row.goals),
        actions=tuple(
            CopyAction(
                str(a.get("what", "")),
                str(a.get("who", "")),
                date.fromisoformat(a["by"]) if a.get("by") else None,
            )
            for a in row.actions
        ),
        what_matters=row.what_matters,
        strengths=row.strengths,
        conditions=tuple(row.conditions),
        treatments=tuple((t.get("treatment", ""), t.get("outcome", "")) for t in row.treatments),
        self_management=row.self_management,
        flare_plan=row.flare_plan,
        seek_help=row.seek_help,
        safety_nets=tuple(net for net_id in row.safety_nets if (net := nets.get(net_id))),
        support=tuple(support),
        named_contact=row.named_contact,
        contact_route=row.contact_route,
        pifu_months=row.pifu_months,
        pifu_ends_on=row.pifu_ends_on,
        review_on=row.review_on,
        consent_to_gp=row.gp_consent,
        needs=_needs_words(row, patient),
        large_print=LARGE_PRINT in (patient.accessible_information_needs or []),
    )
    return PrintableCopy(copy)
