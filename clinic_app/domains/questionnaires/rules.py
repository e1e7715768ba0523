"""Outcome questionnaires (PROMs): definitions, answer checks, scoring and important change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise
from types import MappingProxyType
from typing import NoReturn

from clinic_app.kernel.errors import ClinicError, ValidationError

TOTAL = "total"
"""The name a group condition uses for the questionnaire's total score."""


class Wording(StrEnum):
    """Where the words of a questionnaire's questions and answers come from."""

    LICENSED_PACK = "licensed-pack"
    SHIPPED = "shipped"


class MissingRule(StrEnum):
    """What an unanswered scored item does to the result."""

    INCOMPLETE = "incomplete"


class ImportantChange(StrEnum):
    """Direction of a change at least as large as the minimal important change."""

    IMPROVED = "improved"
    WORSENED = "worsened"


@dataclass(frozen=True)
class AnswerOption:
    """One answer an item offers: the stored value, its points and (if shipped) its label."""

    value: int
    score: int
    label: str | None = None


@dataclass(frozen=True)
class AnswerScale:
    """A whole-number answer from ``minimum`` to ``maximum``; the value is also the points."""

    minimum: int
    maximum: int
    min_label: str | None = None
    max_label: str | None = None


@dataclass(frozen=True)
class Anchors:
    """The project's own words for the two ends of an item's answers (never licensed wording).

    ``low`` describes the lowest value, ``high`` the highest; a questionnaire's anchors say
    which end is worse or better, an item's say it for its topic.
    """

    low: str
    high: str


@dataclass(frozen=True)
class Item:
    """One item of a questionnaire.

    Attributes:
        code: stable code the answer is stored under, e.g. ``"mskhq_01"``.
        domain: what the item is about, in the project's own short words.
        scored: whether the item counts towards the total.
        options: the answers offered, in ascending value order (empty for a scale).
        scale: the answer range for a number answer (``None`` for an options item).
        text: the question as shipped; ``None`` when wording comes from a licensed pack.
        anchors: the project's words for the two ends on this item's topic, if any.
    """

    code: str
    domain: str
    scored: bool
    options: tuple[AnswerOption, ...] = ()
    scale: AnswerScale | None = None
    text: str | None = None
    anchors: Anchors | None = None

    def __post_init__(self) -> None:
        reason = _item_problem(self)
        if reason:
            raise ClinicError("questionnaire.invalid_definition", reason=reason, item=self.code)

    def values(self) -> tuple[int, ...]:
        """Every value the item accepts, lowest first."""
        if self.scale is not None:
            return tuple(range(self.scale.minimum, self.scale.maximum + 1))
        return tuple(option.value for option in self.options)

    def accepts(self, value: object) -> bool:
        """Tell whether ``value`` is one of the item's answers (a whole number, not a bool)."""
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        if self.scale is not None:
            return self.scale.minimum <= value <= self.scale.maximum
        return any(option.value == value for option in self.options)

    def points(self, value: int) -> int:
        """Points an accepted value adds to the total (0 for an unscored item).

        Raises:
            ValidationError: ``questionnaire.answer_out_of_range`` when the item does not
                accept ``value``.
        """
        if not self.accepts(value):
            raise _out_of_range(self.code, value)
        if not self.scored:
            return 0
        for option in self.options:
            if option.value == value:
                return option.score
        return value


def _item_problem(item: Item) -> str:
    if bool(item.options) == (item.scale is not None):
        return "bad_answers"
    if item.scale is not None:
        return "" if item.scale.minimum < item.scale.maximum else "bad_range"
    values = [option.value for option in item.options]
    scores = [option.score for option in item.options]
    # Ascending values with non-decreasing points: choosing a higher value never lowers a total.
    if any(later <= earlier for earlier, later in pairwise(values)):
        return "options_not_ascending"
    if any(later < earlier for earlier, later in pairwise(scores)):
        return "scores_not_monotonic"
    return ""


