"""The injection checks' settings are set on the server, over their cited defaults."""

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
            if name.startswith("injection_rules.")
        }


def test_the_defaults_are_listed_as_not_changed(engine: Engine) -> None:
    assert _lines(engine) == {
        "injection_rules.repeat_interval_weeks": (12, False),
        "injection_rules.same_site_per_year": (3, False),
        "injection_rules.warfarin_inr_below": (3, False),
        "injection_rules.warfarin_inr_max_age_hours": (24, False),
        "injection_rules.replacement_planned_within_months": (3, False),
    }


def test_a_service_sets_its_own_inr_limit_and_goes_back(engine: Engine) -> None:
    with engine.begin() as conn:
        change = set_setting(conn, "injection_rules.warfarin_inr_below", "3.5")
    assert change.value == {"warfarin_inr_below": 3.5}
    assert _lines(engine)["injection_rules.warfarin_inr_below"] == (3.5, True)

    with engine.begin() as conn:
        set_setting(conn, "injection_rules.warfarin_inr_below", "3")
    assert _lines(engine)["injection_rules.warfarin_inr_below"] == (3, False)


def test_a_value_out_of_range_or_unknown_is_refused(engine: Engine) -> None:
    with engine.begin() as conn, pytest.raises(ValidationError) as bad:
        set_setting(conn, "injection_rules.repeat_interval_weeks", "0")
    assert bad.value.code == "injection.setting_out_of_range"
    with engine.begin() as conn, pytest.raises(ClinicError) as unknown:
        set_setting(conn, "injection_rules.dose_of_the_day", "1")
    assert unknown.value.code == "settings.unknown_setting"
