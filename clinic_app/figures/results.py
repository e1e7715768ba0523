"""A measure's figures as they leave the engine: one row per breakdown value, and its status."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

#: A row's (or a result's) status.
OK = "ok"
#: The app records none of the measure's inputs yet: never shown as 0.
NOT_RECORDED = "not recorded yet"
#: Nothing to count in the period (a share or mean over no rows).
NO_DATA = "no data"
#: Fewer rows than the measure's minimum to give a share (CollaboRATE's 25 responses).
TOO_FEW = "too few"

#: A count as shown: a number, or the words that stand for a small one once suppressed.
Shown = int | str | None


@dataclass(frozen=True)
class FigureRow:
    """One line of a measure's figures: one value of its breakdown.

    Attributes:
        key: the breakdown value as a code (a month ``2027-01``, a site's id, a sex code,
            an age band's first year ``"40"``), None for the whole (``all``) or for rows
            whose value is not recorded.
        label: the value in words ("January 2027", "40 to 44", "Not recorded").
        numerator: rows counted by a share (the count, for a count); "<5" once suppressed.
        denominator: rows the figure is over (None for a count); "<5" once suppressed.
        value: the figure: a share from 0 to 1, a count, a mean or a median (None when
            there is none: see ``status``); "<5" once suppressed.
        status: ``ok``, ``not recorded yet``, ``no data`` or ``too few``.
    """

    key: str | None
    label: str
    numerator: Shown
    denominator: Shown
    value: float | str | None
    status: str

    def to_json(self) -> dict[str, Any]:
        """The row as JSON."""
        return {
            "key": self.key,
            "label": self.label,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": self.value,
            "status": self.status,
        }


@dataclass(frozen=True)
class TargetView:
    """A measure's target: the value to reach, which way, and the clause that sets it."""

    value: float
    direction: str
    source: str


@dataclass(frozen=True)
class Figures:
    """One measure's figures over whole months, broken down one way.

    Attributes:
        measure: the measure's id.
        title: its title, as a user reads it.
        unit: ``share`` (values 0 to 1), ``count``, ``days`` or ``points``.
        kind: ``count``, ``share``, ``mean`` or ``median_days``.
        first: the first day of the first month.
        last: the first day of the last month.
        breakdown: how the rows are broken down (``all``, ``month``, ``site`` ...).
        clinician_id: whose facts only (None: the whole service's).
        status: ``not recorded yet`` when the app records none of its inputs; ``ok`` when
            any row has a figure; ``no data`` otherwise.
        rows: the rows, in the order of their keys (months in order; not recorded last).
        target: its target, None where no document sets one.
        suppressed: True once small numbers were suppressed (for an export).
    """

    measure: str
    title: str
    unit: str
    kind: str
    first: date
    last: date
    breakdown: str
    clinician_id: uuid.UUID | None
    status: str
    rows: tuple[FigureRow, ...]
    target: TargetView | None = None
    suppressed: bool = False

    def to_json(self) -> dict[str, Any]:
        """The figures as JSON (months as ``YYYY-MM``)."""
        return {
            "measure": self.measure,
            "title": self.title,
            "unit": self.unit,
            "kind": self.kind,
            "first": f"{self.first:%Y-%m}",
            "last": f"{self.last:%Y-%m}",
            "breakdown": self.breakdown,
            "clinician_id": str(self.clinician_id) if self.clinician_id else None,
            "status": self.status,
            "suppressed": self.suppressed,
            "target": (
                None
                if self.target is None
                else {
                    "value": self.target.value,
                    "direction": self.target.direction,
                    "source": self.target.source,
                }
            ),
            "rows": [row.to_json() for row in self.rows],
        }
