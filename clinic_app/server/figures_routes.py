"""The service's figures, read on the server where every laptop's records meet.

- ``GET /v1/figures/measures``: every measure a dashboard can show (titles, units,
  breakdowns, whether the app records it yet, its target and the target's source).
- ``GET /v1/figures/{measure}?first=YYYY-MM&last=YYYY-MM&breakdown=all&scope=service&export=0``:
  one measure's figures over the months ``first`` to ``last`` (``last`` defaults to
  ``first``), broken down one way, as JSON (``clinic_app.figures.results.Figures.to_json``).

Both need a device of the service and a user signed in online on it (their token in the
``X-OneStop-User`` header). ``scope=service`` (the default for whoever may) is the whole
service's figures, for the service lead; ``scope=own`` is the signed-in clinician's own.
``export=1`` suppresses small numbers, as for anything that leaves the service; figures
read on the dashboard are not suppressed. Counts and rates only: no patient is in an answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import Engine

from clinic_app.figures.engine import Request as FiguresRequest
from clinic_app.figures.engine import compute
from clinic_app.figures.service import catalogue
from clinic_app.figures.suppression import suppress
from clinic_app.kernel.errors import AuthenticationFailed, ClinicError, PermissionDenied
from clinic_app.kernel.security.permissions import Action
from clinic_app.server.authorise import USER_TOKEN_HEADER, Acting, acting_user

Authenticate = Callable[[Engine, Request], uuid.UUID]

SCOPES = ("service", "own")
_YEAR_MONTH = 7  # "YYYY-MM"


_FIRST_YEAR, _LAST_YEAR = 1900, 2999


def parse_month(text: str, field: str) -> date:
    """The first day of a month written ``YYYY-MM``.

    Raises:
        ClinicError: ``figures.bad_month`` naming the field.
    """
    try:
        if len(text) != _YEAR_MONTH:
            raise ValueError(text)
        month = date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ClinicError("figures.bad_month", field=field) from None
    # A service's figures run over years it can have worked in: the ends of the calendar
    # (year 1, year 9999) would take a month's arithmetic past what a date can hold.
    if not _FIRST_YEAR <= month.year <= _LAST_YEAR:
        raise ClinicError("figures.bad_month", field=field)
    return month


def _acting(engine: Engine, request: Request, device: uuid.UUID) -> Acting:
    token = request.headers.get(USER_TOKEN_HEADER, "").strip()
    if not token:
        raise AuthenticationFailed("auth.no_user_token")
    with engine.connect() as conn:
        acting = acting_user(conn, device, token)
    if acting.user_id is None or not acting.active:
        raise AuthenticationFailed("auth.disabled")
    return acting


def figures_scope(acting: Acting, scope: str, breakdown: str = "all") -> uuid.UUID | None:
    """Whose facts the figures count: None for the whole service, else the user's own.

    A clinician reads the whole service's figures beside their own, broken down any way but
    by clinician: each colleague's figures are for the service lead.

    Raises:
        PermissionDenied: ``figures.not_allowed`` for a scope the user may not read.
        ClinicError: ``figures.bad_scope`` for a scope that is neither.
    """
    if scope not in SCOPES:
        raise ClinicError("figures.bad_scope", scope=scope)
    if scope == "own":
        allowed = Action.FIGURES_OWN in acting.actions
    else:
        allowed = Action.FIGURES_SERVICE in acting.actions or (
            Action.FIGURES_OWN in acting.actions and breakdown != "clinician"
        )
    if not allowed:
        raise PermissionDenied("figures.not_allowed", scope=scope)
    return None if scope == "service" else acting.user_id


def add_figures_routes(app: FastAPI, engine: Engine, authenticated: Authenticate) -> None:
    """Add the figures routes to the server's app (``authenticated`` names the device)."""

    @app.get("/v1/figures/measures")
    def measures(request: Request) -> dict[str, Any]:
        _acting(engine, request, authenticated(engine, request))
        return {
            "measures": [
                {
                    "id": m.id,
                    "title": m.title,
                    "description": m.description,
                    "unit": m.unit,
                    "kind": m.kind,
                    "breakdowns": ["all", *m.breakdowns],
                    "recorded": m.recorded,
                    "target": (
                        None
                        if m.target_value is None
                        else {
                            "value": m.target_value,
                            "direction": m.target_direction,
                            "source": m.target_source,
                        }
                    ),
                }
                for m in catalogue()
            ]
        }

    @app.get("/v1/figures/{measure}")
    def figures(
        request: Request,
        measure: str,
        *,
        first: str,
        last: str = "",
        breakdown: str = "all",
        scope: str = "",
        export: bool = False,
    ) -> dict[str, Any]:
        acting = _acting(engine, request, authenticated(engine, request))
        if not scope:
            scope = "service" if Action.FIGURES_SERVICE in acting.actions else "own"
        clinician = figures_scope(acting, scope, breakdown)
        start = parse_month(first, "first")
        end = parse_month(last, "last") if last else start
        asked = FiguresRequest(measure[:60], start, end, breakdown[:40], clinician)
        with engine.connect() as conn:
            found = compute(conn, asked)
        return (suppress(found) if export else found).to_json()
