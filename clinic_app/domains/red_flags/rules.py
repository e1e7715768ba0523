"""Red-flag screens: recorded answers in, an outcome and the actions it requires out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict

from clinic_app.kernel.errors import ValidationError

#: Shortest reason, in characters, accepted for a clinician override. A local setting, not
#: a national rule: a service may ask for more. Runs of spaces count as one character and
#: surrounding spaces not at all.
OVERRIDE_REASON_MIN_LENGTH = 20

#: Marker in :attr:`RuleResult.waiting_on` for a rule that needs the patient's age.
AGE = "age"

#: Body regions a caller names when asking which screens to offer. ``shoulder`` and ``hip``
#: are also joints (a caller names ``any_joint`` with them); they are named on their own
#: because the girdle conditions (polymyalgia, giant cell arteritis) belong to them and not
#: to every joint.
BODY_REGIONS: frozenset[str] = frozenset(
    {
        "head",
        "cervical_spine",
        "thoracic_spine",
        "lumbar_spine",
        "leg",
        "any_joint",
        "shoulder",
        "hip",
    }
)

#: In a screen's ``applies_when``: offer the screen whatever the region.
ANY_REGION = "any"


class Answer(StrEnum):
    """A recorded answer. NOT_ASKED means not known: it never counts as no."""

    YES = "yes"
    NO = "no"
    NOT_ASKED = "not_asked"


class Outcome(StrEnum):
    """What a rule concludes when its conditions are met."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE_WATCH = "routine_watch"


_SEVERITY = {Outcome.ROUTINE_WATCH: 1, Outcome.URGENT: 2, Outcome.EMERGENCY: 3}


def severity(outcome: Outcome) -> int:
    """Rank an outcome: higher is more serious."""
    return _SEVERITY[outcome]


class Level(StrEnum):
    """The overall result of a screen.

    INCOMPLETE means a rule more serious than anything found so far can be neither
    confirmed nor ruled out because a question (or the age) is not known.
    """

    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE_WATCH = "routine_watch"
    INCOMPLETE = "incomplete"
    CLEAR = "clear"


class Deadline(StrEnum):
    """How soon an action is due, as a category; listed from most to least pressing.

    SERVICE_TO_SET marks a timing the cited source does not settle: the service sets it.
    """

    IMMEDIATE = "immediate"
    SAME_DAY = "same_day"
    WITHIN_24_HOURS = "within_24_hours"
    THIS_VISIT = "this_visit"
    TWO_WEEK_WAIT = "two_week_wait"
    URGENT_IMAGING = "urgent_imaging"
    SERVICE_TO_SET = "service_to_set"


_DEADLINE_RANK = {deadline: rank for rank, deadline in enumerate(Deadline)}


class RecordedAction(StrEnum):
    """What a clinician records to resolve a positive screen."""

    SAME_DAY_EMERGENCY_DEPARTMENT = "same_day_emergency_department"
    EMERGENCY_REFERRAL = "emergency_referral"
    TWO_WEEK_WAIT_REFERRAL = "two_week_wait_referral"
    CLINICIAN_OVERRIDE = "clinician_override"


class HardStop(StrEnum):
    """Something that must not be done while a rule is positive."""

    STEROID_INJECTION = "steroid_injection"


class RuleStatus(StrEnum):
    """Where one rule stands after the answers are applied.

    SUPERSEDED: met, but a more serious rule that covers it was met too, so its actions
    are left to that rule.
    """

    FIRED = "fired"
    NOT_MET = "not_met"
    OPEN = "open"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class Question:
    """One screening question, in plain words, with optional help for the clinician."""

    code: str
    text: str
    help: str = ""


@dataclass(frozen=True)
class RuleAction:
    """One thing to do when a rule fires.

    Attributes:
        text: what to do, in plain words.
        deadline: how soon.
        note: why a deadline is left to the service, or other context ("" if none).
        prints_safety_net_card: the screen's safety-net card is to be printed and given.
    """

    text: str
    deadline: Deadline
    note: str = ""
    prints_safety_net_card: bool = False


