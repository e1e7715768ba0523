"""Open patient-initiated follow-up windows, and those about to lapse."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.care_plans.model import CarePlan
from clinic_app.domains.care_plans.rules import PifuRules, about_to_lapse, days_left, is_open
from clinic_app.domains.care_plans.views import PifuWindow
from clinic_app.kernel.staff import display_name
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.people.duplicates import identities_among
from clinic_app.people.model import Patient
from clinic_app.people.nhs_number import format_nhs_number


def open_windows(
    session: Session,
    on: date,
    rules: PifuRules,
    *,
    signer: uuid.UUID | None,
    everyone: bool,
) -> list[PifuWindow]:
    """The windows open on ``on`` of current signed plans, ending soonest first.

    ``signer`` keeps the plans one clinician signed, unless ``everyone``. A plan replaced by
    a signed review no longer holds a window: the review's own window counts instead.
    """
    query = (
        select(CarePlan, Patient)
        .join(Patient, Patient.id == CarePlan.patient_id)
        .where(
            CarePlan.status == RecordStatus.SIGNED.value,
            CarePlan.deleted.is_(False),
            Patient.deleted.is_(False),
            CarePlan.pifu_ends_on.is_not(None),
            CarePlan.pifu_ends_on >= on,
        )
    )
    if not everyone:
        query = query.where(CarePlan.signed_by == signer)
    found = session.execute(query).all()
    replaced = set(
        session.scalars(
            select(CarePlan.supersedes_id).where(
                CarePlan.supersedes_id.in_([plan.id for plan, _patient in found]),
                CarePlan.status == RecordStatus.SIGNED.value,
                CarePlan.deleted.is_(False),
            )
        )
    )
    # A plan made under a registration since merged into another record is that record's
    # patient's: listed under the surviving record's name and number, and opening it opens it.
    survivors = {
        patient_id: registrations[0]
        for patient_id, registrations in identities_among(
            session, {patient.id for _plan, patient in found}
        ).items()
    }
    surviving = sorted(
        {survivor for patient_id, survivor in survivors.items() if survivor != patient_id}
    )
    standing = (
        {row.id: row for row in session.scalars(select(Patient).where(Patient.id.in_(surviving)))}
        if surviving
        else {}
    )
    names: dict[uuid.UUID | None, str] = {}
    windows: list[PifuWindow] = []
    for plan, registered in found:
        starts, ends = plan.pifu_starts_on, plan.pifu_ends_on
        if plan.id in replaced or starts is None or ends is None or not is_open(starts, ends, on):
            continue
        patient = standing.get(survivors.get(registered.id, registered.id), registered)
        if plan.signed_by not in names:
            names[plan.signed_by] = display_name(session, plan.signed_by)
        windows.append(
            PifuWindow(
                plan_id=plan.id,
                patient_id=patient.id,
                patient_name=f"{patient.family_name.upper()}, {patient.given_name}",
                nhs_number=format_nhs_number(patient.nhs_number) if patient.nhs_number else "",
                clinician_id=plan.signed_by,
                clinician=names[plan.signed_by],
                starts_on=starts,
                ends_on=ends,
                days_left=days_left(ends, on),
                about_to_lapse=about_to_lapse(ends, on, rules),
            )
        )
    return sorted(windows, key=lambda w: (w.ends_on, w.patient_name, str(w.plan_id)))
