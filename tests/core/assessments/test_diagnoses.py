"""Curated working diagnoses: the shipped list, SNOMED CT ids, and diagnoses in assessments."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest
from sqlalchemy import func, select, text

from clinic_app.choices import ReferenceService
from clinic_app.domains.assessments.content import (
    PARTS,
    DiagnosisList,
    chart_parts,
    is_concept_id,
    parse_diagnoses,
    working_diagnoses,
)
from clinic_app.domains.assessments.model import Assessment
from clinic_app.kernel.errors import ClinicError, FormErrors
from clinic_app.kernel.signing import content_digest
from clinic_app.kernel.vocabulary import AssessmentStatus
from tests.core.assessments.conftest import PASSWORD, Clinic

KNEE_OA = "knee_osteoarthritis"
NO_ID = "subacromial_pain"  # shipped without a SNOMED CT id


# ---------------------------------------------------------------- an independent Verhoeff


def _d5(j: int, k: int) -> int:
    """Multiplication in the dihedral group D5, numbered as in Verhoeff's scheme."""
    if j < 5 and k < 5:
        return (j + k) % 5
    if j < 5:
        return 5 + (j + k) % 5
    if k < 5:
        return 5 + (j - k) % 5
    return (j - k) % 5


_BASE_PERMUTATION = (1, 5, 7, 6, 2, 8, 3, 0, 9, 4)


def _permutation(power: int, digit: int) -> int:
    for _ in range(power):
        digit = _BASE_PERMUTATION[digit]
    return digit


def _verhoeff_holds(number: str) -> bool:
    check = 0
    for position, digit in enumerate(reversed(number)):
        check = _d5(check, _permutation(position % 8, int(digit)))
    return check == 0


def _with_check_digit(body: str) -> str:
    """``body`` followed by the one digit that makes its Verhoeff check hold."""
    [whole] = [body + str(d) for d in range(10) if _verhoeff_holds(body + str(d))]
    return whole


def _raw_list() -> dict[str, Any]:
    path = resources.files("resources") / "diagnoses" / "msk_working_diagnoses.json"
    return json.loads(path.read_text(encoding="utf-8"))


SHIPPED_IDS = [d.snomed_ct_id for d in working_diagnoses().diagnoses if d.snomed_ct_id]


# ---------------------------------------------------------------- the shipped list


def test_the_list_loads_with_provenance_and_is_cached() -> None:
    """The shipped list has a source, licence and version, and loads once."""
    diagnoses = working_diagnoses()
    assert isinstance(diagnoses, DiagnosisList)
    assert diagnoses.source.strip()
    assert "SNOMED CT" in diagnoses.licence
    assert diagnoses.version.strip()
    assert working_diagnoses() is diagnoses
    assert len(diagnoses.diagnoses) >= 30


def test_codes_and_ids_are_unique_and_every_id_passes_its_check_digit() -> None:
    """No code or concept id appears twice; every shipped id is a valid concept id."""
    entries = working_diagnoses().diagnoses
    codes = [d.code for d in entries]
    assert len(codes) == len(set(codes))
    assert len(SHIPPED_IDS) == len(set(SHIPPED_IDS))
    assert len(SHIPPED_IDS) >= len(entries) // 2
    for concept in SHIPPED_IDS:
        assert is_concept_id(concept), concept
        assert _verhoeff_holds(concept), concept
    for entry in entries:
        assert entry.label.strip(), entry.code
        assert entry.parts, entry.code
        assert entry.parts <= PARTS, entry.code
        assert (entry.snomed_ct_id is None) == (entry.snomed_ct_term is None), entry.code


def test_every_id_cites_its_source() -> None:
    """Each shipped SNOMED CT id names where it was checked; entries without one cite none."""
    raw = _raw_list()
    assert raw["source"].strip()
    for entry in raw["diagnoses"]:
        if "snomed_ct" in entry:
            concept = entry["snomed_ct"]
            assert concept["source"].strip(), entry["code"]
            assert concept["term"].strip(), entry["code"]
    assert any("snomed_ct" not in entry for entry in raw["diagnoses"])
    assert working_diagnoses().get(NO_ID) is not None


def test_a_one_digit_typo_of_any_shipped_id_is_rejected() -> None:
    """Changing any one digit of any shipped id to any other digit fails is_concept_id."""
    checked = 0
    for concept in SHIPPED_IDS:
        for position, digit in enumerate(concept):
            for other in "0123456789":
                if other == digit:
                    continue
                typo = concept[:position] + other + concept[position + 1 :]
                assert not is_concept_id(typo), (concept, typo)
                checked += 1
    assert checked == 9 * sum(len(c) for c in SHIPPED_IDS)


