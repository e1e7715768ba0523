"""Values no injection can have, refused with the field named when a draft is saved."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from clinic_app.domains.injections.rules.facts import (
    DOSE_MATCH_TOLERANCE,
    EXPIRY_HORIZON_DAYS,
    INR_MAX,
    INR_MIN,
    Draft,
    ProductFacts,
    TargetFacts,
)
from clinic_app.kernel.errors import ValidationError


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
