"""The shipped decision aids: every file loads, every number has a source and a derivation.

These run over the real files in resources/decision_aids, so a broken aid fails the test run
with its file and field named.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from importlib import resources

import pytest

from clinic_app.domains.assessments.content import working_diagnoses
from clinic_app.domains.decisions.content import (
    AidProblem,
    DecisionAid,
    decision_aid,
    decision_aids,
    in_100_words,
    parse_aid,
)
from clinic_app.kernel.readability import grade as reading_grade

FOLDER = resources.files("resources") / "decision_aids"
FILES = sorted(entry.name for entry in FOLDER.iterdir() if entry.name.endswith(".json"))

TEN = {
    "knee_osteoarthritis",
    "hip_osteoarthritis",
    "carpal_tunnel",
    "dupuytrens",
    "low_back_pain",
    "subacromial_shoulder_pain",
    "steroid_injection",
    "scan",
    "surgical_referral",
    "shockwave_therapy",
}
# The decision an aid is about, and the record an option must lead to for that decision.
DECISION_LEADS_TO = {
    "injection": "injection",
    "imaging": "imaging",
    "surgical_referral": "surgical_referral",
    "eswt": "eswt",
}
OTHER_TOOLS = (
    "england.nhs.uk/personalisedcare/shared-decision-making/decision-support-tools",
    "versusarthritis.org",
    "optiongrid.org",
)


def _describe(problems: list[AidProblem]) -> str:
    return "; ".join(f"{p.file} {p.field or '(file)'}: {p.reason}" for p in problems)


def _load(file: str) -> DecisionAid:
    text = (FOLDER / file).read_text(encoding="utf-8")
    result = parse_aid(file, text)
    if not isinstance(result, DecisionAid):
        pytest.fail(f"refused: {_describe(result)}")
    return result


def _first_author(citation: str) -> str:
    """The first author's surname: "van Rijssen AL, ter Linden H, ..." gives "van Rijssen"."""
    first = citation.split(",", maxsplit=1)[0].split(".", maxsplit=1)[0].strip()
    return re.sub(r"\s+[A-Z]{1,3}$", "", first)


def test_every_shipped_file_is_offered_and_none_refused() -> None:
    catalogue = decision_aids()

    assert catalogue.refused == (), _describe(list(catalogue.refused))
    assert sorted(f"{aid.id}.json" for aid in catalogue.offered) == FILES


def test_the_ten_aids_are_all_there() -> None:
    offered = {aid.id for aid in decision_aids().offered}

    assert offered == TEN, f"missing {sorted(TEN - offered)}, extra {sorted(offered - TEN)}"
    for aid_id in TEN:
        assert decision_aid(aid_id).id == aid_id


@pytest.mark.parametrize("file", FILES)
def test_every_number_has_a_source_with_its_population(file: str) -> None:
    aid = _load(file)
    sources = {source.id: source for source in aid.sources}

    for index, option in enumerate(aid.options):
        for number, outcome in enumerate(option.outcomes):
            where = f"{file} options[{index}].outcomes[{number}] ({option.id}.{outcome.id})"
            assert outcome.source in sources, f"{where}: source {outcome.source!r} not listed"
            source = sources[outcome.source]
            assert source.citation, f"{where}: the source has no citation"
            assert source.population, f"{where}: the source names no population"
            assert 1900 < source.year <= aid.written.year, f"{where}: source year"
            assert str(source.year) in source.citation, f"{where}: year not in the citation"
            assert 0 <= outcome.per_100 <= 100, f"{where}.per_100 = {outcome.per_100}"
            assert outcome.time_frame.strip(), f"{where}.time_frame is empty"


@pytest.mark.parametrize("file", FILES)
def test_every_number_and_its_source_are_in_the_derivation(file: str) -> None:
    aid = _load(file)
    sources = {source.id: source for source in aid.sources}
    derivation = aid.derivation

    for index, option in enumerate(aid.options):
        for number, outcome in enumerate(option.outcomes):
            where = f"{file} options[{index}].outcomes[{number}] ({option.id}.{outcome.id})"
            assert re.search(rf"\b{outcome.per_100}\b", derivation), (
                f"{where}: {outcome.per_100} in 100 is not explained in derivation"
            )
            author = _first_author(sources[outcome.source].citation)
            assert author in derivation, f"{where}: derivation does not name {author!r}"


@pytest.mark.parametrize("file", FILES)
def test_no_options_exclusive_outcomes_add_past_100(file: str) -> None:
    aid = _load(file)

    for index, option in enumerate(aid.options):
        totals: dict[str, int] = defaultdict(int)
        for outcome in option.outcomes:
            if outcome.exclusive_group is not None:
                totals[outcome.exclusive_group] += outcome.per_100
        over = {group: total for group, total in totals.items() if total > 100}
        assert not over, f"{file} options[{index}].outcomes ({option.id}): {over}"


