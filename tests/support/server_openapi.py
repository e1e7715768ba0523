"""The server's API as OpenAPI 3, written by hand for the fuzzing run (the server serves none).

Bodies are described as the device sends them, so the fuzzer's valid cases reach the code
behind parsing, and its invalid ones (wrong types, missing fields, odd text) test the edges.
"""

from __future__ import annotations

from typing import Any

_UUID = {"type": "string", "format": "uuid"}
_SHA = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_ANY: dict[str, Any] = {}
#: What the database holds: the fuzzer's boundary cases step just past either end.
_INT64 = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}
_ERROR = {"description": "refused, with a code"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _operation(body: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {"responses": {"200": {"description": "ok"}, "4XX": _ERROR}}
    if body is not None:
        operation["requestBody"] = body
    operation.update(extra)
    return operation


def _path_param(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema}


_CHANGE = {
    "type": "object",
    "required": ["key", "table", "row_id", "operation", "base_version", "fields"],
    "properties": {
        "key": _UUID,
        "table": {"type": "string", "enum": ["patient", "app_user", "episode", "nonsense"]},
        "row_id": _UUID,
        "operation": {"type": "string", "enum": ["insert", "update", "delete"]},
        "base_version": _INT64,
        "fields": {"type": "object", "additionalProperties": _ANY},
        "user_id": {"anyOf": [_UUID, {"type": "null"}]},
    },
}


#: A list of ids, as a laptop asks the server about patients or the rows it holds.
_IDS = {
    "type": "object",
    "properties": {"patients": {"type": "array", "items": _UUID}, "ids": {"type": "array"}},
}
#: The signed-in user's token, as a laptop sends it with what it asks as that user.
_USER = {"name": "X-OneStop-User", "in": "header", "required": False, "schema": {"type": "string"}}


def server_openapi() -> dict[str, Any]:
    """The schema of every route of ``clinic_app.server.app``."""
    sha = [_path_param("sha256", _SHA)]
    return {
        "openapi": "3.0.3",
        "info": {"title": "OneStop MSK server", "version": "1"},
        "paths": {
            "/health": {"get": _operation()},
            "/v1/devices": {
                "post": _operation(
                    _json(
                        {
                            "type": "object",
                            "required": ["device_id", "name"],
                            "properties": {"device_id": _UUID, "name": {"type": "string"}},
                        }
                    )
                )
            },
            "/v1/devices/me": {"get": _operation()},
            "/v1/login": {
                "post": _operation(
                    _json(
                        {
                            "type": "object",
                            "required": ["username", "password"],
                            "properties": {
                                "username": {"type": "string"},
                                "password": {"type": "string"},
                            },
                        }
                    )
                )
            },
            "/v1/push": {
                "post": _operation(
                    _json(
                        {
                            "type": "object",
                            "required": ["protocol", "batch_key", "changes"],
                            "properties": {
                                "protocol": {"type": "integer", "enum": [1]},
                                "batch_key": _UUID,
                                "changes": {"type": "array", "items": _CHANGE, "maxItems": 5},
                            },
                        }
                    )
                )
            },
            "/v1/pull": {
                "get": _operation(
                    parameters=[
                        _query("cursor", _INT64),
                        _query("limit", {"type": "integer"}),
                    ]
                )
            },
            "/v1/check": {"get": _operation()},
            "/v1/conflicts": {"get": _operation()},
            "/v1/conflicts/{conflict_id}/resolve": {
                "post": _operation(
                    _json(
                        {
                            "type": "object",
                            "required": ["value"],
                            "properties": {"value": _ANY, "user_id": _UUID},
                        }
                    ),
                    parameters=[_path_param("conflict_id", _UUID)],
                )
            },
            "/v1/files/{sha256}": {
                "get": _operation(parameters=sha),
                "put": _operation(
                    {
                        "required": True,
                        "content": {
                            "application/octet-stream": {
                                "schema": {"type": "string", "format": "binary"}
                            }
                        },
                    },
                    parameters=[*sha, _query("offset", _INT64)],
                ),
            },
            "/v1/files/{sha256}/complete": {
                "post": _operation(
                    _json({"type": "object", "properties": {"size": _INT64}}),
                    parameters=sha,
                )
            },
            "/v1/files/{sha256}/content": {"get": _operation(parameters=sha)},
            "/v1/scope": {"get": _operation(parameters=[_query("full", {"type": "string"})])},
            "/v1/scope/rows": {"post": _operation(_json(_IDS))},
            "/v1/scope/held": {"post": _operation(_json(_IDS))},
            "/v1/patients/search": {
                "get": _operation(parameters=[_query("q", {"type": "string"})])
            },
            "/v1/audit": {
                "post": _operation(
                    _json({"type": "object", "properties": {"entries": {"type": "array"}}})
                )
            },
            "/v1/audit/head": {"get": _operation()},
            "/v1/audit/patients/{patient_id}": {
                "get": _operation(parameters=[_path_param("patient_id", {"type": "string"})])
            },
            "/v1/figures/measures": {"get": _operation(parameters=[_USER])},
            "/v1/figures/{measure}": {
                "get": _operation(
                    parameters=[
                        _path_param("measure", {"type": "string"}),
                        {**_query("first", {"type": "string"}), "required": True},
                        _query("last", {"type": "string"}),
                        _query("breakdown", {"type": "string"}),
                        _query("scope", {"type": "string", "enum": ["service", "own", "x"]}),
                        _query("export", {"type": "boolean"}),
                        _USER,
                    ]
                )
            },
        },
    }