def test_two_swapped_neighbouring_digits_are_rejected() -> None:
    """Swapping two different adjacent digits of a shipped id fails is_concept_id."""
    for concept in SHIPPED_IDS:
        for i in range(len(concept) - 1):
            if concept[i] != concept[i + 1]:
                swapped = concept[:i] + concept[i + 1] + concept[i] + concept[i + 2 :]
                assert not is_concept_id(swapped), (concept, swapped)


@pytest.mark.parametrize("partition", ["01", "02", "11", "12", "99"])
def test_ids_of_other_partitions_are_rejected(partition: str) -> None:
    """A description, relationship or unknown partition fails even with a good check digit."""
    for concept in SHIPPED_IDS:
        other = _with_check_digit(concept[:-3] + partition)
        assert _verhoeff_holds(other)
        assert not is_concept_id(other), other


@pytest.mark.parametrize(
    "value",
    [
        "22298006",  # a core concept (partition 00)
        "404684003",
        _with_check_digit("9990001" + "1000000" + "10"),  # an extension concept (partition 10)
    ],
)
def test_well_formed_concept_ids_are_accepted(value: str) -> None:
    """Core and extension concept ids with a good check digit are accepted."""
    assert is_concept_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "10006",  # too short: six digits at least
        "1" * 16 + "006",  # too long: eighteen digits at most
        "022298006",  # a leading zero
        "22298 006",
        "2229800\uff16",  # a full-width digit six
        "-22298006",
        "22298006 ",
    ],
)
def test_malformed_ids_are_rejected(value: str) -> None:
    """Values not shaped like a concept id are rejected before the check digit."""
    assert not is_concept_id(value)


# ---------------------------------------------------------------- parse_diagnoses

SNOMED = {"id": "239873007", "term": "Osteoarthritis of knee (disorder)", "source": "A value set"}
ENTRY = {"code": "knee_oa", "label": "Knee osteoarthritis", "parts": ["knee"], "snomed_ct": SNOMED}
GOOD = {"source": "s", "licence": "l", "version": "1", "diagnoses": [ENTRY]}


def _with_entry(**changes: Any) -> dict[str, Any]:
    entry = {**copy.deepcopy(ENTRY), **changes}
    return {**GOOD, "diagnoses": [{k: v for k, v in entry.items() if v is not None}]}


def _with_snomed(**changes: Any) -> dict[str, Any]:
    snomed = {k: v for k, v in {**SNOMED, **changes}.items() if v is not None}
    return _with_entry(snomed_ct=snomed)


def test_a_minimal_document_parses() -> None:
    """A small well-formed document gives the entry with its id and term."""
    parsed = parse_diagnoses(GOOD)
    [entry] = parsed.diagnoses
    assert (entry.code, entry.parts, entry.snomed_ct_id) == ("knee_oa", {"knee"}, "239873007")
    assert parse_diagnoses(_with_entry(snomed_ct=None)).diagnoses[0].snomed_ct_id is None


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ([], "not_an_object"),
        ({**GOOD, "extra": 1}, "unknown_keys"),
        ({k: v for k, v in GOOD.items() if k != "diagnoses"}, "diagnoses_not_a_list"),
        ({**GOOD, "diagnoses": []}, "diagnoses_not_a_list"),
        ({**GOOD, "diagnoses": {"knee_oa": ENTRY}}, "diagnoses_not_a_list"),
        ({**GOOD, "source": " "}, "missing_text"),
        ({k: v for k, v in GOOD.items() if k != "licence"}, "missing_text"),
        ({**GOOD, "diagnoses": ["knee_oa"]}, "bad_diagnosis"),
        (_with_entry(colour="red"), "unknown_keys"),
        (_with_entry(code="Knee OA"), "bad_code"),
        (_with_entry(code=None), "bad_code"),
        (_with_entry(label=""), "missing_text"),
        (_with_entry(parts=[]), "bad_parts"),
        (_with_entry(parts=["left_knee"]), "bad_parts"),
        (_with_entry(parts="knee"), "bad_parts"),
        (_with_entry(snomed_ct="239873007"), "bad_snomed_ct"),
        (_with_snomed(term=None), "bad_snomed_ct"),
        (_with_snomed(source=None), "bad_snomed_ct"),
        (_with_snomed(source=" "), "missing_text"),
        (_with_snomed(term=""), "missing_text"),
        (_with_snomed(fsn="x"), "unknown_keys"),
        (_with_snomed(id="239873008"), "bad_concept_id"),  # a one-digit typo
        (_with_snomed(id=239873007), "bad_concept_id"),  # a number, not text
        (_with_snomed(id=_with_check_digit("2398730" + "01")), "bad_concept_id"),
        ({**GOOD, "diagnoses": [ENTRY, _with_entry(snomed_ct=None)["diagnoses"][0]]}, "duplicate"),
        ({**GOOD, "diagnoses": [ENTRY, {**ENTRY, "code": "other"}]}, "duplicate"),
    ],
)
def test_malformed_documents_are_refused_with_a_reason(document: object, reason: str) -> None:
    """Each kind of malformed list raises content.invalid naming the file and the reason."""
    with pytest.raises(ClinicError) as caught:
        parse_diagnoses(document)
    assert caught.value.code == "content.invalid"
    assert caught.value.params["file"] == "msk_working_diagnoses.json"
    assert caught.value.params["reason"] == reason


