"""Wire values back into column types: what converts, what passes, what is refused."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from clinic_app.kernel.errors import ClinicError
from clinic_app.sync.protocol import Change
from clinic_app.sync.wire import synced_table


def test_ids_dates_and_timestamps_convert_and_text_passes_as_it_came() -> None:
    patient = synced_table("patient")
    maker = uuid.uuid4()
    decoded = patient.decode(
        {
            "family_name": "Okafor",
            "date_of_birth": "1971-05-02",
            "created_at": "2026-12-01T09:00:00+00:00",
            "created_by": str(maker),
            "phone": None,
            "interpreter_needed": False,
        }
    )
    assert decoded == {
        "family_name": "Okafor",
        "date_of_birth": date(1971, 5, 2),
        "created_at": datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        "created_by": maker,
        "phone": None,
        "interpreter_needed": False,
    }
    # Only the columns given come back: nothing is added for the others.
    assert "given_name" not in decoded


def test_a_column_the_table_lacks_is_refused_by_its_name() -> None:
    with pytest.raises(ClinicError) as refused:
        synced_table("patient").decode({"family_name": "Okafor", "shoe_size": 9})
    assert refused.value.code == "sync.unknown_field"
    assert refused.value.params["field"] == "shoe_size"


@pytest.mark.parametrize(
    ("field", "value"),
    [("date_of_birth", "02/05/1971"), ("created_at", "2026-12-01T09:00:00"), ("id", "x")],
)
def test_a_value_that_is_not_its_columns_kind_is_a_value_error(field: str, value: str) -> None:
    with pytest.raises(ValueError, match=r".+"):
        synced_table("patient").decode({field: value})


@pytest.mark.parametrize("operation", [{}, [], ["insert"], 1, None, True, "upsert", ""])
def test_a_change_whose_operation_is_not_one_of_the_three_is_a_bad_message(
    operation: object,
) -> None:
    """Found by fuzzing the server: an object as the operation was a server error."""
    change = {
        "key": str(uuid.uuid4()),
        "table": "patient",
        "row_id": str(uuid.uuid4()),
        "operation": operation,
        "base_version": 0,
        "fields": {},
    }
    with pytest.raises(ClinicError) as refused:
        Change.from_json(change)
    assert refused.value.code == "sync.bad_message"
