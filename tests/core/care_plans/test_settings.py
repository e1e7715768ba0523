"""A service sets its own PIFU window range and lapse warning on the server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from clinic_app.kernel.errors import ClinicError, ValidationError
from clinic_app.server.database import open_server_store
from clinic_app.server.settings import set_setting, setting_lines


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    store = open_server_store(f"sqlite:///{tmp_path / 'server.db'}")
    yield store.engine
    store.engine.dispose()


def _lines(engine: Engine) -> dict[str, tuple[object, bool]]:
    with engine.begin() as conn:
        return {
            name: (value, changed)
            for name, value, changed in setting_lines(conn)
            if name.startswith("care_plan_rules.")
        }


def test_the_cited_defaults_are_listed_and_a_service_changes_them(engine: Engine) -> None:
    assert _lines(engine) == {
        "care_plan_rules.pifu_min_months": (1, False),
        "care_plan_rules.pifu_max_months": (6, False),
        "care_plan_rules.pifu_default_months": (6, False),
        "care_plan_rules.lapse_warning_days": (14, False),
    }
    with engine.begin() as conn:
        change = set_setting(conn, "care_plan_rules.lapse_warning_days", "21")
    assert change.value == {"lapse_warning_days": 21}
    assert _lines(engine)["care_plan_rules.lapse_warning_days"] == (21, True)


def test_a_range_that_leaves_out_the_default_or_a_value_unknown_is_refused(
    engine: Engine,
) -> None:
    with engine.begin() as conn, pytest.raises(ValidationError) as narrower:
        set_setting(conn, "care_plan_rules.pifu_max_months", "2")
    assert (narrower.value.code, narrower.value.field) == (
        "care_plan.setting_out_of_range",
        "pifu_default_months",
    )
    with engine.begin() as conn:
        set_setting(conn, "care_plan_rules.pifu_default_months", "2")
        set_setting(conn, "care_plan_rules.pifu_max_months", "2")
    assert _lines(engine)["care_plan_rules.pifu_max_months"] == (2, True)
    with engine.begin() as conn, pytest.raises(ClinicError) as unknown:
        set_setting(conn, "care_plan_rules.window_of_the_day", "1")
    assert unknown.value.code == "settings.unknown_setting"
