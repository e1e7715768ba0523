"""The transport's figures calls: the route, the query and the user's token, and refusals."""

from __future__ import annotations

import json

import httpx
import pytest

from clinic_app.kernel.errors import PermissionDenied
from clinic_app.sync.http import HttpTransport
from clinic_app.sync.protocol import USER_TOKEN_HEADER

ANSWER = {"measure": "did_not_attend_rate", "rows": []}


def _transport(
    seen: list[httpx.Request], status: int = 200, body: object = ANSWER
) -> HttpTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, content=json.dumps(body).encode())

    client = httpx.Client(base_url="https://server.test", transport=httpx.MockTransport(answer))
    return HttpTransport("https://server.test", "device-token", client=client)


def test_figures_are_asked_as_the_user_with_the_months_scope_and_export() -> None:
    seen: list[httpx.Request] = []
    transport = _transport(seen)

    body = transport.figures(
        "did_not_attend_rate", "2026-02", "2027-01", "user-token", breakdown="site", export=True
    )

    assert body == ANSWER
    request = seen[0]
    assert request.url.path == "/v1/figures/did_not_attend_rate"
    assert dict(request.url.params) == {
        "first": "2026-02",
        "last": "2027-01",
        "breakdown": "site",
        "scope": "service",
        "export": "1",
    }
    assert request.headers[USER_TOKEN_HEADER] == "user-token"
    assert request.headers["Authorization"] == "Bearer device-token"


def test_the_measures_are_listed_and_a_refusal_keeps_its_code() -> None:
    seen: list[httpx.Request] = []
    listed = _transport(seen, body={"measures": [{"id": "injections_given"}]})
    assert listed.figure_measures("user-token") == [{"id": "injections_given"}]
    assert seen[0].url.path == "/v1/figures/measures"

    refused = _transport(seen, status=403, body={"error": "figures.not_allowed"})
    with pytest.raises(PermissionDenied) as raised:
        refused.figures("injections_given", "2027-01", "2027-01", "user-token", scope="service")
    assert raised.value.code == "figures.not_allowed"
