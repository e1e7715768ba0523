"""The sign-in lockout and the enrolment rate limit outlive the server process.

Their counters are kept in the server's database: a locked account stays locked when the
server restarts, and two server processes in front of one database count together. Real
server processes (PostgreSQL, and an SQLite file as a one-machine trial uses).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from clinic_app.bootstrap import create_clinic
from clinic_app.kernel.security import keychain
from clinic_app.kernel.uow import SYSTEM
from tests.support.sync_server import SyncServer

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"


@pytest.fixture(params=["postgresql", "sqlite"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'server.db'}"


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with SyncServer(db_url, tmp_path / "server.log") as running:
        yield running


@pytest.fixture
def second_server(db_url: str, tmp_path: Path, server: SyncServer) -> Iterator[SyncServer]:
    """Another server process in front of the same database."""
    with SyncServer(db_url, tmp_path / "second-server.log") as running:
        yield running


def _post(url: str, path: str, body: dict[str, Any], token: str | None = None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return httpx.post(
        f"{url}{path}", content=json.dumps(body).encode(), headers=headers, timeout=60
    )


def test_a_locked_account_stays_locked_after_a_restart_and_on_another_process(
    server: SyncServer, second_server: SyncServer, tmp_path: Path
) -> None:
    services = create_clinic(tmp_path / "laptop.db")
    try:
        services.sync.enrol(SYSTEM, server.url, "clinic room 1")
        server.approve(services.context.device_id)
        token = keychain.sync_token(services.context.device_id)
    finally:
        services.close()
    assert token
    server.add_user("priya", "Priya Shah", "clinician", PASSWORD)

    def login(url: str, password: str) -> httpx.Response:
        return _post(url, "/v1/login", {"username": "priya", "password": password}, token)

    # Wrong passwords spread over both processes count together: five lock the name.
    for url in (server.url, second_server.url) * 2 + (server.url,):
        assert login(url, "wrong password!!").json()["error"] == "auth.failed"
    for url in (server.url, second_server.url):
        locked = login(url, PASSWORD)
        assert (locked.status_code, locked.json()["error"]) == (401, "auth.locked_out")
        assert 0 < locked.json()["seconds"] <= 300

    server.stop()
    server.start()

    after = login(server.url, PASSWORD)
    assert (after.status_code, after.json()["error"]) == (401, "auth.locked_out")


def test_the_enrolment_rate_is_shared_and_survives_a_restart(
    server: SyncServer, second_server: SyncServer
) -> None:
    def enrol(url: str) -> int:
        body = {"device_id": str(uuid.uuid4()), "name": "laptop"}
        return int(_post(url, "/v1/devices", body).status_code)

    # Ten from this address in the window, whichever process takes them.
    statuses = [enrol(server.url if n % 2 else second_server.url) for n in range(10)]
    assert statuses == [201] * 10
    assert enrol(server.url) == 429
    assert enrol(second_server.url) == 429

    second_server.stop()
    second_server.start()

    assert enrol(second_server.url) == 429
