"""The shipped shockwave content and settings load, are cited, and a broken file is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from clinic_app.domains.injections.content import injection_content
from clinic_app.domains.shockwave.content import (
    parse_content,
    parse_settings,
    rules_with,
    shipped_rules,
    shockwave_content,
)
from clinic_app.kernel.errors import ClinicError, ValidationError
from clinic_app.kernel.resource_files import read_json
from clinic_app.server.database import open_server_store
from clinic_app.server.settings import set_setting, setting_lines


def test_every_indication_names_its_nice_guidance_and_what_it_requires() -> None:
    content = shockwave_content()
    guidance = {i.id: i.guidance for i in content.indications.indications}
    assert guidance == {
        "plantar_fasciitis": "IPG311",
        "achilles_tendinopathy": "IPG571",
        "lateral_elbow": "IPG313",
        "greater_trochanteric_pain": "IPG376",
        "calcific_shoulder": "IPG742",
    }
    for indication in content.indications.indications:
        assert set(indication.requires) == {"nice_information_given", "audit_entered"}
        assert indication.source
    targets = {t.id for t in injection_content().targets.targets}
    for indication in content.indications.indications:
        assert set(indication.injection_targets) <= targets, indication.id


def test_the_contraindications_are_the_content_lists() -> None:
    items = shockwave_content().contraindications
    assert items.of_kind("absolute") == {"infection", "pregnancy", "tumour_in_field"}
    assert items.of_kind("relative") == {
        "nerve_or_lung_in_focus",
        "coagulopathy",
        "growth_plate",
        "implants",
        "recent_steroid_injection",
    }


def test_the_typical_radial_course_is_the_cited_default() -> None:
    rules = shipped_rules()
    assert (rules.pressure_bar_low, rules.pressure_bar_high) == (1.5, 4)
    assert (rules.frequency_hz_low, rules.frequency_hz_high) == (8, 15)
    assert (rules.pulses_low, rules.pulses_high) == (2000, 3000)
    assert (rules.sessions_low, rules.sessions_high, rules.interval_days) == (3, 5, 7)


def _file(name: str) -> dict[str, Any]:
    data = read_json("shockwave", name)
    assert isinstance(data, dict)
    return data


def test_a_broken_file_is_refused_naming_it() -> None:
    indications = _file("indications")
    indications["indications"][0]["requires"] = ["a_requirement_nobody_defined"]
    with pytest.raises(ClinicError) as broken:
        parse_content(indications, _file("contraindications"))
    assert broken.value.params["file"] == "indications.json"

    settings = _file("settings")
    settings["pressure_bar_low"] = 5
    with pytest.raises(ClinicError) as reversed_range:
        parse_settings(settings)
    assert reversed_range.value.params["field"] == "pressure_bar_low"
    del settings["source"]
    with pytest.raises(ClinicError):
        parse_settings(settings)


def test_a_service_value_is_checked() -> None:
    assert rules_with({"pressure_bar_high": 3.5}).pressure_bar_high == 3.5
    with pytest.raises(ValidationError) as bad:
        rules_with({"pulses_high": 0})
    assert (bad.value.code, bad.value.field) == ("eswt.setting_out_of_range", "pulses_high")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    store = open_server_store(f"sqlite:///{tmp_path / 'server.db'}")
    yield store.engine
    store.engine.dispose()


def test_the_service_sets_its_own_range_on_the_server(engine: Engine) -> None:
    with engine.begin() as conn:
        listed = {n: (v, c) for n, v, c in setting_lines(conn) if n.startswith("eswt_rules.")}
    assert listed["eswt_rules.pressure_bar_high"] == (4, False)
    with engine.begin() as conn:
        change = set_setting(conn, "eswt_rules.pressure_bar_high", "3.5")
    assert change.value == {"pressure_bar_high": 3.5}
    with engine.begin() as conn, pytest.raises(ClinicError) as unknown:
        set_setting(conn, "eswt_rules.joules", "1")
    assert unknown.value.code == "settings.unknown_setting"
