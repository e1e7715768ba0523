"""Every error code the core raises has calm words; logs never carry what was typed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from clinic_app.kernel import errors as core_errors
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


# Raised only on the sync server (a device sees them as a refused or odd sync answer) or
# printed by the command line, which has its own words: no screen shows these.
_NOT_ON_A_SCREEN = ("clinic_app/server/", "clinic_app/cli.py")
_CODE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_ERROR_KINDS = frozenset(
    name
    for name, value in vars(core_errors).items()
    if isinstance(value, type) and issubclass(value, ClinicError)
)


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _prefix_helpers(tree: ast.Module) -> dict[str, str]:
    """Functions like ``_error(code)`` that raise ``ValidationError(f"nhs_number.{code}")``."""
    helpers: dict[str, str] = {}
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef) or not function.args.args:
            continue
        param = function.args.args[0].arg
        for call in ast.walk(function):
            if not (isinstance(call, ast.Call) and _called(call) in _ERROR_KINDS and call.args):
                continue
            parts = call.args[0].values if isinstance(call.args[0], ast.JoinedStr) else []
            if (
                len(parts) == 2
                and _text(parts[0])
                and isinstance(parts[1], ast.FormattedValue)
                and isinstance(parts[1].value, ast.Name)
                and parts[1].value.id == param
            ):
                helpers[function.name] = _text(parts[0]) or ""
    return helpers


def _codes_in(tree: ast.Module) -> set[str]:
    """Codes given to an error, to a prefixing helper, to ``collector.add(code, field)``,
    appended to a list of problems or stored against a field (``errors[field] = code``)."""
    helpers = _prefix_helpers(tree)
    codes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and (first := _text(node.args[0])):
            name = _called(node)
            if name in _ERROR_KINDS:
                codes.add(first)
            elif name in helpers:
                codes.add(helpers[name] + first)
            elif name in {"add", "append"} and _CODE.match(first):
                codes.add(first)
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            value = _text(node.value)
            if value and _CODE.match(value):
                codes.add(value)
    return codes


def _core_codes() -> dict[str, list[str]]:
    """Every error code raised in ``clinic_app`` that a screen can meet, with where."""
    root = Path(__file__).resolve().parents[2]
    found: dict[str, list[str]] = {}
    for path in sorted((root / "clinic_app").rglob("*.py")):
        place = path.relative_to(root).as_posix()
        if place.startswith(_NOT_ON_A_SCREEN):
            continue
        for code in _codes_in(ast.parse(path.read_text(encoding="utf-8"))):
            found.setdefault(code, []).append(place)
    return found


_CORE_CODES = _core_codes()


def test_the_core_sources_are_read() -> None:
    # One of each way a code is written: to an error, through a prefixing helper, to a
    # collector, appended to a list of problems, stored against a field.
    assert {
        "dicom.unreadable",
        "report.own_report",
        "nhs_number.check_digit",
        "triage.before_received",
        "wording_pack.wrong_version",
        "user.username_invalid",
        "password.too_short",
        "dicom.bad_port",
    } <= set(_CORE_CODES)
    assert "device.revoked" not in _CORE_CODES  # the server's own


def test_every_code_a_screen_can_meet_has_words() -> None:
    missing = [
        f"{code} (raised in {', '.join(places)})"
        for code, places in sorted(_CORE_CODES.items())
        if not errors.has_words(code)
    ]

    assert not missing, "codes with no words in ui/common/errors.py:\n" + "\n".join(missing)


def test_every_fault_code_is_still_raised() -> None:
    assert sorted(errors.FAULT_CODES - set(_CORE_CODES)) == []


@pytest.mark.parametrize("code", sorted(_CORE_CODES))
def test_every_code_reads_as_a_sentence(code: str, qapp: object) -> None:
    params = {"max_frames": 240, "minimum": 12, "seconds": 240}
    words = errors.message_for(ValidationError(code, **params))
    in_place = errors.field_message(ValidationError(code, field="text", **params), "Text")

    if code in errors.FAULT_CODES:
        assert words == errors.generic_message(), code
        return
    for said in (words, in_place):
        assert said not in {errors.generic_message(), "Check this answer."}, code
        assert said.endswith("."), code
        assert said[0].isupper(), code
        assert "{" not in said, code
