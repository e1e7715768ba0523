"""The service's shared-decision figures per clinician and month: aids used, and CollaboRATE.

Decision aids used. The measure the service is asked for is the decisions about a procedure,
an imaging request or an onward surgical referral that were made with a decision aid, over
all such decisions in the period. Those are the signed records of every record type that
mixes in ``DecisionLinkColumns`` (an injection today; shockwave courses, imaging requests and
onward referrals as they arrive, with nothing to change here): each names the SDM record that
led to it, or keeps the reason it has none. A record counts in the month it was signed, for
the clinician who signed it. With no such record in the month the figure is not a rate.

Beside it, the SDM records themselves: how many were signed, and how many chose an option
leading to one of those records.

CollaboRATE's top-box rate: of the signed SDM records with all three items answered, the share
whose three items are all 9. Below 25 responses a clinician's rate is not a rate: it is shown
as "too few to rate".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.decisions.content import LEADS_TO
from clinic_app.domains.decisions.model import DecisionLinkColumns, DecisionRecord
from clinic_app.domains.decisions.rules import (
    TOO_FEW_TO_RATE,
    collaborate_complete,
    collaborate_top_box,
)
from clinic_app.kernel.vocabulary import RecordStatus

TOO_FEW_WORDS = "too few to rate"


@dataclass(frozen=True)
class DecisionFigures:
    """One clinician's (or the whole service's) shared-decision figures over one period.

    Attributes:
        clinician_id: who signed the records (None: the whole service).
        sdm_records: signed SDM records in the period.
        leading_to_procedure: of those, the ones whose choice leads to an injection, a
            shockwave course, imaging or an onward surgical referral.
        collaborate_responses: of those, the ones with all three CollaboRATE items answered.
        collaborate_top_box: of the responses, the ones scored 9, 9 and 9.
        procedures: signed records a decision leads to (injections and the like).
        procedures_with_aid: of those, the ones naming the SDM record that led to them.
        name: the clinician's name as shown ("" for the service, or until it is looked up).
    """

    clinician_id: uuid.UUID | None
    sdm_records: int
    leading_to_procedure: int
    collaborate_responses: int
    collaborate_top_box: int
    procedures: int = 0
    procedures_with_aid: int = 0
    name: str = ""

    @property
    def aids_used(self) -> float | None:
        """Procedures made with a decision aid over all procedures (None: none recorded)."""
        if self.procedures == 0:
            return None
        return self.procedures_with_aid / self.procedures

    @property
    def too_few_to_rate(self) -> bool:
        """True below 25 CollaboRATE responses: the rate is not shown."""
        return self.collaborate_responses < TOO_FEW_TO_RATE

    @property
    def collaborate_rate(self) -> float | None:
        """The top-box share of responses, or None when there are too few to rate."""
        if self.too_few_to_rate:
            return None
        return self.collaborate_top_box / self.collaborate_responses

    @property
    def collaborate_shown(self) -> str:
        """The rate as a figures table shows it: "84% (31 responses)" or "too few to rate"."""
        rate = self.collaborate_rate
        if rate is None:
            return f"{TOO_FEW_WORDS} ({self.collaborate_responses} responses)"
        return f"{round(rate * 100)}% ({self.collaborate_responses} responses)"


#: What is counted per clinician: SDM records, of them leading to a procedure, CollaboRATE
#: responses, of them top box, procedures, of them with an aid.
_TALLY = 6


def _led_models() -> list[type[DecisionLinkColumns]]:
    """Every mapped record type a shared decision leads to."""
    return [model for model in DecisionLinkColumns.__subclasses__() if hasattr(model, "__table__")]


def _add_procedures(
    session: Session,
    start: datetime,
    end: datetime,
    counts: dict[uuid.UUID | None, list[int]],
    service: dict[uuid.UUID | None, list[int]],
) -> None:
    for model in _led_models():
        table: Any = model.__table__  # type: ignore[attr-defined]
        found = session.execute(
            select(table.c.signed_by, table.c.sdm_record_id).where(
                table.c.status == RecordStatus.SIGNED.value,
                table.c.deleted.is_(False),
                table.c.signed_at >= start,
                table.c.signed_at < end,
            )
        )
        for signed_by, sdm_record_id in found:
            for tally in (
                counts.setdefault(signed_by, [0] * _TALLY),
                service.setdefault(None, [0] * _TALLY),
            ):
                tally[4] += 1
                tally[5] += sdm_record_id is not None


def _add(
    counts: dict[uuid.UUID | None, list[int]], key: uuid.UUID | None, row: DecisionRecord
) -> None:
    tally = counts.setdefault(key, [0] * _TALLY)
    tally[0] += 1
    if row.choice_leads_to in LEADS_TO:
        tally[1] += 1
    if collaborate_complete(row.collaborate):
        tally[2] += 1
        if collaborate_top_box(row.collaborate):
            tally[3] += 1


def decision_figures(
    session: Session, start: datetime, end: datetime
) -> tuple[DecisionFigures, list[DecisionFigures]]:
    """The service's figures and each clinician's over ``start`` (included) to ``end``.

    A record counts in the period it was signed in, for the clinician who signed it. Records
    superseded by a change of mind count too: each was a decision made with an aid. So do
    the procedures a decision leads to (see the module).
    """
    rows = session.scalars(
        select(DecisionRecord).where(
            DecisionRecord.status == RecordStatus.SIGNED.value,
            DecisionRecord.deleted.is_(False),
            DecisionRecord.signed_at >= start,
            DecisionRecord.signed_at < end,
        )
    ).all()
    counts: dict[uuid.UUID | None, list[int]] = {}
    service: dict[uuid.UUID | None, list[int]] = {}
    for row in rows:
        _add(counts, row.signed_by, row)
        _add(service, None, row)
    _add_procedures(session, start, end, counts, service)
    return (
        _figures(None, service.get(None, [0] * _TALLY)),
        [
            _figures(clinician, tally)
            for clinician, tally in sorted(counts.items(), key=lambda item: str(item[0]))
        ],
    )


def _figures(clinician: uuid.UUID | None, tally: list[int]) -> DecisionFigures:
    records, leading, responses, top_box, procedures, with_aid = tally
    return DecisionFigures(
        clinician,
        records,
        leading,
        responses,
        top_box,
        procedures=procedures,
        procedures_with_aid=with_aid,
    )


@dataclass(frozen=True)
class MonthFigures:
    """One month's figures: the whole service's, and each clinician's by name."""

    month: date
    service: DecisionFigures
    clinicians: tuple[DecisionFigures, ...]


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of ``month`` and of the month after it, in UTC."""
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    following = (
        datetime(month.year + 1, 1, 1, tzinfo=UTC)
        if month.month == 12
        else datetime(month.year, month.month + 1, 1, tzinfo=UTC)
    )
    return start, following
