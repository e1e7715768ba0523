"""A demo clinic whose decision service offers the small test aid, and people to use it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.decisions.content import AidCatalogue, decision_aids
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.care import EpisodeOfCare

GOOD_AIDS = Path(__file__).parent / "aids" / "good"
AID = "sample_aid"


def sample_catalogue() -> AidCatalogue:
    """The catalogue of the tests' one small aid (read afresh: nothing is cached)."""
    return decision_aids(GOOD_AIDS)


@dataclass(frozen=True)
class Clinic:
    """The demo clinic with the sample aid offered, two patients and the people who act."""

    services: Services
    clinician: CurrentUser
    patient: uuid.UUID
    other: uuid.UUID

    def login(self, username: str) -> CurrentUser:
        return self.services.auth.login(username, demo_password(username))


@pytest.fixture
def clinic(demo: Services) -> Clinic:
    demo.decisions.aids = sample_catalogue
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
