"""Red-flag screens from resources/red_flags: loaded, checked, and offered by body region."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, TypeVar

from clinic_app.domains.red_flags.rules import (
    AGE,
    ANY_REGION,
    BODY_REGIONS,
    AppliesWhen,
    Deadline,
    HardStop,
    Outcome,
    Question,
    RecordedAction,
    RedFlagScreen,
    Rule,
    RuleAction,
    SafetyNetCard,
    severity,
)
from clinic_app.kernel.errors import ClinicError, NotFound, ValidationError

ALL_SCREENS: tuple[str, ...] = (
    "cauda_equina",
    "mscc",
    "spinal_infection",
    "septic_arthritis",
    "giant_cell_arteritis",
    "unstable_fracture",
    "suspected_cancer_2ww",
)

#: Oldest age accepted in a definition: catches a typing slip, not a clinical number.
_MAX_AGE = 130
_CODE = re.compile(r"[a-z][a-z0-9_]*")
_TOP_TEXT = ("id", "title", "version", "source", "licence")
_TOP_KEYS = frozenset({*_TOP_TEXT, "applies_when", "questions", "rules"})
_TOP_OPTIONAL = frozenset({"notes", "safety_net_card"})
_APPLIES_KEYS = frozenset({"regions", "min_age"})
_QUESTION_KEYS = frozenset({"code", "text"})
_RULE_KEYS = frozenset({"id", "if_any_yes", "outcome", "actions"})
_GROUP_KEYS = ("if_any_yes", "and_any_yes", "and_also_any_yes")
_RULE_OPTIONAL = frozenset(
    {*_GROUP_KEYS[1:], "min_age", "resolve_with", "hard_stops", "superseded_by"}
)
_ACTION_KEYS = frozenset({"text", "deadline"})
_CARD_KEYS = frozenset({"title", "intro", "warning_signs", "what_to_do"})
_PRINTS_CARD = "safety_net_card"

_Choice = TypeVar("_Choice", Outcome, Deadline, RecordedAction, HardStop)


class _Reader:
    """Reads one decoded document, raising ``content.invalid`` naming the file."""

    def __init__(self, file: str) -> None:
        self.file = file

    def invalid(self, reason: str, **params: Any) -> ClinicError:
        return ClinicError("content.invalid", file=self.file, reason=reason, **params)

    def keys(
        self, data: object, required: frozenset[str], optional: frozenset[str]
    ) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.invalid("not_an_object")
        missing, unknown = required - set(data), set(data) - required - optional
        if missing:
            raise self.invalid("missing_keys", keys=sorted(missing))
        if unknown:
            raise self.invalid("unknown_keys", keys=sorted(unknown))
        return data

    def text(self, data: dict[str, Any], key: str, **where: Any) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.invalid("missing_text", key=key, **where)
        return value

    def texts(self, data: dict[str, Any], key: str) -> tuple[str, ...]:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            raise self.invalid("missing_text", key=key)
        if not all(isinstance(item, str) and item.strip() for item in value):
            raise self.invalid("missing_text", key=key)
        return tuple(value)

    def codes(self, value: object, **where: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.invalid("bad_list", **where)
        if not all(isinstance(item, str) and _CODE.fullmatch(item) for item in value):
            raise self.invalid("bad_code", **where)
        if len(set(value)) != len(value):
            raise self.invalid("duplicate_code", **where)
        return tuple(value)

    def choices(
        self, kind: type[_Choice], value: object, reason: str, **where: Any
    ) -> frozenset[_Choice]:
        if not isinstance(value, list):
            raise self.invalid("bad_list", **where)
        return frozenset(self.choice(kind, item, reason, **where) for item in value)

    def age(self, value: object, **where: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_AGE:
            raise self.invalid("bad_age", **where)
        return value

    def choice(self, kind: type[_Choice], value: object, reason: str, **where: Any) -> _Choice:
        if not isinstance(value, str):
            raise self.invalid(reason, value=repr(value), **where)
        try:
            return kind(value)
        except ValueError as error:
            raise self.invalid(reason, value=str(value), **where) from error


def _applies_when(reader: _Reader, raw: object) -> AppliesWhen:
    data = reader.keys(raw, frozenset({"regions"}), _APPLIES_KEYS)
    regions = reader.codes(data["regions"], key="applies_when.regions")
    unknown = sorted(set(regions) - BODY_REGIONS - {ANY_REGION})
    if unknown:
        raise reader.invalid("unknown_region", region=unknown[0])
    return AppliesWhen(frozenset(regions), reader.age(data.get("min_age"), key="min_age"))


def _questions(reader: _Reader, raw: object) -> tuple[Question, ...]:
    if not isinstance(raw, list) or not raw:
        raise reader.invalid("no_questions")
    questions: list[Question] = []
    for index, entry in enumerate(raw):
        data = reader.keys(entry, _QUESTION_KEYS, frozenset({"help"}))
        code = data["code"]
        if not isinstance(code, str) or not _CODE.fullmatch(code) or code == AGE:
            raise reader.invalid("bad_question_code", index=index)
        if code in {question.code for question in questions}:
            raise reader.invalid("duplicate_question", duplicate=code)
        text = reader.text(data, "text", question=code)
        help_text = reader.text(data, "help", question=code) if "help" in data else ""
        questions.append(Question(code, text, help_text))
    return tuple(questions)


def _action(reader: _Reader, raw: object, rule_id: str, has_card: bool) -> RuleAction:
    data = reader.keys(raw, _ACTION_KEYS, frozenset({"note", "prints"}))
    text = reader.text(data, "text", rule=rule_id)
    deadline = reader.choice(Deadline, data["deadline"], "unknown_deadline", rule=rule_id)
    note = reader.text(data, "note", rule=rule_id) if "note" in data else ""
    if deadline is Deadline.SERVICE_TO_SET and not note:
        raise reader.invalid("note_required", rule=rule_id)
    prints = data.get("prints")
    if prints is not None and (prints != _PRINTS_CARD or not has_card):
        raise reader.invalid("bad_prints", rule=rule_id)
    return RuleAction(text, deadline, note, prints_safety_net_card=prints is not None)


def _groups(
    reader: _Reader, data: dict[str, Any], rule_id: str, known: set[str]
) -> tuple[tuple[str, ...], ...]:
    groups = tuple(
        reader.codes(data[key], rule=rule_id, key=key) for key in _GROUP_KEYS if key in data
    )
    for group in groups:
        for code in group:
            if code not in known:
                raise reader.invalid("unknown_question", rule=rule_id, question=code)
    return groups


def _rule(reader: _Reader, raw: object, known: set[str], has_card: bool) -> Rule:
    data = reader.keys(raw, _RULE_KEYS, _RULE_OPTIONAL)
    rule_id = data["id"]
    if not isinstance(rule_id, str) or not _CODE.fullmatch(rule_id):
        raise reader.invalid("bad_rule_id", rule=str(rule_id))
    outcome = reader.choice(Outcome, data["outcome"], "unknown_outcome", rule=rule_id)
    actions = data["actions"]
    if not isinstance(actions, list) or not actions:
        raise reader.invalid("no_actions", rule=rule_id)
    resolve = reader.choices(
        RecordedAction, data.get("resolve_with", []), "unknown_resolution", rule=rule_id
    )
    if RecordedAction.CLINICIAN_OVERRIDE in resolve:
        raise reader.invalid("override_always_allowed", rule=rule_id)
    if outcome is Outcome.EMERGENCY and not resolve:
        raise reader.invalid("resolution_required", rule=rule_id)
    return Rule(
        rule_id=rule_id,
        groups=_groups(reader, data, rule_id, known),
        outcome=outcome,
        actions=tuple(_action(reader, item, rule_id, has_card) for item in actions),
        min_age=reader.age(data.get("min_age"), rule=rule_id),
        resolve_with=resolve,
        hard_stops=reader.choices(
            HardStop, data.get("hard_stops", []), "unknown_hard_stop", rule=rule_id
        ),
        superseded_by=reader.codes(data["superseded_by"], rule=rule_id, key="superseded_by")
        if "superseded_by" in data
        else (),
    )


def _check_supersession(reader: _Reader, rules: tuple[Rule, ...]) -> None:
    """A rule is superseded only by an earlier, at least as serious rule: no cycles."""
    earlier: dict[str, Rule] = {}
    for rule in rules:
        for other_id in rule.superseded_by:
            other = earlier.get(other_id)
            if other is None or severity(other.outcome) < severity(rule.outcome):
                raise reader.invalid("bad_superseded_by", rule=rule.rule_id, by=other_id)
        earlier[rule.rule_id] = rule


def _rules(
    reader: _Reader, raw: object, questions: tuple[Question, ...], has_card: bool
) -> tuple[Rule, ...]:
    if not isinstance(raw, list) or not raw:
        raise reader.invalid("no_rules")
    known = {question.code for question in questions}
    rules = tuple(_rule(reader, entry, known, has_card) for entry in raw)
    ids = [rule.rule_id for rule in rules]
    duplicates = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
    if duplicates:
        raise reader.invalid("duplicate_rule", duplicate=duplicates[0])
    _check_supersession(reader, rules)
    used = set().union(*(rule.question_codes for rule in rules))
    unused = [question.code for question in questions if question.code not in used]
    if unused:
        raise reader.invalid("unused_question", question=unused[0])
    return rules


def _card(reader: _Reader, raw: object) -> SafetyNetCard:
    data = reader.keys(raw, _CARD_KEYS, frozenset())
    return SafetyNetCard(
        title=reader.text(data, "title"),
        intro=reader.text(data, "intro"),
        warning_signs=reader.texts(data, "warning_signs"),
        what_to_do=reader.texts(data, "what_to_do"),
    )


def parse_screen(data: object, *, file: str, expected_id: str | None = None) -> RedFlagScreen:
    """Check the shape of a decoded screen document and build the screen.

    Args:
        data: the decoded JSON document.
        file: the file name to report in errors.
        expected_id: the id the document must carry (its file name), if known.

    Returns:
        The validated screen.

    Raises:
        ClinicError: ``content.invalid`` with params ``file`` and ``reason`` (plus
            ``key``, ``rule``, ``question`` and the like where they help): for example
            ``missing_text`` (a missing ``source`` or ``licence``), ``unknown_question``
            (a rule naming a question the screen does not ask), ``unknown_outcome``,
            ``unknown_deadline``, ``resolution_required`` (an emergency rule that names no
            recorded action) or ``unused_question``.
    """
    reader = _Reader(file)
    top = reader.keys(data, _TOP_KEYS, _TOP_OPTIONAL)
    screen_id, title, version, source, licence = (reader.text(top, key) for key in _TOP_TEXT)
    if expected_id is not None and screen_id != expected_id:
        raise reader.invalid("id_mismatch", expected=expected_id, found=screen_id)
    card = _card(reader, top["safety_net_card"]) if "safety_net_card" in top else None
    questions = _questions(reader, top["questions"])
    rules = _rules(reader, top["rules"], questions, card is not None)
    if card is not None and not any(
        action.prints_safety_net_card for rule in rules for action in rule.actions
    ):
        raise reader.invalid("card_never_printed")
    return RedFlagScreen(
        screen_id=screen_id,
        title=title,
        version=version,
        source=source,
        licence=licence,
        applies_when=_applies_when(reader, top["applies_when"]),
        questions=questions,
        rules=rules,
        safety_net_card=card,
        notes=reader.text(top, "notes") if "notes" in top else "",
    )


def load_screen(path: Traversable) -> RedFlagScreen:
    """Read, decode and validate one screen file; its id must match its file name.

    Args:
        path: the ``.json`` file (a packaged resource or a file on disk).

    Returns:
        The validated screen.

    Raises:
        ClinicError: ``content.invalid`` (params ``file``, ``reason``) when the file is
            missing, not UTF-8 JSON, or has the wrong shape (see :func:`parse_screen`).
    """
    name = path.name
    reader = _Reader(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise reader.invalid("missing") from error
    except UnicodeDecodeError as error:
        raise reader.invalid("not_utf8") from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise reader.invalid("not_json", line=error.lineno) from error
    return parse_screen(data, file=name, expected_id=name.removesuffix(".json"))


@cache
def red_flag_screen(screen_id: str) -> RedFlagScreen:
    """Load one screen shipped with the app (cached after the first call).

    Args:
        screen_id: one of :data:`ALL_SCREENS`.

    Returns:
        The validated screen.

    Raises:
        NotFound: ``content.unknown_screen`` (param ``screen``) for an id not in
            :data:`ALL_SCREENS`.
        ClinicError: ``content.invalid`` when the file is missing or malformed.
    """
    if screen_id not in ALL_SCREENS:
        raise NotFound("content.unknown_screen", screen=screen_id)
    return load_screen(resources.files("resources") / "red_flags" / f"{screen_id}.json")


def screens_for(regions: Iterable[str], age: int | None) -> tuple[RedFlagScreen, ...]:
    """The screens to offer for a complaint, in :data:`ALL_SCREENS` order.

    Args:
        regions: body region codes from
            :data:`~clinic_app.domains.red_flags.rules.BODY_REGIONS`.
        age: the patient's age in whole years; when unknown, no screen is left out for
            age (its rules then report that they need the age).

    Returns:
        The screens offered.

    Raises:
        ValidationError: ``red_flags.unknown_region`` (field ``regions``) for a code not
            in ``BODY_REGIONS``; ``red_flags.bad_age`` (field ``age``) for a negative age.
    """
    wanted = frozenset(regions)
    unknown = sorted(wanted - BODY_REGIONS)
    if unknown:
        raise ValidationError("red_flags.unknown_region", field="regions", region=unknown[0])
    if age is not None and age < 0:
        raise ValidationError("red_flags.bad_age", field="age", age=age)
    screens = (red_flag_screen(screen_id) for screen_id in ALL_SCREENS)
    return tuple(screen for screen in screens if screen.applies_when.offered_for(wanted, age))
