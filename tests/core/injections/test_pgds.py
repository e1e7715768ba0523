"""The PGD register: kept by the service lead, and the authority it gives checked."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.injections.rules import Drug, PgdTerms, authority_problems
from clinic_app.domains.injections.views import PgdInput
from clinic_app.kernel.errors import FormErrors, NotFound, PermissionDenied
from tests.core.injections.conftest import Clinic

NURSE = uuid.uuid4()
DAY = date(2027, 3, 10)
TERMS = PgdTerms(
    id=uuid.uuid4(),
    name="Joint injections",
    version="3",
    valid_from=date(2027, 1, 1),
    valid_to=date(2027, 12, 31),
    drugs=frozenset({"methylprednisolone_acetate_40", "lidocaine_1"}),
    targets=frozenset({"knee_joint"}),
    practitioners=frozenset({NURSE}),
)
STEROID = Drug("methylprednisolone_acetate_40", 40, 1, "B1", date(2028, 1, 1))
ANAESTHETIC = Drug("lidocaine_1", 30, 3, "L1", date(2028, 1, 1))


def _codes(**changes: object) -> list[str]:
    given: dict[str, object] = {
        "on": DAY,
        "user_id": NURSE,
        "drugs": [STEROID, ANAESTHETIC],
        "target": "knee_joint",
    }
    given.update(changes)
    return [p.code for p in authority_problems(TERMS, **given)]  # type: ignore[arg-type]


def test_within_its_terms_there_is_no_problem() -> None:
    assert _codes() == []
    # Both its first and last days are valid days.
    assert _codes(on=TERMS.valid_from) == []
    assert _codes(on=TERMS.valid_to) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"on": date(2026, 12, 31)}, "pgd.not_yet_valid"),
        ({"on": date(2028, 1, 1)}, "pgd.expired"),
        ({"drugs": [Drug("triamcinolone_acetonide_40", 40, 1)]}, "pgd.drug_not_covered"),
        ({"target": "hip_joint"}, "pgd.target_not_covered"),
        ({"user_id": uuid.uuid4()}, "pgd.not_named"),
        ({"user_id": None}, "pgd.not_named"),
        ({"version": "2"}, "pgd.version_changed"),
        (
            {
                "drugs": [
                    Drug(STEROID.product_id, 40, 1, same_syringe=True),
                    Drug(ANAESTHETIC.product_id, 30, 3, same_syringe=True),
                ]
            },
            "pgd.mixed_syringe",
        ),
    ],
)
def test_each_problem_of_authority_is_named(changes: dict[str, object], code: str) -> None:
    assert _codes(**changes) == [code]


def test_one_drug_marked_same_syringe_alone_is_not_mixing() -> None:
    assert _codes(drugs=[Drug(STEROID.product_id, 40, 1, same_syringe=True), ANAESTHETIC]) == []


def test_the_service_lead_keeps_the_register(clinic: Clinic) -> None:
    pgd = clinic.pgd()

    # The demo clinic's own demo PGD is left aside.
    listed = [p for p in clinic.services.pgds.list(clinic.clinician) if p.id == pgd.id]
    assert [p.id for p in listed] == [pgd.id]
    assert listed[0].practitioners == (clinic.clinician.id,)
    after = clinic.services.pgds.list(clinic.clinician, on=pgd.valid_to + timedelta(days=1))
    assert pgd.id not in [p.id for p in after]

    changed = clinic.services.pgds.update(
        clinic.lead,
        pgd.id,
        PgdInput(
            name=pgd.name,
            version="2.2",
            valid_from=pgd.valid_from,
            valid_to=pgd.valid_to,
            drugs=pgd.drugs,
            targets=pgd.targets,
            practitioners=(clinic.clinician.id, clinic.colleague.id),
        ),
    )
    assert changed.version == "2.2"
    assert set(changed.practitioners) == {clinic.clinician.id, clinic.colleague.id}


def test_a_clinician_cannot_widen_their_own_authority(clinic: Clinic) -> None:
    pgd = clinic.pgd()
    with pytest.raises(PermissionDenied):
        clinic.services.pgds.update(
            clinic.clinician,
            pgd.id,
            PgdInput(
                pgd.name, pgd.version, pgd.valid_from, pgd.valid_to, pgd.drugs, ("hip_joint",)
            ),
        )
    with pytest.raises(NotFound):
        clinic.services.pgds.update(
            clinic.lead,
            uuid.uuid4(),
            PgdInput(pgd.name, pgd.version, pgd.valid_from, pgd.valid_to, pgd.drugs, pgd.targets),
        )


def test_a_bad_pgd_names_every_field(clinic: Clinic) -> None:
    with pytest.raises(FormErrors) as bad:
        clinic.services.pgds.add(
            clinic.lead,
            PgdInput(
                name=" ",
                version="",
                valid_from=date(2027, 2, 1),
                valid_to=date(2027, 1, 1),
                drugs=("aspirin",),
                targets=("elbow_of_the_moon",),
                practitioners=(uuid.uuid4(),),
            ),
        )
    assert {(e.code, e.field) for e in bad.value.errors} == {
        ("pgd.name_required", "name"),
        ("pgd.version_required", "version"),
        ("pgd.dates_reversed", "valid_to"),
        ("pgd.unknown_drug", "drugs"),
        ("pgd.unknown_target", "targets"),
        ("pgd.unknown_practitioner", "practitioners"),
    }


def test_the_demo_clinic_has_a_pgd_marked_as_a_demo_naming_its_clinicians(demo: Services) -> None:
    clinician = demo.auth.login("clinician", demo_password("clinician"))
    (pgd,) = demo.pgds.list(clinician, on=date.today())
    assert pgd.name.startswith("DEMO ONLY")
    assert clinician.id in pgd.practitioners
    assert "knee_joint" in pgd.targets
    assert "methylprednisolone_acetate_40" in pgd.drugs
