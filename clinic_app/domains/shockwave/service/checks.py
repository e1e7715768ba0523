"""What a session's checks read from the store: its course, device, sessions and steroids.

Every read is of the store as synced: a steroid injection signed on another laptop counts the
same as this device's own once it has arrived.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.injections.content import injection_content
from clinic_app.domains.injections.model import InjectionRecord
from clinic_app.domains.shockwave.content import shockwave_content
from clinic_app.domains.shockwave.model import EswtCourse, EswtDevice, EswtSession
from clinic_app.domains.shockwave.rules import (
    Checks,
    CourseFacts,
    DeviceFacts,
    PastSteroid,
    SessionDraft,
    check_session,
)
from clinic_app.domains.shockwave.service.devices import device_facts
from clinic_app.domains.shockwave.service.settings import rules_in_force
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.people.duplicates import identities_of


def course_facts(row: EswtCourse) -> CourseFacts:
    """A stored course as the checks read it."""
    content = shockwave_content()
    indication = content.indications.indication(row.indication)
    # With no indication chosen yet, every requirement any guidance asks for.
    required = (
        indication.requires
        if indication is not None
        else tuple(r.id for r in content.indications.requirements)
    )
    return CourseFacts(
        indication=row.indication,
        planned_sessions=row.planned_sessions,
        governance=dict(row.governance),
        required_governance=required,
        contraindications=dict(row.contraindications),
        absolute=content.contraindications.of_kind("absolute"),
        relative=content.contraindications.of_kind("relative"),
        injection_targets=indication.injection_targets if indication is not None else (),
        side=row.side,
    )


def session_draft(row: EswtSession) -> SessionDraft:
    """A stored session as the checks read it."""
    return SessionDraft(
        record_id=row.id,
        number=row.number,
        performed_on=row.performed_on,
        pressure_bar=row.pressure_bar,
        energy_mj_mm2=row.energy_mj_mm2,
        frequency_hz=row.frequency_hz,
        pulses=row.pulses,
        pain_during=row.pain_during,
    )


def course_device(session: Session, row: EswtCourse) -> DeviceFacts | None:
    """The course's device as the checks read it, or None (none chosen, or not in the register)."""
    if row.eswt_device_id is None:
        return None
    device = session.get(EswtDevice, row.eswt_device_id)
    return None if device is None or device.deleted else device_facts(device)


def steroid_history(session: Session, patient_id: uuid.UUID) -> list[PastSteroid]:
    """Every signed injection of the patient that gave a corticosteroid, from any device.

    Those recorded under a registration since merged into the patient's record count too.
    """
    formulary = injection_content().formulary
    rows = session.execute(
        select(
            InjectionRecord.performed_on,
            InjectionRecord.signed_at,
            InjectionRecord.target,
            InjectionRecord.side,
            InjectionRecord.drugs,
        ).where(
            InjectionRecord.patient_id.in_(identities_of(session, patient_id)),
            InjectionRecord.status == RecordStatus.SIGNED.value,
            InjectionRecord.deleted.is_(False),
        )
    ).all()
    found: list[PastSteroid] = []
    for row in rows:
        day = row.performed_on or (row.signed_at.date() if row.signed_at else None)
        steroid = any(
            (product := formulary.product(str(d.get("product_id")))) is not None
            and product.is_steroid
            for d in row.drugs or ()
            if isinstance(d, dict)
        )
        if day is not None and steroid and row.target:
            found.append(PastSteroid(performed_on=day, target=row.target, side=row.side))
    return found


def signed_days(session: Session, course_id: uuid.UUID, other_than: uuid.UUID | None) -> list[date]:
    """The days of the course's signed sessions, but for ``other_than``."""
    rows = session.scalars(
        select(EswtSession.performed_on).where(
            EswtSession.course_id == course_id,
            EswtSession.status == RecordStatus.SIGNED.value,
            EswtSession.deleted.is_(False),
            EswtSession.id != other_than if other_than is not None else EswtSession.id.is_not(None),
        )
    ).all()
    return [day for day in rows if day is not None]


def checks_for(session: Session, course: EswtCourse, row: EswtSession, today: date) -> Checks:
    """The hard stops and warnings of a stored session draft, as it would be signed today."""
    return check_session(
        session_draft(row),
        course=course_facts(course),
        device=course_device(session, course),
        earlier=signed_days(session, course.id, row.id),
        steroids=steroid_history(session, course.patient_id),
        rules=rules_in_force(session),
        today=today,
    )
