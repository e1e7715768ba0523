"""The values of an injection as the checks read them: its drugs, facts and findings."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
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
    #: The local anaesthetic it is or holds (``substance``), whose doses add up across
    #: products and strengths (1% and 2% lidocaine are one drug).
    anaesthetic: str | None = None


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
