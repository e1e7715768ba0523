"""The service's pack codes: a GTIN linked to one product, kept by the service lead only.

Every GTIN here is a test number from GS1's example range with its check digit computed
(``tests.core.injections.pack_numbers``): no real product's code is used or invented.
"""

from __future__ import annotations

import uuid

import pytest
from biip.checksums import gs1_standard_check_digit

from clinic_app.domains.injections.pack import gtin_entered, is_gtin
from clinic_app.domains.injections.views import PackCodeView, products_by_gtin
from clinic_app.kernel.errors import NotFound, PermissionDenied, ValidationError
from tests.core.injections.conftest import Clinic
from tests.core.injections.pack_numbers import example_gtin, scanned, with_wrong_check_digit

STEROID = "methylprednisolone_acetate_40"
OTHER_STEROID = "triamcinolone_acetonide_40"
GTIN = example_gtin(13435)  # a test number: 0950600013435 and its check digit
OTHER_GTIN = example_gtin(13436)


# ---------------------------------------------------------------- the number itself


def test_the_check_digit_is_the_gs1_mod_10_rule() -> None:
    # GS1's worked example: 0950600013435 gets the check digit 2 (weights 3,1,3,1... from
    # the right, the digit that makes the sum a multiple of 10).
    assert gs1_standard_check_digit("0950600013435") == 2
    assert GTIN == "09506000134352"
    assert is_gtin(GTIN)
    assert not is_gtin(with_wrong_check_digit(GTIN))
    assert not is_gtin(GTIN[:-1])
    assert not is_gtin("0950600013435x")


@pytest.mark.parametrize(
    "entered",
    [
        pytest.param(GTIN, id="typed"),
        pytest.param(f" {GTIN[:7]} {GTIN[7:]} ", id="typed-with-spaces"),
        pytest.param(scanned(GTIN), id="whole-datamatrix"),
        pytest.param(f"(01){GTIN}(17)270531(10)AB1", id="printed-form"),
        pytest.param(GTIN[1:], id="ean-13"),
    ],
)
def test_the_gtin_is_taken_from_what_was_typed_or_scanned(entered: str) -> None:
    assert gtin_entered(entered) == GTIN


@pytest.mark.parametrize(
    ("entered", "code"),
    [
        (with_wrong_check_digit(GTIN), "pack_code.bad_check_digit"),
        (scanned(with_wrong_check_digit(GTIN)), "pack_code.bad_check_digit"),
        ("", "pack_code.not_a_code"),
        ("Depo-Medrone", "pack_code.not_a_code"),
        ("12345", "pack_code.not_a_code"),
        ("]d21727053110AB1", "pack_code.not_a_code"),
    ],
)
def test_what_is_not_a_gtin_is_refused_on_the_field(entered: str, code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        gtin_entered(entered)
    assert (refused.value.code, refused.value.field) == (code, "code")


def test_a_gtin_linked_to_two_products_names_neither() -> None:
    def view(gtin: str, product: str) -> PackCodeView:
        return PackCodeView(id=uuid.uuid4(), gtin=gtin, product_id=product, row_version=1)

    codes = [view(GTIN, STEROID), view(GTIN, OTHER_STEROID), view(OTHER_GTIN, STEROID)]
    assert products_by_gtin(codes) == {OTHER_GTIN: STEROID}


# ---------------------------------------------------------------- the list, in the store


def test_the_service_lead_links_a_code_and_removes_it(clinic: Clinic) -> None:
    pack_codes = clinic.services.pack_codes
    assert pack_codes.list(clinic.clinician) == []

    added = pack_codes.add(clinic.lead, STEROID, scanned(GTIN))
    second = pack_codes.add(clinic.lead, STEROID, OTHER_GTIN)

    assert (added.gtin, added.product_id) == (GTIN, STEROID)
    listed = pack_codes.list(clinic.clinician)  # clinicians read it: their scans use it
    assert [(c.gtin, c.product_id) for c in listed] == [(GTIN, STEROID), (OTHER_GTIN, STEROID)]
    assert products_by_gtin(listed) == {GTIN: STEROID, OTHER_GTIN: STEROID}

    pack_codes.remove(clinic.lead, second.id)
    assert [c.gtin for c in pack_codes.list(clinic.lead)] == [GTIN]
    with pytest.raises(NotFound) as gone:
        pack_codes.remove(clinic.lead, second.id)
    assert gone.value.code == "pack_code.not_found"
    # Removed, the code may be linked again (to the right product this time).
    again = pack_codes.add(clinic.lead, OTHER_STEROID, OTHER_GTIN)
    assert products_by_gtin(pack_codes.list(clinic.lead))[OTHER_GTIN] == OTHER_STEROID
    assert again.id != second.id


def test_a_code_already_linked_is_refused_naming_the_product_that_has_it(clinic: Clinic) -> None:
    pack_codes = clinic.services.pack_codes
    pack_codes.add(clinic.lead, STEROID, GTIN)

    with pytest.raises(ValidationError) as other:
        pack_codes.add(clinic.lead, OTHER_STEROID, scanned(GTIN))
    assert (other.value.code, other.value.field) == ("pack_code.other_product", "code")
    assert other.value.params["product"].startswith("Methylprednisolone acetate 40 mg/mL")

    with pytest.raises(ValidationError) as same:
        pack_codes.add(clinic.lead, STEROID, GTIN)
    assert same.value.code == "pack_code.already_listed"
    assert len(pack_codes.list(clinic.lead)) == 1


@pytest.mark.parametrize(
    ("product", "entered", "code", "field"),
    [
        ("not_in_the_formulary", GTIN, "pack_code.unknown_product", "product"),
        (STEROID, with_wrong_check_digit(GTIN), "pack_code.bad_check_digit", "code"),
        (STEROID, "batch AB1234", "pack_code.not_a_code", "code"),
    ],
)
def test_a_bad_product_or_code_is_refused_and_nothing_is_kept(
    clinic: Clinic, product: str, entered: str, code: str, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        clinic.services.pack_codes.add(clinic.lead, product, entered)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert clinic.services.pack_codes.list(clinic.lead) == []


@pytest.mark.parametrize("username", ["clinician", "supervisor", "sonographer", "trainee"])
def test_only_the_service_lead_changes_the_list(clinic: Clinic, username: str) -> None:
    pack_codes = clinic.services.pack_codes
    kept = pack_codes.add(clinic.lead, STEROID, GTIN)
    someone = clinic.login(username)

    with pytest.raises(PermissionDenied):
        pack_codes.add(someone, STEROID, OTHER_GTIN)
    with pytest.raises(PermissionDenied):
        pack_codes.remove(someone, kept.id)
    assert [c.gtin for c in pack_codes.list(someone)] == [GTIN]