@dataclass(frozen=True)
class Subscale:
    """A named sum of some scored items (e.g. the STarT Back distress subscale)."""

    id: str
    name: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Bound:
    """A condition on one score: ``minimum <= score <= maximum`` (either end may be open).

    Attributes:
        score: :data:`TOTAL` or a subscale id.
    """

    score: str
    minimum: int | None = None
    maximum: int | None = None

    def admits(self, value: int) -> bool:
        """Tell whether ``value`` meets the condition."""
        low_ok = self.minimum is None or value >= self.minimum
        return low_ok and (self.maximum is None or value <= self.maximum)


@dataclass(frozen=True)
class Group:
    """A band or risk group: its id, name and the conditions that all must hold."""

    id: str
    name: str
    when: tuple[Bound, ...]

    def matches(self, total: int, subscales: Mapping[str, int]) -> bool:
        """Tell whether a (total, subscales) outcome belongs to this group."""
        return all(
            bound.admits(total if bound.score == TOTAL else subscales[bound.score])
            for bound in self.when
        )


@dataclass(frozen=True)
class MinimalImportantChange:
    """The smallest change in total that counts as important, with where it comes from."""

    value: float
    source: str


@dataclass(frozen=True)
class QuestionnaireDefinition:
    """A questionnaire's structure and scoring, checked for coherence when built.

    Attributes:
        id: stable id, e.g. ``"msk_hq"``.
        title: the name shown to staff.
        version: version of this definition; a wording pack must name the same version.
        source: the paper(s) the structure and scoring come from.
        licence: the terms the questionnaire is used under.
        wording: whether the question wording ships with the app or comes from a pack.
        recall_period: ISO 8601 duration (``"P14D"``), ``"now"``, or ``None`` if not stated.
        items: every item, in the order asked.
        min_total: lowest possible total (checked against the items).
        max_total: highest possible total (checked against the items).
        higher_is_better: direction of the total.
        missing_rule: what an unanswered scored item does.
        subscales: named partial sums.
        groups: bands or risk groups; every reachable outcome falls in exactly one.
        minimal_important_change: the cited minimal important change, if any.
        notes: what a maintainer should know, e.g. what was left out and why.
        introduction: the project's own words shown before the first item (the recall
            period), used when no wording pack gives one ("" if none).
        direction: which end of every item is worse and which better, in the project's
            words (``None`` if not shipped).
        anchors_source: where the direction and the items' anchors come from.
    """

    id: str
    title: str
    version: str
    source: str
    licence: str
    wording: Wording
    recall_period: str | None
    items: tuple[Item, ...]
    min_total: int
    max_total: int
    higher_is_better: bool
    missing_rule: MissingRule = MissingRule.INCOMPLETE
    subscales: tuple[Subscale, ...] = ()
    groups: tuple[Group, ...] = ()
    minimal_important_change: MinimalImportantChange | None = None
    notes: str = ""
    introduction: str = ""
    direction: Anchors | None = None
    anchors_source: str = ""
    _by_code: Mapping[str, Item] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", MappingProxyType({i.code: i for i in self.items}))
        _check_coherent(self)

    def item(self, code: str) -> Item:
        """The item with ``code``.

        Raises:
            ValidationError: ``questionnaire.unknown_item`` when there is none.
        """
        found = self._by_code.get(code)
        if found is None:
            raise ValidationError(
                "questionnaire.unknown_item", field=code, questionnaire=self.id, item=code
            )
        return found

    @property
    def scored_items(self) -> tuple[Item, ...]:
        """The items that count towards the total, in order."""
        return tuple(item for item in self.items if item.scored)


def _empty() -> Mapping[str, int]:
    return MappingProxyType({})


@dataclass(frozen=True)
class QuestionnaireResult:
    """The outcome of scoring one set of answers.

    An incomplete result carries no total, subscales or group: a partial sum would be a
    wrong total.

    Attributes:
        questionnaire_id: the definition's id.
        version: the definition's version.
        complete: whether every scored item was answered.
        total: the total score (``None`` when incomplete).
        subscales: subscale id to score (empty when incomplete).
        group: id of the band or risk group (``None`` when incomplete or none defined).
        missing_items: codes of the unanswered scored items, in order.
        unscored: answers to unscored items that were answered.
    """

    questionnaire_id: str
    version: str
    complete: bool
    total: int | None
    subscales: Mapping[str, int] = field(default_factory=_empty, hash=False)
    group: str | None = None
    missing_items: tuple[str, ...] = ()
    unscored: Mapping[str, int] = field(default_factory=_empty, hash=False)


