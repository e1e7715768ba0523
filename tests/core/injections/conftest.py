"""The demo clinic with the people who give injections, and a PGD for them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.injections.views import PgdInput, PgdView
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.care import EpisodeOfCare


@dataclass(frozen=True)
class Clinic:
    """The demo clinic: a clinician, a colleague, the service lead and two patients."""

    services: Services
    clinician: CurrentUser
    colleague: CurrentUser
    lead: CurrentUser
    patient: uuid.UUID
    episode: uuid.UUID
    other: uuid.UUID

    def login(self, username: str) -> CurrentUser:
        return self.services.auth.login(username, demo_password(username))

    def pgd(self, **changes: object) -> PgdView:
        """A PGD valid around today naming the clinician, for knee and shoulder steroids."""
        values: dict[str, object] = {
            "name": "Corticosteroid joint injection by physiotherapists",
            "version": "2.1",
            "valid_from": date.today() - timedelta(days=30),
            "valid_to": date.today() + timedelta(days=300),
            "drugs": ("methylprednisolone_acetate_40", "triamcinolone_acetonide_40", "lidocaine_1"),
            "targets": (
                "knee_joint",
                "glenohumeral_joint",
                "subacromial_space",
                "small_hand_joint",
            ),
            "practitioners": (self.clinician.id,),
        }
        values.update(changes)
        return self.services.pgds.add(self.lead, PgdInput(**values))  # type: ignore[arg-type]


@pytest.fixture
def clinic(demo: Services) -> Clinic:
    login = lambda name: demo.auth.login(name, demo_password(name))  # noqa: E731
    with demo.context.store.sessions() as session:
        rows = session.execute(
            select(EpisodeOfCare.patient_id, EpisodeOfCare.id)
            .where(EpisodeOfCare.deleted.is_(False))
            .order_by(EpisodeOfCare.patient_id, EpisodeOfCare.id)
        ).all()
    patients: dict[uuid.UUID, uuid.UUID] = {}
    for patient_id, episode_id in rows:
        patients.setdefault(patient_id, episode_id)
    (patient, episode), (other, _episode) = list(patients.items())[:2]
    return Clinic(
        demo,
        login("clinician"),
        login("supervisor"),
        login("admin"),
        patient,
        episode,
        other,
    )
