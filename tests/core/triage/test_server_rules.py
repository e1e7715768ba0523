"""The server takes a pushed triage decision only as the device's triage service records it.

A tampered device could push a decision with an outcome or pathway from no list, a tier or
diagnostics that do not follow from them, a return with no reason, or another patient named
on the referral: the server refuses each. The rows a device really writes, built here by its
own services, are applied.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.container import Services
from clinic_app.domains.triage.views import TriageInput
from clinic_app.sync.protocol import Status
from tests.support.laptop_push import APPLIED, Laptop, laptop

TABLE = "triage_decision"


@dataclass
class Clinic:
    """A laptop and its server, with two patients registered on both."""

    laptop: Laptop
    patient: uuid.UUID
    other_patient: uuid.UUID

    def triage(self, data: TriageInput) -> uuid.UUID:
        """A referral of the patient triaged on the laptop: the decision's id (not yet pushed)."""
        referral = self.laptop.referral(self.patient)
        return self.laptop.services.triage.triage(self.laptop.user, referral, data).id

    def push_decision(self, decision: uuid.UUID, **changes: Any) -> list[Any]:
        """The laptop's decision, with ``changes``, pushed as a new decision."""
        return self.laptop.push(TABLE, decision, as_new=True, **changes)


@pytest.fixture
def clinic(services: Services, tmp_path: Path) -> Iterator[Clinic]:
    with laptop(services, tmp_path) as made:
        yield Clinic(
            made, made.patient("9990000018", "Ashworth"), made.patient("9990000026", "Bramley")
        )


# ---------------------------------------------------------------- what the laptop writes


@pytest.mark.parametrize(
    "data",
    [
        TriageInput(
            outcome="appointment_after_diagnostics", priority="urgent", pathway="rheumatology"
        ),
        TriageInput(outcome="appointment", priority="routine", pathway="physiotherapy"),
        TriageInput(
            outcome="return_to_referrer", priority="routine", reason="Bloods first", advice="Try"
        ),
        TriageInput(outcome="onward_referral", priority="priority", pathway="orthopaedic_spinal"),
        TriageInput(outcome="signpost", priority="routine"),
    ],
    ids=lambda data: data.outcome,
)
def test_a_decision_as_triage_records_it_is_applied(clinic: Clinic, data: TriageInput) -> None:
    decision = clinic.triage(data)

    assert clinic.push_decision(decision) == APPLIED


# ---------------------------------------------------------------- what it never writes


@pytest.mark.parametrize(
    "changes",
    [
        {"outcome": "banana"},
        {"outcome": "Appointment"},
        {"outcome": " appointment_after_diagnostics"},
        {"pathway": "nope"},
        {"pathway": None, "tier": None},
        {"tier": "T9"},
        {"tier": "tier_1"},
        {"tier": None},
        {"with_diagnostics": False},
        {"outcome": "appointment"},
        {"reason": "x" * 4001},
        {"advice": " Rest "},
    ],
    ids=lambda changes: ",".join(f"{k}={str(v)[:12]}" for k, v in changes.items()),
)
def test_codes_from_no_list_and_what_does_not_follow_from_them_are_refused(
    clinic: Clinic, changes: dict[str, Any]
) -> None:
    decision = clinic.triage(
        TriageInput(
            outcome="appointment_after_diagnostics", priority="urgent", pathway="rheumatology"
        )
    )

    assert clinic.push_decision(decision, **changes) == [(Status.REJECTED, "sync.bad_value")]


def test_a_return_needs_its_reason(clinic: Clinic) -> None:
    decision = clinic.triage(
        TriageInput(outcome="return_to_referrer", priority="routine", reason="Bloods first")
    )

    assert clinic.push_decision(decision, reason=None) == [(Status.REJECTED, "sync.bad_value")]
    assert clinic.push_decision(decision, reason="  ") == [(Status.REJECTED, "sync.bad_value")]
    assert clinic.push_decision(decision) == APPLIED


def test_a_signposting_names_no_tier_without_a_pathway(clinic: Clinic) -> None:
    decision = clinic.triage(TriageInput(outcome="signpost", priority="routine"))

    assert clinic.push_decision(decision, tier="tier_2") == [(Status.REJECTED, "sync.bad_value")]
    assert clinic.push_decision(decision, with_diagnostics=True) == [
        (Status.REJECTED, "sync.bad_value")
    ]
    assert clinic.push_decision(decision) == APPLIED


def test_a_decision_names_its_referral_s_patient(clinic: Clinic) -> None:
    decision = clinic.triage(TriageInput(outcome="signpost", priority="routine"))

    assert clinic.push_decision(decision, patient_id=clinic.other_patient) == [
        (Status.REJECTED, "sync.wrong_patient")
    ]
    assert clinic.push_decision(decision) == APPLIED
