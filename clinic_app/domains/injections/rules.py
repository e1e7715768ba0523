"""Pure rules of a corticosteroid injection: its values, its authority and its checks.

Nothing here reads a store or a clock: the service reads the draft, the patient's history, the
PGD and the rules in force, and hands them in. Every number comes from resources/injections
(the formulary's cited dose ranges, the targets' plausibility bounds, the service's settings
over their cited defaults); resources/injections/README.md says how each rule was derived.

Decisions written down here:

- Expiry: a pack's expiry date (GS1 AI 17) means "use by the end of that day", so a drug is
  usable on its expiry day and a hard stop from the next day. An expiry more than ten years
  after the injection is refused as a typing error (no medicine is dated so far ahead).
- Repeat interval: under ``repeat_interval_weeks`` whole weeks (day 83 of 12 weeks) since
  the last signed injection at the same target and side warns; day 84 does not.
- Same site in a year: the count is of signed injections at the same target and side 0 to 364
  days before this one, plus this one; "3 or more in 12 months" warns when that count reaches
  3, so the third injection within a year warns and the second does not.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from clinic_app.kernel.errors import ValidationError

SIZE_CLASSES: tuple[str, ...] = ("small_joint", "medium_joint", "large_joint", "soft_tissue")
"""The sizes of target the SmPCs give dose ranges for."""

SIDES: tuple[str, ...] = ("left", "right")
GUIDANCE: tuple[str, ...] = ("landmark", "ultrasound")
AUTHORITY_KINDS: tuple[str, ...] = ("pgd", "psd", "prescriber")
"""Under a patient group direction, a patient-specific direction, or as a prescriber."""
ANTICOAGULANTS: tuple[str, ...] = ("warfarin", "other")
ANSWERS: tuple[str, ...] = ("yes", "no")

#: The checklist items the checks below know by name (checklist.json must have each).
KNOWN_ITEMS: tuple[str, ...] = (
    "infection_local",
    "infection_systemic",
    "allergy",
    "anticoagulated",
    "diabetes",
    "pregnancy",
    "immunosuppression",
    "prosthetic_joint",
    "joint_replacement_planned",
)

EXPIRY_HORIZON_DAYS = 3653
"""An expiry further than this after the injection (ten years) is a typing error."""
DOSE_MATCH_TOLERANCE = 0.02
"""How far mg may be from mL times the strength (a fraction) before the pair is refused."""
TEXT_MAX = 2000
BATCH_MAX = 40
OBSERVATION_MAX_MINUTES = 240
ASPIRATE_MAX_ML = 500
INR_MIN = 0.5
INR_MAX = 20.0


@dataclass(frozen=True)
class InjectionRules:
    """The service's injection settings (cited defaults in resources/injections)."""

    repeat_interval_weeks: int
    same_site_per_year: int
    warfarin_inr_below: float
    warfarin_inr_max_age_hours: int
    replacement_planned_within_months: int