@dataclass(frozen=True)
class Rule:
    """Answers combined into an outcome.

    The rule is met when, in every group of ``groups``, at least one question is answered
    yes, when (if ``at_least`` is set) at least that many of its questions are answered
    yes, and (when ``min_age`` is set) the patient is at least that age.

    Attributes:
        rule_id: unique within the screen.
        groups: question codes; any yes within a group, all groups together.
        outcome: what the rule concludes.
        actions: what to do when it fires.
        min_age: age in whole years at or above which the rule can fire, if any.
        resolve_with: recorded actions that resolve it; empty when it needs none.
        hard_stops: what must not be done while it is positive.
        superseded_by: rules whose being met makes this one's actions unnecessary.
        at_least: a count and the questions it counts (a guideline's "n or more of"), if any.
    """

    rule_id: str
    groups: tuple[tuple[str, ...], ...]
    outcome: Outcome
    actions: tuple[RuleAction, ...]
    min_age: int | None = None
    resolve_with: frozenset[RecordedAction] = frozenset()
    hard_stops: frozenset[HardStop] = frozenset()
    superseded_by: tuple[str, ...] = ()
    at_least: tuple[int, tuple[str, ...]] | None = None

    @property
    def question_codes(self) -> frozenset[str]:
        """Every question the rule reads."""
        counted = self.at_least[1] if self.at_least is not None else ()
        return frozenset(code for group in (*self.groups, counted) for code in group)


@dataclass(frozen=True)
class AppliesWhen:
    """When a screen is offered: one of these body regions, at or above an age."""

    regions: frozenset[str]
    min_age: int | None = None

    def offered_for(self, regions: frozenset[str], age: int | None) -> bool:
        """Tell whether the screen is offered for these regions and age.

        An unknown age never hides a screen: its rules then report what they still need.
        """
        if ANY_REGION not in self.regions and not self.regions & regions:
            return False
        return self.min_age is None or age is None or age >= self.min_age


@dataclass(frozen=True)
class SafetyNetCard:
    """A printed card for the patient: what to look out for and whom to call."""

    title: str
    intro: str
    warning_signs: tuple[str, ...]
    what_to_do: tuple[str, ...]


@dataclass(frozen=True)
class Derivation:
    """One statement of the source and what it gives in the screen.

    ``gives`` is a rule id of the screen, ``applies_when`` (who is offered the screen), or
    ``not_encoded`` (a statement read and deliberately left out, with the reason).
    """

    statement: str
    gives: str


@dataclass(frozen=True)
class RedFlagScreen:
    """A validated screen definition with its provenance and how it was derived."""

    screen_id: str
    title: str
    version: str
    source: str
    licence: str
    applies_when: AppliesWhen
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    safety_net_card: SafetyNetCard | None = None
    notes: str = ""
    derivation: tuple[Derivation, ...] = ()

    @property
    def question_codes(self) -> tuple[str, ...]:
        """Question codes in the order they are asked."""
        return tuple(question.code for question in self.questions)


@dataclass(frozen=True)
class RequiredAction:
    """An action a fired rule asks for, named by screen and rule."""

    screen_id: str
    rule_id: str
    outcome: Outcome
    text: str
    deadline: Deadline
    note: str = ""
    prints_safety_net_card: bool = False


@dataclass(frozen=True)
class RuleResult:
    """One rule's status; ``waiting_on`` lists what leaves an open rule undecided."""

    rule_id: str
    outcome: Outcome
    status: RuleStatus
    waiting_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScreenResult:
    """The outcome of one screen.

    Attributes:
        screen_id: the screen evaluated.
        level: the overall result (see :class:`Level`).
        rules: every rule's status, in the screen's order.
        actions: what the fired rules ask for.
        unanswered: question codes recorded as not asked, in the screen's order.
        hard_stops: what must not be done.
        needs_resolution: a fired rule needs a recorded action or a reasoned override.
        accepted_actions: recorded actions (besides an override) that resolve it.
        safety_net_card: the card to print and give, when an action asks for it.
    """

    screen_id: str
    level: Level
    rules: tuple[RuleResult, ...]
    actions: tuple[RequiredAction, ...]
    unanswered: tuple[str, ...]
    hard_stops: frozenset[HardStop]
    needs_resolution: bool
    accepted_actions: frozenset[RecordedAction]
    safety_net_card: SafetyNetCard | None = None

    @property
    def fired(self) -> tuple[str, ...]:
        """Ids of the rules that fired."""
        return tuple(rule.rule_id for rule in self.rules if rule.status is RuleStatus.FIRED)

    @property
    def open_rules(self) -> tuple[str, ...]:
        """Ids of the rules not yet screened: they can be neither confirmed nor ruled out."""
        return tuple(rule.rule_id for rule in self.rules if rule.status is RuleStatus.OPEN)

    @property
    def complete(self) -> bool:
        """Every rule is decided."""
        return not self.open_rules


