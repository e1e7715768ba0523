"""A data set's tables and fields, read from ``resources/datasets`` and checked when read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.reference import code_list
from clinic_app.kernel.resource_files import read_json
from clinic_app.server.exports import formats

DATA_SETS = ("csds", "keele")
_FIELD_KEYS = frozenset({"name", "format", "required", "codes", "range", "verify"})
_TEXT = ("id", "title", "version", "source", "licence", "notes")


@dataclass(frozen=True)
class CodeList:
    """The national codes a field may hold, with where they come from and which version."""

    name: str
    source: str
    version: str
    codes: frozenset[str]
    verify: str = ""


@dataclass(frozen=True)
class Field:
    """One data item of a table: its dictionary name, format and what it may hold.

    Attributes:
        name: the data dictionary's name, used as the column heading.
        form: its format (``formats.fits``).
        required: False when it may be left empty.
        codes: the code list it must come from, if any.
        value_range: the lowest and highest number it may hold, if bounded.
        verify: what is still to be confirmed against the specification ("" if nothing).
    """

    name: str
    form: str
    required: bool
    codes: CodeList | None = None
    value_range: tuple[int, int] | None = None
    verify: str = ""

    def problem(self, value: str) -> str | None:
        """Why ``value`` may not go in this field (``missing``, ``format``, ``code``, ``range``)."""
        if value == "":
            return "missing" if self.required else None
        if not formats.fits(self.form, value):
            return "format"
        if self.codes is not None and value not in self.codes.codes:
            return "code"
        if self.value_range is not None and not (
            self.value_range[0] <= int(value) <= self.value_range[1]
        ):
            return "range"
        return None


@dataclass(frozen=True)
class Table:
    """One table of a data set, written as one CSV file named after it."""

    id: str
    name: str
    title: str
    fields: tuple[Field, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """The column headings, in order."""
        return tuple(item.name for item in self.fields)

    def field(self, name: str) -> Field:
        """The field with this data item name."""
        return next(item for item in self.fields if item.name == name)


@dataclass(frozen=True)
class DataSet:
    """A data set as shipped: its tables, code lists and the service's codes mapped to them."""

    id: str
    title: str
    version: str
    source: str
    licence: str
    notes: str
    tables: tuple[Table, ...]
    mappings: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    mapping_fields: Mapping[str, str] = field(default_factory=dict)
    code_lists: Mapping[str, CodeList] = field(default_factory=dict)

    def table(self, table_id: str) -> Table:
        """The table with this group id (e.g. ``CYP101``)."""
        return next(table for table in self.tables if table.id == table_id)

    def mapped(self, mapping: str, value: str | None) -> str:
        """The national code the service's ``value`` is sent as; "" when it has none."""
        if value is None:
            return ""
        return self.mappings.get(mapping, {}).get(value) or ""

    def with_local_codes(self, raw: object) -> DataSet:
        """The data set with the service's own codes, for values shipped without one (or with).

        ``raw`` is ``{"mapping": {"value": "code"}}``, e.g. ``{"assessment_tool":
        {"msk_hq": "<SNOMED CT concept id>"}}``: how a service lead fills in a code still to
        confirm (VERIFY) once they have it, without changing the shipped file. Each code must
        fit its field (format and code list).

        Raises:
            ClinicError: ``export.bad_local_code`` (params ``mapping`` and ``value``) for a
                mapping or value the data set does not have, or a code its field refuses.
        """
        fields = {item.name: item for table in self.tables for item in table.fields}
        merged = {name: dict(codes) for name, codes in self.mappings.items()}
        if not isinstance(raw, dict):
            raise ClinicError("export.bad_local_code", mapping="", value="")
        for mapping, codes in raw.items():
            if mapping not in merged or not isinstance(codes, dict):
                raise ClinicError("export.bad_local_code", mapping=str(mapping), value="")
            target = fields[self.mapping_fields[mapping]]
            for value, code in codes.items():
                if (
                    value not in merged[mapping]
                    or not isinstance(code, str)
                    or target.problem(code) is not None
                ):
                    raise ClinicError("export.bad_local_code", mapping=mapping, value=str(value))
                merged[mapping][value] = code
        return replace(self, mappings=merged)


def _invalid(data_set: str, reason: str, **params: Any) -> ClinicError:
    return ClinicError("content.invalid", file=f"{data_set}.json", reason=reason, **params)


