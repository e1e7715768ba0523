"""Reading a form's typed values: what cannot be read is left out and kept, by field, in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ui.common.form_parts import NotValid

_T = TypeVar("_T")


def read_into(local: dict[str, str], key: str, reader: Callable[[], _T | None]) -> _T | None:
    """``reader()``'s value, or None with why it could not be read kept as ``local[key]``."""
    try:
        return reader()
    except NotValid as error:
        local[key] = error.words
        return None


def as_whole(value: float | None) -> int | None:
    """A number read as whole (``read_number(..., whole=True)``) as an int, or None."""
    return None if value is None else int(value)


__all__ = ["as_whole", "read_into"]
