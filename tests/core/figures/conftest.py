"""One seeded store for the figures' tests (read only: every test shares it)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from clinic_app.container import Services
from clinic_app.figures.engine import Request, compute
from clinic_app.figures.results import Figures
from tests.core.figures.seed import Seeded, seed_service


@dataclass(frozen=True)
class Service:
    """The seeded store and who is who in it."""

    services: Services
    people: Seeded

    def figures(
        self,
        measure: str,
        first: date,
        last: date | None = None,
        breakdown: str = "all",
        **more: Any,
    ) -> Figures:
        request = Request(measure, first, last or first, breakdown, **more)
        with self.services.context.store.sessions() as session:
            return compute(session, request)


@pytest.fixture(scope="module")
def service(_store_templates: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    services: Services = _store_templates.copy(
        "empty", tmp_path_factory.mktemp("figures") / "clinic.db"
    )
    people = seed_service(services)
    yield Service(services, people)
    services.close()
