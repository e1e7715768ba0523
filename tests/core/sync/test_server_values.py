"""Whether a pushed value fits its column: the server's own check, alike on both engines."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.server.values import unfit_fields
from clinic_app.sync.wire import synced_table

PATIENT = synced_table("patient").table


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "0" * 41),
        ("phone", 1234),
        ("given_name", "Ada\x00"),
        ("interpreter_needed", "yes"),
        ("interpreter_needed", 1),
        ("deleted", None),
        ("date_of_birth", datetime(1960, 3, 14, tzinfo=UTC)),
        ("created_at", date(2026, 1, 1)),
        ("accessible_information_needs", [10**30]),
        ("accessible_information_needs", {"a": float("inf")}),
    ],
)
def test_a_value_its_column_cannot_hold_is_named(field: str, value: Any) -> None:
    assert unfit_fields(PATIENT, {"family_name": "Lovelace", field: value}) == [field]


def test_values_of_the_right_kind_and_size_fit() -> None:
    values: dict[str, Any] = {
        "phone": "0" * 40,
        "given_name": "Ada",
        "interpreter_needed": False,
        "date_of_birth": date(1960, 3, 14),
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        "gp_practice_id": uuid.uuid4(),
        "email": None,
        "accessible_information_needs": ["large print", {"level": 2**62}],
    }
    assert unfit_fields(PATIENT, values) == []


def test_integers_are_held_to_their_column_size() -> None:
    table = synced_table("scan_report").table
    assert unfit_fields(table, {"version": 2**31 - 1}) == []
    assert unfit_fields(table, {"version": 2**31}) == ["version"]
    assert unfit_fields(table, {"version": True}) == ["version"]
