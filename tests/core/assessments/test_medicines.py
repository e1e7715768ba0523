"""Medicines are classed by the coded list from the BNF classes, never by a hand tick."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from clinic_app.domains.assessments.content import medicine_list, parse_medicines
from clinic_app.domains.assessments.rules import MEDICINE_FLAGS
from clinic_app.kernel.errors import ClinicError
from tests.core.assessments.conftest import Clinic


def _raw() -> dict[str, Any]:
    path = resources.files("resources") / "medicines" / "bnf_classes.json"
    document: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return document


@pytest.mark.parametrize(
    ("typed", "classes"),
    [
        ("co-codamol 30/500", ("opioid",)),
        ("Co-Codamol 8/500 mg two tablets four times a day", ("opioid",)),
        ("co codamol", ("opioid",)),
        ("CO-DYDRAMOL 10/500", ("opioid",)),
        ("Zapain 30/500", ("opioid",)),
        ("tramadol 50mg", ("opioid",)),
        ("BuTrans 5 patch", ("opioid",)),
        ("pregabalin 75 mg bd", ("gabapentinoid",)),
        ("Lyrica", ("gabapentinoid",)),
        ("gabapentin 300mg tds", ("gabapentinoid",)),
        ("naproxen 500mg", ("nsaid",)),
        ("prednisolone 5mg", ("oral_corticosteroid",)),
        ("apixaban", ("anticoagulant",)),
        ("clopidogrel 75", ("antiplatelet",)),
        ("methotrexate 15 mg weekly", ("immunosuppressant",)),
        ("Humira pen", ("immunosuppressant",)),
        ("naproxen and co-codamol", ("opioid", "nsaid")),
    ],
)
def test_medicines_are_recognised_whatever_the_strength_and_case(
    typed: str, classes: tuple[str, ...]
) -> None:
    assert medicine_list().classify(typed) == classes


@pytest.mark.parametrize(
    "typed",
    ["paracetamol 1g qds", "amitriptyline 10 mg", "co-amoxiclav", "morphology", "", "codamol"],
)
def test_other_medicines_and_near_names_have_no_class(typed: str) -> None:
    assert medicine_list().classify(typed) == ()


def test_every_class_cites_the_bnf_and_review_is_opioids_and_gabapentinoids() -> None:
    listed = medicine_list()
    assert "bnf.nice.org.uk" in listed.source
    assert all(c.bnf_chapter and c.bnf_section for c in listed.classes)
    assert {c.code for c in listed.classes if c.review} == MEDICINE_FLAGS
    assert all(listed.medicine_class(code) for m in listed.medicines for code in m.classes)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["medicines"][0].update(classes=["painkiller"]), "bad_classes"),
        (lambda d: d["medicines"].append(copy.deepcopy(d["medicines"][0])), "duplicate_name"),
        (lambda d: d["classes"][0].pop("bnf"), "bad_class"),
        (lambda d: d["medicines"][0].update(dose="30 mg"), "unknown_keys"),
    ],
)
def test_the_list_is_checked_when_it_loads(change: Any, reason: str) -> None:
    document = _raw()
    parse_medicines(document)  # the shipped list is valid
    change(document)
    with pytest.raises(ClinicError) as caught:
        parse_medicines(document)
    assert caught.value.params["reason"] == reason


def test_the_service_classes_medicines_from_the_list_not_from_the_form(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    draft = services.assessments.save_draft(
        clinician,
        clinic.patient_id,
        {
            "presenting_complaint": "Knee pain",
            "medicines": [
                {"name": "co-codamol 30/500", "dose": "2 qds"},
                {"name": "Pregabalin", "dose": "75 mg bd", "flags": []},
                {"name": "paracetamol", "flags": ["opioid"]},  # a stray tick is not trusted
            ],
        },
    )
    stored = services.assessments.get(clinician, draft.id)
    assert [m["flags"] for m in stored.content["medicines"]] == [
        ["opioid"],
        ["gabapentinoid"],
        [],
    ]
    assert stored.medicines_for_review == ("co-codamol 30/500", "Pregabalin")
