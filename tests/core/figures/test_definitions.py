"""The measures file: its shape, its sources' columns, and its numbers against their sources."""

from __future__ import annotations

import json
import re
from datetime import date
from importlib import resources

import pytest
from pydantic import ValidationError

from clinic_app import schema  # noqa: F401 - every record type and its fact sources
from clinic_app.figures.calendar import working_day_numbers
from clinic_app.figures.definitions import (
    STANDARD_BREAKDOWNS,
    MeasureDefinition,
    age_bands,
    measure_file,
    suppression_rule,
)
from clinic_app.figures.engine import Request, figures_statement
from clinic_app.kernel.errors import ClinicError
from clinic_app.records.offers import FactSource
from clinic_app.records.registry import fact_sources


def _resource(folder: str, name: str) -> dict[str, object]:
    text = (resources.files("resources") / folder / f"{name}.json").read_text("utf-8")
    found: dict[str, object] = json.loads(text)
    return found


def test_the_shipped_files_load() -> None:
    assert len(measure_file().measures) >= 20
    assert suppression_rule().shown_as == "<5"
    assert (age_bands().width, age_bands().open_from) == (5, 90)


def test_each_recorded_measure_reads_only_columns_its_sources_offer() -> None:
    offered = fact_sources()
    for measure in measure_file().measures:
        for name in measure.sources:
            if name not in offered:
                continue
            columns = offered[name].all_columns
            missing = [c for c in measure.columns if c not in columns]
            assert not missing, f"{measure.id} reads {missing} that {name} does not offer"


def test_every_offered_source_gives_the_columns_it_declares() -> None:
    for name, source in fact_sources().items():
        given = set(source.select().selected_columns.keys())
        assert given == set(source.all_columns), name


def test_the_measures_not_recorded_yet_are_those_named() -> None:
    offered = fact_sources()
    unrecorded = {m.id for m in measure_file().measures if any(s not in offered for s in m.sources)}

    assert unrecorded == {"surgical_conversion_rate"}


def test_the_thresholds_are_the_numbers_of_the_files_they_cite() -> None:
    thresholds = measure_file().thresholds
    msk_hq = _resource("questionnaires", "msk_hq")
    rules = _resource("service_rules", "waiting_times")
    letters = _resource("letters", "targets")
    collaborate = _resource("sdm_measures", "collaborate")

    mic = msk_hq["scoring"]["minimal_important_change"]["value"]  # type: ignore[index]
    triage = next(r for r in rules["rules"] if r["id"] == "triage_urgent_priority_tier2")  # type: ignore[attr-defined]
    assert thresholds["msk_hq_mic"].value == mic
    assert thresholds["msk_hq_mic"].verify
    assert thresholds["triage_working_days"].value == triage["amount"]
    targets = letters["targets"]
    assert (
        thresholds["discharge_letter_working_days"].value
        == (
            targets["discharge_working_days"]["value"]  # type: ignore[index]
        )
    )
    assert (
        thresholds["onward_notice_days"].value
        == (
            targets["onward_referral_notice_days"]["value"]  # type: ignore[index]
        )
    )
    assert "25 responses" in str(collaborate["scoring"])
    assert thresholds["collaborate_min_responses"].value == 25


def test_a_number_in_a_title_is_the_threshold_it_counts_to() -> None:
    file = measure_file()
    for measure in file.measures:
        for number in re.findall(r"within (\d+)", measure.title):
            between = [
                f.working_days or f.days for f in measure.numerator if f.working_days or f.days
            ]
            assert [file.threshold(b.at_most) for b in between] == [float(number)], measure.id


def test_only_a_cited_target_is_given() -> None:
    targets = {m.id: m.target for m in measure_file().measures if m.target is not None}

    assert set(targets) == {"patient_experience_positive"}
    assert "VERIFY" in targets["patient_experience_positive"].source


def test_every_breakdown_is_standard_or_a_code_column_of_the_source() -> None:
    offered = fact_sources()
    for measure in measure_file().measures:
        for breakdown in measure.breakdowns:
            if breakdown in STANDARD_BREAKDOWNS:
                continue
            for name in measure.sources:
                if name in offered:
                    assert offered[name].columns.get(breakdown) == "code", (measure.id, breakdown)


@pytest.mark.parametrize(
    "broken",
    [
        {"kind": "share", "numerator": []},
        {"kind": "count", "numerator": [{"column": "x", "is": True}]},
        {"kind": "mean"},
        {"kind": "median_days", "from": "a"},
        {"kind": "count", "denominator": [{"column": "x"}]},
        {"kind": "count", "denominator": [{"column": "x", "is": 1, "present": True}]},
        {
            "kind": "count",
            "denominator": [{"days": {"from": "a", "to": "b", "at_most": 1}}],
            "breakdowns": ["month"],
            "extra": 1,
        },
    ],
)
def test_a_malformed_measure_is_refused(broken: dict[str, object]) -> None:
    good = {
        "id": "m",
        "title": "A measure",
        "description": "What it counts, in words.",
        "source": "care_contact",
        "kind": "count",
        "unit": "count",
        "target": None,
    }
    with pytest.raises(ValidationError):
        MeasureDefinition.model_validate(good | broken)


def test_a_measure_reading_a_column_its_source_lacks_is_named() -> None:
    file = measure_file()
    measure = file.measure("did_not_attend_rate")
    source = fact_sources()["care_contact"]
    lacking = FactSource("care_contact", source.title, source.select, {"attended": "flag"})
    broken = {
        "care_contact": FactSource(
            lacking.name,
            lacking.title,
            lambda: source.select().with_only_columns(
                *(c for c in source.select().selected_columns if c.key != "did_not_attend")
            ),
            lacking.columns,
        )
    }

    with pytest.raises(ClinicError) as refused:
        figures_statement(
            Request(measure.id, date(2027, 1, 1), date(2027, 1, 1)), "sqlite", sources=broken
        )

    assert refused.value.code == "content.invalid"


def test_an_unknown_measure_or_breakdown_is_refused() -> None:
    month = date(2027, 1, 1)
    with pytest.raises(ClinicError) as unknown:
        figures_statement(Request("no_such_measure", month, month), "sqlite")
    assert unknown.value.code == "figures.unknown_measure"
    with pytest.raises(ClinicError) as breakdown:
        figures_statement(Request("did_not_attend_rate", month, month, "target"), "sqlite")
    assert breakdown.value.code == "figures.unknown_breakdown"


def test_the_calendar_numbers_working_days_over_christmas_2026() -> None:
    numbered = dict(working_day_numbers(date(2026, 12, 21), date(2026, 12, 31)))

    # Mon 21 .. Thu 24 are working days; Fri 25 and Mon 28 are bank holidays.
    assert [numbered[date(2026, 12, d)] for d in (21, 22, 23, 24, 25, 26, 27, 28, 29, 30)] == [
        0,
        1,
        2,
        3,
        4,
        4,
        4,
        4,
        4,
        5,
    ]
