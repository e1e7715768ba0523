"""Decision aids from resources/decision_aids, checked at load, and the icon-array description.

One JSON file per aid, named after its id. Each file is checked against the schema below
(pydantic, unknown keys refused) and then against the rules a schema cannot say: every number
has a source, exclusive outcomes of one option add to at most 100 in 100, the review date is
after the date written, there is always a self-management option and a "not now" option, and
every option answers every row of the grid. An aid that breaks any of these is not offered; the
catalogue says which file and which field, so the service lead can be told.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic import ValidationError as SchemaError
from pydantic_core import PydanticCustomError

from clinic_app.domains.decisions.rules import COLLABORATE_ITEMS, COLLABORATE_MAX
from clinic_app.kernel.errors import ClinicError, NotFound

AID_FOLDER = "decision_aids"
"""The folder under ``resources/`` that holds the shipped aids."""

UNDECIDED = "undecided"
"""The choice recorded when the patient has not decided yet and will think about it."""

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]

DecisionKind = Literal["condition", "injection", "imaging", "surgical_referral", "eswt"]
OptionKind = Literal["self_management", "not_now", "treatment"]
LeadsTo = Literal["injection", "imaging", "surgical_referral", "eswt"]
OutcomeKind = Literal["benefit", "risk"]

LEADS_TO: tuple[str, ...] = ("injection", "imaging", "surgical_referral", "eswt")
"""The record types an SDM record can justify."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Row(_Model):
    """One of the patient's questions, a row of the options grid."""

    id: Id
    text: Text


class Outcome(_Model):
    """A benefit or a risk of one option, as "x in 100 people" over a time frame.

    Outcomes of one option that share an ``exclusive_group`` cannot happen to the same person,
    so their numbers add to at most 100.
    """

    id: Id
    kind: OutcomeKind
    text: Text
    per_100: int = Field(strict=True)
    time_frame: Text
    exclusive_group: Id | None = None
    source: Id


class Option(_Model):
    """One thing the patient could choose, with its answers to every row and its outcomes."""

    id: Id
    title: Text
    kind: OptionKind
    leads_to: LeadsTo | None = None
    answers: dict[Id, Text]
    involves: Text
    recovery: Text
    time_off_work: Text
    outcomes: tuple[Outcome, ...] = ()


class Matter(_Model):
    """A statement the patient rates from 0 (does not matter to me) to 10 (matters most)."""

    id: Id
    text: Text


class Source(_Model):
    """Where numbers come from: the citation, its year and the people it studied."""

    id: Id
    citation: Text
    year: int = Field(strict=True, ge=1900, le=2100)
    population: Text


class Reading(_Model):
    """A place to read more, e.g. the NHS page or a published decision support tool."""

    title: Text
    url: Annotated[str, StringConstraints(pattern=r"^https://\S+$", max_length=500)]


class DecisionAid(_Model):
    """A decision aid: the condition, the question, the options and their numbers."""

    id: Id
    version: Annotated[str, StringConstraints(pattern=r"^[0-9]+(\.[0-9]+)*$", max_length=20)]
    title: Text
    decision: DecisionKind
    for_whom: Text
    condition: tuple[Text, ...] = Field(min_length=1)
    #: The working diagnoses (codes of resources/diagnoses) the aid is written for: an
    #: assessment with one of them offers this aid first.
    diagnoses: tuple[Id, ...] = ()
    question: Text
    written: date
    review_by: date
    rows: tuple[Row, ...] = Field(min_length=1)
    options: tuple[Option, ...] = Field(min_length=2)
    matters: tuple[Matter, ...] = Field(min_length=1)
    sources: tuple[Source, ...]
    derivation: Text
    further_reading: tuple[Reading, ...] = ()
    licence: Text

    @model_validator(mode="after")
    def _rules(self) -> DecisionAid:
        problems = rule_problems(self)
        if problems:
            field, code, reason = problems[0]
            raise PydanticCustomError(
                "aid_rule",
                "{reason}",
                {"field": field, "code": code, "reason": reason, "all": problems},
            )
        return self

    def option(self, option_id: str) -> Option:
        """The option with this id.

        Raises:
            NotFound: ``decision.no_such_option``.
        """
        for option in self.options:
            if option.id == option_id:
                return option
        raise NotFound("decision.no_such_option", option=option_id)

    @property
    def option_ids(self) -> tuple[str, ...]:
        """The options' ids, in the aid's order."""
        return tuple(option.id for option in self.options)

    def is_due_for_review(self, today: date) -> bool:
        """True on and after the review date: the aid still opens, but says so."""
        return today >= self.review_by


