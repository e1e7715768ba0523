"""A demo clinic with two patients in episodes, and a plan made with the patient."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest

from clinic_app.container import Services
from clinic_app.domains.care_plans.views import (
    CarePlanInput,
    PlanAction,
    SupportChoice,
    TreatmentTried,
)
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.session import Actor, ClinicSession
from tests.support.demo_clinic import Clinic, demo_clinic

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


@pytest.fixture
def clinic(demo: Services) -> Clinic:
    return demo_clinic(demo)
