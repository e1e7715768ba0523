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
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.store import open_url_store
from clinic_app.kernel.uow import AppConfig, Context
from tests.core.figures.seed import Seeded, seed_service
from tests.support.postgres import (
    PostgresServer,
    PostgresUnavailableError,
    find_bin_dir,
    running_in_ci,
)


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


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A database of its own on a private PostgreSQL server (skipped where there is none).

    In CI a machine without PostgreSQL is an error, as for the integration tests.
    """
    try:
        bin_dir = find_bin_dir()
    except PostgresUnavailableError as missing:
        if running_in_ci():
            raise
        pytest.skip(str(missing))
    with PostgresServer(bin_dir) as server:
        yield server.create_database()


@pytest.fixture(scope="module")
def pg_service(postgres_url: str) -> Iterator[Service]:
    """The same seeded service on PostgreSQL."""
    store = open_url_store(postgres_url)
    services = Services.build(Context(store=store, device_id=uuid7(), config=AppConfig()))
    people = seed_service(services)
    yield Service(services, people)
    store.close()
