"""Fixtures for tests that talk to real servers and tools."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.orthanc import Orthanc
from tests.support.postgres import (
    PostgresServer,
    PostgresUnavailableError,
    find_bin_dir,
    running_in_ci,
)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One private PostgreSQL server for the whole test session.

    Outside CI a machine without PostgreSQL skips these tests; in CI that is an error, because
    the test command installs PostgreSQL and a silent skip would hide a broken set-up.
    """
    try:
        bin_dir = find_bin_dir()
    except PostgresUnavailableError as missing:
        if running_in_ci():
            raise
        pytest.skip(str(missing))
    with PostgresServer(bin_dir) as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """SQLAlchemy URL of a new, empty database that only this test uses."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url.rsplit("/", 1)[1])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks every test that uses the server, so ``-m "not postgres"`` leaves them out."""
    for item in items:
        if "postgres_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def orthanc(tmp_path: Path) -> Iterator[Orthanc]:
    """A real Orthanc PACS of the test's own (missing outside CI: skipped; in CI: an error)."""
    if shutil.which("Orthanc") is None:
        if running_in_ci():
            pytest.fail("Orthanc is not installed (installers/test.sh installs it)")
        pytest.skip("Orthanc is not installed")
    with Orthanc(tmp_path / "orthanc") as running:
        yield running
