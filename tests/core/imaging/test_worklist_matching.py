"""Worklist matching as PS3.4 C.2.2.2 describes it, key kind by key kind."""

from __future__ import annotations

import pytest
from pydicom.dataset import Dataset

from clinic_app.domains.imaging.dicom.matching import answer_for, matches


def _candidate() -> Dataset:
    item = Dataset()
    item.PatientName = "LOVELACE^Ada^Augusta"
    item.PatientID = "9990000018"
    item.AccessionNumber = "A1.2(3)"
    item.StudyInstanceUID = "2.25.42"
    step = Dataset()
    step.Modality = "US"
    step.ScheduledStationAETitle = "US1"
    step.ScheduledProcedureStepStartDate = "20261204"
    step.ScheduledProcedureStepStartTime = "093000"
    other = Dataset()
    other.Modality = "MR"
    other.ScheduledStationAETitle = "MR1"
    other.ScheduledProcedureStepStartDate = "20261210"
    other.ScheduledProcedureStepStartTime = "160000"
    item.ScheduledProcedureStepSequence = [step, other]
    return item


def _query(**keys: str) -> Dataset:
    query = Dataset()
    for keyword, value in keys.items():
        setattr(query, keyword, value)
    return query


def _step_query(**keys: str) -> Dataset:
    query = Dataset()
    query.ScheduledProcedureStepSequence = [_query(**keys)]
    return query


@pytest.mark.parametrize(
    ("keyword", "value", "expected"),
    [
        ("PatientID", "", True),
        ("PatientID", "9990000018", True),
        ("PatientID", " 9990000018 ", True),
        ("PatientID", "999000001", False),
        ("PatientID", "999*", True),
        ("PatientID", "99900000?8", True),
        ("PatientID", "99900000?", False),
        ("PatientID", "*", True),
        # Characters that mean something to regular expressions or shells mean themselves.
        ("AccessionNumber", "A1.2(3)", True),
        ("AccessionNumber", "A1x2(3)", False),
        ("AccessionNumber", "A1.2[3]", False),
        ("StudyInstanceUID", "2.25.41\\2.25.42", True),
        ("StudyInstanceUID", "2.25.4", False),
    ],
)
def test_single_values_wildcards_and_uid_lists(keyword: str, value: str, expected: bool) -> None:
    assert matches(_query(**{keyword: value}), _candidate()) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("LOVELACE^Ada^Augusta", True),
        ("lovelace^ada^augusta", True),
        ("Lovelace", True),
        ("LOVELACE^Ada", True),
        ("LOVELACE^Bea", False),
        ("^Ada", True),
        ("lov*", True),
        ("*^ada*", True),
        ("LOVE?ACE^*", True),
        ("BYRON*", False),
        ("LOVELACE^Ada^Augusta^^=ラブレス", True),
    ],
)
def test_person_names_without_regard_to_case_component_by_component(
    value: str, expected: bool
) -> None:
    assert matches(_query(PatientName=value), _candidate()) is expected


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ({"ScheduledProcedureStepStartDate": "20261204-20261204"}, True),
        ({"ScheduledProcedureStepStartDate": "20261201-20261203"}, False),
        ({"ScheduledProcedureStepStartDate": "20261204-"}, True),
        ({"ScheduledProcedureStepStartDate": "-20261203"}, False),
        ({"ScheduledProcedureStepStartDate": "20261211-"}, False),
        ({"ScheduledProcedureStepStartDate": "20261210"}, True),
        ({"ScheduledProcedureStepStartTime": "0900-1000"}, True),
        ({"ScheduledProcedureStepStartTime": "09-09"}, True),
        ({"ScheduledProcedureStepStartTime": "1000-1500"}, False),
        ({"ScheduledProcedureStepStartTime": "-0929"}, False),
        ({"ScheduledProcedureStepStartTime": "-0930"}, True),
        ({"ScheduledProcedureStepStartTime": "093000.000001-"}, True),
        ({"ScheduledProcedureStepStartTime": "160000.5-"}, False),
        # All keys of one query item must match the same step (C.2.2.2.6).
        ({"Modality": "US", "ScheduledStationAETitle": "US1"}, True),
        ({"Modality": "US", "ScheduledStationAETitle": "MR1"}, False),
        ({"Modality": "MR", "ScheduledProcedureStepStartDate": "20261204"}, False),
        ({"Modality": "MR", "ScheduledProcedureStepStartDate": "20261205-"}, True),
        ({"ScheduledStationAETitle": "US?"}, True),
        ({"ScheduledPerformingPhysicianName": "JONES^Ann"}, False),
        ({"ScheduledPerformingPhysicianName": ""}, True),
        ({"Modality": "", "ScheduledStationAETitle": ""}, True),
    ],
)
def test_ranges_and_sequence_matching_inside_the_steps(
    keys: dict[str, str], expected: bool
) -> None:
    assert matches(_step_query(**keys), _candidate()) is expected


def test_a_key_the_candidate_does_not_hold_matches_only_when_empty() -> None:
    assert matches(_query(ReferringPhysicianName=""), _candidate())
    assert not matches(_query(ReferringPhysicianName="WHO^Doctor"), _candidate())
    # "*" matches any run of characters, none included (C.2.2.2.4).
    assert matches(_query(ReferringPhysicianName="*"), _candidate())
    assert not matches(_query(ReferringPhysicianName="?*"), _candidate())


def test_an_empty_sequence_key_matches_and_returns_every_step() -> None:
    query = Dataset()
    query.ScheduledProcedureStepSequence = []
    assert matches(query, _candidate())
    answer = answer_for(query, _candidate())
    assert [s.Modality for s in answer.ScheduledProcedureStepSequence] == ["US", "MR"]


def test_an_answer_has_every_key_asked_for_and_no_other() -> None:
    query = _query(PatientName="lov*", PatientID="", ReferringPhysicianName="")
    query.PatientWeight = None
    query.ScheduledProcedureStepSequence = [
        _query(Modality="US", ScheduledPerformingPhysicianName="")
    ]
    answer = answer_for(query, _candidate())
    assert str(answer.PatientName) == "LOVELACE^Ada^Augusta"
    assert answer.PatientID == "9990000018"
    assert answer["ReferringPhysicianName"].is_empty
    assert answer["PatientWeight"].is_empty
    assert answer.SpecificCharacterSet == "ISO_IR 192"
    assert "AccessionNumber" not in answer
    # Only the step that matched, with the keys asked for in it.
    (step,) = answer.ScheduledProcedureStepSequence
    assert step.Modality == "US"
    assert step["ScheduledPerformingPhysicianName"].is_empty
    assert "ScheduledStationAETitle" not in step
