"""The service's figures over a period, from the measures every record type offers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from clinic_app.records.offers import Measure
from clinic_app.records.registry import record_types


def measures() -> Mapping[str, Measure]:
    """Every measure offered by a registered record type, by its name."""
    return {
        measure.name: measure
        for record_type in record_types().values()
        for measure in record_type.measures
    }


def figures_for(
    session: Session, start: datetime, end: datetime, names: tuple[str, ...] = ()
) -> dict[str, float]:
    """Each measure (those named, or all) over ``start`` (included) to ``end`` (excluded).

    Raises:
        KeyError: for a name no record type offers.
    """
    known = measures()
    chosen = names or tuple(known)
    return {name: known[name].compute(session, start, end) for name in chosen}
