"""Errors the core raises: codes and parameters only, never words for a person.

`ui/common/errors.py` turns a code into a sentence; the core never does, so the same error
can be shown in a dialog, printed by the CLI or returned by the server.
"""

from __future__ import annotations

from typing import Any


class ClinicError(Exception):
    """Base of every error the core raises on purpose.

    Attributes:
        code: a stable dotted identifier, e.g. ``"nhs_number.check_digit"``.
        params: values the message needs (never patient-identifying text).
    """

    def __init__(self, code: str, /, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, Any] = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.params!r})"


class ValidationError(ClinicError):
    """Input that cannot be accepted; ``field`` names the form field it belongs to."""

    def __init__(self, code: str, /, field: str | None = None, **params: Any) -> None:
        super().__init__(code, **params)
        self.field = field


class FormErrors(ClinicError):
    """Several field errors found at once, so a form can show them all together."""

    def __init__(self, errors: list[ValidationError]) -> None:
        super().__init__("form.invalid", count=len(errors))
        self.errors = errors


class NotFound(ClinicError):
    """A record that was asked for does not exist (or is tombstoned)."""


class PermissionDenied(ClinicError):
    """The signed-in user's role does not allow the action."""


class AuthenticationFailed(ClinicError):
    """Wrong user name or password, or a disabled account."""


class Conflict(ClinicError):
    """The record changed since it was read, or a unique value is already taken."""


class StoreError(ClinicError):
    """The local store cannot be opened or used (wrong key, missing key, damaged file)."""


class KeychainError(ClinicError):
    """The OS keychain is missing, refused, or unsafe."""


class ExternalServiceError(ClinicError):
    """A server, PACS or device outside the app did not answer as expected."""