@dataclass(frozen=True)
class Drug:
    """One drug given: the product, how much, its batch and expiry, and if it shared a syringe."""

    product_id: str
    mg: float
    ml: float
    batch: str = ""
    expiry: date | None = None
    same_syringe: bool = False

    def as_json(self) -> dict[str, Any]:
        """As the record keeps it."""
        return {
            "product_id": self.product_id,
            "mg": self.mg,
            "ml": self.ml,
            "batch": self.batch,
            "expiry": self.expiry.isoformat() if self.expiry else None,
            "same_syringe": self.same_syringe,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Drug:
        """From what the record keeps."""
        expiry = value.get("expiry")
        return cls(
            product_id=str(value.get("product_id", "")),
            mg=float(value.get("mg", 0)),
            ml=float(value.get("ml", 0)),
            batch=str(value.get("batch", "")),
            expiry=date.fromisoformat(expiry) if expiry else None,
            same_syringe=bool(value.get("same_syringe", False)),
        )


@dataclass(frozen=True)
class ProductFacts:
    """What the checks need of a formulary product."""

    id: str
    is_steroid: bool
    strength_mg_per_ml: float
    #: Size class → (least mg, most mg) as the SmPC gives them.
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    max_single_dose_mg: float | None = None
    #: mg/mL of local anaesthetic in the same vial (a steroid with lidocaine), if any.
    local_anaesthetic_mg_per_ml: float | None = None


@dataclass(frozen=True)
class TargetFacts:
    """What the checks need of a target."""

    id: str
    size_class: str
    implausible_above_ml: float


@dataclass(frozen=True)
class PgdTerms:
    """A patient group direction as the checks read it."""

    id: uuid.UUID
    name: str
    version: str
    valid_from: date
    valid_to: date
    drugs: frozenset[str]
    targets: frozenset[str]
    practitioners: frozenset[uuid.UUID]


@dataclass(frozen=True)
class PastInjection:
    """A signed injection of the patient (from any device), as the frequency checks need it."""

    record_id: uuid.UUID
    performed_on: date
    target: str
    side: str


@dataclass(frozen=True)
class Draft:
    """What the checks read of an injection being recorded."""

    record_id: uuid.UUID | None
    performed_on: date
    target: str | None
    side: str | None
    drugs: tuple[Drug, ...]
    checklist: Mapping[str, str]
    anticoagulant: str | None = None
    inr_value: float | None = None
    inr_measured_at: datetime | None = None
    replacement_planned_on: date | None = None
    authority_kind: str | None = None


@dataclass(frozen=True)
class CheckWarning:
    """Something the clinician must acknowledge before signing.

    Attributes:
        code: what is warned of (acknowledged by this code), e.g. ``repeat_too_soon``.
        words: the key a screen words it by, e.g. ``injection.repeat_too_soon``.
        fields: the fields it is about, e.g. ``("drugs.0.mg",)``.
        params: numbers for the words (days since, the cited range).
    """

    code: str
    words: str
    fields: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Checks:
    """What stands before signing: hard stops (cannot sign) and warnings (acknowledge each)."""

    hard_stops: tuple[ValidationError, ...] = ()
    warnings: tuple[CheckWarning, ...] = ()

    @property
    def warning_codes(self) -> frozenset[str]:
        """The codes of the warnings, for acknowledging them."""
        return frozenset(w.code for w in self.warnings)


def _stop(code: str, field: str, **params: Any) -> ValidationError:
    return ValidationError(f"injection.{code}", field=field, **params)


def _warning(code: str, fields: tuple[str, ...] = (), **params: Any) -> CheckWarning:
    words = ValidationError(f"injection.{code}", field=fields[0] if fields else None)
    return CheckWarning(code=code, words=words.code, fields=fields, params=params)


# ---------------------------------------------------------------- authority


def authority_problems(
    pgd: PgdTerms,
    *,
    on: date,
    user_id: uuid.UUID | None,
    drugs: Sequence[Drug],
    target: str | None,
    version: str | None = None,
) -> list[ValidationError]:
    """Why ``user_id`` may not give ``drugs`` into ``target`` on ``on`` under ``pgd``.

    Empty when they may. Problems, each a ``ValidationError`` naming the field it is about:
    ``pgd.not_yet_valid`` / ``pgd.expired`` (the day is outside valid from..to, both days
    included), ``pgd.version_changed`` (the record names another version than the register
    holds), ``pgd.drug_not_covered`` (per drug), ``pgd.target_not_covered``,
    ``pgd.not_named`` (the practitioner is not authorised under it), ``pgd.mixed_syringe``
    (two or more drugs mixed in one syringe: that needs a prescription).
    """
    problems: list[ValidationError] = []
    if on < pgd.valid_from:
        problems.append(
            ValidationError("pgd.not_yet_valid", field="pgd_id", valid_from=pgd.valid_from)
        )
    if on > pgd.valid_to:
        problems.append(ValidationError("pgd.expired", field="pgd_id", valid_to=pgd.valid_to))
    if version is not None and version != pgd.version:
        problems.append(
            ValidationError("pgd.version_changed", field="pgd_version", version=pgd.version)
        )
    for index, drug in enumerate(drugs):
        if drug.product_id not in pgd.drugs:
            problems.append(
                ValidationError(
                    "pgd.drug_not_covered",
                    field=f"drugs.{index}.product_id",
                    product=drug.product_id,
                )
            )
    if target is not None and target not in pgd.targets:
        problems.append(ValidationError("pgd.target_not_covered", field="target", target=target))
    if user_id is None or user_id not in pgd.practitioners:
        problems.append(ValidationError("pgd.not_named", field="pgd_id"))
    if sum(1 for drug in drugs if drug.same_syringe) >= 2:
        problems.append(ValidationError("pgd.mixed_syringe", field="drugs"))
    return problems


# ---------------------------------------------------------------- impossible values


def value_problems(
    draft: Draft,
    products: Mapping[str, ProductFacts],
    targets: Mapping[str, TargetFacts],
) -> list[ValidationError]:
    """Values no injection can have, each naming its field (refused when saving).

    ``injection.unknown_product``, ``injection.dose_not_positive``,
    ``injection.volume_not_positive``, ``injection.dose_volume_mismatch`` (mg is not mL
    times the strength), ``injection.expiry_implausible`` (over ten years ahead),
    ``injection.unknown_target``, ``injection.volume_implausible`` (more in total than
    anyone injects into that target), ``injection.inr_out_of_range``,
    ``injection.inr_in_future``.
    """
    problems: list[ValidationError] = []
    if draft.target is not None and draft.target not in targets:
        problems.append(ValidationError("injection.unknown_target", field="target"))
    for index, drug in enumerate(draft.drugs):
        where = f"drugs.{index}"
        product = products.get(drug.product_id)
        if product is None:
            problems.append(
                ValidationError("injection.unknown_product", field=f"{where}.product_id")
            )
        if not drug.mg > 0:
            problems.append(ValidationError("injection.dose_not_positive", field=f"{where}.mg"))
        if not drug.ml > 0:
            problems.append(ValidationError("injection.volume_not_positive", field=f"{where}.ml"))
        if product is not None and drug.mg > 0 and drug.ml > 0:
            expected = drug.ml * product.strength_mg_per_ml
            if abs(drug.mg - expected) > DOSE_MATCH_TOLERANCE * expected:
                problems.append(
                    ValidationError(
                        "injection.dose_volume_mismatch",
                        field=f"{where}.mg",
                        strength=product.strength_mg_per_ml,
                    )
                )
        if drug.expiry is not None and drug.expiry > draft.performed_on + timedelta(
            days=EXPIRY_HORIZON_DAYS
        ):
            problems.append(
                ValidationError("injection.expiry_implausible", field=f"{where}.expiry")
            )
    target = targets.get(draft.target or "")
    total = sum(drug.ml for drug in draft.drugs if drug.ml > 0)
    if target is not None and total > target.implausible_above_ml:
        problems.append(
            ValidationError(
                "injection.volume_implausible",
                field="drugs",
                most=target.implausible_above_ml,
                target=target.id,
            )
        )
    if draft.inr_value is not None and not INR_MIN <= draft.inr_value <= INR_MAX:
        problems.append(
            ValidationError(
                "injection.inr_out_of_range", field="inr_value", low=INR_MIN, high=INR_MAX
            )
        )
    if draft.inr_measured_at is not None and draft.inr_measured_at.date() > draft.performed_on:
        problems.append(ValidationError("injection.inr_in_future", field="inr_measured_at"))
    return problems


# ---------------------------------------------------------------- the checks before signing


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
    anaesthetic: dict[str, float] = {}
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
        if product.max_single_dose_mg is not None:
            anaesthetic[product.id] = anaesthetic.get(product.id, 0.0) + drug.mg
    for product_id, mg in anaesthetic.items():
        most = products[product_id].max_single_dose_mg
        if most is not None and mg > most:
            warnings.append(
                _warning("anaesthetic_above_maximum", ("drugs",), product=product_id, most=most)
            )
    return warnings


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
