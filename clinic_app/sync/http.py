"""The HTTP transport: the device's token on every call, TLS checked, plain-word failures.

A server that cannot be reached raises ``sync.unreachable`` (the engine backs off and tries
again later), with the reason ``untrusted_certificate`` when its certificate is not trusted
here; an answer the server refuses raises the server's own error code.

Records and tokens cross the network only over HTTPS: a plain ``http://`` server is refused
unless it is on this machine (loopback), or the lab setting ``ONESTOP_INSECURE_HTTP_FOR_LAB=1``
is set (the server's ``--insecure-http-for-lab``), which logs a warning.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import os
import ssl
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from clinic_app.kernel.errors import (
    AuthenticationFailed,
    ClinicError,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from clinic_app.sync.protocol import (
    UNTRUSTED_CERTIFICATE,
    USER_TOKEN_HEADER,
    PullPage,
    PushRequest,
    PushResponse,
)

log = logging.getLogger(__name__)

#: The device's lab setting that lets it talk plain HTTP to a server beyond loopback.
INSECURE_HTTP_SETTING = "ONESTOP_INSECURE_HTTP_FOR_LAB"


def _loopback(host: str) -> bool:
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_server_url(url: str, *, allow_insecure_http: bool | None = None) -> None:
    """Refuse a server address that would send records in the clear.

    Args:
        url: the server's address.
        allow_insecure_http: the lab setting; ``None`` reads ``ONESTOP_INSECURE_HTTP_FOR_LAB``.

    Raises:
        ClinicError: ``sync.bad_url`` (not http or https, or no host), ``sync.insecure_url``
            (plain HTTP beyond loopback without the lab setting).
    """
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ClinicError("sync.bad_url")
    if parsed.scheme == "https" or _loopback(parsed.host):
        return
    if allow_insecure_http is None:
        allow_insecure_http = os.environ.get(INSECURE_HTTP_SETTING, "") == "1"
    if not allow_insecure_http:
        raise ClinicError("sync.insecure_url")
    log.warning("INSECURE: talking plain HTTP to a server beyond this machine (lab setting)")


_BY_STATUS: dict[int, type[ClinicError]] = {
    401: AuthenticationFailed,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
}


def _modified(path: Path | None) -> float | None:
    try:
        return path.stat().st_mtime if path else None
    except OSError:
        return None  # the context's own loading says what is wrong with it


def unreachable(error: BaseException) -> ClinicError:
    """``sync.unreachable`` for a failed request, saying whether the certificate was why.

    A server that is down and one whose certificate this device does not trust are both
    unreachable (sync backs off and tries again; nothing is lost), but only the second is
    IT's to fix, so its reason is :data:`UNTRUSTED_CERTIFICATE`.
    """
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return ClinicError("sync.unreachable", reason=UNTRUSTED_CERTIFICATE)
        seen = seen.__cause__ or seen.__context__
    return ClinicError("sync.unreachable", reason=type(error).__name__)


@functools.lru_cache(maxsize=4)
def _tls_context(ca_file: str | None, _modified: float | None) -> ssl.SSLContext:
    """The TLS settings a transport checks the server with, made once per authority file.

    Loading the certificate authorities takes tens of milliseconds, and a transport is made
    for every sync round. A changed authority file (a new modification time) is read again.
    """
    if ca_file:
        return ssl.create_default_context(cafile=ca_file)
    return httpx.create_ssl_context()


class HttpTransport:
    """Talks to one server for one device."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        ca_file: Path | None = None,
        timeout: float = 30.0,
        client: httpx.Client | None = None,
        allow_insecure_http: bool | None = None,
    ) -> None:
        """A transport to ``base_url``, checking its certificate against ``ca_file`` if given.

        Raises ``sync.insecure_url`` or ``sync.bad_url`` (see :func:`check_server_url`), or
        ``sync.ca_unreadable`` (field ``ca_file``) for an authority file that is missing or
        holds no certificate.
        """
        if client is None:
            check_server_url(base_url, allow_insecure_http=allow_insecure_http)
        if client is None:
            try:
                verify = _tls_context(str(ca_file) if ca_file else None, _modified(ca_file))
            except (ssl.SSLError, OSError):
                raise ValidationError("sync.ca_unreadable", field="ca_file") from None
            client = httpx.Client(base_url=base_url, timeout=timeout, verify=verify)
        self._client = client
        self._token = token

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"} if self._token else {}

    def _call(
        self, method: str, path: str, *, extra_headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:
        headers = {**self._headers(), **(extra_headers or {})}
        try:
            response = self._client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            raise unreachable(error) from error
        try:
            body = response.json()
        except ValueError:
            raise ClinicError("sync.bad_answer", status=response.status_code) from None
        if response.status_code >= 400:
            code = body.get("error") if isinstance(body, dict) else None
            kind = _BY_STATUS.get(response.status_code, ClinicError)
            raise kind(str(code or "sync.refused"))
        return body

    def health(self) -> dict[str, Any]:
        """The server's health answer (``{"status": "ok", ...}``); needs no token."""
        body = self._call("GET", "/health")
        return body if isinstance(body, dict) else {}

    def enrol(self, device_id: str, name: str) -> str:
        """Enrol this device; its token (keep it in the keychain)."""
        body = self._call("POST", "/v1/devices", json={"device_id": device_id, "name": name})
        token = body.get("token") if isinstance(body, dict) else None
        if not isinstance(token, str):
            raise ClinicError("sync.bad_answer", status=201)
        self._token = token
        return token

    def login(self, username: str, password: str) -> tuple[str, str]:
        """Sign a user in with the server; their id and their token for this device."""
        body = self._call("POST", "/v1/login", json={"username": username, "password": password})
        if not isinstance(body, dict) or not all(
            isinstance(body.get(key), str) for key in ("user_id", "token")
        ):
            raise ClinicError("sync.bad_answer", status=200)
        return body["user_id"], body["token"]

    def device_status(self) -> str:
        """``pending``, ``approved`` or ``revoked``."""
        body = self._call("GET", "/v1/devices/me")
        return str(body.get("status")) if isinstance(body, dict) else ""

    def push(self, request: PushRequest, user_token: str | None = None) -> PushResponse:
        """Send a batch made by the user whose token this is; the server's answer."""
        headers = {"Content-Type": "application/json"}
        if user_token:
            headers[USER_TOKEN_HEADER] = user_token
        return PushResponse.from_json(
            self._call("POST", "/v1/push", content=request.body, extra_headers=headers)
        )

    def pull(self, cursor: int, limit: int) -> PullPage:
        """The page of changes after ``cursor``."""
        return PullPage.from_json(
            self._call("GET", "/v1/pull", params={"cursor": cursor, "limit": limit})
        )

    def check(self) -> dict[str, Any]:
        """The server's counts and hashes per table."""
        body = self._call("GET", "/v1/check")
        return body if isinstance(body, dict) else {}

    def push_audit(self, body: dict[str, Any]) -> dict[str, Any]:
        """Ship audit entries (``sync.audit_ship``); the head the server now holds."""
        answer = self._call("POST", "/v1/audit", json=body)
        return answer if isinstance(answer, dict) else {}

    def audit_head(self) -> dict[str, Any]:
        """The audit head the server holds for this device."""
        answer = self._call("GET", "/v1/audit/head")
        return answer if isinstance(answer, dict) else {}

    def audit_patient_trail(self, patient_id: str, user_token: str) -> dict[str, Any]:
        """Who opened or changed a patient's record, on every device (admins only)."""
        try:
            response = self._client.request(
                "GET",
                f"/v1/audit/patients/{patient_id}",
                headers={**self._headers(), "X-OneStop-User": user_token},
            )
        except httpx.HTTPError as error:
            raise unreachable(error) from error
        try:
            body = response.json()
        except ValueError:
            raise ClinicError("sync.bad_answer", status=response.status_code) from None
        if response.status_code >= 400:
            code = body.get("error") if isinstance(body, dict) else None
            raise _BY_STATUS.get(response.status_code, ClinicError)(str(code or "sync.refused"))
        return body if isinstance(body, dict) else {}

    def resolve_conflict(self, conflict_id: str, value: Any, user_token: str) -> None:
        """Choose one of the values kept in a conflict, as the user whose token this is."""
        self._call(
            "POST",
            f"/v1/conflicts/{conflict_id}/resolve",
            json={"value": value},
            extra_headers={USER_TOKEN_HEADER: user_token},
        )

    def file_received(self, sha256: str) -> int:
        """Bytes of a file the server holds so far."""
        body = self._call("GET", f"/v1/files/{sha256}")
        return int(body.get("received", 0)) if isinstance(body, dict) else 0

    def upload_piece(self, sha256: str, offset: int, data: bytes) -> int:
        """Send a piece of a file at ``offset``; the bytes the server holds afterwards."""
        try:
            response = self._client.put(
                f"/v1/files/{sha256}",
                params={"offset": offset},
                content=data,
                headers={**self._headers(), "content-type": "application/octet-stream"},
            )
        except httpx.HTTPError as error:
            raise unreachable(error) from error
        try:
            body = response.json()
        except ValueError:
            raise ClinicError("sync.bad_answer", status=response.status_code) from None
        if response.status_code == 409 and isinstance(body, dict) and "received" in body:
            return int(body["received"])  # resume from where the server's copy ends
        if response.status_code >= 400 or not isinstance(body, dict):
            raise ClinicError("sync.refused", status=response.status_code)
        return int(body.get("received", 0))

    def complete_file(self, sha256: str, size: int) -> None:
        """Ask the server to check the whole file against its name."""
        self._call("POST", f"/v1/files/{sha256}/complete", json={"size": size})

    def download(self, sha256: str) -> Iterator[bytes]:
        """A file's bytes, in pieces as they arrive."""
        try:
            with self._client.stream(
                "GET", f"/v1/files/{sha256}/content", headers=self._headers()
            ) as response:
                if response.status_code >= 400:
                    raise ClinicError("sync.refused", status=response.status_code)
                yield from response.iter_bytes(1024 * 1024)
        except httpx.HTTPError as error:
            raise unreachable(error) from error

    def scope_plan(self, *, full: bool = False) -> dict[str, Any]:
        """Patients this laptop should take in and let go (with ``full``, its whole scope)."""
        body = self._call("GET", "/v1/scope", params={"full": "1"} if full else None)
        return body if isinstance(body, dict) else {}

    def scope_rows(self, patients: Sequence[str], user_token: str | None = None) -> dict[str, Any]:
        """Every row of these patients as they stand on the server."""
        headers = {USER_TOKEN_HEADER: user_token} if user_token else {}
        body = self._call(
            "POST", "/v1/scope/rows", json={"patients": list(patients)}, extra_headers=headers
        )
        return body if isinstance(body, dict) else {}

    def scope_held(
        self,
        add: Sequence[str],
        remove: Sequence[str],
        reason: str = "scope",
        user_token: str | None = None,
        as_of: int = 0,
    ) -> dict[str, Any]:
        """Tell the server this laptop took these patients in (as of a change), or let go."""
        headers = {USER_TOKEN_HEADER: user_token} if user_token else {}
        body = self._call(
            "POST",
            "/v1/scope/held",
            json={"add": list(add), "remove": list(remove), "reason": reason, "as_of": as_of},
            extra_headers=headers,
        )
        return body if isinstance(body, dict) else {}

    def search_patients(self, query: str, user_token: str) -> list[dict[str, Any]]:
        """The service's patients matching a search (for a user who may search)."""
        body = self._call(
            "GET",
            "/v1/patients/search",
            params={"q": query},
            extra_headers={USER_TOKEN_HEADER: user_token},
        )
        found = body.get("patients") if isinstance(body, dict) else None
        return found if isinstance(found, list) else []

    def figure_measures(self, user_token: str) -> list[dict[str, Any]]:
        """The measures the service's figures offer, as the user whose token this is."""
        body = self._call(
            "GET", "/v1/figures/measures", extra_headers={USER_TOKEN_HEADER: user_token}
        )
        found = body.get("measures") if isinstance(body, dict) else None
        return found if isinstance(found, list) else []

    def figures(
        self,
        measure: str,
        first: str,
        last: str,
        user_token: str,
        *,
        breakdown: str = "all",
        scope: str = "service",
        export: bool = False,
    ) -> dict[str, Any]:
        """One measure's figures over the months ``first`` to ``last`` (``YYYY-MM``).

        ``scope`` is ``service`` (the whole service's) or ``own`` (the user's own);
        ``export`` asks for small numbers suppressed. The server's JSON, as it answers.
        """
        body = self._call(
            "GET",
            f"/v1/figures/{quote(measure, safe='')}",
            params={
                "first": first,
                "last": last,
                "breakdown": breakdown,
                "scope": scope,
                "export": "1" if export else "0",
            },
            extra_headers={USER_TOKEN_HEADER: user_token},
        )
        if not isinstance(body, dict):
            raise ClinicError("sync.bad_answer", status=200)
        return body

    def conflicts(self) -> list[dict[str, Any]]:
        """Open conflicts waiting for a person."""
        body = self._call("GET", "/v1/conflicts")
        found = body.get("conflicts") if isinstance(body, dict) else None
        return found if isinstance(found, list) else []
