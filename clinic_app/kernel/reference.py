"""Reference code lists (ethnic category, sex, languages ...) from resources/reference."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

from clinic_app.kernel.errors import ClinicError, NotFound

ALL_LISTS: tuple[str, ...] = (
    "ethnic_category",
    "person_stated_gender",
    "preferred_contact_method",
    "accessible_information_need",
    "interpreter_language",
    "referral_source",
    "specialty",
    "referral_priority",
    "triage_outcome",
)

_REQUIRED_TEXT = ("source", "licence", "version")
_OPTIONAL_TEXT = ("notes",)
_CODE_KEYS = frozenset({"code", "label"})


@dataclass(frozen=True)
class Code:
    """One entry of a code list: the stored code and its short plain-English label."""

    code: str
    label: str


@dataclass(frozen=True)
class CodeList:
    """A validated reference list with its provenance.

    Attributes:
        name: the list's name, which is also its file name without ``.json``.
        source: where the codes come from.
        licence: the licence the codes and labels are used under.
        version: the version of the list as shipped.
        codes: the entries, in the order they are offered to a person.
        notes: anything a maintainer should know about the list ("" if nothing).
    """

    name: str
    source: str
    licence: str
    version: str
    codes: tuple[Code, ...]
    notes: str = ""
    _labels: dict[str, str] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_labels", {entry.code: entry.label for entry in self.codes})

    def label_for(self, code: str) -> str | None:
        """Label of a code.

        Args:
            code: a stored code.

        Returns:
            Its label, or ``None`` when the list does not (or no longer) hold the code, so a
            caller can still show the stored code itself.
        """
        return self._labels.get(code)

    def codes_set(self) -> frozenset[str]:
        """All codes of the list, for membership checks when validating input."""
        return self._code_set

    @cached_property
    def _code_set(self) -> frozenset[str]:
        return frozenset(self._labels)


def _invalid(name: str, reason: str, **params: Any) -> ClinicError:
    return ClinicError("content.invalid", file=f"{name}.json", reason=reason, **params)


def _text(data: dict[str, Any], key: str, name: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _invalid(name, "missing_text", key=key)
    return value


def _parse_codes(raw: object, name: str) -> tuple[Code, ...]:
    if not isinstance(raw, list) or not raw:
        raise _invalid(name, "codes_not_a_list")
    codes: list[Code] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict) or set(entry) != _CODE_KEYS:
            raise _invalid(name, "bad_entry", index=index)
        code, label = entry["code"], entry["label"]
        if not isinstance(code, str) or not code.strip() or code != code.strip():
            raise _invalid(name, "bad_code", index=index)
        if not isinstance(label, str) or not label.strip():
            raise _invalid(name, "bad_label", index=index)
        if code in seen:
            raise _invalid(name, "duplicate_code", duplicate=code)
        seen.add(code)
        codes.append(Code(code=code, label=label))
    return tuple(codes)


def parse_code_list(name: str, data: object) -> CodeList:
    """Check the shape of a decoded code-list document and build the list.

    Args:
        name: the list's name (used in errors and kept on the result).
        data: the decoded JSON document.

    Returns:
        The validated list.

    Raises:
        ClinicError: ``content.invalid`` with params ``file`` and ``reason`` (plus
            ``key``, ``keys``, ``index`` or ``duplicate`` where they help) when the shape is wrong.
    """
    if not isinstance(data, dict):
        raise _invalid(name, "not_an_object")
    unknown = set(data) - {*_REQUIRED_TEXT, *_OPTIONAL_TEXT, "codes"}
    if unknown:
        raise _invalid(name, "unknown_keys", keys=sorted(unknown))
    source, licence, version = (_text(data, key, name) for key in _REQUIRED_TEXT)
    notes = _text(data, "notes", name) if "notes" in data else ""
    return CodeList(
        name=name,
        source=source,
        licence=licence,
        version=version,
        codes=_parse_codes(data.get("codes"), name),
        notes=notes,
    )


@cache
def code_list(name: str) -> CodeList:
    """Load one reference list shipped with the app (cached after the first call).

    Args:
        name: one of :data:`ALL_LISTS`.

    Returns:
        The validated list.

    Raises:
        NotFound: ``content.unknown_list`` (param ``name``) for a name not in
            :data:`ALL_LISTS`.
        ClinicError: ``content.invalid`` (params ``file``, ``reason``) when the file is
            missing, is not UTF-8 JSON or has the wrong shape.
    """
    if name not in ALL_LISTS:
        raise NotFound("content.unknown_list", name=name)
    path = resources.files("resources") / "reference" / f"{name}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise _invalid(name, "missing") from error
    except UnicodeDecodeError as error:
        raise _invalid(name, "not_utf8") from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _invalid(name, "not_json", line=error.lineno) from error
    return parse_code_list(name, data)
