"""The scope routes: what a laptop should hold, the rows of patients it takes in, and search.

- ``GET /v1/scope``: patients to take in and to let go, as the service's rules stand now.
- ``POST /v1/scope/rows``: every row of some patients as they stand, with the change number
  they stand at. Patients outside the laptop's scope only for a signed-in user who may open
  records (fetched on demand).
- ``POST /v1/scope/held``: the laptop took these in, or let them go.
- ``GET /v1/patients/search``: the service's patients matching a search, for a signed-in user
  who may search; the laptop offers these when its own store has no match.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import AuthenticationFailed, ClinicError, PermissionDenied
from clinic_app.kernel.security.permissions import Action
from clinic_app.people.duplicates import merged_among
from clinic_app.people.search import search_plan
from clinic_app.server.apply import last_seq
from clinic_app.server.audit_store import patient_reached_since, record_patient_reached
from clinic_app.server.authorise import USER_TOKEN_HEADER, Acting, acting_user
from clinic_app.server.scope import (
    MAX_FETCH,
    confirm,
    plan,
    rows_for,
    scope_among,
    scope_of,
)
from clinic_app.server.scope import (
    held as held_by,
)

ReadJson = Callable[[Request], Awaitable[object]]
Authenticate = Callable[[Engine, Request], uuid.UUID]

#: Search results a laptop is given at most.
MAX_RESULTS = 25


def _ids(value: object, limit: int) -> list[uuid.UUID]:
    if not isinstance(value, list) or len(value) > limit:
        raise ClinicError("sync.bad_message", reason="patients")
    try:
        return [uuid.UUID(str(item)) for item in value]
    except ValueError:
        raise ClinicError("sync.bad_message", reason="not_a_uuid") from None


def _user(conn: Connection, device: uuid.UUID, request: Request, action: Action) -> Acting:
    acting = acting_user(conn, device, request.headers.get(USER_TOKEN_HEADER) or None)
    if acting.user_id is None or action not in acting.actions:
        raise PermissionDenied("sync.scope_needs_user")
    return acting


#: A taking-in recorded this recently (at the rows step) is not recorded again (at the hold).
_RECORDED_LATELY = timedelta(hours=1)


def _record_taken_in(
    conn: Connection,
    device: uuid.UUID,
    request: Request,
    patients: Iterable[uuid.UUID],
    scope: tuple[set[uuid.UUID], set[uuid.UUID]] | None = None,
) -> None:
    """Record each of ``patients`` a laptop is taking in without a rule bringing them.

    ``scope`` is ``scope_among`` of (at least) those patients, when already worked out.

    The caller commits ``conn``'s transaction.

    A patient outside its scope is fetched on demand: only for a user here who may open a
    record, and recorded against them ("patient.fetch"). A patient in scope only as a
    possible duplicate of (or merged with) one it holds reaches it without anyone opening the
    record, and is recorded against the laptop and its user when one asks
    ("patient.linked"). Either is recorded once, when first taken in, whether the laptop
    asks for the rows or only for the hold (a hold is enough to pull the whole record),
    and whatever the laptop later ships of its own.

    Raises:
        PermissionDenied: ``sync.scope_needs_user`` for a patient outside the scope asked
            for with no user here who may open a record.
    """
    wanted = list(dict.fromkeys(patients))
    if not wanted:
        return
    by_rule, by_link = scope if scope is not None else scope_among(conn, device, wanted)
    outside = [p for p in wanted if p not in by_rule and p not in by_link]
    linked = [p for p in wanted if p in by_link]
    if not outside and not linked:
        return  # every one brought by a rule: the usual scope step, nothing to record
    if outside:
        user: uuid.UUID | None = _user(conn, device, request, Action.PATIENT_OPEN).user_id
    else:
        try:
            user = acting_user(conn, device, request.headers.get(USER_TOKEN_HEADER) or None).user_id
        except AuthenticationFailed:
            user = None  # the laptop's own scope step: no one asked
    # Recorded when first taken in: not again for a patient the laptop holds already.
    already = held_by(conn, device, [*outside, *linked])
    since = utcnow() - _RECORDED_LATELY
    for action, among_these in (("patient.fetch", outside), ("patient.linked", linked)):
        for patient in among_these:
            if patient in already or patient_reached_since(conn, device, action, patient, since):
                continue
            record_patient_reached(conn, device, action, patient, user)


def add_scope_routes(
    app: FastAPI, engine: Engine, read_json: ReadJson, authenticated: Authenticate
) -> None:
    """Add the scope routes to the server's app (``authenticated`` names the device)."""

    def _device(_engine: Engine, request: Request) -> uuid.UUID:
        return authenticated(_engine, request)

    @app.get("/v1/scope")
    def scope(request: Request, full: str = "") -> dict[str, Any]:
        device = _device(engine, request)
        with engine.connect() as conn:
            answer = {
                **plan(conn, device).to_json(),
                "as_of": last_seq(conn),
                "fetch_limit": MAX_FETCH,
            }
            if full:
                answer["scope"] = sorted(str(p) for p in scope_of(conn, device))
        return answer

    @app.post("/v1/scope/rows")
    async def rows(request: Request) -> dict[str, Any]:
        device = _device(engine, request)
        body = await read_json(request)
        if not isinstance(body, dict):
            raise ClinicError("sync.bad_message", reason="not_an_object")
        patients = _ids(body.get("patients"), MAX_FETCH)

        def read() -> dict[str, Any]:
            with engine.connect() as conn:
                _record_taken_in(conn, device, request, patients)
                conn.commit()
                as_of = last_seq(conn)
                found = rows_for(conn, patients, as_of)
            return {"rows": [row.to_json() for row in found], "as_of": as_of}

        # On a worker thread, so a laptop's confirmation of the piece before is taken
        # meanwhile (the database work of each overlaps).
        return await run_in_threadpool(read)

    @app.post("/v1/scope/held")
    async def held(request: Request) -> dict[str, Any]:
        device = _device(engine, request)
        body = await read_json(request)
        if not isinstance(body, dict):
            raise ClinicError("sync.bad_message", reason="not_an_object")
        add = _ids(body.get("add", []), 10_000)
        remove = _ids(body.get("remove", []), 10_000)
        reason = str(body.get("reason", "scope"))
        as_of = body.get("as_of", 0)
        if isinstance(as_of, bool) or not isinstance(as_of, int) or not 0 <= as_of < 2**63:
            raise ClinicError("sync.bad_message", reason="as_of")
        if reason not in {"scope", "opened"}:
            raise ClinicError("sync.bad_message", reason="reason")

        def write(reason: str) -> dict[str, Any]:
            with engine.begin() as conn:
                scope = scope_among(conn, device, add)
                if any(p not in scope[0] and p not in scope[1] for p in add):
                    _user(conn, device, request, Action.PATIENT_OPEN)
                    reason = "opened"
                # A hold alone lets the laptop pull the whole record: recorded as the rows.
                _record_taken_in(conn, device, request, add, scope)
                confirm(conn, device, add=add, remove=remove, reason=reason, as_of=as_of)
            return {"held": len(add), "let_go": len(remove)}

        return await run_in_threadpool(write, reason)

    _add_search_route(app, engine, authenticated)


