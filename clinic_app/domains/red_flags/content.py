"""Red-flag screens from resources/red_flags: loaded, checked, and offered by body region.

Questions several screens ask (bladder change, diabetes, injecting drugs, new neurology...)
are worded once in ``shared_questions.json`` and named by code from each screen, so one
screening asks them once (see :func:`screening_for`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, TypeVar

from clinic_app.domains.red_flags.rules import (
    AGE,
    ANY_REGION,
    BODY_REGIONS,
    AppliesWhen,
    ComposedScreening,
    Deadline,
    Derivation,
    HardStop,
    Outcome,
    Question,
    RecordedAction,
    RedFlagScreen,
    Rule,
    RuleAction,
    SafetyNetCard,
    compose_screening,
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
    "polymyalgia_rheumatica",
    "inflammatory_arthritis",
    "axial_spondyloarthritis",
    "abdominal_aortic_aneurysm",
)

#: The file wording every question that more than one screen asks.
SHARED_QUESTIONS_FILE = "shared_questions.json"

#: In a derivation entry: a statement that decides who is offered the screen, or one read
#: and deliberately not encoded (its entry says why).
_DERIVATION_TARGETS = frozenset({"applies_when", "not_encoded"})

#: Oldest age accepted in a definition: catches a typing slip, not a clinical number.
_MAX_AGE = 130
_CODE = re.compile(r"[a-z][a-z0-9_]*")
_TOP_TEXT = ("id", "title", "version", "source", "licence")
_TOP_KEYS = frozenset({*_TOP_TEXT, "applies_when", "questions", "rules", "derivation"})
_TOP_OPTIONAL = frozenset({"notes", "safety_net_card"})
_APPLIES_KEYS = frozenset({"regions", "min_age"})
_QUESTION_KEYS = frozenset({"code", "text"})
_RULE_KEYS = frozenset({"id", "if_any_yes", "outcome", "actions"})
_GROUP_KEYS = ("if_any_yes", "and_any_yes", "and_also_any_yes")
_RULE_OPTIONAL = frozenset(
    {*_GROUP_KEYS[1:], "min_age", "resolve_with", "hard_stops", "superseded_by", "at_least"}
)
_AT_LEAST_KEYS = frozenset({"count", "of"})
_DERIVATION_KEYS = frozenset({"statement", "gives"})
_SHARED_TOP_KEYS = frozenset({"version", "source", "licence", "questions"})
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


def _own_question(reader: _Reader, entry: object, index: int) -> Question:
    data = reader.keys(entry, _QUESTION_KEYS, frozenset({"help"}))
    code = data["code"]
    if not isinstance(code, str) or not _CODE.fullmatch(code) or code == AGE:
        raise reader.invalid("bad_question_code", index=index)
    text = reader.text(data, "text", question=code)
    help_text = reader.text(data, "help", question=code) if "help" in data else ""
    return Question(code, text, help_text)


def _questions(
    reader: _Reader, raw: object, shared: Mapping[str, Question]
) -> tuple[Question, ...]:
    """A screen's questions: its own (code and wording) or shared ones named by code."""
    if not isinstance(raw, list) or not raw:
        raise reader.invalid("no_questions")
    questions: list[Question] = []
    for index, entry in enumerate(raw):
        if isinstance(entry, dict) and "shared" in entry:
            reader.keys(entry, frozenset({"shared"}), frozenset())
            code = entry["shared"]
            if not isinstance(code, str) or code not in shared:
                raise reader.invalid("unknown_shared_question", question=str(code))
            question = shared[code]
        else:
            question = _own_question(reader, entry, index)
            if question.code in shared:
                raise reader.invalid("shadows_shared_question", question=question.code)
        if question.code in {known.code for known in questions}:
            raise reader.invalid("duplicate_question", duplicate=question.code)
        questions.append(question)
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


def _at_least(
    reader: _Reader, raw: object, rule_id: str, known: set[str]
) -> tuple[int, tuple[str, ...]]:
    data = reader.keys(raw, _AT_LEAST_KEYS, frozenset())
    counted = reader.codes(data["of"], rule=rule_id, key="at_least.of")
    count = data["count"]
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= len(counted):
        raise reader.invalid("bad_count", rule=rule_id)
    for code in counted:
        if code not in known:
            raise reader.invalid("unknown_question", rule=rule_id, question=code)
    return count, counted


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
        at_least=_at_least(reader, data["at_least"], rule_id, known)
        if "at_least" in data
        else None,
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


def _derivation(reader: _Reader, raw: object, rules: tuple[Rule, ...]) -> tuple[Derivation, ...]:
    """Which statement of the source gives which rule; every rule must be derived."""
    if not isinstance(raw, list) or not raw:
        raise reader.invalid("no_derivation")
    rule_ids = {rule.rule_id for rule in rules}
    entries: list[Derivation] = []
    for entry in raw:
        data = reader.keys(entry, _DERIVATION_KEYS, frozenset())
        statement = reader.text(data, "statement", where="derivation")
        gives = reader.text(data, "gives", where="derivation")
        if gives not in rule_ids | _DERIVATION_TARGETS:
            raise reader.invalid("unknown_derivation_target", gives=gives)
        entries.append(Derivation(statement, gives))
    underived = [rule.rule_id for rule in rules if rule.rule_id not in {e.gives for e in entries}]
    if underived:
        raise reader.invalid("rule_not_derived", rule=underived[0])
    return tuple(entries)