def _recorded_answers(screen: RedFlagScreen, answers: Mapping[str, Answer]) -> dict[str, Answer]:
    unknown = sorted(set(answers) - set(screen.question_codes))
    if unknown:
        raise ValidationError(
            "red_flags.unknown_question", field=unknown[0], screen=screen.screen_id
        )
    recorded: dict[str, Answer] = {}
    for code in screen.question_codes:
        value = answers.get(code, Answer.NOT_ASKED)
        try:
            recorded[code] = Answer(value)
        except ValueError as error:
            raise ValidationError("red_flags.bad_answer", field=code) from error
    return recorded


def _rule_truth(
    rule: Rule, answers: Mapping[str, Answer], age: int | None
) -> tuple[bool | None, tuple[str, ...]]:
    """Three-valued: True met, False not met, None undecided (with what it waits on)."""
    truths: list[bool | None] = []
    waiting: list[str] = []
    for group in rule.groups:
        values = [answers[code] for code in group]
        if Answer.YES in values:
            truths.append(True)
        elif Answer.NOT_ASKED in values:
            truths.append(None)
            waiting.extend(code for code in group if answers[code] is Answer.NOT_ASKED)
        else:
            truths.append(False)
    if rule.at_least is not None:
        needed, counted = rule.at_least
        values = [answers[code] for code in counted]
        yes, unknown = values.count(Answer.YES), values.count(Answer.NOT_ASKED)
        if yes >= needed:
            truths.append(True)
        elif yes + unknown < needed:
            truths.append(False)
        else:
            truths.append(None)
            waiting.extend(code for code in counted if answers[code] is Answer.NOT_ASKED)
    if rule.min_age is not None:
        truths.append(None if age is None else age >= rule.min_age)
        if age is None:
            waiting.append(AGE)
    if False in truths:
        return False, ()
    if None in truths:
        return None, tuple(dict.fromkeys(waiting))
    return True, ()


def _rule_results(
    screen: RedFlagScreen, answers: Mapping[str, Answer], age: int | None
) -> tuple[RuleResult, ...]:
    truths = {rule.rule_id: _rule_truth(rule, answers, age) for rule in screen.rules}
    results: list[RuleResult] = []
    for rule in screen.rules:
        met, waiting = truths[rule.rule_id]
        if met is None:
            status = RuleStatus.OPEN
        elif not met:
            status = RuleStatus.NOT_MET
        elif any(truths[other][0] is True for other in rule.superseded_by):
            status = RuleStatus.SUPERSEDED
        else:
            status = RuleStatus.FIRED
        results.append(RuleResult(rule.rule_id, rule.outcome, status, waiting))
    return tuple(results)


def _level(results: tuple[RuleResult, ...]) -> Level:
    fired = [r.outcome for r in results if r.status is RuleStatus.FIRED]
    still_open = [severity(r.outcome) for r in results if r.status is RuleStatus.OPEN]
    top = max(fired, key=severity, default=None)
    if top is Outcome.EMERGENCY:
        return Level.EMERGENCY
    if max(still_open, default=0) > (0 if top is None else severity(top)):
        return Level.INCOMPLETE
    return Level.CLEAR if top is None else Level(top.value)


