"""What a care plan's draft and its signing are checked against; pure, no store.

Every problem is a ``ValidationError`` naming its field, all gathered before any is raised so
a screen can show them together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from clinic_app.domains.care_plans.content import SafetyNets, SupportServices
from clinic_app.domains.care_plans.rules import (
    CONSENT_GIVERS,
    ITEMS_MAX,
    LINE_MAX,
    NAME_MAX,
    TEXT_MAX,
    PifuRules,
    pifu_in_range,
)
from clinic_app.domains.care_plans.views import CarePlanInput
from clinic_app.kernel.errors import FormErrors, ValidationError


def _text(value: str, field: str, limit: int = TEXT_MAX) -> str:
    text = value.strip()
    if len(text) > limit:
        raise ValidationError("text.too_long", field=field, max_length=limit)
    return text


def _line(value: str, field: str) -> str:
    return _text(" ".join(value.split()), field, LINE_MAX)


def _count(items: Sequence[object], field: str) -> None:
    if len(items) > ITEMS_MAX:
        raise ValidationError("care_plan.too_many", field=field, most=ITEMS_MAX)


def _goals(goals: Sequence[str]) -> list[str]:
    _count(goals, "goals")
    kept: list[str] = []
    for number, goal in enumerate(goals, start=1):
        words = _line(goal, "goals")
        if not words:
            raise ValidationError("care_plan.goal_empty", field="goals", number=number)
        kept.append(words)
    return kept


def _review(review_on: date | None, today: date) -> str | None:
    if review_on is None:
        return None
    if review_on < today:
        raise ValidationError("care_plan.review_in_past", field="review_on")
    return review_on.isoformat()


def _actions(data: CarePlanInput) -> list[dict[str, Any]]:
    _count(data.actions, "actions")
    kept = []
    for number, action in enumerate(data.actions, start=1):
        what = _line(action.what, "actions")
        if not what:
            raise ValidationError("care_plan.action_empty", field="actions", number=number)
        kept.append(
            {
                "what": what,
                "who": _line(action.who, "actions"),
                "by": action.by.isoformat() if action.by else None,
            }
        )
    return kept


def _conditions(data: CarePlanInput) -> list[str]:
    _count(data.conditions, "conditions")
    kept = [_line(condition, "conditions") for condition in data.conditions]
    if any(not condition for condition in kept):
        raise ValidationError("care_plan.condition_empty", field="conditions")
    return kept


def _treatments(data: CarePlanInput) -> list[dict[str, str]]:
    _count(data.treatments, "treatments")
    kept = []
    for tried in data.treatments:
        treatment = _line(tried.treatment, "treatments")
        if not treatment:
            raise ValidationError("care_plan.treatment_empty", field="treatments")
        kept.append({"treatment": treatment, "outcome": _line(tried.outcome, "treatments")})
    return kept


def _safety(data: CarePlanInput, nets: SafetyNets) -> list[str]:
    chosen = list(dict.fromkeys(data.safety_nets))
    for net in chosen:
        if nets.get(net) is None:
            raise ValidationError("care_plan.unknown_safety_net", field="safety_nets")
    return chosen


def _support(data: CarePlanInput, services: SupportServices) -> list[dict[str, Any]]:
    _count(data.support_services, "support_services")
    kept = []
    for choice in data.support_services:
        words = _line(choice.text, "support_services")
        if choice.service_id and services.get(choice.service_id) is None:
            raise ValidationError("care_plan.unknown_service", field="support_services")
        if not choice.service_id and not words:
            raise ValidationError("care_plan.service_empty", field="support_services")
        kept.append({"service_id": choice.service_id or None, "text": words})
    return kept


def _pifu(data: CarePlanInput, rules: PifuRules) -> int | None:
    months = data.pifu_months
    if months is None:
        return None
    if isinstance(months, bool) or not isinstance(months, int) or not pifu_in_range(months, rules):
        raise ValidationError(
            "care_plan.pifu_out_of_range",
            field="pifu_months",
            least=rules.min_months,
            most=rules.max_months,
        )
    return months


def _giver(data: CarePlanInput) -> str | None:
    if data.gp_consent is None:
        return None
    given_by = data.gp_consent_given_by or "patient"
    if given_by not in CONSENT_GIVERS:
        raise ValidationError("care_plan.unknown_consent_giver", field="gp_consent_given_by")
    return given_by


def checked_input(
    data: CarePlanInput,
    rules: PifuRules,
    nets: SafetyNets,
    services: SupportServices,
    today: date,
) -> dict[str, Any]:
    """The plan's columns from what the screen sent, checked.

    Raises:
        FormErrors: every problem found, each naming its field: ``care_plan.goal_empty``
            (goals, with the goal's ``number``), ``care_plan.action_empty`` (actions),
            ``care_plan.condition_empty`` (conditions), ``care_plan.treatment_empty``
            (treatments), ``care_plan.unknown_safety_net``, ``care_plan.unknown_service``
            and ``care_plan.service_empty`` (support_services),
            ``care_plan.pifu_out_of_range`` (pifu_months, with ``least`` and ``most``),
            ``care_plan.review_in_past`` (review_on), ``care_plan.unknown_consent_giver``
            (gp_consent_given_by), ``care_plan.too_many``, ``text.too_long``.
    """
    errors: list[ValidationError] = []
    values: dict[str, Any] = {}

    def keep(field: str, check: Callable[[], object]) -> None:
        try:
            values[field] = check()
        except ValidationError as error:
            errors.append(error)

    keep("what_matters", lambda: _text(data.what_matters, "what_matters"))
    keep("strengths", lambda: _text(data.strengths, "strengths"))
    keep("goals", lambda: _goals(data.goals))
    keep("actions", lambda: _actions(data))
    keep("conditions", lambda: _conditions(data))
    keep("treatments", lambda: _treatments(data))
    keep("self_management", lambda: _text(data.self_management, "self_management"))
    keep("flare_plan", lambda: _text(data.flare_plan, "flare_plan"))
    keep("seek_help", lambda: _text(data.seek_help, "seek_help"))
    keep("safety_nets", lambda: _safety(data, nets))
    keep("support_services", lambda: _support(data, services))
    keep(
        "named_contact",
        lambda: _text(" ".join(data.named_contact.split()), "named_contact", NAME_MAX),
    )
    keep("contact_route", lambda: _text(data.contact_route, "contact_route"))
    keep("pifu_months", lambda: _pifu(data, rules))
    keep("review_on", lambda: _review(data.review_on, today))
    keep("gp_consent_given_by", lambda: _giver(data))
    if errors:
        raise FormErrors(errors)
    values["review_on"] = data.review_on
    values["gp_consent"] = data.gp_consent
    return values


def sign_problems(row: Any, rules: PifuRules, today: date) -> list[ValidationError]:
    """What stops a draft from being signed today, each naming its field."""
    problems: list[ValidationError] = []
    if not row.goals:
        problems.append(ValidationError("care_plan.no_goals", field="goals"))
    for number, action in enumerate(row.actions, start=1):
        if action.get("by") and date.fromisoformat(action["by"]) < today:
            problems.append(
                ValidationError("care_plan.action_in_past", field="actions", number=number)
            )
    if row.pifu_months is not None and not pifu_in_range(row.pifu_months, rules):
        problems.append(
            ValidationError(
                "care_plan.pifu_out_of_range",
                field="pifu_months",
                least=rules.min_months,
                most=rules.max_months,
            )
        )
    if row.review_on is None:
        problems.append(ValidationError("care_plan.no_review_date", field="review_on"))
    elif row.review_on < today:
        problems.append(ValidationError("care_plan.review_in_past", field="review_on"))
    if not row.named_contact:
        problems.append(ValidationError("care_plan.no_contact", field="named_contact"))
    if row.gp_consent is None:
        problems.append(ValidationError("care_plan.no_gp_consent", field="gp_consent"))
    return problems
