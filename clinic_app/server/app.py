"""The server's HTTP API: enrolment, push, pull, the count/hash check, conflicts, health.

Logs are one JSON object a line with the event, the device and counts: never a row's
contents, so no patient data reaches a log.

Every route that takes a body authenticates first (enrolment, which has no token yet, is
rate-limited first), then checks the content type and reads at most the configured size;
a malformed body (not UTF-8, not JSON, nested too deep, a number beyond 64 bits, a lone
surrogate) is a 400 with a code, never a 500.
"""

from __future__ import annotations

import json
import logging
import math
import re
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlalchemy import Engine

from clinic_app import schema  # noqa: F401 - every table registered before any is used
from clinic_app.kernel.errors import (
    AuthenticationFailed,
    ClinicError,
    Conflict,
    NotFound,
    PermissionDenied,
)
from clinic_app.kernel.logs import describe_for_log
from clinic_app.server import devices, users
from clinic_app.server.apply import (
    apply_push,
    device_may_read_file,
    ensure_counter,
    last_seq,
    open_conflicts,
    pull_page,
    resolve_conflict,
    table_digests,
)
from clinic_app.server.audit_routes import add_audit_routes
from clinic_app.server.authorise import USER_TOKEN_HEADER, acting_user
from clinic_app.server.figures_routes import add_figures_routes
from clinic_app.server.files import FileStore
from clinic_app.server.limits import EnrolmentRate, ServerLimits, SignInLockout
from clinic_app.server.scope_routes import add_scope_routes
from clinic_app.sync.protocol import MAX_PAGE, PushRequest

log = logging.getLogger("onestop.server")


def log_event(event: str, **fields: Any) -> None:
    """One structured log line: an event name and ids or counts, never row contents."""
    log.info(json.dumps({"event": event, **fields}, default=str, sort_keys=True))


#: Codes answered with their own HTTP status (anything else by the error's kind).
_STATUS_BY_CODE = {
    "request.too_large": 413,
    "request.content_type": 415,
    "file.too_large": 413,
    "file.uploads_full": 413,
    "device.enrol_rate_limited": 429,
}
_INT64 = 2**63 - 1


def _status_for(error: ClinicError) -> int:
    if error.code in _STATUS_BY_CODE:
        return _STATUS_BY_CODE[error.code]
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


def _bad(reason: str) -> ClinicError:
    return ClinicError("sync.bad_message", reason=reason)


def _require_type(request: Request, media_type: str) -> None:
    given = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if given != media_type:
        raise ClinicError("request.content_type", expected=media_type)


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused as soon as it is known to be over ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise _bad("bad_length")
        if int(declared) > limit:
            raise ClinicError("request.too_large", limit=limit)
    parts: list[bytes] = []
    size = 0
    async for part in request.stream():
        size += len(part)
        if size > limit:
            raise ClinicError("request.too_large", limit=limit)
        parts.append(part)
    return b"".join(parts)


def _int64(text: str) -> int:
    value = int(text)
    if not -_INT64 - 1 <= value <= _INT64:
        raise ValueError("integer beyond 64 bits")
    return value


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def _no_constants(_name: str) -> object:
    raise ValueError("NaN and Infinity are not JSON")


#: A JSON escape of a UTF-16 surrogate: only such an escape can put a lone surrogate (text
#: that is not valid Unicode) into a parsed body, since the raw bytes were decoded as UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _check_tree(value: object, depth_left: int, *, texts: bool = True) -> None:
    """Refuse nesting deeper than allowed and (with ``texts``) text that is not valid Unicode."""
    if depth_left < 0:
        raise _bad("too_deep")
    if isinstance(value, str):
        if texts:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise _bad("bad_text") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            if texts:
                _check_tree(key, depth_left, texts=texts)
            if texts or isinstance(item, dict | list):
                _check_tree(item, depth_left - 1, texts=texts)
    elif isinstance(value, list):
        for item in value:
            if texts or isinstance(item, dict | list):
                _check_tree(item, depth_left - 1, texts=texts)


def _parse_json(
    raw: bytes, max_depth: int, *, any_integer: bool = False, walk: bool = True
) -> object:
    """A JSON body; integers beyond 64 bits refused unless ``any_integer`` (checked later).

    Without ``walk`` its depth is left to the caller, who knows the body's shape (a push
    checks only the values its changes carry); a lone surrogate is looked for all the same.
    """
    try:
        text = raw.decode("utf-8")
        body = json.loads(
            text,
            parse_int=int if any_integer else _int64,
            parse_float=_finite,
            parse_constant=_no_constants,
        )
    except RecursionError:
        raise _bad("too_deep") from None
    except (ValueError, UnicodeDecodeError):
        raise _bad("not_json") from None
    # Every text is checked only when the body escapes a surrogate somewhere (rare): a
    # push of 500 records is mostly text, and its depth alone is checked quickly.
    surrogate = _SURROGATE_ESCAPE.search(text) is not None
    if walk or surrogate:
        _check_tree(body, max_depth, texts=surrogate)
    return body