def _definition_error(
    definition: QuestionnaireDefinition, reason: str, **params: object
) -> NoReturn:
    raise ClinicError(
        "questionnaire.invalid_definition", questionnaire=definition.id, reason=reason, **params
    )


def _check_coherent(definition: QuestionnaireDefinition) -> None:
    """Reject a definition whose parts disagree; raise ``questionnaire.invalid_definition``."""
    codes = [item.code for item in definition.items]
    if len(codes) != len(set(codes)):
        _definition_error(definition, "duplicate_code")
    scored = definition.scored_items
    if not scored:
        _definition_error(definition, "nothing_scored")
    low = sum(min(item.points(v) for v in item.values()) for item in scored)
    high = sum(max(item.points(v) for v in item.values()) for item in scored)
    if (low, high) != (definition.min_total, definition.max_total):
        _definition_error(definition, "range_mismatch", computed=[low, high])
    scored_codes = {item.code for item in scored}
    for subscale in definition.subscales:
        if not subscale.items or not set(subscale.items) <= scored_codes:
            _definition_error(definition, "bad_subscale", subscale=subscale.id)
        if len(set(subscale.items)) != len(subscale.items):
            _definition_error(definition, "bad_subscale", subscale=subscale.id)
    names = {TOTAL, *(subscale.id for subscale in definition.subscales)}
    if len(names) != len(definition.subscales) + 1:
        _definition_error(definition, "duplicate_subscale")
    if definition.groups:
        _check_groups(definition, names)
    mic = definition.minimal_important_change
    if mic is not None and not mic.value > 0:
        _definition_error(definition, "bad_minimal_important_change")


def _check_groups(definition: QuestionnaireDefinition, names: set[str]) -> None:
    ids = [group.id for group in definition.groups]
    if len(ids) != len(set(ids)):
        _definition_error(definition, "duplicate_group")
    for group in definition.groups:
        if not group.when or any(bound.score not in names for bound in group.when):
            _definition_error(definition, "bad_group", group=group.id)
    subscale_ids = [subscale.id for subscale in definition.subscales]
    for outcome in sorted(_reachable_outcomes(definition)):
        total, subscales = outcome[0], dict(zip(subscale_ids, outcome[1:], strict=True))
        matched = [group.id for group in definition.groups if group.matches(total, subscales)]
        if len(matched) != 1:
            reason = "groups_overlap" if matched else "groups_leave_gap"
            _definition_error(definition, reason, total=total, subscales=subscales)


def _reachable_outcomes(definition: QuestionnaireDefinition) -> set[tuple[int, ...]]:
    """Every (total, subscale...) tuple some complete answer set can produce."""
    members = {
        item.code: [i for i, s in enumerate(definition.subscales, 1) if item.code in s.items]
        for item in definition.scored_items
    }
    outcomes: set[tuple[int, ...]] = {(0,) * (len(definition.subscales) + 1)}
    for item in definition.scored_items:
        points = {item.points(value) for value in item.values()}
        grown: set[tuple[int, ...]] = set()
        for outcome in outcomes:
            for add in points:
                step = list(outcome)
                for index in (0, *members[item.code]):
                    step[index] += add
                grown.add(tuple(step))
        outcomes = grown
    return outcomes


def _out_of_range(code: str, value: object) -> ValidationError:
    # Only a number goes into the parameters: free text could hold anything.
    number = isinstance(value, int) and not isinstance(value, bool)
    shown = {"value": value} if number else {"kind": type(value).__name__}
    return ValidationError("questionnaire.answer_out_of_range", field=code, item=code, **shown)


def check_answer(definition: QuestionnaireDefinition, code: str, value: int | None) -> None:
    """Check one answer as it is entered (``None`` means not answered, which is allowed).

    Args:
        definition: the questionnaire.
        code: the item's code.
        value: the answer's value.

    Raises:
        ValidationError: ``questionnaire.unknown_item`` or
            ``questionnaire.answer_out_of_range`` (``field`` is the item code).
    """
    item = definition.item(code)
    if value is not None and not item.accepts(value):
        raise _out_of_range(code, value)


