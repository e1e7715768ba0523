"""The demo clinic as the domain tests use it: a clinician signed in, two patients in episodes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.care import EpisodeOfCare


@dataclass(frozen=True)
class Clinic:
    """The demo clinic, two patients with episodes and the clinician who acts."""

    services: Services
    clinician: CurrentUser
    patient: uuid.UUID
    other: uuid.UUID

    def login(self, username: str) -> CurrentUser:
        return self.services.auth.login(username, demo_password(username))


def demo_clinic(demo: Services) -> Clinic:
    """The demo clinic's clinician and its first two patients with an episode of care."""
    clinician = demo.auth.login("clinician", demo_password("clinician"))
    with demo.context.store.sessions() as session:
        with_episodes = list(
            session.scalars(
                select(EpisodeOfCare.patient_id)
                .where(EpisodeOfCare.deleted.is_(False))
                .order_by(EpisodeOfCare.patient_id)
                .distinct()
                .limit(2)
            )
        )
    assert len(with_episodes) == 2, "the demo clinic has patients with episodes"
    return Clinic(demo, clinician, with_episodes[0], with_episodes[1])
