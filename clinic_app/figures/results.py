"""A measure's figures as they leave the engine: one row per breakdown value, and its status."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from clinic_app.kernel.errors import ClinicError

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

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Figures:
        """Figures read back from :meth:`to_json`'s form (the server's answer).

        Raises:
            ClinicError: ``sync.bad_answer`` for an answer that is not figures.
        """
        try:
            target = body.get("target")
            clinician = body.get("clinician_id")
            return cls(
                measure=str(body["measure"]),
                title=str(body["title"]),
                unit=str(body["unit"]),
                kind=str(body["kind"]),
                first=_month(str(body["first"])),
                last=_month(str(body["last"])),
                breakdown=str(body["breakdown"]),
                clinician_id=uuid.UUID(str(clinician)) if clinician else None,
                status=str(body["status"]),
                rows=tuple(
                    FigureRow(
                        key=None if row.get("key") is None else str(row["key"]),
                        label=str(row["label"]),
                        numerator=_shown(row.get("numerator")),
                        denominator=_shown(row.get("denominator")),
                        value=row.get("value"),
                        status=str(row["status"]),
                    )
                    for row in body["rows"]
                ),
                target=(
                    None
                    if not target
                    else TargetView(
                        float(target["value"]), str(target["direction"]), str(target["source"])
                    )
                ),
                suppressed=bool(body.get("suppressed", False)),
            )
        except (KeyError, TypeError, ValueError):
            raise ClinicError("sync.bad_answer", status=200) from None


def _month(text: str) -> date:
    return date.fromisoformat(f"{text}-01")


def _shown(value: Any) -> Shown:
    return value if value is None or isinstance(value, (int, str)) else int(value)