def check_answers(definition: QuestionnaireDefinition, answers: Mapping[str, int | None]) -> None:
    """Check a whole answer set: unknown codes first (sorted), then items in order.

    Raises:
        ValidationError: as :func:`check_answer`, for the first problem found.
    """
    for code in sorted(set(answers) - {item.code for item in definition.items}):
        definition.item(code)
    for item in definition.items:
        if item.code in answers:
            check_answer(definition, item.code, answers[item.code])


def group_for(
    definition: QuestionnaireDefinition, total: int, subscales: Mapping[str, int]
) -> str | None:
    """The id of the group a (total, subscales) outcome falls in, or ``None`` if none is defined."""
    for group in definition.groups:
        if group.matches(total, subscales):
            return group.id
    return None


def score(
    definition: QuestionnaireDefinition, answers: Mapping[str, int | None]
) -> QuestionnaireResult:
    """Score a set of answers.

    Args:
        definition: the questionnaire.
        answers: item code to answer value; a missing key or ``None`` is unanswered.

    Returns:
        The result; incomplete (no total, subscales or group) when any scored item is
        unanswered. Unanswered unscored items never make a result incomplete.

    Raises:
        ValidationError: ``questionnaire.unknown_item`` or ``questionnaire.answer_out_of_range``.
    """
    check_answers(definition, answers)
    given = {code: value for code, value in answers.items() if value is not None}
    unscored = MappingProxyType(
        {
            item.code: given[item.code]
            for item in definition.items
            if not item.scored and item.code in given
        }
    )
    missing = tuple(item.code for item in definition.scored_items if item.code not in given)
    if missing:
        return QuestionnaireResult(
            questionnaire_id=definition.id,
            version=definition.version,
            complete=False,
            total=None,
            missing_items=missing,
            unscored=unscored,
        )
    points = {item.code: item.points(given[item.code]) for item in definition.scored_items}
    total = sum(points.values())
    subscales = {s.id: sum(points[code] for code in s.items) for s in definition.subscales}
    return QuestionnaireResult(
        questionnaire_id=definition.id,
        version=definition.version,
        complete=True,
        total=total,
        subscales=MappingProxyType(subscales),
        group=group_for(definition, total, subscales),
        unscored=unscored,
    )


def change_is_important(
    baseline: QuestionnaireResult,
    follow_up: QuestionnaireResult,
    definition: QuestionnaireDefinition,
) -> ImportantChange | None:
    """Tell whether the change from baseline to follow-up reaches the minimal important change.

    A change equal to the minimal important change counts as important.

    Args:
        baseline: the earlier complete result.
        follow_up: the later complete result.
        definition: the questionnaire both results belong to.

    Returns:
        :attr:`ImportantChange.IMPROVED` or :attr:`ImportantChange.WORSENED` (in the
        definition's direction) when the change is important, otherwise ``None``.

    Raises:
        ClinicError: ``questionnaire.no_minimal_important_change`` when the definition cites none.
        ValidationError: ``questionnaire.wrong_questionnaire`` for a result of another
            questionnaire; ``questionnaire.incomplete`` for a result without a total.
    """
    mic = definition.minimal_important_change
    if mic is None:
        raise ClinicError("questionnaire.no_minimal_important_change", questionnaire=definition.id)
    totals: list[int] = []
    for result in (baseline, follow_up):
        if result.questionnaire_id != definition.id:
            raise ValidationError(
                "questionnaire.wrong_questionnaire",
                questionnaire=definition.id,
                given=result.questionnaire_id,
            )
        if result.total is None:
            raise ValidationError("questionnaire.incomplete", questionnaire=definition.id)
        totals.append(result.total)
    gain = totals[1] - totals[0] if definition.higher_is_better else totals[0] - totals[1]
    if gain >= mic.value:
        return ImportantChange.IMPROVED
    if -gain >= mic.value:
        return ImportantChange.WORSENED
    return None
