"""Whether a patient group direction authorises an injection."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from clinic_app.domains.injections.rules.facts import Drug, PgdTerms
from clinic_app.kernel.errors import ValidationError


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
