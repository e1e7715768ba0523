"""Questionnaire definitions from resources/questionnaires, and licensed wording packs."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from clinic_app.domains.questionnaires.rules import (
    Anchors,
    AnswerOption,
    AnswerScale,
    Bound,
    Group,
    Item,
    MinimalImportantChange,
    MissingRule,
    QuestionnaireDefinition,
    Subscale,
    Wording,
)
from clinic_app.kernel.errors import ClinicError, NotFound, ValidationError

ALL_QUESTIONNAIRES: tuple[str, ...] = ("msk_hq", "start_back", "pseq", "pain_nrs")

MAX_DOMAIN_LENGTH = 60
"""Domains are short names in the project's words, never a question."""

MAX_PACK_TEXT_LENGTH = 1000

MAX_ANCHOR_LENGTH = 80
"""Anchors name the ends of a topic in a few words; longer text would be a question."""

_CODE = re.compile(r"[a-z][a-z0-9_]*")
_RECALL_PERIOD = re.compile(r"now|P[1-9][0-9]*[DWMY]")
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
_PACK_FIELD = "wording_pack"


class _Reader:
    """Shape checks for decoded JSON, raising whatever error its owner wants."""

    def __init__(self, error: Callable[..., ClinicError]) -> None:
        self.error = error

    def obj(self, raw: object, at: str, required: set[str], optional: set[str]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.error("not_an_object", at=at)
        if unknown := set(raw) - required - optional:
            raise self.error("unknown_keys", at=at, keys=sorted(unknown))
        if missing := required - set(raw):
            raise self.error("missing_keys", at=at, keys=sorted(missing))
        return raw

    def text(self, data: dict[str, Any], key: str, at: str, limit: int | None = None) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error("missing_text", at=at, key=key)
        if limit is not None and len(value) > limit:
            raise self.error("text_too_long", at=at, key=key, limit=limit)
        return value

    def optional_text(self, data: dict[str, Any], key: str, at: str) -> str | None:
        return self.text(data, key, at, MAX_PACK_TEXT_LENGTH) if key in data else None

    def integer(self, data: dict[str, Any], key: str, at: str) -> int:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error("not_a_whole_number", at=at, key=key)
        return value

    def listing(self, data: dict[str, Any], key: str, at: str) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.error("not_a_list", at=at, key=key)
        return value


# ---------------------------------------------------------------- definitions


def _parse_option(read: _Reader, raw: object, at: str) -> AnswerOption:
    option = read.obj(raw, at, {"value", "score"}, {"label"})
    return AnswerOption(
        value=read.integer(option, "value", at),
        score=read.integer(option, "score", at),
        label=read.optional_text(option, "label", at),
    )


def _parse_anchors(read: _Reader, raw: object, at: str) -> Anchors:
    entry = read.obj(raw, at, {"low", "high"}, set())
    return Anchors(
        low=read.text(entry, "low", at, MAX_ANCHOR_LENGTH),
        high=read.text(entry, "high", at, MAX_ANCHOR_LENGTH),
    )


def _parse_item(read: _Reader, raw: object, at: str, wording: Wording) -> Item:
    entry = read.obj(raw, at, {"code", "domain", "scored"}, {"options", "range", "text", "anchors"})
    code = read.text(entry, "code", at)
    if not _CODE.fullmatch(code):
        raise read.error("bad_code", at=at)
    domain = read.text(entry, "domain", at, MAX_DOMAIN_LENGTH)
    if not isinstance(entry["scored"], bool):
        raise read.error("not_a_bool", at=at, key="scored")
    if ("options" in entry) == ("range" in entry):
        raise read.error("bad_answers", at=at)
    options = tuple(
        _parse_option(read, raw_option, f"{at}.options[{index}]")
        for index, raw_option in enumerate(read.listing(entry, "options", at))
    )
    scale = None
    if "range" in entry:
        where = f"{at}.range"
        bounds = read.obj(entry["range"], where, {"min", "max"}, {"min_label", "max_label"})
        scale = AnswerScale(
            minimum=read.integer(bounds, "min", where),
            maximum=read.integer(bounds, "max", where),
            min_label=read.optional_text(bounds, "min_label", where),
            max_label=read.optional_text(bounds, "max_label", where),
        )
    text = read.optional_text(entry, "text", at)
    labels = [text, *(option.label for option in options)]
    if scale is not None:
        labels += [scale.min_label, scale.max_label]
    if wording is Wording.LICENSED_PACK and any(label is not None for label in labels):
        raise read.error("wording_in_licensed_definition", at=at)
    if wording is Wording.SHIPPED and (text is None or any(o.label is None for o in options)):
        raise read.error("missing_wording", at=at)
    anchors = (
        _parse_anchors(read, entry["anchors"], f"{at}.anchors") if "anchors" in entry else None
    )
    return Item(
        code, domain, entry["scored"], options=options, scale=scale, text=text, anchors=anchors
    )


def _parse_groups(read: _Reader, scoring: dict[str, Any]) -> tuple[Group, ...]:
    groups: list[Group] = []
    for index, raw in enumerate(read.listing(scoring, "groups", "scoring")):
        at = f"scoring.groups[{index}]"
        entry = read.obj(raw, at, {"id", "name", "when"}, set())
        bounds: list[Bound] = []
        for number, raw_bound in enumerate(read.listing(entry, "when", at)):
            where = f"{at}.when[{number}]"
            bound = read.obj(raw_bound, where, {"score"}, {"min", "max"})
            bounds.append(
                Bound(
                    score=read.text(bound, "score", where),
                    minimum=read.integer(bound, "min", where) if "min" in bound else None,
                    maximum=read.integer(bound, "max", where) if "max" in bound else None,
                )
            )
        groups.append(
            Group(read.text(entry, "id", at), read.text(entry, "name", at), tuple(bounds))
        )
    return tuple(groups)


def _parse_subscales(read: _Reader, scoring: dict[str, Any]) -> tuple[Subscale, ...]:
    subscales: list[Subscale] = []
    for index, raw in enumerate(read.listing(scoring, "subscales", "scoring")):
        at = f"scoring.subscales[{index}]"
        entry = read.obj(raw, at, {"id", "name", "items"}, set())
        codes = read.listing(entry, "items", at)
        if not all(isinstance(code, str) for code in codes):
            raise read.error("bad_subscale", at=at)
        subscales.append(
            Subscale(read.text(entry, "id", at), read.text(entry, "name", at), tuple(codes))
        )
    return tuple(subscales)


def _parse_definition(read: _Reader, name: str, data: object) -> QuestionnaireDefinition:
    required = {"id", "title", "version", "source", "licence", "wording", "recall_period"}
    top = read.obj(data, "", required | {"items", "scoring"}, {"notes", "introduction", "anchors"})
    if top["id"] != name:
        raise read.error("id_mismatch")
    if top["wording"] not in set(Wording):
        raise read.error("unknown_wording")
    wording = Wording(top["wording"])
    recall = top["recall_period"]
    if recall is not None and not (isinstance(recall, str) and _RECALL_PERIOD.fullmatch(recall)):
        raise read.error("bad_recall_period")
    items = tuple(
        _parse_item(read, raw, f"items[{index}]", wording)
        for index, raw in enumerate(read.listing(top, "items", ""))
    )
    scoring = read.obj(
        top["scoring"],
        "scoring",
        {"method", "min", "max", "higher_is_better", "missing"},
        {"subscales", "groups", "minimal_important_change"},
    )
    if scoring["method"] != "sum":
        raise read.error("unknown_method")
    if scoring["missing"] not in set(MissingRule):
        raise read.error("unknown_missing_rule")
    if not isinstance(scoring["higher_is_better"], bool):
        raise read.error("not_a_bool", at="scoring", key="higher_is_better")
    mic = None
    if "minimal_important_change" in scoring:
        at = "scoring.minimal_important_change"
        entry = read.obj(scoring["minimal_important_change"], at, {"value", "source"}, set())
        value = entry["value"]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise read.error("bad_minimal_important_change")
        mic = MinimalImportantChange(float(value), read.text(entry, "source", at))
    direction, anchors_source = None, ""
    if "anchors" in top:
        entry = read.obj(top["anchors"], "anchors", {"low", "high", "source"}, set())
        direction = _parse_anchors(read, {"low": entry["low"], "high": entry["high"]}, "anchors")
        anchors_source = read.text(entry, "source", "anchors")
    if any(item.anchors is not None for item in items) and direction is None:
        raise read.error("anchors_without_source")
    return QuestionnaireDefinition(
        id=name,
        title=read.text(top, "title", ""),
        version=read.text(top, "version", ""),
        source=read.text(top, "source", ""),
        licence=read.text(top, "licence", ""),
        wording=wording,
        recall_period=recall,
        items=items,
        min_total=read.integer(scoring, "min", "scoring"),
        max_total=read.integer(scoring, "max", "scoring"),
        higher_is_better=scoring["higher_is_better"],
        missing_rule=MissingRule(scoring["missing"]),
        subscales=_parse_subscales(read, scoring),
        groups=_parse_groups(read, scoring),
        minimal_important_change=mic,
        notes=read.text(top, "notes", "") if "notes" in top else "",
        introduction=read.optional_text(top, "introduction", "") or "",
        direction=direction,
        anchors_source=anchors_source,
    )


def parse_questionnaire(name: str, data: object) -> QuestionnaireDefinition:
    """Check a decoded questionnaire document and build its definition.

    Args:
        name: the questionnaire id, which is also its file name without ``.json``.
        data: the decoded JSON document.

    Returns:
        The validated definition.

    Raises:
        ClinicError: ``content.invalid`` with params ``file`` and ``reason`` (plus ``at``,
            ``key``, ``item`` and the like where they help) when the document is malformed
            or its parts disagree (totals, subscales, groups that overlap or leave a gap).
    """

    def error(reason: str, **params: Any) -> ClinicError:
        return ClinicError("content.invalid", file=f"{name}.json", reason=reason, **params)

    try:
        return _parse_definition(_Reader(error), name, data)
    except ClinicError as problem:
        if problem.code != "questionnaire.invalid_definition":
            raise
        params = {key: value for key, value in problem.params.items() if key != "questionnaire"}
        raise error(**params) from problem


@cache
def questionnaire(questionnaire_id: str) -> QuestionnaireDefinition:
    """Load one questionnaire definition shipped with the app (cached after the first call).

    Args:
        questionnaire_id: one of :data:`ALL_QUESTIONNAIRES`.

    Returns:
        The validated definition.

    Raises:
        NotFound: ``content.unknown_questionnaire`` for an id not in :data:`ALL_QUESTIONNAIRES`.
        ClinicError: ``content.invalid`` (params ``file``, ``reason``) when the file is
            missing, is not UTF-8 JSON or fails validation.
    """
    if questionnaire_id not in ALL_QUESTIONNAIRES:
        raise NotFound("content.unknown_questionnaire", questionnaire=questionnaire_id)
    file = f"{questionnaire_id}.json"
    path = resources.files("resources") / "questionnaires" / file
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ClinicError("content.invalid", file=file, reason="missing") from error
    except UnicodeDecodeError as error:
        raise ClinicError("content.invalid", file=file, reason="not_utf8") from error
    except json.JSONDecodeError as error:
        raise ClinicError(
            "content.invalid", file=file, reason="not_json", line=error.lineno
        ) from error
    return parse_questionnaire(questionnaire_id, data)


# ---------------------------------------------------------------- wording packs


@dataclass(frozen=True)
class ItemWording:
    """A licensed pack's words for one item: the question and a label per answer value."""

    text: str
    options: Mapping[int, str]
    min_label: str | None = None
    max_label: str | None = None


@dataclass(frozen=True)
class WordingPack:
    """Licensed question and answer wording for one version of one questionnaire.

    Attributes:
        questionnaire_id: the definition the pack is for.
        version: the definition version the pack matches.
        licence_holder: who granted the licence.
        licence_reference: the service's licence number or reference.
        language: language tag of the wording, e.g. ``"en-GB"`` ("" if not given).
        introduction: the instructions shown before the first item ("" if none).
        items: item code to its wording; exactly the definition's item codes.
    """

    questionnaire_id: str
    version: str
    licence_holder: str
    licence_reference: str
    language: str
    introduction: str
    items: Mapping[str, ItemWording]


def _pack_error(reason: str, **params: Any) -> ValidationError:
    return ValidationError("wording_pack.invalid", field=_PACK_FIELD, reason=reason, **params)


def _refuse(code: str, **params: Any) -> ValidationError:
    return ValidationError(f"wording_pack.{code}", field=_PACK_FIELD, **params)


def _parse_item_wording(read: _Reader, raw: object, at: str) -> ItemWording:
    entry = read.obj(raw, at, {"text"}, {"options", "min_label", "max_label"})
    labels: dict[int, str] = {}
    raw_options = entry.get("options", {})
    if not isinstance(raw_options, dict):
        raise read.error("not_an_object", at=f"{at}.options")
    for key in raw_options:
        if not _WHOLE_NUMBER.fullmatch(key):
            raise read.error("bad_option_value", at=f"{at}.options", key=key)
        labels[int(key)] = read.text(raw_options, key, f"{at}.options", MAX_PACK_TEXT_LENGTH)
    return ItemWording(
        text=read.text(entry, "text", at, MAX_PACK_TEXT_LENGTH),
        options=MappingProxyType(labels),
        min_label=read.optional_text(entry, "min_label", at),
        max_label=read.optional_text(entry, "max_label", at),
    )


def _check_pack_fits(definition: QuestionnaireDefinition, pack: WordingPack) -> None:
    if pack.questionnaire_id != definition.id:
        raise _refuse(
            "wrong_questionnaire", questionnaire=pack.questionnaire_id, expected=definition.id
        )
    if definition.wording is Wording.SHIPPED:
        raise _refuse("not_needed", questionnaire=definition.id)
    if pack.version != definition.version:
        raise _refuse("wrong_version", version=pack.version, expected=definition.version)
    codes = [item.code for item in definition.items]
    if missing := [code for code in codes if code not in pack.items]:
        raise _refuse("missing_items", items=missing)
    if extra := sorted(set(pack.items) - set(codes)):
        raise _refuse("extra_items", items=extra)
    for item in definition.items:
        wording = pack.items[item.code]
        expected = {option.value for option in item.options}
        if missing_values := sorted(expected - set(wording.options)):
            raise _refuse("missing_options", item=item.code, values=missing_values)
        if extra_values := sorted(set(wording.options) - expected):
            raise _refuse("extra_options", item=item.code, values=extra_values)
        if item.scale is None and (wording.min_label or wording.max_label):
            raise _refuse("range_labels_on_options_item", item=item.code)


def parse_wording_pack(
    data: object, definition: QuestionnaireDefinition | None = None
) -> WordingPack:
    """Check a decoded wording pack and match it to its questionnaire definition.

    Args:
        data: the decoded JSON document.
        definition: the definition to match; by default the shipped one the pack names.

    Returns:
        The validated pack.

    Raises:
        ValidationError: with ``field="wording_pack"`` and code ``wording_pack.invalid``
            (param ``reason``) for a malformed pack, or ``wording_pack.unknown_questionnaire``,
            ``wording_pack.wrong_questionnaire``, ``wording_pack.not_needed`` (the
            questionnaire ships its own wording), ``wording_pack.wrong_version``
            (params ``version``, ``expected``), ``wording_pack.missing_items`` /
            ``wording_pack.extra_items`` (param ``items``), ``wording_pack.missing_options``
            / ``wording_pack.extra_options`` (params ``item``, ``values``) or
            ``wording_pack.range_labels_on_options_item``.
    """
    read = _Reader(_pack_error)
    top = read.obj(
        data, "", {"questionnaire", "version", "licence", "items"}, {"language", "introduction"}
    )
    licence = read.obj(top["licence"], "licence", {"holder", "reference"}, set())
    if not isinstance(top["items"], dict):
        raise read.error("not_an_object", at="items")
    raw_items: dict[str, object] = top["items"]
    pack = WordingPack(
        questionnaire_id=read.text(top, "questionnaire", ""),
        version=read.text(top, "version", ""),
        licence_holder=read.text(licence, "holder", "licence"),
        licence_reference=read.text(licence, "reference", "licence"),
        language=read.optional_text(top, "language", "") or "",
        introduction=read.optional_text(top, "introduction", "") or "",
        items=MappingProxyType(
            {
                code: _parse_item_wording(read, raw, f"items.{code}")
                for code, raw in raw_items.items()
            }
        ),
    )
    if definition is None:
        if pack.questionnaire_id not in ALL_QUESTIONNAIRES:
            raise _refuse("unknown_questionnaire", questionnaire=pack.questionnaire_id)
        definition = questionnaire(pack.questionnaire_id)
    _check_pack_fits(definition, pack)
    return pack


def load_wording_pack(
    source: str | os.PathLike[str], definition: QuestionnaireDefinition | None = None
) -> WordingPack:
    """Read and validate a wording pack a service imports.

    Args:
        source: a path to the pack file, or (a ``str``) the pack's JSON text itself.
        definition: the definition to match; by default the shipped one the pack names.

    Returns:
        The validated pack.

    Raises:
        ValidationError: ``wording_pack.unreadable`` (param ``name``), ``wording_pack.not_utf8``
            or ``wording_pack.not_json`` (param ``line``), or any code of
            :func:`parse_wording_pack`.
    """
    if isinstance(source, str):
        text = source
    else:
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise _refuse("not_utf8") from error
        except OSError as error:
            raise _refuse("unreadable", name=path.name) from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _refuse("not_json", line=error.lineno) from error
    return parse_wording_pack(data, definition)


# ---------------------------------------------------------------- display


class WordingSource(StrEnum):
    """Where the words shown for an item come from."""

    LICENSED_PACK = "licensed-pack"
    SHIPPED = "shipped"
    DOMAIN_FALLBACK = "domain-fallback"
    """No pack installed: the project's domain name and bare answer values stand in."""


@dataclass(frozen=True)
class DisplayOption:
    """An answer as shown: the stored value and the words for it."""

    value: int
    label: str


@dataclass(frozen=True)
class DisplayItem:
    """An item ready to show: question words, answers, and where the words come from.

    ``direction`` says which end is worse and which better (the same for every item of a
    questionnaire); ``anchors`` say it for the item's topic. Both are the project's words.
    """

    code: str
    text: str
    scored: bool
    wording: WordingSource
    options: tuple[DisplayOption, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    min_label: str | None = None
    max_label: str | None = None
    direction: Anchors | None = None
    anchors: Anchors | None = None

    @property
    def lowest(self) -> int | None:
        """The lowest value offered (None if nothing is offered)."""
        if self.minimum is not None:
            return self.minimum
        return self.options[0].value if self.options else None

    @property
    def highest(self) -> int | None:
        """The highest value offered (None if nothing is offered)."""
        if self.maximum is not None:
            return self.maximum
        return self.options[-1].value if self.options else None


def _bare_label(value: int, item: Item, direction: Anchors | None) -> str:
    """A value with no words of its own; its end of the scale is named where one is known."""
    values = item.values()
    if direction is None or not values:
        return str(value)
    if value == values[0]:
        return f"{value} ({direction.low})"
    if value == values[-1]:
        return f"{value} ({direction.high})"
    return str(value)


def _display_item(
    item: Item, words: ItemWording | None, source: WordingSource, direction: Anchors | None
) -> DisplayItem:
    labels: Mapping[int, str | None] = words.options if words else {}
    options = tuple(
        DisplayOption(
            option.value,
            labels.get(option.value) or option.label or _bare_label(option.value, item, direction),
        )
        for option in item.options
    )
    scale = item.scale
    return DisplayItem(
        code=item.code,
        text=(words.text if words else item.text) or item.domain,
        scored=item.scored,
        wording=source,
        options=options,
        minimum=scale.minimum if scale else None,
        maximum=scale.maximum if scale else None,
        min_label=(words.min_label if words else scale.min_label) if scale else None,
        max_label=(words.max_label if words else scale.max_label) if scale else None,
        direction=direction if item.scored else None,
        anchors=item.anchors,
    )


def merge_wording(
    definition: QuestionnaireDefinition, pack: WordingPack | None = None
) -> tuple[DisplayItem, ...]:
    """The items of a questionnaire with the words to show for them.

    With a pack, its licensed wording is used. Without one, a questionnaire that ships its
    own wording uses it, and a licensed one falls back to the project's domain names and
    bare answer values, marked :attr:`WordingSource.DOMAIN_FALLBACK`.

    Args:
        definition: the questionnaire.
        pack: its installed wording pack, if any.

    Returns:
        The display items, in the order asked.

    Raises:
        ValidationError: any matching code of :func:`parse_wording_pack` when the pack does
            not fit the definition.
    """
    if pack is not None:
        _check_pack_fits(definition, pack)
        return tuple(
            _display_item(
                item, pack.items[item.code], WordingSource.LICENSED_PACK, definition.direction
            )
            for item in definition.items
        )
    source = (
        WordingSource.SHIPPED
        if definition.wording is Wording.SHIPPED
        else WordingSource.DOMAIN_FALLBACK
    )
    return tuple(
        _display_item(item, None, source, definition.direction) for item in definition.items
    )


def introduction(definition: QuestionnaireDefinition, pack: WordingPack | None = None) -> str:
    """What is shown before the first item: the pack's introduction, else the project's own.

    The project's own introduction names the recall period only (never licensed wording).
    """
    if pack is not None and pack.introduction:
        return pack.introduction
    return definition.introduction
