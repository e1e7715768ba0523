"""The access trail of a person registered twice: one patient once merged, never before."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import update

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict
from clinic_app.kernel.uow import SYSTEM, command_line
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.model import Patient
from clinic_app.people.views import PatientInput
from tests.support.merges import merged_by_sync

PASSWORD = "correct horse battery"
NHS = "9990000018"


def _admin(services: Services) -> CurrentUser:
    services.users.add(
        SYSTEM, username="lead", display_name="Jo Lead", role=Role.ADMIN, password=PASSWORD
    )
    return services.auth.login("lead", PASSWORD)


def _registered(services: Services, family_name: str) -> uuid.UUID:
    """Ada registered with her NHS number (a second time as another laptop's pull brings it:
    this laptop itself refuses a number already registered here)."""
    patient_id = services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Ada", family_name=family_name, date_of_birth="1960-03-14", sex="2"
        ),
    ).id
    with services.context.store.engine.begin() as conn:
        table = Patient.__table__
        conn.execute(update(table).where(table.c.id == patient_id).values(nhs_number=NHS))
    return patient_id


def test_the_trail_of_a_merged_patient_holds_what_was_done_under_each_registration(
    services: Services,
) -> None:
    lead = _admin(services)
    first, second = _registered(services, "Quennell"), _registered(services, "Hughes")
    services.patients.open(command_line("b.shah"), second)
    # Two registrations not merged are not one patient to ask about: said, not guessed.
    with pytest.raises(Conflict) as refused:
        services.audit_log.find_patient(lead, NHS)
    assert refused.value.code == "audit.registered_twice"

    merged_by_sync(services, survivor=first, merged=second)

    assert services.audit_log.find_patient(lead, NHS) == first
    local, _link = services.audit_log.ask(lead, first)
    opened = [line.user for line in local.lines if line.action == "patient.open"]
    assert opened == ["b.shah (command line)"]
    registered = [line for line in local.lines if line.action == "patient.register"]
    assert len(registered) == 2
