"""A demo clinic with two patients in episodes, and a plan made with the patient."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.care_plans.views import (
    CarePlanInput,
    PlanAction,
    SupportChoice,
    TreatmentTried,
)
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.session import Actor, ClinicSession
from clinic_app.people.care import EpisodeOfCare

TODAY = date.today()


def agreed_plan() -> CarePlanInput:
    """A plan ready to sign: goals in the patient's words, actions, a window and consent."""
    return CarePlanInput(
        what_matters="Looking after my grandson on Tuesdays.",
        strengths="My daughter drives me to appointments; I walk the dog daily.",
        goals=("  Walk to the   shops and back without stopping  ", "Sleep through the night"),
        actions=(
            PlanAction("Do the home exercises every morning", "Me", TODAY + timedelta(days=28)),
            PlanAction("Review pain relief", "GP", TODAY + timedelta(days=14)),
        ),
        conditions=("Low back pain", "Type 2 diabetes"),
        treatments=(TreatmentTried("Physiotherapy in 2024", "helped for a few months"),),
        self_management="Keep moving, little and often.",
        flare_plan="Ease off for two days, use heat, then build back up.",
        seek_help="If the pain is not settling after two weeks, book back in.",
        safety_nets=("cauda_equina",),
        support_services=(
            SupportChoice("local_exercise_groups"),
            SupportChoice(None, "Riverside walking club, Thursdays"),
        ),
        named_contact="Priya Shah",
        contact_route="Call the MSK booking line on 0113 496 0000 and say you are on PIFU.",
        pifu_months=6,
        review_on=TODAY + timedelta(days=90),
        gp_consent=True,
        gp_consent_given_by="patient",
    )


@contextmanager
def writing(services: Services, user: CurrentUser) -> Iterator[ClinicSession]:
    """A session that writes as ``user`` on this device (a test's own change to a record)."""
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id, user_id=user.id)
        yield session


@dataclass(frozen=True)
class Clinic:
    """The demo clinic, two patients with episodes and the clinician who acts."""

    services: Services
    clinician: CurrentUser
    patient: uuid.UUID
    other: uuid.UUID

    def login(self, username: str) -> CurrentUser:
        return self.services.auth.login(username, demo_password(username))


@pytest.fixture
def clinic(demo: Services) -> Clinic:
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