def _duplicates(ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for value in ids:
        if value in seen:
            repeated.append(value)
        seen.add(value)
    return repeated


Problem = tuple[str, str, str]
"""(field, code, reason) for one broken rule."""


def rule_problems(aid: DecisionAid) -> list[Problem]:
    """The rules a schema cannot say, as (field, code, reason); empty when the aid is sound."""
    problems: list[Problem] = []
    if aid.review_by <= aid.written:
        problems.append(
            ("review_by", "review_not_after_written", "review_by is not after the date written")
        )
    for name, ids in (
        ("rows", [row.id for row in aid.rows]),
        ("options", [option.id for option in aid.options]),
        ("matters", [matter.id for matter in aid.matters]),
        ("sources", [source.id for source in aid.sources]),
    ):
        problems.extend(
            (name, "duplicate_id", f"the id {repeated!r} is used twice")
            for repeated in _duplicates(ids)
        )
    if UNDECIDED in {option.id for option in aid.options}:
        problems.append(("options", "reserved_id", f"{UNDECIDED!r} is not an option id"))
    kinds = [option.kind for option in aid.options]
    problems.extend(
        ("options", f"no_{kind}", f"there must be exactly one {kind} option")
        for kind in ("self_management", "not_now")
        if kinds.count(kind) != 1
    )
    row_ids = {row.id for row in aid.rows}
    source_ids = {source.id for source in aid.sources}
    for index, option in enumerate(aid.options):
        problems.extend(_option_problems(f"options[{index}]", option, row_ids, source_ids))
    return problems


def _option_problems(
    at: str, option: Option, row_ids: set[str], source_ids: set[str]
) -> list[Problem]:
    problems: list[Problem] = [
        (f"{at}.answers.{missing}", "row_not_answered", f"row {missing!r} has no answer")
        for missing in sorted(row_ids - set(option.answers))
    ]
    problems.extend(
        (f"{at}.answers.{unknown}", "unknown_row", f"{unknown!r} is not a row")
        for unknown in sorted(set(option.answers) - row_ids)
    )
    problems.extend(
        (f"{at}.outcomes", "duplicate_id", f"{repeated!r} is used twice")
        for repeated in _duplicates(outcome.id for outcome in option.outcomes)
    )
    groups: dict[str, int] = {}
    for number, outcome in enumerate(option.outcomes):
        where = f"{at}.outcomes[{number}]"
        if not 0 <= outcome.per_100 <= 100:
            problems.append(
                (f"{where}.per_100", "number_out_of_range", "per_100 is not between 0 and 100")
            )
        if outcome.source not in source_ids:
            problems.append(
                (f"{where}.source", "unknown_source", f"{outcome.source!r} is not in sources")
            )
        if outcome.exclusive_group is not None:
            group = outcome.exclusive_group
            groups[group] = groups.get(group, 0) + outcome.per_100
    problems.extend(
        (
            f"{at}.outcomes",
            "exclusive_over_100",
            f"exclusive group {group!r} adds to {total} in 100",
        )
        for group, total in groups.items()
        if total > 100
    )
    return problems


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class AidProblem:
    """Why one aid file is not offered.

    Attributes:
        file: the file's name, e.g. ``"knee_osteoarthritis.json"``.
        field: where in the file, e.g. ``"options[1].outcomes[0].per_100"`` ("" for the file).
        reason: what is wrong, in a short technical sentence for whoever writes aid files
            (the screen words ``code`` and ``kind`` for the service lead).
        code: a stable code for the kind of problem (e.g. ``"unknown_source"``, ``"schema"``).
        kind: for a ``"schema"`` problem, the schema check's own type (e.g. ``"missing"``).
    """

    file: str
    field: str
    reason: str
    code: str = "schema"
    kind: str = ""


@dataclass(frozen=True)
class AidCatalogue:
    """The aids offered, and the files refused with their problems (several per file)."""

    offered: tuple[DecisionAid, ...]
    refused: tuple[AidProblem, ...]

    def get(self, aid_id: str) -> DecisionAid | None:
        """The offered aid with this id, or None."""
        for aid in self.offered:
            if aid.id == aid_id:
                return aid
        return None

    def for_diagnosis(self, code: str | None) -> DecisionAid | None:
        """The offered aid written for the working diagnosis ``code``, or None."""
        if not code:
            return None
        for aid in self.offered:
            if code in aid.diagnoses:
                return aid
        return None

    def due_for_review(self, today: date) -> list[DecisionAid]:
        """Offered aids on or past their review date, the most overdue first."""
        return sorted(
            (aid for aid in self.offered if aid.is_due_for_review(today)),
            key=lambda aid: (aid.review_by, aid.id),
        )


def _field_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def _schema_problems(file: str, error: SchemaError) -> list[AidProblem]:
    problems: list[AidProblem] = []
    for detail in error.errors(include_url=False):
        context: Mapping[str, Any] = detail.get("ctx") or {}
        if detail["type"] == "aid_rule":
            problems.extend(
                AidProblem(file, field, reason, code) for field, code, reason in context["all"]
            )
        else:
            problems.append(
                AidProblem(
                    file, _field_path(tuple(detail["loc"])), detail["msg"], "schema", detail["type"]
                )
            )
    return problems


def parse_aid(file: str, text: str) -> DecisionAid | list[AidProblem]:
    """Check one aid file's text: the aid, or every problem found in it."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return [AidProblem(file, "", f"not JSON (line {error.lineno})", "not_json")]
    try:
        aid = DecisionAid.model_validate(data)
    except SchemaError as error:
        return _schema_problems(file, error)
    stem = file.removesuffix(".json")
    if aid.id != stem:
        return [AidProblem(file, "id", f"id {aid.id!r} is not the file name", "id_not_file_name")]
    return aid


def _default_folder() -> Traversable:
    return resources.files("resources") / AID_FOLDER


def decision_aids(folder: Traversable | None = None) -> AidCatalogue:
    """Every aid file in a folder (the shipped aids by default), offered or refused.

    A missing folder offers nothing. Only ``*.json`` files are read, in name order.
    """
    if folder is None:
        return _shipped_catalogue()
    return _read_folder(folder)


def _read_folder(folder: Traversable) -> AidCatalogue:
    offered: list[DecisionAid] = []
    refused: list[AidProblem] = []
    if not folder.is_dir():
        return AidCatalogue((), ())
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".json") or not entry.is_file():
            continue
        try:
            text = entry.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            refused.append(AidProblem(entry.name, "", "not UTF-8 text", "not_utf8"))
            continue
        result = parse_aid(entry.name, text)
        if isinstance(result, DecisionAid):
            offered.append(result)
        else:
            refused.extend(result)
    return AidCatalogue(tuple(offered), tuple(refused))


@cache
def _shipped_catalogue() -> AidCatalogue:
    return _read_folder(_default_folder())


def decision_aid(aid_id: str) -> DecisionAid:
    """One shipped aid that is offered (cached with the catalogue).

    Raises:
        NotFound: ``decision.unknown_aid`` for an id with no sound file.
    """
    aid = _shipped_catalogue().get(aid_id)
    if aid is None:
        raise NotFound("decision.unknown_aid", aid=aid_id)
    return aid


def due_for_review(today: date) -> list[DecisionAid]:
    """Shipped aids on or past their review date, the most overdue first."""
    return _shipped_catalogue().due_for_review(today)


# ---------------------------------------------------------------- CollaboRATE's items


class MeasureScale(_Model):
    """The answer scale of every item: whole numbers from ``min`` to ``max``, ends named."""

    min: int
    max: int
    min_label: Text
    max_label: Text


class MeasureItem(_Model):
    """One question, as the patient reads it."""

    code: Id
    text: Text


class SdmMeasure(_Model):
    """A patient-reported measure of shared decision-making, with its source and licence."""

    id: Id
    title: Text
    version: Text
    source: Text
    licence: Text
    introduction: Text
    scale: MeasureScale
    items: tuple[MeasureItem, ...] = Field(min_length=1)
    scoring: Text
    further_reading: tuple[Reading, ...] = ()


@cache
def collaborate() -> SdmMeasure:
    """CollaboRATE's three items and 0..9 scale, shipped in resources/sdm_measures.

    Raises:
        ClinicError: ``content.invalid`` (params ``file``, ``reason``) when the file is
            missing or does not match the items and scale the scoring expects.
    """
    file = "collaborate.json"
    path = resources.files("resources") / "sdm_measures" / file
    try:
        measure = SdmMeasure.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ClinicError("content.invalid", file=file, reason="missing") from error
    except SchemaError as error:
        raise ClinicError("content.invalid", file=file, reason="schema") from error
    if len(measure.items) != COLLABORATE_ITEMS or (measure.scale.min, measure.scale.max) != (
        0,
        COLLABORATE_MAX,
    ):
        raise ClinicError("content.invalid", file=file, reason="scale")
    return measure


# ---------------------------------------------------------------- icon arrays

ICON_COLUMNS = 10
ICON_ROWS = 10


@dataclass(frozen=True)
class IconArray:
    """100 figures, ``filled`` of them coloured: the one drawing for the screen and for print.

    Attributes:
        columns: figures per row (10).
        rows: rows of figures (10).
        filled: how many of the 100 are filled.
        cells: 100 flags, row by row from the top-left; the filled ones come first.
    """

    columns: int
    rows: int
    filled: int
    cells: tuple[bool, ...]


def icon_array(per_100: int) -> IconArray:
    """The icon array for "per_100 in 100 people".

    Raises:
        ValueError: for a number outside 0..100 (aids with one are never offered).
    """
    if isinstance(per_100, bool) or not 0 <= per_100 <= ICON_COLUMNS * ICON_ROWS:
        raise ValueError(f"per_100 must be 0..100, not {per_100!r}")
    total = ICON_COLUMNS * ICON_ROWS
    cells = (True,) * per_100 + (False,) * (total - per_100)
    return IconArray(columns=ICON_COLUMNS, rows=ICON_ROWS, filled=per_100, cells=cells)


def in_100_words(per_100: int, text: str) -> str:
    """The number written out, e.g. "40 in 100 people have less pain".

    ``in_100_words(40, "have less pain")`` gives the example above; the same words go beside
    the icon array on screen and in print, and to screen readers.
    """
    return f"{per_100} in 100 people {text.strip()}"
