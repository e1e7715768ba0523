"""Small numbers suppressed in figures that leave the service (resources/measures/suppression.json).

A count from 1 to 4 is shown as "<5"; a share, mean or median whose numerator or
denominator is shown so is not shown either. Zero is shown. Figures seen inside the
service (the dashboard, a clinician's own) are not suppressed; an export is.
"""

from __future__ import annotations

from dataclasses import replace

from clinic_app.figures.definitions import Suppression, suppression_rule
from clinic_app.figures.results import FigureRow, Figures, Shown


def _small(count: Shown, rule: Suppression) -> bool:
    return isinstance(count, int) and 0 < count < rule.smallest_shown


def suppress_row(row: FigureRow, rule: Suppression | None = None) -> FigureRow:
    """One row with its small counts, and any figure made from them, replaced."""
    rule = rule or suppression_rule()
    numerator_small = _small(row.numerator, rule)
    denominator_small = _small(row.denominator, rule)
    if not (numerator_small or denominator_small):
        return row
    return replace(
        row,
        numerator=rule.shown_as if numerator_small else row.numerator,
        denominator=rule.shown_as if denominator_small else row.denominator,
        value=None if row.value is None else rule.shown_as,
    )


def suppress(figures: Figures, rule: Suppression | None = None) -> Figures:
    """The figures as they may leave the service: small numbers suppressed."""
    rule = rule or suppression_rule()
    return replace(
        figures, rows=tuple(suppress_row(row, rule) for row in figures.rows), suppressed=True
    )