def evaluate(
    screen: RedFlagScreen, answers: Mapping[str, Answer], *, age: int | None = None
) -> ScreenResult:
    """Apply recorded answers to a screen.

    A question missing from ``answers`` counts as not asked. Not asked is treated as not
    known: a rule it could still make positive stays open, so the screen is never clear
    while a flag could be hiding, and a rule already met (an emergency above all) is never
    lowered by questions left unasked.

    Args:
        screen: the screen definition.
        answers: recorded answers by question code.
        age: the patient's age in whole years, if known.

    Returns:
        The result, with every rule's status and the actions required.

    Raises:
        ValidationError: ``red_flags.unknown_question`` (field: the code) for an answer to
            a question the screen does not ask; ``red_flags.bad_answer`` for a value that
            is not an :class:`Answer`; ``red_flags.bad_age`` for a negative age.
    """
    if age is not None and age < 0:
        raise ValidationError("red_flags.bad_age", field="age", age=age)
    recorded = _recorded_answers(screen, answers)
    results = _rule_results(screen, recorded, age)
    fired = {r.rule_id for r in results if r.status is RuleStatus.FIRED}
    fired_rules = [rule for rule in screen.rules if rule.rule_id in fired]
    actions = tuple(
        RequiredAction(
            screen_id=screen.screen_id,
            rule_id=rule.rule_id,
            outcome=rule.outcome,
            text=action.text,
            deadline=action.deadline,
            note=action.note,
            prints_safety_net_card=action.prints_safety_net_card,
        )
        for rule in fired_rules
        for action in rule.actions
    )
    to_resolve = [rule.resolve_with for rule in fired_rules if rule.resolve_with]
    accepted = frozenset(RecordedAction).intersection(*to_resolve) if to_resolve else frozenset()
    prints_card = any(action.prints_safety_net_card for action in actions)
    return ScreenResult(
        screen_id=screen.screen_id,
        level=_level(results),
        rules=results,
        actions=actions,
        unanswered=tuple(code for code, value in recorded.items() if value is Answer.NOT_ASKED),
        hard_stops=frozenset(stop for rule in fired_rules for stop in rule.hard_stops),
        needs_resolution=bool(to_resolve),
        accepted_actions=accepted - {RecordedAction.CLINICIAN_OVERRIDE},
        safety_net_card=screen.safety_net_card if prints_card else None,
    )


class StoredOutcome(TypedDict):
    """What a screening row keeps of its result, as the columns of its table."""

    level: Level
    fired_rules: list[str]
    needs_action: bool
    accepted_actions: list[str]


def stored_outcome(result: ScreenResult) -> StoredOutcome:
    """The columns a screening row keeps of ``result``.

    A device stores them when it records a screening; the server works them out again from
    the pushed answers and refuses a row whose columns differ.
    """
    return StoredOutcome(
        level=result.level,
        fired_rules=list(result.fired),
        needs_action=result.needs_resolution,
        accepted_actions=sorted(action.value for action in result.accepted_actions),
    )


def stored_answers(screen: RedFlagScreen, answers: Mapping[str, str]) -> dict[str, str]:
    """A screen's answers as a row keeps them: every question, a missing one as not asked.

    Raises:
        ValueError: for a value that is not an :class:`Answer`.
    """
    return {
        code: Answer(answers.get(code, Answer.NOT_ASKED)).value for code in screen.question_codes
    }


def recorded_result(
    screen_id: str, level: Level, needs_action: bool, accepted_actions: Iterable[str]
) -> ScreenResult:
    """A result as a screening row kept it: enough to check a resolution against.

    Raises:
        ValueError: for an accepted action that is not a :class:`RecordedAction`.
    """
    return ScreenResult(
        screen_id=screen_id,
        level=level,
        rules=(),
        actions=(),
        unanswered=(),
        hard_stops=frozenset(),
        needs_resolution=needs_action,
        accepted_actions=frozenset(RecordedAction(action) for action in accepted_actions),
    )


def required_actions(results: Iterable[ScreenResult]) -> tuple[RequiredAction, ...]:
    """Every action the results ask for, most serious and most pressing first.

    Args:
        results: results of one or more screens.

    Returns:
        The actions, ordered by outcome (emergency first), then deadline, then as listed.
    """
    actions = [action for result in results for action in result.actions]
    return tuple(
        sorted(
            actions,
            key=lambda action: (-severity(action.outcome), _DEADLINE_RANK[action.deadline]),
        )
    )


def _reason_length(reason: str | None) -> int:
    return len(" ".join((reason or "").split()))


def check_resolution(
    result: ScreenResult,
    action: RecordedAction | str,
    reason: str | None = None,
    *,
    min_reason_length: int = OVERRIDE_REASON_MIN_LENGTH,
) -> None:
    """Check that a recorded action resolves a positive screen.

    An override is accepted for any positive screen when its reason is long enough; any
    other action only when every fired rule that needs resolving accepts it.

    Args:
        result: the screen result being resolved.
        action: what the clinician recorded.
        reason: the clinician's reason (required for an override, optional otherwise).
        min_reason_length: the service's minimum override reason length (at least 1).

    Raises:
        ValidationError: ``red_flags.bad_setting`` (field ``min_reason_length``);
            ``red_flags.unknown_action`` or ``red_flags.action_not_accepted`` (field
            ``action``, param ``accepted``); ``red_flags.nothing_to_resolve``;
            ``red_flags.override_reason_required`` or
            ``red_flags.override_reason_too_short`` (field ``reason``, params ``length``,
            ``min_length``).
    """
    if min_reason_length < 1:
        raise ValidationError("red_flags.bad_setting", field="min_reason_length")
    try:
        recorded = RecordedAction(action)
    except ValueError as error:
        raise ValidationError("red_flags.unknown_action", field="action") from error
    if not result.needs_resolution:
        raise ValidationError("red_flags.nothing_to_resolve", field="action")
    if recorded is RecordedAction.CLINICIAN_OVERRIDE:
        length = _reason_length(reason)
        if length == 0:
            raise ValidationError("red_flags.override_reason_required", field="reason")
        if length < min_reason_length:
            raise ValidationError(
                "red_flags.override_reason_too_short",
                field="reason",
                length=length,
                min_length=min_reason_length,
            )
        return
    if recorded not in result.accepted_actions:
        raise ValidationError(
            "red_flags.action_not_accepted",
            field="action",
            action=recorded.value,
            accepted=sorted(item.value for item in result.accepted_actions),
        )