# ---------------------------------------------------------------- offering diagnoses


def test_knee_diagnoses_come_first_for_the_left_knee() -> None:
    """For left_knee the knee diagnoses come first, then the rest, each in list order."""
    diagnoses = working_diagnoses()
    ordered = diagnoses.for_regions(["left_knee"])
    knee = [d.code for d in diagnoses.diagnoses if "knee" in d.parts]
    rest = [d.code for d in diagnoses.diagnoses if "knee" not in d.parts]
    assert {KNEE_OA, "meniscal_tear", "acl_injury"} <= set(knee)
    assert [d.code for d in ordered] == knee + rest
    assert diagnoses.for_regions(["right_knee"]) == ordered
    assert diagnoses.for_regions([]) == diagnoses.diagnoses
    assert chart_parts(["left_knee", "right_wrist_hand", "lumbar_spine"]) == {
        "knee",
        "wrist_hand",
        "lumbar_spine",
    }


def test_reference_service_marks_the_suggested_diagnoses() -> None:
    """The choices carry labels and ids, and only region-linked ones are suggested."""
    choices = ReferenceService().diagnoses(["left_knee", "lumbar_spine"])
    assert len(choices) == len(working_diagnoses().diagnoses)
    suggested = [c.code for c in choices if c.suggested]
    assert suggested == [c.code for c in choices[: len(suggested)]]
    assert {KNEE_OA, "low_back_pain", "sciatica"} <= set(suggested)
    assert "frozen_shoulder" not in suggested
    by_code = {c.code: c for c in choices}
    knee_oa = working_diagnoses().get(KNEE_OA)
    assert knee_oa is not None
    assert (by_code[KNEE_OA].label, by_code[KNEE_OA].snomed_ct_id) == (
        knee_oa.label,
        knee_oa.snomed_ct_id,
    )
    assert by_code[NO_ID].snomed_ct_id is None
    assert not any(c.suggested for c in ReferenceService().diagnoses())


# ---------------------------------------------------------------- diagnoses in assessments


def _content(code: str | None, **extra: object) -> dict[str, object]:
    content: dict[str, object] = {
        "presenting_complaint": "Left knee pain on stairs",
        "body_regions": ["left_knee"],
        **extra,
    }
    if code is not None:
        content["diagnosis_code"] = code
    return content


def test_the_diagnosis_label_and_id_are_signed_with_the_assessment(clinic: Clinic) -> None:
    """Label, list version and SNOMED CT id are stored, signed and covered by the digest."""
    assessments = clinic.services.assessments
    entry = working_diagnoses().get(KNEE_OA)
    assert entry is not None
    assert entry.snomed_ct_id is not None
    draft = assessments.save_draft(clinic.clinician, clinic.patient_id, _content(KNEE_OA))
    expected = {
        "label": entry.label,
        "list_version": working_diagnoses().version,
        "snomed_ct_id": entry.snomed_ct_id,
    }
    assert draft.content["diagnosis_code"] == KNEE_OA
    assert draft.content["diagnosis"] == expected

    signed = assessments.sign(clinic.clinician, draft.id, PASSWORD)
    assert (signed.status, signed.intact) == (AssessmentStatus.SIGNED, True)
    assert signed.content["diagnosis"] == expected
    assert signed.content_sha256 == content_digest(dict(signed.content))
    without = {k: v for k, v in signed.content.items() if k != "diagnosis"}
    assert signed.content_sha256 != content_digest(without)

    # Changing the stored label behind the app's back shows as a broken signature.
    tampered = {**dict(signed.content), "diagnosis": {**expected, "label": "Gout"}}
    with clinic.services.context.store.engine.begin() as conn:
        conn.execute(
            text("UPDATE assessment SET content = :c WHERE id = :i"),
            {"c": json.dumps(tampered), "i": draft.id.hex},
        )
    reread = assessments.get(clinic.clinician, draft.id)
    assert reread.content["diagnosis"]["label"] == "Gout"
    assert reread.intact is False


