"""The figures route: the service's figures for its lead, a clinician's own, and exports."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, delete

from clinic_app.kernel.errors import AuthenticationFailed, ClinicError, PermissionDenied
from clinic_app.server.devices import token_digest
from clinic_app.server.figures_routes import add_figures_routes
from clinic_app.sync.model import SyncUserLogin
from tests.core.figures.conftest import Service

with warnings.catch_warnings():
    # Starlette asks for its own fork of httpx for its test client; httpx still serves.
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

DEVICE = uuid.UUID(int=99)
TOKENS = {"ann": "ann-token", "lee": "lee-token"}


def _status(error: ClinicError) -> int:
    if isinstance(error, AuthenticationFailed):
        return 401
    return 403 if isinstance(error, PermissionDenied) else 400


@pytest.fixture(scope="module")
def client(service: Service) -> Iterator[TestClient]:
    engine: Engine = service.services.context.store.engine
    people = service.people
    with engine.begin() as conn:
        for user, name in ((people.ann, "ann"), (people.lead, "lee")):
            conn.execute(
                SyncUserLogin.__table__.insert().values(
                    device_id=DEVICE, user_id=user.id, token_sha256=token_digest(TOKENS[name])
                )
            )
    app = FastAPI()

    @app.exception_handler(ClinicError)
    async def refused(_request: Request, error: ClinicError) -> JSONResponse:
        return JSONResponse({"error": error.code}, status_code=_status(error))

    add_figures_routes(app, engine, lambda _engine, _request: DEVICE)
    with TestClient(app) as running:
        yield running
    with engine.begin() as conn:
        conn.execute(delete(SyncUserLogin).where(SyncUserLogin.device_id == DEVICE))


def _as(name: str) -> dict[str, str]:
    return {"X-OneStop-User": TOKENS[name], "Authorization": "Bearer device"}


def test_the_lead_reads_the_service_s_figures_as_json(client: TestClient) -> None:
    answer = client.get(
        "/v1/figures/did_not_attend_rate",
        params={"first": "2027-01", "breakdown": "site"},
        headers=_as("lee"),
    )

    assert answer.status_code == 200
    body = answer.json()
    assert (body["measure"], body["first"], body["last"], body["breakdown"]) == (
        "did_not_attend_rate",
        "2027-01",
        "2027-01",
        "site",
    )
    assert (body["clinician_id"], body["suppressed"], body["status"]) == (None, False, "ok")
    assert [(r["label"], r["numerator"], r["denominator"]) for r in body["rows"]] == [
        ("North Clinic", 1, 2),
        ("South Clinic", 0, 3),
    ]


def test_an_export_is_suppressed(client: TestClient) -> None:
    answer = client.get(
        "/v1/figures/did_not_attend_rate",
        params={"first": "2027-01", "export": "1"},
        headers=_as("lee"),
    )

    assert answer.json()["rows"] == [
        {
            "key": None,
            "label": "All",
            "numerator": "<5",
            "denominator": 5,
            "value": "<5",
            "status": "ok",
        }
    ]


def test_a_clinician_reads_their_own_and_the_service_s_but_not_each_colleague_s(
    client: TestClient, service: Service
) -> None:
    own = client.get(
        "/v1/figures/injections_given",
        params={"first": "2027-01", "last": "2027-02", "breakdown": "month"},
        headers=_as("ann"),
    ).json()
    whole = client.get(
        "/v1/figures/injections_given",
        params={"first": "2027-01", "scope": "service"},
        headers=_as("ann"),
    ).json()
    lee = client.get(
        "/v1/figures/injections_given",
        params={"first": "2027-01", "scope": "service"},
        headers=_as("lee"),
    ).json()
    refused = client.get(
        "/v1/figures/injections_given",
        params={"first": "2027-01", "scope": "service", "breakdown": "clinician"},
        headers=_as("ann"),
    )

    assert own["clinician_id"] == str(service.people.ann.id)
    assert [(r["key"], r["numerator"]) for r in own["rows"]] == [("2027-01", 2), ("2027-02", 0)]
    assert whole["clinician_id"] is None
    assert whole["rows"] == lee["rows"]
    assert (refused.status_code, refused.json()) == (403, {"error": "figures.not_allowed"})


def test_no_user_or_a_bad_month_is_refused(client: TestClient) -> None:
    nobody = client.get("/v1/figures/injections_given", params={"first": "2027-01"})
    bad = client.get(
        "/v1/figures/injections_given", params={"first": "January"}, headers=_as("lee")
    )
    unknown = client.get("/v1/figures/no_such", params={"first": "2027-01"}, headers=_as("lee"))

    assert nobody.status_code == 401
    assert (bad.status_code, bad.json()) == (400, {"error": "figures.bad_month"})
    assert unknown.json() == {"error": "figures.unknown_measure"}


def test_the_measures_are_listed(client: TestClient) -> None:
    listed = client.get("/v1/figures/measures", headers=_as("ann")).json()["measures"]
    by_id = {m["id"]: m for m in listed}

    assert by_id["surgical_conversion_rate"]["recorded"] is False
    assert by_id["opioid_gabapentinoid_review_rate"]["recorded"] is True
    assert by_id["patient_experience_positive"]["recorded"] is True
    assert by_id["patient_experience_positive"]["target"]["value"] == 0.75
    assert by_id["did_not_attend_rate"]["breakdowns"][:2] == ["all", "month"]


def test_months_at_the_ends_of_the_calendar_are_refused_in_plain_words(
    client: TestClient,
) -> None:
    for params in (
        {"first": "9999-12"},
        {"first": "2026-01", "last": "9999-12"},
        {"first": "0001-01", "last": "9998-12"},
    ):
        answer = client.get("/v1/figures/injections_given", params=params, headers=_as("lee"))
        assert (answer.status_code, answer.json()) == (400, {"error": "figures.bad_month"})
