"""The injections audit's figures on a real PostgreSQL server: the same counts as on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from clinic_app.container import Services
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.store import Store, open_url_store
from clinic_app.kernel.uow import SYSTEM, AppConfig, Context
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput
from tests.core.injections.audit_seed import seed_injections

pytestmark = pytest.mark.postgres

PASSWORD = "correct horse battery"


@pytest.fixture
def pg_services(postgres_url: str) -> Iterator[Services]:
    store: Store = open_url_store(postgres_url)
    yield Services.build(Context(store=store, device_id=uuid7(), config=AppConfig()))
    store.close()


def test_the_repeat_rate_is_counted_in_postgresql(pg_services: Services) -> None:
    services = pg_services
    for username, role in (("lead", Role.ADMIN), ("one", Role.CLINICIAN), ("two", Role.CLINICIAN)):
        services.users.add(
            SYSTEM, username=username, display_name=username.title(), role=role, password=PASSWORD
        )
    lead = services.auth.login("lead", PASSWORD)
    one, two = services.auth.login("one", PASSWORD), services.auth.login("two", PASSWORD)
    patient = services.patients.register(
        lead,
        PatientInput(
            given_name="Alex",
            family_name="Example",
            date_of_birth="12/03/1975",
            sex="2",
            nhs_number="999 000 0018",
            postcode="ls1 4ap",
        ),
    )
    seed_injections(services, one, two, patient.id)
    today = datetime.now(UTC).date()

    audit = services.injections.audit(lead, today - timedelta(days=300), today)

    assert (audit.overall.signed, audit.overall.repeats) == (5, 3)
    assert (audit.overall.with_addenda, audit.overall.addenda) == (2, 3)
    assert audit.overall.immediate_reactions == 1
    assert [(row.name, row.signed, row.repeats) for row in audit.clinicians] == [
        ("One", 4, 2),
        ("Two", 1, 1),
    ]
