"""A seeded service for the figures dashboard, and its server's figures routes in-process.

The store is the figures' own scenario (``tests.core.figures.seed``): Ann and Ben
(clinicians) and Lee (the service lead) can sign in with ``PASSWORD``. The server is the
real figures routes over that store, reached through the app's own HTTP transport and sync
service, so the dashboard reads exactly what the server answers.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import update

from clinic_app.container import Services
from clinic_app.kernel.errors import AuthenticationFailed, ClinicError, PermissionDenied
from clinic_app.kernel.local import StoreMeta
from clinic_app.kernel.security import keychain
from clinic_app.kernel.security.passwords import hash_password
from clinic_app.kernel.staff import User
from clinic_app.people.sync_service import SERVER_KEY, SyncService
from clinic_app.server.devices import token_digest
from clinic_app.server.figures_routes import add_figures_routes
from clinic_app.sync.http import HttpTransport
from clinic_app.sync.model import SyncUserLogin
from tests.core.figures.seed import Seeded, seed_service

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
SERVER_URL = "https://figures.test"
DEVICE = uuid.UUID(int=99)


@pytest.fixture
def seeded(services: Services) -> Seeded:
    """The scenario written to the test's empty store, its people able to sign in."""
    people = seed_service(services)
    with services.context.store.sessions.begin() as session:
        session.execute(update(User).values(password_hash=hash_password(PASSWORD)))
    return people


@pytest.fixture
def clinic(services: Services, seeded: Seeded) -> Services:
    """The window's clinic: the seeded service (replaces the demo clinic of tests/ui)."""
    return services


def _status(error: ClinicError) -> int:
    if isinstance(error, AuthenticationFailed):
        return 401
    return 403 if isinstance(error, PermissionDenied) else 400


@pytest.fixture
def online(
    clinic: Services, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], None]]:
    """Connects this laptop to a server whose figures routes read the seeded service.

    Called once the user signed in (so sign-in and background sync stay local): from then
    on Ann and Lee have signed in online here (their tokens are kept); Ben has not.
    """
    engine = clinic.context.store.engine
    tokens = {seeded.ann.id: "ann-token", seeded.lead.id: "lee-token"}
    app = FastAPI()

    @app.exception_handler(ClinicError)
    async def refused(_request: Request, error: ClinicError) -> JSONResponse:
        return JSONResponse({"error": error.code}, status_code=_status(error))

    add_figures_routes(app, engine, lambda _engine, _request: DEVICE)
    with TestClient(app, base_url=SERVER_URL) as client:

        def http(url: str, token: str | None = None, ca_file: Any = None) -> HttpTransport:
            assert url == SERVER_URL
            return _Transport(url, token, client=client)

        def connect() -> None:
            with engine.begin() as conn:
                for user_id, token in tokens.items():
                    conn.execute(
                        SyncUserLogin.__table__.insert().values(
                            device_id=DEVICE, user_id=user_id, token_sha256=token_digest(token)
                        )
                    )
                conn.execute(StoreMeta.__table__.insert().values(key=SERVER_KEY, value=SERVER_URL))
            device = clinic.context.device_id
            keychain.set_sync_token(device, "device-token")
            for user_id, token in tokens.items():
                keychain.set_sync_token(device, token, user_id)
            monkeypatch.setattr(SyncService, "_http", staticmethod(http))
            monkeypatch.setattr(clinic.sync, "_configured", None)

        yield connect


class _Transport(HttpTransport):
    """The app's transport over the test client, which the transport must not close."""

    def close(self) -> None:
        """The test client outlives each call."""
