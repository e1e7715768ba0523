"""The injection's hard stops read what was screened under a registration merged into the record."""

from __future__ import annotations

import uuid

from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientInput
from tests.core.injections.conftest import Clinic
from tests.core.injections.helpers import knee_injection
from tests.support.merges import merged_by_sync


def _registered(clinic: Clinic) -> uuid.UUID:
    """A patient registered with no referral yet, so with no episode of care."""
    return clinic.services.patients.register(
        SYSTEM,
        PatientInput(given_name="Iris", family_name="Lund", date_of_birth="1950-01-02", sex="2"),
    ).id


def test_an_open_septic_flag_under_a_merged_registration_stops_the_steroid(
    clinic: Clinic,
) -> None:
    services, clinician = clinic.services, clinic.clinician
    survivor, second = _registered(clinic), _registered(clinic)
    # A hot swollen knee screened at another clinic under a second registration (no episode
    # there either), since merged into this record: its banner is up on the surviving record.
    services.red_flags.record(
        clinician,
        second,
        "septic_arthritis",
        {"hot_swollen_joint": "yes", "joint_replacement": "no"},
    )
    merged_by_sync(services, survivor=survivor, merged=second)
    assert services.red_flags.unresolved(clinician, survivor)

    draft = services.injections.start(clinician, survivor)
    assert draft.episode_id is None  # the same episode (none) as the screening
    services.injections.save(clinician, draft.id, knee_injection(clinic.pgd()))
    stops = services.injections.checks(clinician, draft.id).hard_stops
    assert [(s.code, s.field) for s in stops] == [("injection.septic_flag", "target")]