#: How deep a change's values sit in a push: body, changes, a change, its fields.
_VALUE_DEPTH = 4
_NESTED = frozenset({dict, list})


def _check_values(message: PushRequest, max_depth: int) -> None:
    """Refuse a push whose values nest deeper than allowed (the rest has a fixed shape)."""
    for change in message.changes:
        for value in change.fields.values():
            # Parsed JSON holds these types exactly (no subclass): one set lookup a value.
            if type(value) in _NESTED:
                _check_tree(value, max_depth - _VALUE_DEPTH, texts=False)


async def _read_json(
    request: Request, limits: ServerLimits, *, any_integer: bool = False
) -> object:
    """A JSON body within the limits (call after authenticating)."""
    _require_type(request, "application/json")
    raw = await _body(request, limits.max_json_bytes)
    return _parse_json(raw, limits.max_json_depth, any_integer=any_integer)


async def _json_object(request: Request, limits: ServerLimits) -> dict[str, Any]:
    body = await _read_json(request, limits)
    if not isinstance(body, dict):
        raise _bad("not_an_object")
    return body


def _number(value: int, name: str) -> int:
    """A query number the database can hold (0 to 2^63 - 1)."""
    if not 0 <= value <= _INT64:
        raise _bad(f"bad_{name}")
    return value


def _authenticated(engine: Engine, request: Request, *, approved: bool = True) -> uuid.UUID:
    with engine.begin() as conn:
        return devices.authenticate(conn, _token(request), approved=approved)


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _add_device_routes(app: FastAPI, engine: Engine, limits: ServerLimits) -> None:
    rate = EnrolmentRate(limits, engine)

    @app.post("/v1/devices", status_code=201)
    async def enrol(request: Request) -> dict[str, Any]:
        # No token yet: the rate limit comes before anything is read.
        if not rate.allow(_client_address(request)):
            log_event("device.enrol_refused", reason="rate")
            raise ClinicError("device.enrol_rate_limited")
        body = await _json_object(request, limits)
        try:
            device_id = uuid.UUID(str(body.get("device_id")))
        except ValueError:
            raise _bad("not_a_uuid") from None
        name = body.get("name")
        with engine.begin() as conn:
            token = devices.enrol(conn, device_id, name if isinstance(name, str) else "")
        log_event("device.enrolled", device=device_id)
        return {"token": token, "status": devices.PENDING}

    @app.get("/v1/devices/me")
    def me(request: Request) -> dict[str, Any]:
        device = _authenticated(engine, request, approved=False)
        with engine.connect() as conn:
            return {"device_id": str(device), "status": devices.status_of(conn, device)}


def _add_login_route(app: FastAPI, engine: Engine, limits: ServerLimits) -> None:
    lockout = SignInLockout(limits, engine)

    @app.post("/v1/login")
    async def login(request: Request) -> dict[str, Any]:
        device = _authenticated(engine, request)
        body = await _json_object(request, limits)
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            raise _bad("no_credentials")
        name = username.strip().casefold()
        locked_for = lockout.locked_for(name)
        if locked_for:
            log_event("user.online_login_locked_out", device=device)
            raise AuthenticationFailed("auth.locked_out", seconds=math.ceil(locked_for))
        try:
            with engine.begin() as conn:
                user_id, token = users.online_login(conn, device, name, password)
        except AuthenticationFailed:
            lockout.failed(name)
            log_event("user.online_login_failed", device=device)
            raise
        lockout.succeeded(name)
        log_event("user.online_login", device=device, user=user_id)
        return {"user_id": str(user_id), "token": token}


def _add_file_routes(app: FastAPI, engine: Engine, files: FileStore, limits: ServerLimits) -> None:
    @app.get("/v1/files/{sha256}")
    def file_status(sha256: str, request: Request) -> dict[str, Any]:
        _authenticated(engine, request)
        return {"received": files.received(sha256), "complete": files.has(sha256)}

    @app.put("/v1/files/{sha256}")
    async def upload(sha256: str, request: Request, offset: int = 0) -> Any:
        device = _authenticated(engine, request)
        _require_type(request, "application/octet-stream")
        offset = _number(offset, "offset")
        data = await _body(request, limits.max_piece_bytes)
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
        body = await _read_json(request, limits)
        size = body.get("size") if isinstance(body, dict) else None
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise _bad("no_size")
        files.complete(sha256, size)
        log_event("file.complete", device=device, size=size)
        return {"complete": True}

    @app.get("/v1/files/{sha256}/content")
    def download(sha256: str, request: Request) -> FileResponse:
        device = _authenticated(engine, request)
        with engine.connect() as conn:
            # Only to a laptop holding a record that names the file: never another site's.
            if not device_may_read_file(conn, device, sha256):
                raise NotFound("file.not_found")
        return FileResponse(files.open(sha256), media_type="application/octet-stream")


