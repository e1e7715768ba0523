"""An injection given on one laptop counts on another: the repeat checks read synced history.

A real sync server (PostgreSQL) and two enrolled laptops. The clinician signs a knee injection
on the first; the second pulls it and its draft for the same knee is checked against it, at
the 12-week boundary: day 83 warns, day 84 does not.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from clinic_app.bootstrap import create_clinic
from clinic_app.container import Services
from clinic_app.domains.injections.views import InjectionInput, PgdView
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientInput
from tests.core.injections.helpers import knee_injection
from tests.support.sync_server import SyncServer

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with SyncServer(postgres_url, tmp_path / "server.log") as running:
        running.add_user("priya", "Priya Shah", "clinician", PASSWORD)
        yield running


def _laptop(server: SyncServer, path: Path, name: str) -> Services:
    services = create_clinic(path)
    services.sync.enrol(SYSTEM, server.url, name)
    server.approve(services.context.device_id)
    services.sync.sync_now()
    return services


@pytest.fixture
def laptops(server: SyncServer, tmp_path: Path) -> Iterator[tuple[Services, Services]]:
    first = _laptop(server, tmp_path / "room1.db", "clinic room 1")
    second = _laptop(server, tmp_path / "room2.db", "clinic room 2")
    yield first, second
    first.close()
    second.close()


def _by_prescriber(days_ago: int) -> InjectionInput:
    """The helpers' knee injection, given on a prescriber's direction ``days_ago`` days ago."""
    no_pgd = PgdView(uuid.uuid4(), "", "", date.today(), date.today(), (), (), (), 1)
    given = date.today() - timedelta(days=days_ago)
    return replace(
        knee_injection(no_pgd),
        performed_on=given,
        authority_kind="prescriber",
        pgd_id=None,
        pgd_version=None,
        review_date=given + timedelta(weeks=6),
    )


def _register(services: Services) -> uuid.UUID:
    """A synthetic patient registered on this laptop by the clinician."""
    return services.patients.register(
        services.auth.login("priya", PASSWORD),
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number="9990000018",
        ),
    ).id


def _sign(services: Services, patient: uuid.UUID, fields: InjectionInput) -> None:
    clinician = services.auth.login("priya", PASSWORD)
    draft = services.injections.start(clinician, patient)
    services.injections.save(clinician, draft.id, fields, patient_id=patient)
    for warning in services.injections.checks(clinician, draft.id, patient_id=patient).warnings:
        services.injections.acknowledge(clinician, draft.id, warning.code, patient_id=patient)
    services.injections.sign(clinician, draft.id, PASSWORD, patient_id=patient)


@pytest.mark.parametrize(("days_ago", "warned"), [(83, True), (84, False)])
def test_an_injection_signed_on_another_laptop_counts_at_the_twelve_week_boundary(
    laptops: tuple[Services, Services], days_ago: int, warned: bool
) -> None:
    first, second = laptops
    patient = _register(first)
    _sign(first, patient, _by_prescriber(days_ago))
    first.sync.sync_now()

    # The second laptop has never seen the patient's injection until it syncs.
    second.sync.sync_now()
    there = second.auth.login("priya", PASSWORD)
    (synced,) = second.injections.for_patient(there, patient)
    assert synced.is_signed
    draft = second.injections.start(there, patient)
    second.injections.save(there, draft.id, _by_prescriber(0), patient_id=patient)

    checks = second.injections.checks(there, draft.id, patient_id=patient)
    codes = [warning.code for warning in checks.warnings]
    assert ("repeat_too_soon" in codes) is warned, codes


def test_a_laptop_that_had_not_pulled_the_other_injection_still_syncs_its_own(
    laptops: tuple[Services, Services],
) -> None:
    # Both laptops hold the patient; the first signs a knee injection, and the second, not
    # synced since, signs another into the same knee with no repeat warning to acknowledge.
    # The server holds both: the second laptop signed honestly with what it knew.
    first, second = laptops
    patient = _register(first)
    first.sync.sync_now()
    second.sync.sync_now()
    _sign(first, patient, _by_prescriber(10))
    first.sync.sync_now()
    _sign(second, patient, _by_prescriber(0))
    second.sync.sync_now()

    first.sync.sync_now()
    there = first.auth.login("priya", PASSWORD)
    records = first.injections.for_patient(there, patient)
    assert [r.is_signed for r in records] == [True, True]
