"""Every error code the core raises has calm words; logs never carry what was typed."""

from __future__ import annotations

import pytest

from clinic_app.kernel.errors import (
    AuthenticationFailed,
    ClinicError,
    Conflict,
    FormErrors,
    KeychainError,
    NotFound,
    PermissionDenied,
    StoreError,
    ValidationError,
)
from tests.ui import error_codes
from ui.common import errors

FIELD_CODES = [
    "nhs_number.empty",
    "nhs_number.not_digits",
    "nhs_number.length",
    "nhs_number.check_digit",
    "nhs_number.unusable_check",
    "nhs_number.repeated_digit",
    "name.empty",
    "name.too_long",
    "name.characters",
    "date.invalid",
    "date_of_birth.future",
    "date_of_birth.too_old",
    "postcode.invalid",
    "email.invalid",
    "phone.invalid",
    "code.required",
    "code.unknown",
    "interpreter_language.required",
    "text.empty",
    "text.too_long",
    "date.future",
    "gp_practice.unknown",
]

GENERAL_ERRORS = [
    AuthenticationFailed("auth.failed"),
    AuthenticationFailed("auth.disabled"),
    AuthenticationFailed("auth.locked_out", seconds=240),
    PermissionDenied("permission.denied", action="patient.register"),
    NotFound("patient.not_found"),
    Conflict("patient.duplicate_nhs_number", field="nhs_number"),
    Conflict("conflict.stale"),
    StoreError("store.wrong_key"),
    StoreError("store.key_missing"),
    StoreError("store.missing"),
    KeychainError("keychain.insecure_backend"),
    KeychainError("keychain.unavailable"),
]


@pytest.mark.parametrize("code", FIELD_CODES)
def test_every_field_code_has_its_own_words(code: str, qapp: object) -> None:
    words = errors.field_message(ValidationError(code, field="family_name"), "Family name")

    assert words != "Check this answer."
    assert words.endswith(".")
    assert words[0].isupper()
    assert "{" not in words


@pytest.mark.parametrize("error", GENERAL_ERRORS, ids=lambda e: e.code)
def test_every_general_code_has_its_own_words(error: ClinicError, qapp: object) -> None:
    words = errors.message_for(error)

    assert words != errors.generic_message()
    assert words.endswith(".")
    assert "{" not in words


def test_the_field_label_is_used_inside_the_sentence(qapp: object) -> None:
    empty = ValidationError("name.empty", field="family_name")

    assert errors.field_message(empty, "Family name") == "Enter the family name."
    assert errors.field_message(empty, "NHS number").startswith("Enter the NHS number")


def test_the_length_of_an_nhs_number_is_quoted(qapp: object) -> None:
    error = ValidationError("nhs_number.length", field="nhs_number", length=9, expected=10)

    assert "this one has 9" in errors.field_message(error)


def test_unknown_codes_get_a_calm_generic_sentence(qapp: object) -> None:
    assert errors.message_for(ClinicError("something.new")) == errors.generic_message()
    assert errors.message_for(RuntimeError("boom")) == errors.generic_message()
    assert errors.field_message(ValidationError("brand.new", field="x")) == "Check this answer."


def test_form_errors_are_counted_and_split_by_field(qapp: object) -> None:
    problems = FormErrors(
        [
            ValidationError("name.empty", field="family_name"),
            ValidationError("date.invalid", field="date_of_birth"),
        ]
    )

    assert errors.message_for(problems).startswith("There are problems with 2 answers")
    assert [e.field for e in errors.field_errors(problems)] == ["family_name", "date_of_birth"]
    duplicate = Conflict("patient.duplicate_nhs_number", field="nhs_number")
    assert [e.field for e in errors.field_errors(duplicate)] == ["nhs_number"]


def test_log_lines_carry_type_code_and_frames_but_no_message(qapp: object) -> None:
    def fail() -> None:
        try:
            raise ValueError("SMITH, Jane 999 000 0018")
        except ValueError as inner:
            raise StoreError("store.wrong_key", path="SMITH") from inner

    with pytest.raises(StoreError) as caught:
        fail()
    text = errors.describe_for_log(caught.value)

    assert "StoreError [store.wrong_key]" in text
    assert "ValueError" in text
    assert "in fail" in text
    assert "SMITH" not in text
    assert "999" not in text


def _screen_codes() -> dict[str, list[str]]:
    """Every code a screen can meet, raised in the core or by the UI itself, with where."""
    found = error_codes.core_codes()
    for code, places in error_codes.ui_codes().items():
        found.setdefault(code, []).extend(places)
    return found


_CORE_CODES = _screen_codes()


def test_the_core_sources_are_read() -> None:
    # One of each way a code is written: to an error, through a prefixing helper, to a
    # collector, appended to a list of problems, stored against a field, declared by a record
    # type; and one the UI raises itself.
    assert {
        "dicom.unreadable",
        "report.own_report",
        "nhs_number.check_digit",
        "triage.before_received",
        "wording_pack.wrong_version",
        "user.username_invalid",
        "password.too_short",
        "dicom.bad_port",
        "username.empty",
    } <= set(_CORE_CODES)
    assert "device.revoked" not in _CORE_CODES  # the server's own


def test_every_code_a_screen_can_meet_has_words() -> None:
    missing = [
        f"{code} (raised in {', '.join(places)})"
        for code, places in sorted(_CORE_CODES.items())
        if not errors.has_words(code)
    ]

    assert not missing, "codes with no words in any word table:\n" + "\n".join(missing)


def test_every_fault_code_is_still_raised() -> None:
    assert sorted(errors.fault_codes() - set(_CORE_CODES)) == []


@pytest.mark.parametrize("code", sorted(_CORE_CODES))
def test_every_code_reads_as_a_sentence(code: str, qapp: object) -> None:
    params = {"max_frames": 240, "minimum": 12, "seconds": 240}
    words = errors.message_for(ValidationError(code, **params))
    in_place = errors.field_message(ValidationError(code, field="text", **params), "Text")

    if code in errors.fault_codes():
        assert words == errors.generic_message(), code
        return
    for said in (words, in_place):
        assert said not in {errors.generic_message(), "Check this answer."}, code
        assert said.endswith("."), code
        assert said[0].isupper(), code
        assert "{" not in said, code
