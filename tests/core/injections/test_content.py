"""Every shipped injection file loads and keeps the rules a schema cannot say."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from clinic_app.domains.injections.content import (
    changed_rules,
    injection_content,
    parse_content,
    parse_settings,
    rules_with,
    shipped_rules,
)
from clinic_app.domains.injections.rules import KNOWN_ITEMS, SIZE_CLASSES
from clinic_app.kernel.errors import ClinicError, ValidationError


def _raw(name: str) -> Any:
    path = resources.files("resources") / "injections" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _files() -> dict[str, Any]:
    return {name: _raw(name) for name in ("formulary", "targets", "consent_risks", "checklist")}


def test_every_shipped_file_loads() -> None:
    content = injection_content()

    assert content.formulary.product("methylprednisolone_acetate_40") is not None
    assert content.targets.target("knee_joint") is not None
    assert "post_injection_flare" in content.consent_risks.ids
    assert set(KNOWN_ITEMS) <= set(content.checklist.ids)


def test_the_cited_ranges_of_the_content_list() -> None:
    formulary = injection_content().formulary
    methyl = formulary.product("methylprednisolone_acetate_40")
    triam = formulary.product("triamcinolone_acetonide_40")
    assert methyl is not None
    assert triam is not None

    ranges = {size: (r.min_mg, r.max_mg) for size, r in methyl.doses.items()}
    assert ranges["small_joint"] == (4, 10)
    assert ranges["medium_joint"] == (10, 40)
    assert ranges["large_joint"] == (20, 80)
    assert (triam.doses["small_joint"].min_mg, triam.doses["small_joint"].max_mg) == (5, 10)
    assert triam.doses["large_joint"].max_mg == 40
    assert triam.dose_range("medium_joint") is None


def test_every_number_has_its_citation() -> None:
    for product in injection_content().formulary.products:
        for dose in product.doses.values():
            assert "SmPC" in dose.cite, product.id
        if product.kind == "local_anaesthetic":
            assert product.max_single_dose_mg is not None
            assert product.max_cite is not None
            assert "SmPC" in product.max_cite
    for item in injection_content().checklist.items:
        assert item.source
    for risk in injection_content().consent_risks.risks:
        assert risk.source


def test_every_target_has_a_known_size_class_and_a_bound() -> None:
    for target in injection_content().targets.targets:
        assert target.size_class in SIZE_CLASSES
        assert target.implausible_above_ml > 0


def test_a_range_upside_down_is_refused_with_its_file_and_field() -> None:
    files = _files()
    broken = copy.deepcopy(files["formulary"])
    broken["products"][0]["doses"]["small_joint"]["min_mg"] = 50

    with pytest.raises(ClinicError) as refused:
        parse_content(broken, files["targets"], files["consent_risks"], files["checklist"])
    assert refused.value.code == "content.invalid"
    assert refused.value.params["file"] == "formulary.json"


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("formulary", lambda d: d["products"][0]["doses"]["small_joint"].pop("cite")),
        ("formulary", lambda d: d["products"][3].pop("max_single_dose_mg")),
        # No pack code is shipped: the service lead links its own (a test number here).
        ("formulary", lambda d: d["products"][0].update(gtins=["09506000134352"])),
        ("formulary", lambda d: d["products"].append(copy.deepcopy(d["products"][0]))),
        ("formulary", lambda d: d["products"][0].update(dose_of_the_day=1)),
        ("targets", lambda d: d["targets"][0].update(size_class="huge_joint")),
        ("targets", lambda d: d["targets"][0].update(implausible_above_ml=0)),
        ("consent_risks", lambda d: d["risks"][0].pop("source")),
        ("checklist", lambda d: d["items"][0].update(kind="maybe")),
    ],
)
def test_a_broken_file_is_refused(name: str, change: Any) -> None:
    files = _files()
    change(files[name])

    with pytest.raises(ClinicError) as refused:
        parse_content(
            files["formulary"], files["targets"], files["consent_risks"], files["checklist"]
        )
    assert refused.value.params["file"] == f"{name}.json"


def test_the_settings_defaults_are_the_cited_ones() -> None:
    rules = shipped_rules()

    assert rules.repeat_interval_weeks == 12
    assert rules.same_site_per_year == 3
    assert rules.warfarin_inr_below == 3
    assert rules.warfarin_inr_max_age_hours == 24
    assert rules.replacement_planned_within_months == 3


def test_settings_without_their_citation_are_refused() -> None:
    data = _raw("settings")
    del data["derivation"]

    with pytest.raises(ClinicError) as refused:
        parse_settings(data)
    assert refused.value.params["reason"] == "missing"


def test_a_service_changes_one_setting_and_keeps_only_what_differs() -> None:
    stored = changed_rules({}, "warfarin_inr_below", "3.5")

    assert stored == {"warfarin_inr_below": 3.5}
    assert rules_with(stored).warfarin_inr_below == 3.5
    assert changed_rules(stored, "warfarin_inr_below", 3) == {}
    with pytest.raises(ValidationError) as bad:
        changed_rules({}, "repeat_interval_weeks", 0)
    assert bad.value.code == "injection.setting_out_of_range"
    with pytest.raises(ValidationError):
        changed_rules({}, "same_site_per_year", 2.5)
    with pytest.raises(KeyError):
        changed_rules({}, "dose_of_the_day", 1)
