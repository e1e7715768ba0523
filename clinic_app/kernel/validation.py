"""Checking form input field by field, collecting every problem before raising once."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from clinic_app.kernel.errors import FormErrors, ValidationError
from clinic_app.kernel.reference import code_list

T = TypeVar("T")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()-]+$")
_PHONE_MIN_DIGITS = 10
_PHONE_MAX_DIGITS = 15  # ITU-T E.164 maximum length of an international number


class Collector:
    """Runs field checks and gathers their errors so a form can show all of them at once."""

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def check(self, check: Callable[[], T]) -> T | None:
        """Run ``check``; on a ValidationError remember it and return None."""
        try:
            return check()
        except ValidationError as error:
            self.errors.append(error)
            return None

    def add(self, code: str, field: str, **params: object) -> None:
        """Record an error found without a check function."""
        self.errors.append(ValidationError(code, field=field, **params))

    def raise_if_any(self) -> None:
        """Raise FormErrors with everything collected, if anything was."""
        if self.errors:
            raise FormErrors(self.errors)


def optional_text(value: str, field: str, max_length: int) -> str | None:
    """Trimmed text or None when blank; too long is an error."""
    text = value.strip()
    if not text:
        return None
    if len(text) > max_length:
        raise ValidationError("text.too_long", field=field, max_length=max_length)
    return text


def required_text(value: str, field: str, max_length: int) -> str:
    """Trimmed, non-empty text."""
    text = optional_text(value, field, max_length)
    if text is None:
        raise ValidationError("text.empty", field=field)
    return text


def code_in(list_name: str, value: str, field: str, *, required: bool) -> str | None:
    """A code from a reference list; blank is allowed unless ``required``."""
    code = value.strip()
    if not code:
        if required:
            raise ValidationError("code.required", field=field)
        return None
    if code not in code_list(list_name).codes_set():
        raise ValidationError("code.unknown", field=field, list=list_name)
    return code


def email(value: str, field: str = "email") -> str | None:
    """An e-mail address of plausible shape, or None when blank."""
    text = value.strip()
    if not text:
        return None
    if len(text) > 200 or not _EMAIL.match(text):
        raise ValidationError("email.invalid", field=field)
    return text


def phone(value: str, field: str = "phone") -> str | None:
    """A telephone number: digits with the usual separators, 10 to 15 digits."""
    text = value.strip()
    if not text:
        return None
    digits = sum(ch.isdigit() for ch in text)
    if not _PHONE_CHARS.match(text) or not _PHONE_MIN_DIGITS <= digits <= _PHONE_MAX_DIGITS:
        raise ValidationError("phone.invalid", field=field)
    return text
