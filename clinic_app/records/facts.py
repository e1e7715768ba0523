"""Typed empty columns for fact sources, so both engines know a NULL column's type."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, Uuid, cast, null


def no_id() -> Any:
    """A NULL id (a site or clinician the fact does not know), typed as an id."""
    return cast(null(), Uuid())


def no_code() -> Any:
    """A NULL code (a condition the fact does not know), typed as text."""
    return cast(null(), String(60))


def fact_columns(
    *,
    patient_id: Any,
    at: Any,
    site_id: Any = None,
    clinician_id: Any = None,
    condition: Any = None,
    **own: Any,
) -> list[Any]:
    """A fact source's columns: the standard ones, then its own, each labelled by its name.

    A standard column not given is NULL (typed: an id, or a code for the condition).
    """
    standard = {
        "patient_id": patient_id,
        "at": at,
        "site_id": no_id() if site_id is None else site_id,
        "clinician_id": no_id() if clinician_id is None else clinician_id,
        "condition": no_code() if condition is None else condition,
    }
    return [value.label(name) for name, value in {**standard, **own}.items()]