def _add_search_route(app: FastAPI, engine: Engine, authenticated: Authenticate) -> None:
    @app.get("/v1/patients/search")
    def search(request: Request, q: str = "") -> dict[str, Any]:
        device = authenticated(engine, request)
        with engine.begin() as conn:
            acting = _user(conn, device, request, Action.PATIENT_SEARCH)
            query = search_plan(q[:100], MAX_RESULTS)
            if query is None:
                return {"patients": []}
            statement, params = query
            found = conn.execute(statement, params).all()
            merged = merged_among(conn, [row[0] for row in found])
            patients: list[dict[str, Any]] = []
            seen = set(merged)
            for row in found:
                if row[0] in seen or len(patients) == MAX_RESULTS:
                    continue
                seen.add(row[0])
                patients.append(
                    {
                        "id": str(row[0]),
                        "nhs_number": row[1],
                        "family_name": row[2],
                        "given_name": row[3],
                        "date_of_birth": row[4].isoformat() if row[4] else None,
                        "sex": row[5],
                        "postcode": row[6],
                    }
                )
                # Each patient the answer shows is recorded against the user who searched,
                # as an opened record is: their details left the server for this laptop.
                # The words searched for are not kept (they may be a name or a number).
                record_patient_reached(conn, device, "patient.search", row[0], acting.user_id)
        return {"patients": patients}
