"""The opioid and gabapentinoid review: asked when one is listed, needed to sign, counted."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from clinic_app.domains.assessments.content import (
    check_content,
    parse_review_outcomes,
    review_outcomes,
)
from clinic_app.domains.assessments.rules import medicine_review_problems
from clinic_app.figures.engine import Request, compute
from clinic_app.figures.results import OK
from clinic_app.kernel.errors import ClinicError, FormErrors
from clinic_app.kernel.resource_files import read_json
from clinic_app.kernel.vocabulary import AssessmentStatus
from clinic_app.records.registry import fact_sources
from tests.core.assessments.conftest import PASSWORD, Clinic

CODEINE = [{"name": "codeine 30 mg", "dose": "1 qds"}]
NAPROXEN = [{"name": "naproxen 500 mg", "dose": "1 bd"}]


def _codes(caught: pytest.ExceptionInfo[FormErrors]) -> list[tuple[str, str | None]]:
    return [(error.code, error.field) for error in caught.value.errors]


# ---------------------------------------------------------------- the rule


def test_the_outcomes_are_the_shipped_codes_with_plain_words() -> None:
    assert [o.code for o in review_outcomes()] == [
        "continue",
        "reduce_or_stop",
        "refer_for_review",
    ]
    assert all(o.label[0].isupper() for o in review_outcomes())


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["outcomes"].append(dict(d["outcomes"][0])), "duplicate"),
        (lambda d: d["outcomes"][0].update(code="Not a code"), "bad_code"),
        (lambda d: d["outcomes"][0].update(label=" "), "missing_text"),
        (lambda d: d["outcomes"][0].pop("label"), "bad_outcome"),
        (lambda d: d.update(extra=1), "unknown_keys"),
    ],
)
def test_the_outcomes_file_is_checked_when_it_loads(change: Any, reason: str) -> None:
    document = copy.deepcopy(read_json("medicines", "review_outcomes"))
    change(document)
    with pytest.raises(ClinicError) as caught:
        parse_review_outcomes(document)
    assert caught.value.params["reason"] == reason


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        (
            {"reviewed": True, "outcome": "continue", "reason": "x"},
            {"reviewed": True, "outcome": "continue"},
        ),
        (
            {"reviewed": False, "outcome": "continue", "reason": " Declined "},
            {"reviewed": False, "reason": "Declined"},
        ),
        ({"reviewed": False, "reason": ""}, {"reviewed": False}),
        ({"reviewed": True, "outcome": ""}, {"reviewed": True}),
        ({"reviewed": None, "outcome": "continue"}, None),
    ],
)
def test_the_review_keeps_the_outcome_if_yes_and_the_reason_if_no(
    sent: dict[str, object], kept: dict[str, object] | None
) -> None:
    checked = check_content({"medicines": CODEINE, "medicine_review": sent})

    assert checked.get("medicine_review") == kept


def test_the_review_is_not_kept_without_an_opioid_or_gabapentinoid() -> None:
    checked = check_content(
        {"medicines": NAPROXEN, "medicine_review": {"reviewed": True, "outcome": "continue"}}
    )

    assert "medicine_review" not in checked
    assert medicine_review_problems(checked) == []


@pytest.mark.parametrize(
    ("sent", "code"),
    [
        ({"reviewed": True, "outcome": "stop_everything"}, "assessment.bad_code"),
        ({"reviewed": "yes"}, "assessment.bad_medicine_review"),
        ({"reviewed": True, "by": "me"}, "assessment.bad_medicine_review"),
        ("reviewed", "assessment.bad_medicine_review"),
        ({"reviewed": False, "reason": "x" * 501}, "text.too_long"),
    ],
)
def test_a_bad_review_is_refused_on_its_field(sent: object, code: str) -> None:
    with pytest.raises(FormErrors) as caught:
        check_content({"medicines": CODEINE, "medicine_review": sent})

    assert _codes(caught) == [(code, "medicine_review")]


@pytest.mark.parametrize(
    ("review", "problem"),
    [
        (None, "assessment.medicine_review_required"),
        ({"reviewed": True}, "assessment.medicine_review_outcome_required"),
        ({"reviewed": True, "outcome": "refer_for_review"}, None),
        ({"reviewed": False}, None),
    ],
)
def test_signing_needs_the_review_answered_when_one_is_listed(
    review: dict[str, object] | None, problem: str | None
) -> None:
    content = check_content({"medicines": CODEINE, "medicine_review": review})

    found = [(e.code, e.field) for e in medicine_review_problems(content)]
    assert found == ([(problem, "medicine_review")] if problem else [])


# ---------------------------------------------------------------- signing and the figures


def _draft(clinic: Clinic, **content: object) -> uuid.UUID:
    return clinic.services.assessments.save_draft(
        clinic.clinician, clinic.patient_id, {"presenting_complaint": "Knee pain", **content}
    ).id


def test_signing_with_the_review_unanswered_is_refused_beside_it(clinic: Clinic) -> None:
    assessments = clinic.services.assessments
    draft = _draft(clinic, medicines=CODEINE)

    with pytest.raises(FormErrors) as caught:
        assessments.sign(clinic.clinician, draft, PASSWORD)

    assert _codes(caught) == [("assessment.medicine_review_required", "medicine_review")]
    assert assessments.get(clinic.clinician, draft).status is AssessmentStatus.DRAFT


def test_every_unfilled_part_is_named_at_once(clinic: Clinic) -> None:
    draft = _draft(
        clinic, presenting_complaint="", medicines=CODEINE, medicine_review={"reviewed": True}
    )

    with pytest.raises(FormErrors) as caught:
        clinic.services.assessments.sign(clinic.clinician, draft, PASSWORD)

    assert _codes(caught) == [
        ("assessment.required_to_sign", "presenting_complaint"),
        ("assessment.medicine_review_outcome_required", "medicine_review"),
    ]


def test_an_assessment_listing_none_signs_without_the_question(clinic: Clinic) -> None:
    draft = _draft(clinic, medicines=NAPROXEN)

    signed = clinic.services.assessments.sign(clinic.clinician, draft, PASSWORD)

    assert signed.status is AssessmentStatus.SIGNED
    assert "medicine_review" not in signed.content


def test_each_signed_assessment_listing_one_is_a_fact_and_the_rate_is_2_of_3(
    clinic: Clinic,
) -> None:
    services, clinician, patient = clinic.services, clinic.clinician, clinic.patient_id
    answers: list[dict[str, object]] = [
        {"reviewed": True, "outcome": "continue"},
        {"reviewed": True, "outcome": "reduce_or_stop"},
        {"reviewed": False, "reason": "Seen by the pain team last week"},
    ]
    for answer in answers:
        draft = _draft(clinic, medicines=CODEINE, medicine_review=answer)
        services.assessments.sign(clinician, draft, PASSWORD)
    # Neither a draft nor an assessment listing neither medicine is a fact.
    _draft(clinic, medicines=CODEINE, medicine_review=answers[0])
    services.assessments.sign(clinician, _draft(clinic), PASSWORD)

    source = fact_sources()["medicine_review"]
    with services.context.store.sessions() as session:
        rows = session.execute(source.select()).mappings().all()
        month = datetime.now(UTC).date().replace(day=1)
        figure = compute(session, Request("opioid_gabapentinoid_review_rate", month, month))

    assert sorted((bool(r["reviewed"]), r["outcome"]) for r in rows) == [
        (False, None),
        (True, "continue"),
        (True, "reduce_or_stop"),
    ]
    assert {r["patient_id"] for r in rows} == {patient}
    assert {r["clinician_id"] for r in rows} == {clinician.id}
    assert all(r["at"] is not None for r in rows)
    [whole] = figure.rows
    assert (whole.numerator, whole.denominator, whole.value, whole.status) == (2, 3, 2 / 3, OK)
