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

from clinic_app.domains.injections.rules.authority import authority_problems
from clinic_app.domains.injections.rules.checks import check_injection, signing_stops
from clinic_app.domains.injections.rules.facts import (
    ANSWERS,
    ANTICOAGULANTS,
    ASPIRATE_MAX_ML,
    AUTHORITY_KINDS,
    BATCH_MAX,
    DOSE_MATCH_TOLERANCE,
    EXPIRY_HORIZON_DAYS,
    GUIDANCE,
    INR_MAX,
    INR_MIN,
    KNOWN_ITEMS,
    OBSERVATION_MAX_MINUTES,
    SIDES,
    SIZE_CLASSES,
    TEXT_MAX,
    Checks,
    CheckWarning,
    Draft,
    Drug,
    InjectionRules,
    PastInjection,
    PgdTerms,
    ProductFacts,
    TargetFacts,
)
from clinic_app.domains.injections.rules.values import value_problems

__all__ = [
    "ANSWERS",
    "ANTICOAGULANTS",
    "ASPIRATE_MAX_ML",
    "AUTHORITY_KINDS",
    "BATCH_MAX",
    "DOSE_MATCH_TOLERANCE",
    "EXPIRY_HORIZON_DAYS",
    "GUIDANCE",
    "INR_MAX",
    "INR_MIN",
    "KNOWN_ITEMS",
    "OBSERVATION_MAX_MINUTES",
    "SIDES",
    "SIZE_CLASSES",
    "TEXT_MAX",
    "CheckWarning",
    "Checks",
    "Draft",
    "Drug",
    "InjectionRules",
    "PastInjection",
    "PgdTerms",
    "ProductFacts",
    "TargetFacts",
    "authority_problems",
    "check_injection",
    "signing_stops",
    "value_problems",
]