def resolution_is_valid(
    result: ScreenResult,
    action: RecordedAction | str,
    reason: str | None = None,
    *,
    min_reason_length: int = OVERRIDE_REASON_MIN_LENGTH,
) -> bool:
    """Tell whether :func:`check_resolution` accepts the action.

    Args:
        result: the screen result being resolved.
        action: what the clinician recorded.
        reason: the clinician's reason.
        min_reason_length: the service's minimum override reason length.

    Returns:
        True when the action resolves the result.
    """
    try:
        check_resolution(result, action, reason, min_reason_length=min_reason_length)
    except ValidationError:
        return False
    return True


@dataclass(frozen=True)
class ComposedScreening:
    """Several screens asked as one: each distinct question once, in the order first met.

    Attributes:
        screens: the screens composed, in the order given.
        questions: every distinct question; a question two screens share appears once.
        asked_by: each question code to the ids of the screens that read its answer.
    """

    screens: tuple[RedFlagScreen, ...]
    questions: tuple[Question, ...]
    asked_by: Mapping[str, tuple[str, ...]]

    @property
    def question_codes(self) -> tuple[str, ...]:
        """Question codes in the order they are asked."""
        return tuple(question.code for question in self.questions)


def compose_screening(screens: Iterable[RedFlagScreen]) -> ComposedScreening:
    """Compose one screening from several screens, asking each shared question once.

    Screens refer to a shared question by its code and carry its one wording, so the same
    code means the same question everywhere.

    Args:
        screens: the screens to ask (duplicates are asked once).

    Returns:
        The composed screening.

    Raises:
        ValidationError: ``red_flags.no_screens`` when no screen is given;
            ``red_flags.question_conflict`` (field: the code) when two screens give one
            code two different wordings.
    """
    unique = tuple({screen.screen_id: screen for screen in screens}.values())
    if not unique:
        raise ValidationError("red_flags.no_screens", field="screens")
    questions: dict[str, Question] = {}
    asked_by: dict[str, list[str]] = {}
    for screen in unique:
        for question in screen.questions:
            known = questions.setdefault(question.code, question)
            if known != question:
                raise ValidationError(
                    "red_flags.question_conflict", field=question.code, screen=screen.screen_id
                )
            asked_by.setdefault(question.code, []).append(screen.screen_id)
    return ComposedScreening(
        screens=unique,
        questions=tuple(questions.values()),
        asked_by={code: tuple(ids) for code, ids in asked_by.items()},
    )


def evaluate_screening(
    screening: ComposedScreening, answers: Mapping[str, Answer], *, age: int | None = None
) -> tuple[ScreenResult, ...]:
    """Apply one set of answers to every screen of a composed screening.

    Each screen reads only its own questions from ``answers``, so one answer to a shared
    question reaches every screen that asks it.

    Args:
        screening: from :func:`compose_screening`.
        answers: recorded answers by question code (missing means not asked).
        age: the patient's age in whole years, if known.

    Returns:
        One result per screen, in the screening's order.

    Raises:
        ValidationError: ``red_flags.unknown_question`` (field: the code) for an answer to
            a question no screen asks; otherwise as :func:`evaluate`.
    """
    unknown = sorted(set(answers) - set(screening.asked_by))
    if unknown:
        raise ValidationError("red_flags.unknown_question", field=unknown[0], screen="")
    return tuple(
        evaluate(
            screen,
            {code: answers[code] for code in screen.question_codes if code in answers},
            age=age,
        )
        for screen in screening.screens
    )
