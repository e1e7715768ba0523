"""An appointment (and its care contact) put in the store as booking and arriving would."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.domains.appointments.model import Appointment, CareContact
from clinic_app.domains.appointments.rules import Outcome, Status
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.staff import Site
from clinic_app.kernel.uow import UnitOfWork
from clinic_app.people.episodes import open_episode_id


def seen_today(
    services: Services,
    clinician: CurrentUser,
    patient_id: uuid.UUID,
    *,
    status: str = Status.IN_ROOM,
) -> uuid.UUID:
    """A follow-up today for ``patient_id`` with ``clinician``, the patient seen (its contact).

    Rows are written as the clinic-day service writes them, through a unit of work, so they
    carry who made them and go to the outbox like every row.
    """
    with UnitOfWork(services.context)(clinician, Action.APPOINTMENT_BOOK) as session:
        site = session.scalars(select(Site.id).order_by(Site.id).limit(1)).one()
        starts = utcnow().replace(microsecond=0) - timedelta(minutes=10)
        appointment = Appointment(
            patient_id=patient_id,
            episode_id=open_episode_id(session, patient_id),
            clinician_id=clinician.id,
            site_id=site,
            starts_at=starts,
            minutes=30,
            appointment_type="follow_up",
            mechanism="face_to_face",
            status=status,
        )
        session.add(appointment)
        session.flush()
        if status not in {Status.BOOKED, Status.CANCELLED}:
            session.add(
                CareContact(
                    patient_id=patient_id,
                    episode_id=appointment.episode_id,
                    appointment_id=appointment.id,
                    clinician_id=clinician.id,
                    site_id=site,
                    starts_at=starts,
                    minutes=30,
                    mechanism="face_to_face",
                    outcome=Outcome.DID_NOT_ATTEND if status == Status.DNA else Outcome.ATTENDED,
                )
            )
        return appointment.id
