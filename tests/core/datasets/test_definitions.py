"""The shipped data set definitions: well formed, sourced, coded, and with no free text."""

from __future__ import annotations

import copy
import re
from importlib import resources
from typing import Any

import pytest

from clinic_app.kernel.errors import ClinicError
from clinic_app.server.exports.definition import DATA_SETS, data_set, parse_data_set
from tests.core.datasets.checks import allowed_codes, definition
from tests.core.datasets.seed import STAND_IN_CONCEPT

_WIDE_TEXT = re.compile(r"^an\.\.([0-9]+)$")


@pytest.mark.parametrize("name", DATA_SETS)
def test_each_shipped_data_set_reads_and_says_where_it_comes_from(name: str) -> None:
    data = data_set(name)

    assert data.id == name
    assert all((data.source, data.licence, data.notes))
    assert "small numbers are not suppressed" in data.notes


@pytest.mark.parametrize("name", DATA_SETS)
def test_no_field_can_hold_free_text(name: str) -> None:
    # Text fields are identifiers, scores or national codes: short, and never words typed.
    for table in definition(name)["tables"]:
        for item in table["fields"]:
            wide = _WIDE_TEXT.fullmatch(item["format"])
            if wide is None:
                continue
            assert int(wide.group(1)) <= 20, item["name"]
            assert (
                "codes" in item or "IDENTIFIER" in item["name"] or item["name"] == "PERSON SCORE"
            ), item["name"]


def test_every_code_list_says_its_source_and_version() -> None:
    lists = data_set("csds").code_lists

    assert set(lists) >= {"ETHNIC CATEGORY", "PRIORITY TYPE CODE", "ATTENDANCE STATUS"}
    assert all(code_list.source and code_list.version for code_list in lists.values())


def test_csds_tables_are_the_data_sets_own_groups() -> None:
    tables = definition("csds")["tables"]

    assert [table["id"] for table in tables] == [
        "CYP001",
        "CYP101",
        "CYP201",
        "CYP609",
        "CYP607",
        "CYP105",
    ]
    assert all(table["name"].startswith(table["id"]) for table in tables)


def test_every_mapped_code_is_in_its_fields_code_list() -> None:
    data = definition("csds")
    fields = {item["name"]: item for table in data["tables"] for item in table["fields"]}
    for mapping in data["mappings"].values():
        target = fields[mapping["field"]]
        for code in mapping["codes"].values():
            if code is not None and "codes" in target:
                assert code in allowed_codes(data, target["codes"])


@pytest.mark.parametrize("name", DATA_SETS)
def test_every_field_still_to_confirm_is_named_in_the_readme(name: str) -> None:
    text = (resources.files("resources") / "datasets" / "README.md").read_text("utf-8")
    readme = " ".join(text.split())
    for table in definition(name)["tables"]:
        for item in table["fields"]:
            if item.get("verify"):
                assert f"{table['id']} {item['name']}" in readme, (table["id"], item["name"])


def _broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(definition("csds"))
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["tables"][0]["fields"][0].update(format="free text"), "unknown_format"),
        (lambda d: d["tables"][0]["fields"][2].update(codes="NO SUCH LIST"), "unknown_code_list"),
        (
            lambda d: d["mappings"]["priority"]["codes"].update(routine="9"),
            "mapped_code_not_allowed",
        ),
        (lambda d: d["tables"][1]["fields"].append(d["tables"][1]["fields"][0]), "duplicate_field"),
        (lambda d: d.update(tables=[]), "no_tables"),
        (lambda d: d.pop("source"), "missing_text"),
        (lambda d: d["code_lists"]["PRIORITY TYPE CODE"].pop("version"), "bad_code_list"),
        (lambda d: d["tables"][0]["fields"][0].update(free_text=True), "unknown_keys"),
    ],
)
def test_a_broken_definition_is_refused_with_its_reason(change: Any, reason: str) -> None:
    with pytest.raises(ClinicError) as refused:
        parse_data_set("csds", _broken(change))

    assert refused.value.code == "content.invalid"
    assert refused.value.params["reason"] == reason


def test_a_service_gives_its_own_code_for_a_value_shipped_without_one() -> None:
    shipped = data_set("csds")
    assert shipped.mapped("assessment_tool", "msk_hq") == ""

    local = shipped.with_local_codes({"assessment_tool": {"msk_hq": STAND_IN_CONCEPT}})

    assert local.mapped("assessment_tool", "msk_hq") == STAND_IN_CONCEPT
    assert local.mapped("priority", "routine") == "1"  # the rest as shipped
    assert shipped.mapped("assessment_tool", "msk_hq") == ""  # the shipped one unchanged


@pytest.mark.parametrize(
    "codes",
    [
        {"assessment_tool": {"msk_hq": "12345"}},  # not a SNOMED CT concept id
        {"priority": {"routine": "7"}},  # not a PRIORITY TYPE CODE
        {"referral_source": {"gp": "GP surgery"}},  # words, not a two-character code
        {"referral_source": {"carrier_pigeon": "01"}},  # not one of the service's sources
        {"free_text": {"reason": "01"}},  # no such mapping
        ["not", "a", "mapping"],
    ],
)
def test_a_local_code_its_field_would_refuse_is_refused(codes: object) -> None:
    with pytest.raises(ClinicError) as refused:
        data_set("csds").with_local_codes(codes)

    assert refused.value.code == "export.bad_local_code"
