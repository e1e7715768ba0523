"""A small clinic month made through the services: referrals, contacts, scores, diagnoses.

Every free-text field is filled with a marker word, so a test can show none of it leaves.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta

from clinic_app.container import Services
from clinic_app.domains.appointments.views import BookingInput
from clinic_app.domains.assessments.content import working_diagnoses
from clinic_app.domains.triage.views import TriageInput, TriageView
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.session import Actor
from clinic_app.kernel.staff import Site
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput, ReferralInput
from clinic_app.server.exports.definition import DataSet
from clinic_app.server.exports.period import Month, local
from tests.core.appointments.conftest import PASSWORD, _user

MARKER = "Zanzibar"
"""Typed into every free-text field the seed fills; it must appear in no extract."""
KNEE_OA = "knee_osteoarthritis"
NHS_NUMBERS = ("9990000018", "9990000026")
SITE_ODS = "RX1AB"


def _stand_in() -> str:
    return next(d.snomed_ct_id for d in working_diagnoses().diagnoses if d.snomed_ct_id)


STAND_IN_CONCEPT = _stand_in()
"""A valid concept id standing in for the MSK-HQ's own, which is not confirmed."""


def with_tool_concept(data: DataSet) -> DataSet:
    """The data set with a stand-in concept for the MSK-HQ, as a service lead would add one.

    The MSK-HQ's own concept is not confirmed, so none ships; the stand-in is a valid
    concept id (the working diagnosis list's first), used here only to make rows.
    """
    return data.with_local_codes({"assessment_tool": {"msk_hq": STAND_IN_CONCEPT}})


@dataclass(frozen=True)
class SeededMonth:
    """What the seed made, and the days its contacts fell on."""

    services: Services
    clinician: CurrentUser
    patients: tuple[uuid.UUID, uuid.UUID]
    months: tuple[Month, ...]
    """The months the seed's rows fall in (the next day's appointment may be next month's)."""
    recorded_on: date
    """The clinic day the scores, the diagnosis and the onward referral were recorded."""


def _site(services: Services) -> uuid.UUID:
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id)
        site = Site(name="Riverside", ods_code=SITE_ODS)
        session.add(site)
        session.flush()
        return site.id


def _patient(services: Services, nhs: str, given: str) -> uuid.UUID:
    return services.patients.register(
        SYSTEM,
        PatientInput(
            given_name=given,
            family_name=MARKER,
            date_of_birth="1961-07-04",
            sex="2",
            nhs_number=nhs,
            postcode="ls1 4ap",
        ),
    ).id


def _referral(
    services: Services, actor: CurrentUser, patient: uuid.UUID, outcome: str
) -> TriageView:
    referral = services.referrals.create(
        actor,
        ReferralInput(
            patient_id=patient,
            source="gp",
            received_on=date.today().isoformat(),
            referrer_name=f"Dr {MARKER}",
            reason=f"Knee pain, {MARKER}",
            specialty="physiotherapy",
            priority="routine",
        ),
    )
    return services.triage.triage(
        actor,
        referral.id,
        TriageInput(outcome=outcome, priority="routine", pathway="physiotherapy", advice=MARKER),
    )


def _booking(
    patient: uuid.UUID, clinician: uuid.UUID, site: uuid.UUID, **changes: str
) -> BookingInput:
    base = BookingInput(
        patient_id=patient,
        clinician_id=clinician,
        site_id=site,
        room="Room 2",
        day=(date.today() + timedelta(days=1)).strftime("%d/%m/%Y"),
        time="10:30",
        minutes="30",
        appointment_type="follow_up",
        mechanism="face_to_face",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def seed_month(services: Services) -> SeededMonth:
    """Two patients: one seen, scored and diagnosed (and once missed), one referred on."""
    site = _site(services)
    physio = _user(services, "physio", Role.CLINICIAN, site)
    reception = _user(services, "reception", Role.ADMIN, site)
    seen = _patient(services, NHS_NUMBERS[0], "Harriet")
    onward = _patient(services, NHS_NUMBERS[1], "Owen")
    triaged = _referral(services, physio, seen, "appointment")
    _referral(services, physio, onward, "onward_referral")

    attended = services.appointments.book(reception, _booking(seen, physio.id, site))
    services.appointments.arrive(reception, attended.id)
    services.appointments.call_in(physio, attended.id)
    finished = services.appointments.finish(physio, attended.id, minutes="25")
    missed = services.appointments.book(
        reception, _booking(seen, physio.id, site, time="14:00", mechanism="telephone")
    )
    services.appointments.did_not_attend(physio, missed.id)

    answers = {f"mskhq_{n:02d}": 2 for n in range(1, 15)} | {"mskhq_activity_days": 3}
    services.questionnaires.record(
        physio, seen, "msk_hq", answers, "baseline", "clinician", episode_id=triaged.episode_id
    )
    better = {**answers, "mskhq_01": 4, "mskhq_02": 4}
    services.questionnaires.record(
        physio, seen, "msk_hq", better, "follow_up", "patient", episode_id=triaged.episode_id
    )

    draft = services.assessments.save_draft(
        physio,
        seen,
        {
            "presenting_complaint": f"Left knee pain on stairs, {MARKER}",
            "body_regions": ["left_knee"],
            "diagnosis_code": KNEE_OA,
        },
        episode_id=triaged.episode_id,
        referral_id=triaged.referral_id,
    )
    services.assessments.sign(physio, draft.id, PASSWORD)
    now = utcnow()
    moments = (finished.arrived_at, missed.starts_at, now)
    months = {Month.parse(local(moment).strftime("%Y-%m")) for moment in moments if moment}
    return SeededMonth(
        services, physio, (seen, onward), tuple(sorted(months, key=str)), local(now).date()
    )
