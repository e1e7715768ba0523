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
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.container import Services
from clinic_app.domains.triage.views import TriageInput
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.outbox import wire_value
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput, ReferralInput
from clinic_app.server.authorise import Acting
from clinic_app.sync.protocol import Change, Status
from tests.support.server_push import PushServer, push_server

TABLE = "triage_decision"
PASSWORD = "correct horse battery"
APPLIED = [(Status.APPLIED, None)]


@dataclass
class Clinic:
    """A laptop's services and the server it pushes to, with two patients registered on both."""

    services: Services
    triager: CurrentUser
    server: PushServer
    acting: Acting
    patient: uuid.UUID
    other_patient: uuid.UUID

    def written(self, table: str, row_id: uuid.UUID) -> dict[str, Any]:
        """A new row as the laptop's outbox ships it, written by the user who pushes it here."""
        with self.services.context.store.sessions.begin() as session:
            fields = session.scalars(
                select(OutboxEntry.changed).where(
                    OutboxEntry.table_name == table,
                    OutboxEntry.row_id == row_id,
                    OutboxEntry.operation == "insert",
                )
            ).one()
        by = str(self.acting.user_id)
        return {**fields, "created_by": by, "updated_by": by}

    def push(self, table: str, row_id: uuid.UUID, **changes: Any) -> list[Any]:
        """Push the laptop's new row, with ``changes`` as a tampered laptop would make them."""
        fields = {
            **self.written(table, row_id),
            **{name: wire_value(value) for name, value in changes.items()},
        }
        change = Change(uuid.uuid4(), table, row_id, "insert", 0, fields, self.acting.user_id)
        return self.server.push(self.acting, change)

    def referral(self, patient: uuid.UUID) -> uuid.UUID:
        """A referral made on the laptop and pushed."""
        made = self.services.referrals.create(
            SYSTEM,
            ReferralInput(
                patient_id=patient,
                source="gp",
                received_on=date.today().isoformat(),
                referrer_name="Dr A Hughes",
                reason="Knee pain",
                specialty="physiotherapy",
                priority="routine",
            ),
        )
        assert self.push("referral", made.id) == APPLIED
        return made.id

    def triage(self, data: TriageInput) -> uuid.UUID:
        """A referral of the patient triaged on the laptop: the decision's id (not yet pushed)."""
        return self.services.triage.triage(self.triager, self.referral(self.patient), data).id

    def push_decision(self, decision: uuid.UUID, **changes: Any) -> list[Any]:
        """The laptop's decision, with ``changes``, pushed as a new decision."""
        fields = {
            **self.written(TABLE, decision),
            "decided_by": str(self.acting.user_id),
            **{name: wire_value(value) for name, value in changes.items()},
        }
        change = Change(uuid.uuid4(), TABLE, uuid.uuid4(), "insert", 0, fields, self.acting.user_id)
        return self.server.push(self.acting, change)


def _register(services: Services, nhs_number: str, family: str) -> uuid.UUID:
    return services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Harriet",
            family_name=family,
            date_of_birth="1961-07-04",
            sex="2",
            nhs_number=nhs_number,
        ),
    ).id


@pytest.fixture
def clinic(services: Services, tmp_path: Path) -> Iterator[Clinic]:
    services.users.add(
        SYSTEM, username="physio", display_name="Physio", role=Role.CLINICIAN, password=PASSWORD
    )
    server = push_server(tmp_path, (("physio", Role.CLINICIAN),))
    made = Clinic(
        services=services,
        triager=services.auth.login("physio", PASSWORD),
        server=server,
        acting=server.acting["physio"],
        patient=_register(services, "9990000018", "Ashworth"),
        other_patient=_register(services, "9990000026", "Bramley"),
    )
    for patient in (made.patient, made.other_patient):
        assert made.push("patient", patient) == APPLIED
    yield made
    server.engine.dispose()


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