@pytest.mark.parametrize("file", FILES)
def test_each_aid_has_self_management_not_now_and_fitting_links(file: str) -> None:
    aid = _load(file)
    kinds = [option.kind for option in aid.options]

    assert kinds.count("self_management") == 1, f"{file} options: {kinds}"
    assert kinds.count("not_now") == 1, f"{file} options: {kinds}"
    for index, option in enumerate(aid.options):
        if option.kind != "treatment":
            assert option.leads_to is None, f"{file} options[{index}].leads_to"
        if option.kind == "not_now":
            # Waiting is a choice; "not decided yet" is the record's own answer, not an option.
            assert "decide" not in option.title.lower(), f"{file} options[{index}].title"
    wanted = DECISION_LEADS_TO.get(aid.decision)
    if wanted is not None:
        leads = [option.leads_to for option in aid.options]
        assert wanted in leads, f"{file} options: no option leads to {wanted} ({leads})"


@pytest.mark.parametrize("file", FILES)
def test_dates_matters_and_further_reading(file: str) -> None:
    aid = _load(file)

    assert aid.version == "1.0", f"{file} version"
    assert aid.written == date(2026, 12, 5), f"{file} written"
    assert aid.review_by == date(2028, 12, 5), f"{file} review_by"
    assert not aid.is_due_for_review(aid.written), f"{file} review_by"
    assert 4 <= len(aid.matters) <= 6, f"{file} matters: {len(aid.matters)}"
    urls = " ".join(reading.url for reading in aid.further_reading)
    for tool in OTHER_TOOLS:
        assert tool in urls, f"{file} further_reading: no link to {tool}"


@pytest.mark.parametrize("file", FILES)
def test_every_number_reads_as_plain_words(file: str) -> None:
    aid = _load(file)

    for index, option in enumerate(aid.options):
        for number, outcome in enumerate(option.outcomes):
            where = f"{file} options[{index}].outcomes[{number}].text"
            words = in_100_words(outcome.per_100, outcome.text)
            assert words.startswith(f"{outcome.per_100} in 100 people "), where
            assert "%" not in outcome.text, f"{where}: a percentage in the words"
            assert not outcome.text[0].isupper(), f"{where}: must follow 'x in 100 people'"


# ---------------------------------------------------------------- plain words

# Clinical words a patient should not meet unexplained on the patient-facing side of an aid
# (sources and derivation are for clinicians and may use them).
JARGON = (
    "arthroplasty",
    "fasciectomy",
    "fasciotomy",
    "discectomy",
    "radiculopathy",
    "tendinopathy",
    "epicondyl",
    "intra-articular",
    "percutaneous",
    "osteophyte",
    "nsaid",
    "analgesi",
    "contracture of",
    "prognosis",
)


def _patient_words(aid: DecisionAid) -> list[tuple[str, str]]:
    """(where, text) for everything the patient reads: the aid's own words, not its sources."""
    parts = [("title", aid.title), ("for_whom", aid.for_whom), ("question", aid.question)]
    parts += [(f"condition[{i}]", text) for i, text in enumerate(aid.condition)]
    parts += [(f"rows[{i}].text", row.text) for i, row in enumerate(aid.rows)]
    parts += [(f"matters[{i}].text", matter.text) for i, matter in enumerate(aid.matters)]
    for i, option in enumerate(aid.options):
        parts.append((f"options[{i}].title", option.title))
        parts += [(f"options[{i}].answers.{row}", text) for row, text in option.answers.items()]
        parts += [
            (f"options[{i}].outcomes[{j}].text", outcome.text)
            for j, outcome in enumerate(option.outcomes)
        ]
    return parts


@pytest.mark.parametrize("file", FILES)
def test_the_patients_side_uses_no_unexplained_jargon(file: str) -> None:
    aid = _load(file)

    for where, text in _patient_words(aid):
        found = [word for word in JARGON if word in text.lower()]
        assert not found, f"{file} {where}: {found}"


@pytest.mark.parametrize("file", FILES)
def test_the_patients_side_reads_at_about_age_eleven(file: str) -> None:
    aid = _load(file)

    grade = reading_grade([text for _, text in _patient_words(aid)])

    assert grade is not None

    # Grade 6 is a reading age of about 11; allow one grade for the rough syllable count.
    assert grade <= 7.0, f"{file}: reads at grade {grade:.1f}, aim for 6 (reading age 11)"


def test_the_diagnoses_an_aid_is_written_for_are_working_diagnoses_and_each_has_one_aid() -> None:
    known = {entry.code for entry in working_diagnoses().diagnoses}
    named: dict[str, str] = {}
    for aid in decision_aids().offered:
        for code in aid.diagnoses:
            assert code in known, f"{aid.id}: {code} is not a working diagnosis"
            assert code not in named, f"{code} is named by {named[code]} and {aid.id}"
            named[code] = aid.id
        if aid.decision != "condition":
            assert aid.diagnoses == (), f"{aid.id} is about a decision, not a condition"
    catalogue = decision_aids()
    assert catalogue.for_diagnosis("sciatica").id == "low_back_pain"  # type: ignore[union-attr]
    assert catalogue.for_diagnosis("knee_osteoarthritis").id == "knee_osteoarthritis"  # type: ignore[union-attr]
    assert catalogue.for_diagnosis("gout") is None
    assert catalogue.for_diagnosis(None) is None
    assert catalogue.for_diagnosis("") is None