def _add_sync_routes(app: FastAPI, engine: Engine, files: FileStore, limits: ServerLimits) -> None:
    @app.post("/v1/push")
    async def push(request: Request) -> Response:
        device = _authenticated(engine, request)
        user_token = request.headers.get(USER_TOKEN_HEADER) or None
        with engine.begin() as conn:
            # Who the push is made as, checked before its body is read.
            acting = acting_user(conn, device, user_token)
        # A number too large for its column is one change's fault, refused with that change
        # alone (``server.values``), not the whole batch's.
        # The envelope's shape is checked as it is parsed, so only values are walked.
        _require_type(request, "application/json")
        raw = await _body(request, limits.max_json_bytes)
        body = _parse_json(raw, limits.max_json_depth, any_integer=True, walk=False)
        message = PushRequest.from_json(body)
        _check_values(message, limits.max_json_depth)
        with engine.begin() as conn:
            # Again inside the push's own transaction: the role and state in force now.
            acting = acting_user(conn, device, user_token)
            response = apply_push(conn, device, message, files.has, acting=acting)
        counts: dict[str, int] = {}
        for result in response.results:
            counts[result.status.value] = counts.get(result.status.value, 0) + 1
        log_event(
            "push", device=device, user=acting.user_id, changes=len(message.changes), **counts
        )
        # Written out once, for the receipt and this reply alike.
        return Response(response.as_text, media_type="application/json")

    @app.get("/v1/pull")
    def pull(request: Request, cursor: int = 0, limit: int = MAX_PAGE) -> dict[str, Any]:
        device = _authenticated(engine, request)
        cursor = _number(max(cursor, 0), "cursor")
        limit = max(1, min(limit, MAX_PAGE))
        with engine.connect() as conn:
            page = users.withhold_password_hashes(
                conn, device, pull_page(conn, cursor, limit, holder=device)
            )
        log_event("pull", device=device, cursor=cursor, rows=len(page.rows))
        return page.to_json()

    @app.get("/v1/check")
    def check(request: Request) -> dict[str, Any]:
        device = _authenticated(engine, request)
        with engine.connect() as conn:
            return {"last_seq": last_seq(conn), "tables": table_digests(conn, holder=device)}


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


def _add_conflict_routes(app: FastAPI, engine: Engine, limits: ServerLimits) -> None:
    @app.get("/v1/conflicts")
    def conflicts(request: Request) -> dict[str, Any]:
        device = _authenticated(engine, request)
        with engine.connect() as conn:
            rows = open_conflicts(conn, device)
        return {"conflicts": [_conflict_json(row) for row in rows]}

    @app.post("/v1/conflicts/{conflict_id}/resolve")
    async def resolve(conflict_id: str, request: Request) -> dict[str, Any]:
        device = _authenticated(engine, request)
        user_token = request.headers.get(USER_TOKEN_HEADER) or None
        if user_token is None:
            # A person chooses: never the device alone.
            raise AuthenticationFailed("sync.user_token_unknown")
        with engine.begin() as conn:
            acting_user(conn, device, user_token)  # who chooses, before the body is read
        body = await _json_object(request, limits)
        if "value" not in body:
            raise _bad("no_value")
        try:
            chosen_id = uuid.UUID(conflict_id)
        except ValueError:
            raise _bad("not_a_uuid") from None
        # Any ``user_id`` in the body is ignored: the chooser is the token's user.
        with engine.begin() as conn:
            acting = acting_user(conn, device, user_token)
            result = resolve_conflict(conn, device, chosen_id, body["value"], acting)
        log_event("conflict.resolved", device=device, user=acting.user_id, conflict=chosen_id)
        return result.to_json()


def create_app(engine: Engine, files: FileStore, limits: ServerLimits | None = None) -> FastAPI:
    """The API over one database (PostgreSQL, or an SQLite file for a one-machine trial).

    Files (DICOM, PDF) are kept in ``files``, named by their SHA-256; ``limits`` are the
    edges' settings (the defaults of :class:`ServerLimits` when not given).
    """
    limits = limits or ServerLimits()
    with engine.begin() as conn:
        ensure_counter(conn)
    app = FastAPI(title="OneStop MSK server", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(ClinicError)
    async def clinic_error(_request: Request, error: ClinicError) -> JSONResponse:
        log_event("refused", code=error.code, status=_status_for(error))
        body: dict[str, Any] = {"error": error.code}
        if error.code == "auth.locked_out":
            body["seconds"] = error.params.get("seconds")
        return JSONResponse(body, status_code=_status_for(error))

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, error: Exception) -> JSONResponse:
        # Type and frames only: a database error's message quotes the row's values.
        log.error("unexpected error:\n%s", describe_for_log(error))
        return JSONResponse({"error": "server.internal"}, status_code=500)

    @app.get("/health")
    def health() -> dict[str, Any]:
        with engine.connect() as conn:
            return {"status": "ok", "last_seq": last_seq(conn)}

    _add_device_routes(app, engine, limits)
    _add_login_route(app, engine, limits)
    _add_sync_routes(app, engine, files, limits)
    _add_file_routes(app, engine, files, limits)
    _add_conflict_routes(app, engine, limits)
    add_audit_routes(app, engine, lambda request: _read_json(request, limits))
    add_scope_routes(app, engine, lambda request: _read_json(request, limits), _authenticated)
    add_figures_routes(app, engine, _authenticated)
    return app
