"""A measure's result rows from what its statement returned: values, words and statuses."""

from __future__ import annotations

from datetime import date
from typing import Any

from clinic_app.figures.breakdowns import key_text, label_for
from clinic_app.figures.definitions import Kind, MeasureDefinition, MeasureFile
from clinic_app.figures.results import NO_DATA, NOT_RECORDED, OK, TOO_FEW, FigureRow


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def months(first: date, last: date) -> list[date]:
    """The first days of the months from ``first``'s to ``last``'s, in order."""
    found, month = [], month_start(first)
    while month <= last:
        found.append(month)
        month = next_month(month)
    return found


def overall_status(rows: list[FigureRow]) -> str:
    """``ok`` when any row has a figure (or is too few to give one), ``no data`` otherwise."""
    return OK if any(row.status in (OK, TOO_FEW) for row in rows) else NO_DATA


def _number(value: Any) -> float | None:
    if value is None:
        return None
    return float(value)


def _row(
    definitions: MeasureFile, measure: MeasureDefinition, breakdown: str, found: Any
) -> FigureRow:
    key = key_text(found.key)
    label = label_for(breakdown, key, found.label)
    numerator = int(found.numerator or 0)
    denominator = int(found.denominator or 0)
    if measure.kind is Kind.COUNT:
        return FigureRow(key, label, numerator, None, float(numerator), OK)
    if denominator == 0:
        return FigureRow(key, label, None, 0, None, NO_DATA)
    shown_numerator = numerator if measure.kind is Kind.SHARE else None
    minimum = measure.min_denominator
    if minimum is not None and denominator < definitions.threshold(minimum):
        return FigureRow(key, label, shown_numerator, denominator, None, TOO_FEW)
    value = numerator / denominator if measure.kind is Kind.SHARE else _number(found.value)
    return FigureRow(key, label, shown_numerator, denominator, value, OK)


def _empty(measure: MeasureDefinition, key: str | None, label: str, status: str) -> FigureRow:
    if status == NOT_RECORDED:
        return FigureRow(key, label, None, None, None, NOT_RECORDED)
    if measure.kind is Kind.COUNT:
        return FigureRow(key, label, 0, None, 0.0, OK)
    return FigureRow(key, label, None, 0, None, NO_DATA)


def result_rows(
    definitions: MeasureFile,
    measure: MeasureDefinition,
    found: list[Any],
    *,
    months_of: tuple[date, date],
    breakdown: str,
    recorded: bool,
) -> list[FigureRow]:
    """The rows of a result from what the statement returned (``found``).

    A month breakdown has a row for every month of ``months_of`` (first and last), with
    nothing counted in those the statement did not return; other breakdowns are in the order
    of their keys, not recorded last. ``recorded`` False gives rows "not recorded yet".
    """
    made = [_row(definitions, measure, breakdown, row) for row in found]
    if measure.kind is Kind.MEDIAN_DAYS and breakdown == "all" and not made:
        made = [_empty(measure, None, "All", NO_DATA)]
    status = OK if recorded else NOT_RECORDED
    if breakdown == "all":
        return made or [_empty(measure, None, "All", status)]
    if breakdown == "month":
        by_key = {row.key: row for row in made}
        return [
            by_key.get(f"{month:%Y-%m}")
            or _empty(measure, f"{month:%Y-%m}", f"{month:%B %Y}", status)
            for month in months(*months_of)
        ]
    return sorted(made, key=lambda row: (row.key is None, _sort_key(breakdown, row)))


def _sort_key(breakdown: str, row: FigureRow) -> tuple[float, str]:
    if breakdown in ("age_band", "deprivation") and row.key is not None:
        return (float(row.key), "")
    return (0.0, row.label if breakdown in ("site", "clinician") else row.key or "")
