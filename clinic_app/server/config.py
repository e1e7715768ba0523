"""The server's config file: one TOML file an IT team keeps under /etc, read by every command.

``serve`` takes each of its settings from, in order: the command line, the config file, the
built-in default. Other commands take only ``database`` from it, so an administrator runs
``onestop-server device list --config /etc/onestop-server/server.toml`` with no URL to type.

A file with a mistake stops the command with a plain sentence naming the setting and what is
wrong with it (a :class:`ClinicError` whose words are in the CLI's table), never a traceback.
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from clinic_app.kernel.errors import ClinicError
from clinic_app.server.limits import MIB, ServerLimits

#: Where the server package puts the config file; used when a command is given neither
#: ``--db`` nor ``--config`` and this file exists.
DEFAULT_CONFIG = Path("/etc/onestop-server/server.toml")

LOG_LEVELS = ("debug", "info", "warning", "error")

_LIMIT_DEFAULTS = ServerLimits()

#: Every setting with its built-in default (None: none).
DEFAULTS: dict[str, Any] = {
    "database": None,
    "files": None,
    "host": "127.0.0.1",
    "port": 8765,
    "cert": None,
    "key": None,
    "forwarded_allow_ips": None,
    "log_level": "info",
    "log_file": None,
    "log_to_stderr": True,
    "insecure_http_for_lab": False,
    "max_json_mib": _LIMIT_DEFAULTS.max_json_bytes // MIB,
    "max_piece_mib": _LIMIT_DEFAULTS.max_piece_bytes // MIB,
    "max_file_mib": _LIMIT_DEFAULTS.max_file_bytes // MIB,
    "max_uploads_mib": _LIMIT_DEFAULTS.max_partial_bytes // MIB,
    "max_failed_logins": _LIMIT_DEFAULTS.max_failed_logins,
    "login_lockout_seconds": _LIMIT_DEFAULTS.login_lockout_seconds,
    "enrol_per_address": _LIMIT_DEFAULTS.enrol_per_address,
    "enrol_overall": _LIMIT_DEFAULTS.enrol_overall,
}


class _Bad(ValueError):
    """A value that does not fit its setting; the words say what is wrong."""


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad("must be text in quotes, not empty")
    return value


def _path(value: Any) -> Path:
    text = _text(value)
    if not text.startswith("/"):
        raise _Bad("must be a full path starting with /")
    return Path(text)


def _port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise _Bad("must be a whole number from 1 to 65535")
    return value


def _positive(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _Bad("must be a whole number of at least 1")
    return value


def _yes_no(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad("must be true or false (no quotes)")
    return value


def _log_level(value: Any) -> str:
    if not isinstance(value, str) or value.lower() not in LOG_LEVELS:
        raise _Bad(f"must be one of {', '.join(LOG_LEVELS)}")
    return value.lower()


def log_file_path(value: Any) -> str:
    """A log file's path as given: a full path, where ``{port}`` stands for the serving port.

    Several instances share one config file, so each names its own file by its port.
    """
    text = str(_text(value))
    _path(text)
    rest = text.replace("{port}", "")
    if "{" in rest or "}" in rest:
        raise _Bad("may hold {port} (the instance's port) but no other braces")
    if text.endswith("/"):
        raise _Bad("must name a file, not a folder")
    return text


def allowed_proxies(value: Any) -> str:
    """The proxies trusted to say who the client is, as uvicorn takes them ("a,b,c").

    Each is an address or a network (10.0.0.0/24); "*" trusts any, which is right only when
    nothing but the balancer can reach the server.
    """
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise _Bad('must be a list of addresses or networks, e.g. ["10.0.0.5", "10.0.1.0/24"]')
    cleaned = []
    for item in items:
        if not isinstance(item, str):
            raise _Bad("must list addresses in quotes")
        address = item.strip()
        if address != "*":
            try:
                ipaddress.ip_network(address, strict=False)
            except ValueError:
                raise _Bad(f"lists {address!r}, which is not an address or a network") from None
        cleaned.append(address)
    return ",".join(cleaned)


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "database": _text,
    "files": _path,
    "host": _text,
    "port": _port,
    "cert": _path,
    "key": _path,
    "forwarded_allow_ips": allowed_proxies,
    "log_level": _log_level,
    "log_file": log_file_path,
    "log_to_stderr": _yes_no,
    "insecure_http_for_lab": _yes_no,
    **{name: _positive for name in DEFAULTS if name.startswith(("max_", "login_", "enrol_"))},
}


def read_config(path: Path) -> dict[str, Any]:
    """The settings a config file gives, checked (only those it names).

    Raises:
        ClinicError: ``config.unreadable`` (param ``reason``), ``config.not_toml``
            (``reason``: TOML's own words, with the line), ``config.unknown_key`` (``key``)
            or ``config.bad_value`` (``key``, ``problem``); every one names ``path``.
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ClinicError(
            "config.unreadable", path=str(path), reason=error.strerror or str(error)
        ) from None
    try:
        table = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ClinicError(
            "config.not_toml", path=str(path), reason="it is not UTF-8 text"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ClinicError("config.not_toml", path=str(path), reason=str(error)) from None
    return check_settings(table, path)


def check_settings(table: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """Each setting of ``table`` checked and converted (see :func:`read_config`)."""
    settings: dict[str, Any] = {}
    for key, value in table.items():
        check = _CHECKS.get(key)
        if check is None:
            raise ClinicError(
                "config.unknown_key", path=str(path), key=key, known=", ".join(sorted(_CHECKS))
            )
        try:
            settings[key] = check(value)
        except _Bad as bad:
            raise ClinicError(
                "config.bad_value", path=str(path), key=key, problem=str(bad)
            ) from None
    return settings


WORDS = {
    "config.unreadable": "The config file {path} could not be read: {reason}.",
    "config.not_toml": "The config file {path} is not valid TOML: {reason}.",
    "config.unknown_key": (
        "The config file {path} has a setting this server does not know: {key}. "
        "The settings are: {known}."
    ),
    "config.bad_value": "In the config file {path}, {key} {problem}.",
    "config.log_file_unwritable": (
        "The log file {path} could not be opened for writing: {reason}. Its folder must exist "
        "and the server's account must be able to write there."
    ),
    "config.no_database": (
        "Name the database: --db URL, or 'database' in the config file (--config FILE)."
    ),
}
