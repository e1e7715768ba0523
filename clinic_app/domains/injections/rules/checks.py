"""The checks before signing, as one pure function over the draft and the patient's history."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from clinic_app.domains.injections.rules.facts import (
    Checks,
    CheckWarning,
    Draft,
    InjectionRules,
    PastInjection,
    ProductFacts,
    TargetFacts,
)
from clinic_app.kernel.errors import ValidationError


def _stop(code: str, field: str, **params: Any) -> ValidationError:
    return ValidationError(f"injection.{code}", field=field, **params)


def _warning(code: str, fields: tuple[str, ...] = (), **params: Any) -> CheckWarning:
    words = ValidationError(f"injection.{code}", field=fields[0] if fields else None)
    return CheckWarning(code=code, words=words.code, fields=fields, params=params)


def _same_site(past: Iterable[PastInjection], draft: Draft) -> list[PastInjection]:
    return [
        p
        for p in past
        if p.record_id != draft.record_id
        and p.target == draft.target
        and p.side == draft.side
        and p.performed_on <= draft.performed_on
    ]


def _frequency(
    draft: Draft, past: Iterable[PastInjection], rules: InjectionRules
) -> list[CheckWarning]:
    if draft.target is None or draft.side is None:
        return []
    earlier = _same_site(past, draft)
    warnings: list[CheckWarning] = []
    if earlier:
        days = min((draft.performed_on - p.performed_on).days for p in earlier)
        if days < rules.repeat_interval_weeks * 7:
            warnings.append(
                _warning(
                    "repeat_too_soon",
                    ("target", "side"),
                    days=days,
                    weeks=rules.repeat_interval_weeks,
                )
            )
    in_year = [p for p in earlier if (draft.performed_on - p.performed_on).days < 365]
    if len(in_year) + 1 >= rules.same_site_per_year:
        warnings.append(
            _warning(
                "too_many_at_site",
                ("target", "side"),
                count=len(in_year) + 1,
                most=rules.same_site_per_year,
            )
        )
    return warnings


def _doses(
    draft: Draft, products: Mapping[str, ProductFacts], targets: Mapping[str, TargetFacts]
) -> list[CheckWarning]:
    target = targets.get(draft.target or "")
    warnings: list[CheckWarning] = []
    for index, drug in enumerate(draft.drugs):
        product = products.get(drug.product_id)
        if product is None:
            continue
        if product.is_steroid and target is not None:
            cited = product.ranges.get(target.size_class)
            if cited is None:
                warnings.append(
                    _warning(
                        "no_cited_dose",
                        (f"drugs.{index}.mg",),
                        product=product.id,
                        size_class=target.size_class,
                    )
                )
            elif not cited[0] <= drug.mg <= cited[1]:
                warnings.append(
                    _warning(
                        "dose_out_of_range",
                        (f"drugs.{index}.mg",),
                        product=product.id,
                        low=cited[0],
                        high=cited[1],
                        size_class=target.size_class,
                    )
                )
    return warnings + _anaesthetics(draft, products)


def _anaesthetics(draft: Draft, products: Mapping[str, ProductFacts]) -> list[CheckWarning]:
    """Each local anaesthetic's total over every product holding it, against its maximum.

    The maximum of a substance is the least of its products' cited maxima; a steroid that
    holds lidocaine adds mL times its lidocaine strength to the lidocaine given.
    """
    most: dict[str, float] = {}
    for facts in products.values():
        if facts.anaesthetic and facts.max_single_dose_mg is not None:
            known = most.get(facts.anaesthetic, facts.max_single_dose_mg)
            most[facts.anaesthetic] = min(known, facts.max_single_dose_mg)
    given: dict[str, float] = {}
    for drug in draft.drugs:
        product = products.get(drug.product_id)
        if product is None or product.anaesthetic is None:
            continue
        if product.local_anaesthetic_mg_per_ml is not None:
            mg = max(drug.ml, 0.0) * product.local_anaesthetic_mg_per_ml
        else:
            mg = max(drug.mg, 0.0)
        given[product.anaesthetic] = given.get(product.anaesthetic, 0.0) + mg
    return [
        _warning("anaesthetic_above_maximum", ("drugs",), substance=name, most=most[name])
        for name, mg in given.items()
        if name in most and mg > most[name]
    ]


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has 28 days


def _anticoagulation(draft: Draft, rules: InjectionRules, now: datetime) -> list[CheckWarning]:
    if draft.checklist.get("anticoagulated") != "yes":
        return []
    if draft.anticoagulant != "warfarin":
        return [_warning("anticoagulated", ("checklist.anticoagulated",))]
    if draft.inr_value is None or draft.inr_measured_at is None:
        return [
            _warning(
                "warfarin_no_recent_inr", ("inr_value",), hours=rules.warfarin_inr_max_age_hours
            )
        ]
    age = now - draft.inr_measured_at
    warnings: list[CheckWarning] = []
    if age > timedelta(hours=rules.warfarin_inr_max_age_hours):
        warnings.append(
            _warning(
                "warfarin_no_recent_inr",
                ("inr_measured_at",),
                hours=rules.warfarin_inr_max_age_hours,
            )
        )
    if draft.inr_value >= rules.warfarin_inr_below:
        warnings.append(
            _warning("warfarin_inr_high", ("inr_value",), limit=rules.warfarin_inr_below)
        )
    return warnings


def _checklist(
    draft: Draft, rules: InjectionRules, hard_items: Collection[str]
) -> tuple[list[ValidationError], list[CheckWarning]]:
    answers = draft.checklist
    stops: list[ValidationError] = []
    for item in ("infection_local", "infection_systemic"):
        if answers.get(item) == "yes":
            stops.append(_stop("suspected_infection", f"checklist.{item}"))
    if answers.get("allergy") == "yes":
        stops.append(_stop("allergy", "checklist.allergy"))
    named = {"infection_local", "infection_systemic", "allergy"}
    for item in sorted(set(hard_items) - named):
        if answers.get(item) == "yes":
            stops.append(_stop("checklist_stop", f"checklist.{item}", item=item))
    warnings: list[CheckWarning] = []
    if answers.get("diabetes") == "yes":
        warnings.append(_warning("diabetes", ("checklist.diabetes",)))
    if answers.get("pregnancy") == "yes":
        warnings.append(_warning("pregnancy", ("checklist.pregnancy",)))
    if answers.get("immunosuppression") == "yes":
        warnings.append(_warning("immunosuppression", ("checklist.immunosuppression",)))
    if answers.get("prosthetic_joint") == "yes":
        warnings.append(_warning("prosthetic_joint", ("checklist.prosthetic_joint",)))
    if answers.get("joint_replacement_planned") == "yes":
        planned = draft.replacement_planned_on
        months = rules.replacement_planned_within_months
        # A planned replacement with no date yet may be within the months: it warns.
        if planned is None or planned <= _months_later(draft.performed_on, months):
            warnings.append(
                _warning(
                    "replacement_planned",
                    ("checklist.joint_replacement_planned",),
                    months=months,
                )
            )
    return stops, warnings


def check_injection(
    draft: Draft,
    *,
    history: Iterable[PastInjection],
    products: Mapping[str, ProductFacts],
    targets: Mapping[str, TargetFacts],
    rules: InjectionRules,
    septic_flag_open: bool,
    authority: Sequence[ValidationError] = (),
    hard_items: Collection[str] = (),
    now: datetime,
) -> Checks:
    """The hard stops and warnings of a draft, given the patient's history.

    Args:
        draft: the injection as recorded so far.
        history: the patient's signed injections, from every device.
        products: the formulary by product id.
        targets: the targets by id.
        rules: the service's settings in force.
        septic_flag_open: a red-flag screening of the episode that stops a steroid injection
            (suspected septic arthritis) has no recorded action, or its action is outstanding.
        authority: the PGD's problems (:func:`authority_problems`), already worked out.
        hard_items: the checklist items marked ``hard_stop`` in checklist.json.
        now: the time the checks are made (the INR's age is measured to it).

    Returns:
        Hard stops: ``injection.suspected_infection``, ``injection.allergy``,
        ``injection.checklist_stop``, ``injection.expired`` (per drug), ``injection.septic_flag``
        and the PGD's problems. Warnings, each to acknowledge: ``dose_out_of_range``,
        ``no_cited_dose``, ``anaesthetic_above_maximum``, ``repeat_too_soon``,
        ``too_many_at_site``, ``anticoagulated``, ``warfarin_no_recent_inr``,
        ``warfarin_inr_high``, ``diabetes``, ``pregnancy``, ``immunosuppression``,
        ``prosthetic_joint``, ``replacement_planned``.
    """
    stops, warnings = _checklist(draft, rules, hard_items)
    for index, drug in enumerate(draft.drugs):
        # Usable to the end of its expiry day (GS1: "use by the end of that day").
        if drug.expiry is not None and drug.expiry < draft.performed_on:
            stops.append(_stop("expired", f"drugs.{index}.expiry", expiry=drug.expiry))
    if septic_flag_open:
        stops.append(_stop("septic_flag", "target"))
    stops.extend(authority)
    warnings += _doses(draft, products, targets)
    warnings += _frequency(draft, history, rules)
    warnings += _anticoagulation(draft, rules, now)
    return Checks(hard_stops=tuple(stops), warnings=tuple(warnings))


def signing_stops(checks: Checks, acknowledged: Collection[str]) -> list[ValidationError]:
    """What of the checks stops signing: every hard stop, and each warning not acknowledged.

    A warning not acknowledged is ``injection.warning_not_acknowledged`` with the warning's
    code as its field. The device asks this before it signs; the server asks it again of a
    record pushed as signed.
    """
    return [
        *checks.hard_stops,
        *(
            ValidationError("injection.warning_not_acknowledged", field=w.code)
            for w in checks.warnings
            if w.code not in acknowledged
        ),
    ]
