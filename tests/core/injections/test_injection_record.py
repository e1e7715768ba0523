"""An injection record drafted, checked, signed with the password, and added to."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest

from clinic_app.demo import demo_password
from clinic_app.domains.injections.record import INJECTION
from clinic_app.domains.injections.rules import Drug
from clinic_app.kernel.errors import (
    AuthenticationFailed,
    Conflict,
    FormErrors,
    NotFound,
    PermissionDenied,
)
from clinic_app.records.registry import AddendumPolicy, record_types
from tests.core.injections.conftest import Clinic
from tests.core.injections.helpers import STEROID, knee_injection


def _codes(error: FormErrors) -> set[tuple[str, str | None]]:
    return {(e.code, e.field) for e in error.errors}


def test_the_injection_is_a_registered_record_type_added_to_by_notes() -> None:
    assert record_types()["injection"] is INJECTION
    assert INJECTION.addendum is AddendumPolicy.NOTE


def test_a_clinician_records_and_signs_an_injection(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    pgd = clinic.pgd()
    draft = services.injections.start(clinician, clinic.patient)
    assert services.injections.start(clinician, clinic.patient).id == draft.id

    saved = services.injections.save(clinician, draft.id, knee_injection(pgd))
    assert saved.fields.target == "knee_joint"
    assert saved.fields.drugs[0] == STEROID
    assert services.injections.checks(clinician, draft.id).can_sign

    signed = services.injections.sign(clinician, draft.id, demo_password("clinician"))
    assert signed.is_signed
    assert signed.intact
    assert signed.signed_by == clinician.id
    assert signed.fields.sdm_missing_reason
    assert [v.id for v in services.injections.for_patient(clinician, clinic.patient)] == [draft.id]


def test_signing_asks_for_the_password_and_never_changes_after(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    pgd = clinic.pgd()
    draft = services.injections.start(clinician, clinic.patient)
    services.injections.save(clinician, draft.id, knee_injection(pgd))

    with pytest.raises(AuthenticationFailed):
        services.injections.sign(clinician, draft.id, "not my password")
    services.injections.sign(clinician, draft.id, demo_password("clinician"))

    with pytest.raises(Conflict) as changed:
        services.injections.save(clinician, draft.id, knee_injection(pgd, side="right"))
    assert changed.value.code == "injection.signed"
    with pytest.raises(Conflict):
        services.injections.sign(clinician, draft.id, demo_password("clinician"))


def test_a_later_fact_is_a_signed_addendum(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    draft = services.injections.start(clinician, clinic.patient)
    services.injections.save(clinician, draft.id, knee_injection(clinic.pgd()))
    with pytest.raises(Conflict) as early:
        services.injections.add_addendum(
            clinician, draft.id, "Culture negative.", demo_password("clinician")
        )
    assert early.value.code == "injection.not_signed"
    services.injections.sign(clinician, draft.id, demo_password("clinician"))

    added = services.injections.add_addendum(
        clinician, draft.id, "Culture of the aspirate: no growth.", demo_password("clinician")
    )
    assert [a.text for a in added.addenda] == ["Culture of the aspirate: no growth."]
    assert all(a.intact for a in added.addenda)
    assert added.intact

    # A colleague adds a later fact: each signer is named, as a reader of the record needs.
    later = services.injections.add_addendum(
        clinic.colleague,
        draft.id,
        "Reported a hot swollen knee by phone; seen the same day.",
        demo_password("supervisor"),
    )
    assert [a.signer_name for a in later.addenda] == [
        clinician.display_name,
        clinic.colleague.display_name,
    ]
    assert added.signer_name == clinician.display_name


def test_another_clinicians_draft_or_patient_is_refused(clinic: Clinic) -> None:
    services = clinic.services
    draft = services.injections.start(clinic.clinician, clinic.patient)
    fields = knee_injection(clinic.pgd())

    with pytest.raises(PermissionDenied) as theirs:
        services.injections.save(clinic.colleague, draft.id, fields)
    assert theirs.value.code == "injection.not_author"
    with pytest.raises(Conflict) as moved:
        services.injections.save(clinic.clinician, draft.id, fields, patient_id=clinic.other)
    assert moved.value.code == "injection.wrong_patient"
    with pytest.raises(NotFound):
        services.injections.get(clinic.clinician, draft.id, patient_id=clinic.other)
    with pytest.raises(PermissionDenied):
        services.injections.start(clinic.login("trainee"), clinic.patient)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"drugs": (replace(STEROID, mg=-40, ml=-1),)},
            {
                ("injection.dose_not_positive", "drugs.0.mg"),
                ("injection.volume_not_positive", "drugs.0.ml"),
            },
        ),
        ({"drugs": (replace(STEROID, mg=0),)}, {("injection.dose_not_positive", "drugs.0.mg")}),
        ({"drugs": (replace(STEROID, mg=80),)}, {("injection.dose_volume_mismatch", "drugs.0.mg")}),
        (
            {"drugs": (replace(STEROID, expiry=date.today() + timedelta(days=3700)),)},
            {("injection.expiry_implausible", "drugs.0.expiry")},
        ),
        (
            {
                "target": "small_hand_joint",
                "drugs": (Drug("lidocaine_1", 400, 40, "L", date.today()),),
            },
            {("injection.volume_implausible", "drugs")},
        ),
        (
            {"drugs": (Drug("aspirin", 1, 1),)},
            {("injection.unknown_product", "drugs.0.product_id")},
        ),
        ({"target": "elbow_of_the_moon"}, {("injection.unknown_target", "target")}),
        ({"side": "middle"}, {("injection.unknown_side", "side")}),
        ({"checklist": {"diabetes": "maybe"}}, {("injection.bad_answer", "checklist.diabetes")}),
        ({"consent_risks": ("boredom",)}, {("injection.unknown_risk", "consent_risks")}),
        (
            {"observation_minutes": -5},
            {("injection.observation_out_of_range", "observation_minutes")},
        ),
        ({"inr_value": 0.0}, {("injection.inr_out_of_range", "inr_value")}),
        (
            {"performed_on": date.today() + timedelta(days=1)},
            {("injection.date_in_future", "performed_on")},
        ),
        (
            {"review_date": date.today() - timedelta(days=1)},
            {("injection.review_before_injection", "review_date")},
        ),
        ({"imaging_study_id": uuid.uuid4()}, {("injection.unknown_study", "imaging_study_id")}),
    ],
)
def test_an_impossible_value_is_refused_with_its_field(
    clinic: Clinic, changes: dict[str, object], expected: set[tuple[str, str]]
) -> None:
    services, clinician = clinic.services, clinic.clinician
    draft = services.injections.start(clinician, clinic.patient)

    with pytest.raises(FormErrors) as bad:
        services.injections.save(clinician, draft.id, knee_injection(clinic.pgd(), **changes))
    assert _codes(bad.value) == expected
    # Nothing of a refused save is kept.
    assert services.injections.get(clinician, draft.id).fields.target is None


def test_signing_names_every_part_still_missing(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    draft = services.injections.start(clinician, clinic.patient)
    fields = knee_injection(
        clinic.pgd(),
        side=None,
        guidance="ultrasound",
        drugs=(replace(STEROID, batch="", expiry=None),),
        checklist={"infection_local": "no"},
    )
    services.injections.save(clinician, draft.id, fields)

    with pytest.raises(FormErrors) as missing:
        services.injections.sign(clinician, draft.id, demo_password("clinician"))
    codes = _codes(missing.value)
    assert ("injection.required_to_sign", "side") in codes
    assert ("injection.batch_required", "drugs.0.batch") in codes
    assert ("injection.expiry_required", "drugs.0.expiry") in codes
    assert ("injection.check_unanswered", "checklist.allergy") in codes
    assert ("injection.images_required", "imaging_study_id") in codes
    assert not services.injections.get(clinician, draft.id).is_signed


def test_with_no_shared_decision_and_no_reason_signing_asks_for_one(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    draft = services.injections.start(clinician, clinic.patient)
    # A draft saves without either: the question is asked at signing.
    services.injections.save(
        clinician, draft.id, knee_injection(clinic.pgd(), sdm_missing_reason=None)
    )

    with pytest.raises(FormErrors) as asked:
        services.injections.sign(clinician, draft.id, demo_password("clinician"))
    assert ("decision.none_in_episode", "sdm_missing_reason") in _codes(asked.value)