def test_a_diagnosis_without_an_id_stores_no_snomed_id(clinic: Clinic) -> None:
    """An entry shipped without an id is recorded by label alone."""
    entry = working_diagnoses().get(NO_ID)
    assert entry is not None
    assert entry.snomed_ct_id is None
    draft = clinic.services.assessments.save_draft(
        clinic.clinician, clinic.patient_id, _content(NO_ID)
    )
    assert draft.content["diagnosis"] == {
        "label": entry.label,
        "list_version": working_diagnoses().version,
    }
    signed = clinic.services.assessments.sign(clinic.clinician, draft.id, PASSWORD)
    assert "snomed_ct_id" not in signed.content["diagnosis"]
    assert signed.intact


def test_a_diagnosis_sent_by_the_client_is_ignored_and_rebuilt(clinic: Clinic) -> None:
    """A client's own diagnosis block never reaches the record; the service's does."""
    assessments = clinic.services.assessments
    forged = {"label": "Forged", "list_version": "0", "snomed_ct_id": "22298006"}
    draft = assessments.save_draft(
        clinic.clinician, clinic.patient_id, _content(KNEE_OA, diagnosis=forged)
    )
    knee_oa = working_diagnoses().get(KNEE_OA)
    assert knee_oa is not None
    assert draft.content["diagnosis"] == {
        "label": knee_oa.label,
        "list_version": working_diagnoses().version,
        "snomed_ct_id": knee_oa.snomed_ct_id,
    }

    # Autosave with a new code and the old block read back from the form: rebuilt for the new.
    draft = assessments.save_draft(
        clinic.clinician,
        clinic.patient_id,
        _content("meniscal_tear", diagnosis=dict(draft.content["diagnosis"])),
        draft.id,
    )
    meniscal = working_diagnoses().get("meniscal_tear")
    assert meniscal is not None
    assert draft.content["diagnosis"]["label"] == meniscal.label
    assert draft.content["diagnosis"]["snomed_ct_id"] == meniscal.snomed_ct_id

    # Without a code, a diagnosis block is dropped altogether.
    draft = assessments.save_draft(
        clinic.clinician, clinic.patient_id, _content(None, diagnosis=forged), draft.id
    )
    assert "diagnosis" not in draft.content
    assert "diagnosis_code" not in draft.content


def test_an_unknown_diagnosis_code_is_refused(clinic: Clinic) -> None:
    """A code not in the list raises FormErrors on diagnosis_code and stores nothing."""
    assessments = clinic.services.assessments
    with pytest.raises(FormErrors) as caught:
        assessments.save_draft(clinic.clinician, clinic.patient_id, _content("housemaids_knee"))
    assert [(e.code, e.field) for e in caught.value.errors] == [
        ("assessment.unknown_diagnosis", "diagnosis_code")
    ]
    draft = assessments.save_draft(clinic.clinician, clinic.patient_id, _content(KNEE_OA))
    with pytest.raises(FormErrors):
        assessments.save_draft(
            clinic.clinician, clinic.patient_id, _content("housemaids_knee"), draft.id
        )
    assert assessments.get(clinic.clinician, draft.id).content["diagnosis_code"] == KNEE_OA
    with clinic.services.context.store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Assessment)) == 1


def test_an_unknown_diagnosis_is_reported_with_the_other_bad_fields(clinic: Clinic) -> None:
    """Every bad field, the diagnosis code included, is reported in one FormErrors."""
    with pytest.raises(FormErrors) as caught:
        clinic.services.assessments.save_draft(
            clinic.clinician, clinic.patient_id, _content("housemaids_knee", pain_now=11)
        )
    assert {(e.code, e.field) for e in caught.value.errors} == {
        ("assessment.pain_out_of_range", "pain_now"),
        ("assessment.unknown_diagnosis", "diagnosis_code"),
    }