def _code_lists(name: str, raw: object) -> dict[str, CodeList]:
    if not isinstance(raw, dict):
        raise _invalid(name, "code_lists_not_an_object")
    lists = {}
    for list_name, spec in raw.items():
        if not isinstance(spec, dict):
            raise _invalid(name, "bad_code_list", code_list=list_name)
        if "reference" in spec:
            shipped = code_list(str(spec["reference"]))
            lists[list_name] = CodeList(
                list_name, shipped.source, shipped.version, shipped.codes_set()
            )
            continue
        codes = spec.get("codes")
        sourced = all(isinstance(spec.get(key), str) and spec[key] for key in ("source", "version"))
        if not isinstance(codes, dict) or not codes or not sourced:
            raise _invalid(name, "bad_code_list", code_list=list_name)
        lists[list_name] = CodeList(
            list_name,
            spec["source"],
            spec["version"],
            frozenset(codes),
            str(spec.get("verify", "")),
        )
    return lists


def _field(name: str, raw: object, lists: Mapping[str, CodeList]) -> Field:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise _invalid(name, "bad_field")
    if set(raw) - _FIELD_KEYS:
        raise _invalid(name, "unknown_keys", item=raw["name"], keys=sorted(set(raw) - _FIELD_KEYS))
    form = raw.get("format")
    if not isinstance(form, str) or not formats.is_known(form):
        raise _invalid(name, "unknown_format", item=raw["name"])
    codes = raw.get("codes")
    if codes is not None and codes not in lists:
        raise _invalid(name, "unknown_code_list", item=raw["name"])
    bounds = raw.get("range")
    if bounds is not None and not (
        isinstance(bounds, list) and len(bounds) == 2 and all(isinstance(b, int) for b in bounds)
    ):
        raise _invalid(name, "bad_range", item=raw["name"])
    return Field(
        name=raw["name"],
        form=form,
        required=bool(raw.get("required", False)),
        codes=lists[codes] if codes is not None else None,
        value_range=(bounds[0], bounds[1]) if bounds is not None else None,
        verify=str(raw.get("verify", "")),
    )


def _table(name: str, raw: object, lists: Mapping[str, CodeList]) -> Table:
    if not isinstance(raw, dict) or not isinstance(raw.get("fields"), list):
        raise _invalid(name, "bad_table")
    fields = tuple(_field(name, item, lists) for item in raw["fields"])
    names = [item.name for item in fields]
    if len(set(names)) != len(names) or not fields:
        raise _invalid(name, "duplicate_field", table=raw.get("id"))
    return Table(str(raw["id"]), str(raw["name"]), str(raw["title"]), fields)


def _mappings(
    name: str, raw: object, fields: Mapping[str, Field]
) -> dict[str, dict[str, str | None]]:
    if not isinstance(raw, dict):
        raise _invalid(name, "mappings_not_an_object")
    mappings: dict[str, dict[str, str | None]] = {}
    for key, spec in raw.items():
        target = fields.get(str(spec.get("field"))) if isinstance(spec, dict) else None
        if target is None or not isinstance(spec.get("codes"), dict):
            raise _invalid(name, "bad_mapping", mapping=key)
        for code in spec["codes"].values():
            if code is not None and target.problem(str(code)) is not None:
                raise _invalid(name, "mapped_code_not_allowed", mapping=key)
        mappings[key] = {str(k): (None if v is None else str(v)) for k, v in spec["codes"].items()}
    return mappings


def parse_data_set(name: str, data: object) -> DataSet:
    """A data set from its decoded JSON.

    Raises:
        ClinicError: ``content.invalid`` (params ``file`` and ``reason``) for a file that does
            not describe a data set: an unknown format, a field naming a code list that is not
            there, a mapped code its field would refuse.
    """
    if not isinstance(data, dict) or any(not isinstance(data.get(key), str) for key in _TEXT):
        raise _invalid(name, "missing_text")
    lists = _code_lists(name, data.get("code_lists", {}))
    if not isinstance(data.get("tables"), list) or not data["tables"]:
        raise _invalid(name, "no_tables")
    tables = tuple(_table(name, raw, lists) for raw in data["tables"])
    fields = {item.name: item for table in tables for item in table.fields}
    return DataSet(
        id=data["id"],
        title=data["title"],
        version=data["version"],
        source=data["source"],
        licence=data["licence"],
        notes=data["notes"],
        tables=tables,
        mappings=_mappings(name, data.get("mappings", {}), fields),
        mapping_fields={key: str(spec["field"]) for key, spec in data.get("mappings", {}).items()},
        code_lists=lists,
    )


@cache
def data_set(name: str) -> DataSet:
    """A shipped data set, ``csds`` or ``keele``, read once."""
    return parse_data_set(name, read_json("datasets", name))
