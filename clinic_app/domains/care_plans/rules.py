"""Pure rules of a care plan: the PIFU window, its lapse, and the limits of what is typed.

The window's allowed length, its default and how early a lapsing window is flagged are the
service's settings (cited defaults in resources/care_plans/settings.json); these functions take
them as :class:`PifuRules` and never read a store.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

TEXT_MAX = 4000
"""The longest a free-text part of the plan may be (characters)."""
LINE_MAX = 500
"""The longest one goal, action, condition, treatment or service may be (characters)."""
NAME_MAX = 120
"""The longest the named contact may be (characters)."""
ITEMS_MAX = 30
"""The most goals, actions, conditions, treatments or services one plan lists."""

CONSENT_GIVERS: tuple[str, ...] = ("patient", "representative")
"""Who gave or refused consent to share the plan with the GP: the patient, or someone
lawfully acting for them."""

SUPPORT_KINDS: tuple[str, ...] = ("nhs", "voluntary", "social_prescribing", "work")
"""The kinds of support service a plan may name (NHS England's personalised care model)."""


@dataclass(frozen=True)
class PifuRules:
    """The service's PIFU settings.

    Attributes:
        min_months: the shortest window a clinician may offer.
        max_months: the longest.
        default_months: offered when a plan is started.
        lapse_warning_days: a window ending within this many days is "about to lapse".
    """

    min_months: int
    max_months: int
    default_months: int
    lapse_warning_days: int


def add_months(day: date, months: int) -> date:
    """``day`` moved on by whole calendar months (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def pifu_ends_on(starts_on: date, months: int) -> date:
    """The last day the patient can book straight back: ``months`` after the window opens."""
    return add_months(starts_on, months)


def pifu_in_range(months: int, rules: PifuRules) -> bool:
    """True when ``months`` is a window the service allows (both ends included)."""
    return rules.min_months <= months <= rules.max_months


def days_left(ends_on: date, on: date) -> int:
    """Days from ``on`` to the window's last day (0 on the last day, negative once over)."""
    return (ends_on - on).days


def is_open(starts_on: date, ends_on: date, on: date) -> bool:
    """True while the patient can still book straight back on ``on``."""
    return starts_on <= on <= ends_on


def about_to_lapse(ends_on: date, on: date, rules: PifuRules) -> bool:
    """True for an open window whose last day is within the warning days of ``on``."""
    return 0 <= days_left(ends_on, on) <= rules.lapse_warning_days
