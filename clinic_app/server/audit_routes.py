"""The server's audit endpoints: devices ship their chains; an admin asks about a patient.

- ``POST /v1/audit``: a device's entries since the head the server acknowledged;
  answered with the head now held, or 409 with the refusal code (kept and logged).
- ``GET /v1/audit/head``: the head held for the calling device (its chain's anchor).
- ``GET /v1/audit/patients/{id}``: who opened or changed one patient's record, on every
  device; for an admin signed in online on the calling device (their token in the
  ``X-OneStop-User`` header). The question itself is audited on the server's chain.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import Engine, select

from clinic_app.kernel.errors import AuthenticationFailed, ClinicError, PermissionDenied
from clinic_app.kernel.staff import User
from clinic_app.kernel.vocabulary import Role
from clinic_app.server import audit_store, devices
from clinic_app.sync.audit_ship import entries_from_json
from clinic_app.sync.model import SyncUserLogin

USER_HEADER = "x-onestop-user"

log = logging.getLogger("onestop.server")


def log_event(event: str, **fields: Any) -> None:
    """One structured log line, as the rest of the server writes them: ids and counts."""
    log.info(json.dumps({"event": event, **fields}, default=str, sort_keys=True))


def _token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("device.no_token")
    return token.strip()


def _device(engine: Engine, request: Request) -> uuid.UUID:
    with engine.begin() as conn:
        return devices.authenticate(conn, _token(request))


def _admin(engine: Engine, request: Request, device: uuid.UUID) -> uuid.UUID:
    token = request.headers.get(USER_HEADER, "").strip()
    if not token:
        raise AuthenticationFailed("auth.no_user_token")
    with engine.connect() as conn:
        row = conn.execute(
            select(User.id, User.role, User.active)
            .join(SyncUserLogin, SyncUserLogin.user_id == User.id)
            .where(
                SyncUserLogin.device_id == device,
                SyncUserLogin.token_sha256 == devices.token_digest(token),
                User.deleted.is_(False),
            )
        ).first()
    if row is None or not row.active:
        raise AuthenticationFailed("auth.failed")
    if row.role != Role.ADMIN:
        raise PermissionDenied("permission.denied", action="audit.patient_trail")
    return uuid.UUID(str(row.id))


def add_audit_routes(
    app: FastAPI, engine: Engine, read_json: Callable[[Request], Awaitable[object]]
) -> None:
    """Register the audit endpoints on the server's app.

    ``read_json`` reads a body as every other route does: within the size and depth limits,
    as JSON only, and only once the caller is authenticated.
    """

    @app.post("/v1/audit")
    async def ship(request: Request) -> dict[str, Any]:
        device = _device(engine, request)
        entries = entries_from_json(await read_json(request))
        try:
            with engine.begin() as conn:
                seq, hash_ = audit_store.receive(conn, device, entries)
        except audit_store.AuditRefused as error:
            with engine.begin() as conn:
                audit_store.record_refusal(conn, device, error)
            log_event("audit.refused", device=device, code=error.code, seq=error.params.get("seq"))
            raise
        log_event("audit.shipped", device=device, entries=len(entries), head=seq)
        return {"seq": seq, "hash": hash_}

    @app.get("/v1/audit/head")
    def head(request: Request) -> dict[str, Any]:
        device = _device(engine, request)
        with engine.connect() as conn:
            seq, hash_ = audit_store.head(conn, device)
        return {"seq": seq, "hash": hash_}

    @app.get("/v1/audit/patients/{patient_id}")
    def patient(patient_id: str, request: Request) -> dict[str, Any]:
        device = _device(engine, request)
        user = _admin(engine, request, device)
        try:
            subject = uuid.UUID(patient_id)
        except ValueError:
            raise ClinicError("sync.bad_message", reason="not_a_uuid") from None
        with engine.begin() as conn:
            lines = audit_store.patient_trail(conn, subject)
            audit_store.record_server_action(
                conn,
                operator=f"device {device}",
                action="audit.patient_trail",
                patient_id=subject,
                entity="patient",
                entity_id=subject,
                user_id=user,
            )
        log_event("audit.patient_trail", device=device, user=user, lines=len(lines))
        return {
            "lines": [
                {
                    "at": line.at.isoformat(),
                    "action": line.action,
                    "user": line.user,
                    "role": line.role,
                    "device": line.device,
                    "entity": line.entity,
                    "entity_id": line.entity_id,
                }
                for line in lines
            ]
        }
