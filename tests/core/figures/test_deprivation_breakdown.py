"""The deprivation breakdown reads the imported postcode lookup (postcode, LSOA, IMD decile)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, update

from clinic_app.container import Services
from clinic_app.domains.deprivation.model import DeprivationLsoa, DeprivationPostcode
from clinic_app.figures.engine import Request, compute
from clinic_app.people.model import Patient
from tests.core.figures.seed import seed_service
from tests.core.figures.test_measures import JAN


@pytest.fixture
def services(_store_templates: Any, tmp_path: Any) -> Iterator[Services]:
    services: Services = _store_templates.copy("empty", tmp_path / "clinic.db")
    seed_service(services)
    yield services
    services.close()


def test_patients_are_grouped_by_the_decile_of_their_postcode(services: Services) -> None:
    with services.context.store.sessions.begin() as session:
        patients = list(session.scalars(select(Patient.id)))
        # Every seeded patient in one area, then one of them moved to a postcode not listed.
        session.execute(update(Patient).values(postcode="LS1 4AP"))
        session.add_all(
            [
                DeprivationPostcode(postcode="LS1 4AP", lsoa11="E01011365"),
                DeprivationLsoa(lsoa_code="E01011365", lsoa_vintage="2011", decile=3),
            ]
        )
    with services.context.store.sessions() as session:
        together = compute(session, Request("did_not_attend_rate", JAN, JAN, "deprivation"))
    with services.context.store.sessions.begin() as session:
        session.execute(update(Patient).where(Patient.id.in_(patients)).values(postcode="ZZ9 9ZZ"))
    with services.context.store.sessions() as session:
        unknown = compute(session, Request("did_not_attend_rate", JAN, JAN, "deprivation"))

    assert [(row.key, row.label, row.denominator) for row in together.rows] == [
        ("3", "Decile 3", 5)
    ]
    assert [(row.key, row.label, row.denominator) for row in unknown.rows] == [
        (None, "Not recorded", 5)
    ]
