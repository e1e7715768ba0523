"""A seeded set of signed injections for the audit: known counts, written straight to the store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.domains.injections.model import (
    InjectionAddendum,
    InjectionRecord,
    PatientGroupDirection,
)
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.session import Actor
from clinic_app.kernel.vocabulary import RecordStatus

PGD_NAME = "Audit test PGD for steroid injection"


def _ack(code: str, by: CurrentUser) -> dict[str, str]:
    return {"code": code, "by": str(by.id), "at": datetime.now(UTC).isoformat()}


def seed_injections(
    services: Services, clinician: CurrentUser, colleague: CurrentUser, patient: uuid.UUID
) -> None:
    """Five signed injections this month (four the clinician's, one the colleague's), and
    four that never count: a draft, a deleted one, one of 14 months ago, one never signed.

    The service: 5 signed; knee 3, glenohumeral 1, subacromial 1; ultrasound 3, landmark 2;
    the PGD at version 2.1 twice and 2.0 once, a PSD once, a prescriber once; 1 immediate
    reaction; 2 injections added to by 3 addenda; 3 repeat injections (rate 60%).
    The clinician: 4 signed, 2 repeats (50%), 1 injection with 2 addenda.
    """
    now = datetime.now(UTC)
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id, user_id=clinician.id)
        pgd = PatientGroupDirection(
            name=PGD_NAME,
            version="2.1",
            valid_from=now.date() - timedelta(days=400),
            valid_to=now.date() + timedelta(days=300),
            drugs=[],
            targets=[],
            practitioners=[str(clinician.id), str(colleague.id)],
        )
        session.add(pgd)
        session.flush()

        def injection(by: CurrentUser, **columns: object) -> InjectionRecord:
            values: dict[str, object] = {
                "patient_id": patient,
                "status": RecordStatus.SIGNED.value,
                "signed_at": now,
                "signed_by": by.id,
                "created_by": by.id,
                "side": "left",
                "sdm_missing_reason": "Seen urgently; talked through on the day.",
            }
            values.update(columns)
            return InjectionRecord(**values)

        def via_pgd(version: str) -> dict[str, object]:
            return {"authority_kind": "pgd", "pgd_id": pgd.id, "pgd_version": version}

        added_to = injection(
            clinician,
            target="glenohumeral_joint",
            guidance="ultrasound",
            authority_kind="psd",
            acknowledgements=[
                _ack("too_many_at_site", clinician),
                _ack("anticoagulated", clinician),
            ],
        )
        colleagues = injection(
            colleague,
            target="knee_joint",
            guidance="ultrasound",
            acknowledgements=[_ack("repeat_too_soon", colleague)],
            **via_pgd("2.0"),
        )
        session.add_all(
            [
                injection(clinician, target="knee_joint", guidance="landmark", **via_pgd("2.1")),
                injection(
                    clinician,
                    target="knee_joint",
                    guidance="ultrasound",
                    immediate_reaction="Felt faint; lay flat, settled in five minutes.",
                    acknowledgements=[_ack("repeat_too_soon", clinician)],
                    **via_pgd("2.1"),
                ),
                added_to,
                injection(
                    clinician,
                    target="subacromial_space",
                    guidance="landmark",
                    authority_kind="prescriber",
                    prescriber_name="Dr A Example",
                    acknowledgements=[_ack("anticoagulated", clinician)],
                ),
                colleagues,
                # None of these count.
                injection(
                    clinician,
                    target="knee_joint",
                    guidance="landmark",
                    status=RecordStatus.DRAFT.value,
                    signed_at=None,
                    signed_by=None,
                    acknowledgements=[_ack("repeat_too_soon", clinician)],
                ),
                injection(clinician, target="knee_joint", guidance="landmark", deleted=True),
                injection(
                    clinician,
                    target="ac_joint",
                    guidance="landmark",
                    signed_at=now - timedelta(days=430),
                    acknowledgements=[_ack("repeat_too_soon", clinician)],
                ),
            ]
        )
        session.flush()
        for record, text in (
            (added_to, "Culture result: no growth."),
            (added_to, "Rang the next day: a steroid flare, settled with ice."),
            (colleagues, "Reviewed at two weeks: no infection."),
        ):
            session.add(
                InjectionAddendum(
                    injection_id=record.id,
                    text=text,
                    signed_at=now,
                    signed_by=record.signed_by,
                    sha256="0" * 64,
                )
            )


def patient_identifiers(services: Services, patient: uuid.UUID) -> list[str]:
    """What would name the patient: their id, names and NHS number (none may be in a figure)."""
    from clinic_app.people.model import Patient

    with services.context.store.sessions() as session:
        row = session.scalars(select(Patient).where(Patient.id == patient)).one()
        found = [str(patient), row.family_name, row.given_name]
        if row.nhs_number:
            found.append(row.nhs_number)
        return found
