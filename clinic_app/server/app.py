"""The server's HTTP API: enrolment, push, pull, the count/hash check, conflicts, health.

Logs are one JSON object a line with the event, the device and counts: never a row's
contents, so no patient data reaches a log.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy import Engine, select

from clinic_app import schema  # noqa: F401 - every table registered before any is used
from clinic_app.kernel.errors import (
    AuthenticationFailed,
    ClinicError,
    Conflict,
    NotFound,
    PermissionDenied,
)
from clinic_app.server import devices, users
from clinic_app.server.apply import (
    apply_push,
    ensure_counter,
    last_seq,
    pull_page,
    resolve_conflict,
    table_digests,
)
from clinic_app.server.audit_routes import add_audit_routes
from clinic_app.server.files import FileStore
from clinic_app.sync.model import SyncConflict
from clinic_app.sync.protocol import MAX_PAGE, PushRequest

log = logging.getLogger("onestop.server")


def log_event(event: str, **fields: Any) -> None:
    """One structured log line: an event name and ids or counts, never row contents."""
    log.info(json.dumps({"event": event, **fields}, default=str, sort_keys=True))


def _status_for(error: ClinicError) -> int:
    if isinstance(error, AuthenticationFailed):
        return 401
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    return 400


def _token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationFailed("device.no_token")
    return token.strip()


async def _json(request: Request) -> object:
    try:
        return await request.json()
    except (ValueError, UnicodeDecodeError):
        raise ClinicError("sync.bad_message", reason="not_json") from None


def _authenticated(engine: Engine, request: Request, *, approved: bool = True) -> uuid.UUID:
    with engine.begin() as conn:
        return devices.authenticate(conn, _token(request), approved=approved)


def _add_device_routes(app: FastAPI, engine: Engine) -> None:
    @app.post("/v1/devices", status_code=201)
    async def enrol(request: Request) -> dict[str, Any]:
        body = await _json(request)
        if not isinstance(body, dict):
            raise ClinicError("sync.bad_message", reason="not_an_object")
        try:
            device_id = uuid.UUID(str(body.get("device_id")))
        except ValueError:
            raise ClinicError("sync.bad_message", reason="not_a_uuid") from None
        with engine.begin() as conn:
            token = devices.enrol(conn, device_id, str(body.get("name") or ""))
        log_event("device.enrolled", device=device_id)
        return {"token": token, "status": devices.PENDING}

    @app.get("/v1/devices/me")
    def me(request: Request) -> dict[str, Any]:
        device = _authenticated(engine, request, approved=False)
        with engine.connect() as conn:
            return {"device_id": str(device), "status": devices.status_of(conn, device)}


def _add_login_route(app: FastAPI, engine: Engine) -> None:
    @app.post("/v1/login")
    async def login(request: Request) -> dict[str, Any]:
        device = _authenticated(engine, request)
        body = await _json(request)
        if not isinstance(body, dict):
            raise ClinicError("sync.bad_message", reason="not_an_object")
        with engine.begin() as conn:
            user_id, token = users.online_login(
                conn, device, str(body.get("username") or ""), str(body.get("password") or "")
            )
        log_event("user.online_login", device=device, user=user_id)
        return {"user_id": str(user_id), "token": token}


def _add_file_routes(app: FastAPI, engine: Engine, files: FileStore) -> None:
    @app.get("/v1/files/{sha256}")
    def file_status(sha256: str, request: Request) -> dict[str, Any]:
        _authenticated(engine, request)
        return {"received": files.received(sha256), "complete": files.has(sha256)}

    @app.put("/v1/files/{sha256}")
    async def upload(sha256: str, request: Request, offset: int = 0) -> Any:
        device = _authenticated(engine, request)
        data = await request.body()
        try:
            received = files.append(sha256, offset, data)
        except Conflict as error:
            return JSONResponse(
                {"error": error.code, "received": error.params.get("received", 0)},
                status_code=409,
            )
        log_event("file.piece", device=device, offset=offset, size=len(data))
        return {"received": received}

    @app.post("/v1/files/{sha256}/complete")
    async def complete(sha256: str, request: Request) -> dict[str, Any]:
        device = _authenticated(engine, request)
        body = await _json(request)
        size = body.get("size") if isinstance(body, dict) else None
        if isinstance(size, bool) or not isinstance(size, int):
            raise ClinicError("sync.bad_message", reason="no_size")
        files.complete(sha256, size)
        log_event("file.complete", device=device, size=size)
        return {"complete": True}

    @app.get("/v1/files/{sha256}/content")
    def download(sha256: str, request: Request) -> FileResponse:
        _authenticated(engine, request)
        return FileResponse(files.open(sha256), media_type="application/octet-stream")


def _add_sync_routes(app: FastAPI, engine: Engine, files: FileStore) -> None:
    @app.post("/v1/push")
    async def push(request: Request) -> dict[str, Any]:
        device = _authenticated(engine, request)
        message = PushRequest.from_json(await _json(request))
        with engine.begin() as conn:
            response = apply_push(conn, device, message, files.has)
        counts: dict[str, int] = {}
        for result in response.results:
            counts[result.status.value] = counts.get(result.status.value, 0) + 1
        log_event("push", device=device, changes=len(message.changes), **counts)
        return response.to_json()

    @app.get("/v1/pull")
    def pull(request: Request, cursor: int = 0, limit: int = MAX_PAGE) -> dict[str, Any]:
        device = _authenticated(engine, request)
        with engine.connect() as conn:
            page = pull_page(conn, max(cursor, 0), limit)
        log_event("pull", device=device, cursor=cursor, rows=len(page.rows))
        return page.to_json()

    @app.get("/v1/check")
    def check(request: Request) -> dict[str, Any]:
        _authenticated(engine, request)
        with engine.connect() as conn:
            return {"last_seq": last_seq(conn), "tables": table_digests(conn)}


def _conflict_json(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "table": row.table_name,
        "row_id": str(row.row_id),
        "field": row.field,
        "server_value": row.server_value,
        "server_changed_by_device": str(row.server_changed_by_device or ""),
        "server_version": row.server_version,
        "device_value": row.device_value,
        "device_id": str(row.device_id),
        "user_id": str(row.user_id or ""),
        "changed_at": row.changed_at.isoformat(),
    }


def _add_conflict_routes(app: FastAPI, engine: Engine) -> None:
    @app.get("/v1/conflicts")
    def conflicts(request: Request) -> dict[str, Any]:
        _authenticated(engine, request)
        with engine.connect() as conn:
            rows = conn.execute(
                select(SyncConflict)
                .where(SyncConflict.status == "open")
                .order_by(SyncConflict.changed_at)
            ).all()
        return {"conflicts": [_conflict_json(row) for row in rows]}

    @app.post("/v1/conflicts/{conflict_id}/resolve")
    async def resolve(conflict_id: str, request: Request) -> dict[str, Any]:
        body = await _json(request)
        if not isinstance(body, dict) or "value" not in body:
            raise ClinicError("sync.bad_message", reason="no_value")
        try:
            chosen_id = uuid.UUID(conflict_id)
            user = uuid.UUID(str(body["user_id"])) if body.get("user_id") else None
        except ValueError:
            raise ClinicError("sync.bad_message", reason="not_a_uuid") from None
        device = _authenticated(engine, request)
        with engine.begin() as conn:
            result = resolve_conflict(conn, device, chosen_id, body["value"], user)
        log_event("conflict.resolved", device=device, conflict=chosen_id)
        return result.to_json()


def create_app(engine: Engine, files: FileStore) -> FastAPI:
    """The API over one database (PostgreSQL, or an SQLite file for a one-machine trial).

    Files (DICOM, PDF) are kept in ``files``, named by their SHA-256.
    """
    with engine.begin() as conn:
        ensure_counter(conn)
    app = FastAPI(title="OneStop MSK server", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(ClinicError)
    async def clinic_error(_request: Request, error: ClinicError) -> JSONResponse:
        log_event("refused", code=error.code, status=_status_for(error))
        return JSONResponse({"error": error.code}, status_code=_status_for(error))

    @app.get("/health")
    def health() -> dict[str, Any]:
        with engine.connect() as conn:
            return {"status": "ok", "last_seq": last_seq(conn)}

    _add_device_routes(app, engine)
    _add_login_route(app, engine)
    _add_sync_routes(app, engine, files)
    _add_file_routes(app, engine, files)
    _add_conflict_routes(app, engine)
    add_audit_routes(app, engine)
    return app