def parse_shared_questions(
    data: object, *, file: str = SHARED_QUESTIONS_FILE
) -> dict[str, Question]:
    """Check the shared-question document and return its questions by code.

    Raises:
        ClinicError: ``content.invalid`` (params ``file``, ``reason``) for a missing
            ``source``/``licence``/``version``, a badly formed or duplicated question.
    """
    reader = _Reader(file)
    top = reader.keys(data, _SHARED_TOP_KEYS, frozenset())
    for key in ("version", "source", "licence"):
        reader.text(top, key)
    raw = top["questions"]
    if not isinstance(raw, list) or not raw:
        raise reader.invalid("no_questions")
    questions: dict[str, Question] = {}
    for index, entry in enumerate(raw):
        question = _own_question(reader, entry, index)
        if question.code in questions:
            raise reader.invalid("duplicate_question", duplicate=question.code)
        questions[question.code] = question
    return questions


def _decoded(path: Traversable) -> object:
    reader = _Reader(path.name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise reader.invalid("missing") from error
    except UnicodeDecodeError as error:
        raise reader.invalid("not_utf8") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise reader.invalid("not_json", line=error.lineno) from error


def _folder() -> Traversable:
    return resources.files("resources") / "red_flags"


@cache
def shared_questions() -> Mapping[str, Question]:
    """The shipped shared questions by code (each worded once for every screen).

    Raises:
        ClinicError: ``content.invalid`` when the file is missing or malformed.
    """
    return parse_shared_questions(_decoded(_folder() / SHARED_QUESTIONS_FILE))


def parse_screen(
    data: object,
    *,
    file: str,
    expected_id: str | None = None,
    shared: Mapping[str, Question] | None = None,
) -> RedFlagScreen:
    """Check the shape of a decoded screen document and build the screen.

    Args:
        data: the decoded JSON document.
        file: the file name to report in errors.
        expected_id: the id the document must carry (its file name), if known.
        shared: the shared questions a ``{"shared": code}`` entry may name; the shipped
            ones when not given.

    Returns:
        The validated screen.

    Raises:
        ClinicError: ``content.invalid`` with params ``file`` and ``reason`` (plus
            ``key``, ``rule``, ``question`` and the like where they help): for example
            ``missing_text`` (a missing ``source`` or ``licence``), ``unknown_question``
            (a rule naming a question the screen does not ask), ``unknown_outcome``,
            ``unknown_deadline``, ``resolution_required`` (an emergency rule that names no
            recorded action), ``unused_question``, ``unknown_shared_question``,
            ``shadows_shared_question`` (an own question reusing a shared code),
            ``no_derivation``, ``rule_not_derived`` or ``unknown_derivation_target``.
    """
    reader = _Reader(file)
    top = reader.keys(data, _TOP_KEYS, _TOP_OPTIONAL)
    screen_id, title, version, source, licence = (reader.text(top, key) for key in _TOP_TEXT)
    if expected_id is not None and screen_id != expected_id:
        raise reader.invalid("id_mismatch", expected=expected_id, found=screen_id)
    card = _card(reader, top["safety_net_card"]) if "safety_net_card" in top else None
    known_shared = shared_questions() if shared is None else shared
    questions = _questions(reader, top["questions"], known_shared)
    rules = _rules(reader, top["rules"], questions, card is not None)
    derivation = _derivation(reader, top["derivation"], rules)
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
        derivation=derivation,
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
    return parse_screen(_decoded(path), file=name, expected_id=name.removesuffix(".json"))


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
    return load_screen(_folder() / f"{screen_id}.json")


def screens_for(regions: Iterable[str], age: int | None = None) -> tuple[RedFlagScreen, ...]:
    """The screens to offer for a complaint, in :data:`ALL_SCREENS` order; never empty.

    This is the one place that decides which screens a complaint is offered. A screen is
    offered when one of its ``applies_when`` regions is picked, and whatever the regions
    when it names ``any``: today suspected fracture and suspected cancer, whose red flags
    (an injury, an unexplained fracture, persistent bone pain, an enlarging lump) are not
    tied to a body part. With no region picked those region-free screens are the default
    offer; asking the clinician to pick regions so the regional ones follow is the UI's
    part.

    Args:
        regions: body region codes from
            :data:`~clinic_app.domains.red_flags.rules.BODY_REGIONS` (possibly none).
        age: the patient's age in whole years; when unknown, no screen is left out for
            age (its rules then report that they need the age).

    Returns:
        The screens offered, at least one.

    Raises:
        ValidationError: ``red_flags.unknown_region`` (field ``regions``) for a code not
            in ``BODY_REGIONS``; ``red_flags.bad_age`` (field ``age``) for a negative age.
        ClinicError: ``content.invalid`` (reason ``no_default_screen``) when the shipped
            content leaves nothing to offer.
    """
    wanted = frozenset(regions)
    unknown = sorted(wanted - BODY_REGIONS)
    if unknown:
        raise ValidationError("red_flags.unknown_region", field="regions", region=unknown[0])
    if age is not None and age < 0:
        raise ValidationError("red_flags.bad_age", field="age", age=age)
    screens = (red_flag_screen(screen_id) for screen_id in ALL_SCREENS)
    offered = tuple(screen for screen in screens if screen.applies_when.offered_for(wanted, age))
    if not offered:
        raise ClinicError("content.invalid", file="red_flags", reason="no_default_screen")
    return offered


def screening_for(regions: Iterable[str], age: int | None = None) -> ComposedScreening:
    """One screening for a complaint: the offered screens, each shared question asked once.

    Args:
        regions: as :func:`screens_for`.
        age: as :func:`screens_for`.

    Returns:
        The composed screening; evaluate it with
        :func:`~clinic_app.domains.red_flags.rules.evaluate_screening`.

    Raises:
        ValidationError: as :func:`screens_for`.
    """
    return compose_screening(screens_for(regions, age))
