"""The shockwave audit over a range of months: per indication, counts and mean changes only.

Counted are the courses closed (signed, not deleted) in the range, for the clinician who
closed them, per indication: how many, the mean change in pain (0-10, after minus before:
below zero is less pain) over the courses with both scores recorded and how many those are,
and for each questionnaire answered before and after, the mean change of its total and over
how many courses. Nothing of a patient (name, number, record id) is in the result.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.questionnaires.content import ALL_QUESTIONNAIRES, questionnaire
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.shockwave.content import shockwave_content
from clinic_app.domains.shockwave.model import EswtCourse
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.kernel.staff import display_name
from clinic_app.kernel.vocabulary import RecordStatus


@dataclass(frozen=True)
class MeanChange:
    """A mean change after minus before, over ``courses`` courses (None: over none)."""

    mean: float | None
    courses: int


@dataclass(frozen=True)
class QuestionnaireChange:
    """One questionnaire's mean change of total, over the courses answering it both times."""

    questionnaire_id: str
    change: MeanChange
    title: str = ""


@dataclass(frozen=True)
class IndicationFigures:
    """One indication's closed courses and their changes."""

    indication: str
    title: str
    closed: int
    pain: MeanChange
    questionnaires: tuple[QuestionnaireChange, ...] = ()


@dataclass(frozen=True)
class ShockwaveFigures:
    """One clinician's (or the whole service's) courses closed in the range, per indication."""

    clinician_id: uuid.UUID | None
    indications: tuple[IndicationFigures, ...] = ()
    name: str = ""

    @property
    def closed(self) -> int:
        """Every course closed in the range."""
        return sum(row.closed for row in self.indications)


@dataclass(frozen=True)
class ShockwaveAudit:
    """The audit over ``first`` to ``last`` (whole months, both included); see the injections'."""

    first: date
    last: date
    everyone: bool
    overall: ShockwaveFigures
    clinicians: tuple[ShockwaveFigures, ...] = ()


def range_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The first instant of ``first``'s month and of the month after ``last``'s, in UTC."""
    start = datetime(first.year, first.month, 1, tzinfo=UTC)
    if last.month == 12:
        return start, datetime(last.year + 1, 1, 1, tzinfo=UTC)
    return start, datetime(last.year, last.month + 1, 1, tzinfo=UTC)


def _title(questionnaire_id: str) -> str:
    """The shipped questionnaire's title ("" for one the app does not ship)."""
    if questionnaire_id not in ALL_QUESTIONNAIRES:
        return ""
    return questionnaire(questionnaire_id).title


def _mean(changes: Sequence[float]) -> MeanChange:
    return MeanChange(sum(changes) / len(changes) if changes else None, len(changes))


def _responses(stored: Mapping[str, Any] | None) -> list[str]:
    return [str(r) for r in (stored or {}).get("responses") or ()]


def _pain(stored: Mapping[str, Any] | None) -> int | None:
    value = (stored or {}).get("pain_nrs")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _figures(
    who: uuid.UUID | None,
    courses: Iterable[Any],
    totals: Mapping[str, tuple[uuid.UUID, str, int | None]],
    titles: Mapping[str, str],
) -> ShockwaveFigures:
    closed: dict[str, int] = {}
    pain: dict[str, list[float]] = {}
    scores: dict[str, dict[str, list[float]]] = {}
    for course in courses:
        indication = course.indication or ""
        closed[indication] = closed.get(indication, 0) + 1
        before, after = _pain(course.outcome_before), _pain(course.outcome_after)
        changes = pain.setdefault(indication, [])
        if before is not None and after is not None:
            changes.append(after - before)

        def by_questionnaire(
            stored: Mapping[str, Any] | None, own: uuid.UUID = course.patient_id
        ) -> dict[str, int]:
            found: dict[str, int] = {}
            for response in _responses(stored):
                patient, kind, total = totals.get(response, (None, "", None))
                # Only the course's own patient's answers count (a course never names another's).
                if patient == own and kind and total is not None:
                    found[kind] = total
            return found

        first = by_questionnaire(course.outcome_before)
        last = by_questionnaire(course.outcome_after)
        mine = scores.setdefault(indication, {})
        for answered in sorted(set(first) | set(last)):
            kept = mine.setdefault(answered, [])
            if answered in first and answered in last:
                kept.append(last[answered] - first[answered])
    return ShockwaveFigures(
        who,
        tuple(
            IndicationFigures(
                indication,
                titles.get(indication, ""),
                count,
                _mean(pain.get(indication, [])),
                tuple(
                    QuestionnaireChange(kind, _mean(changes), _title(kind))
                    for kind, changes in sorted(scores.get(indication, {}).items())
                ),
            )
            for indication, count in sorted(closed.items(), key=lambda i: (-i[1], i[0]))
        ),
    )


def shockwave_figures(
    session: Session, start: datetime, end: datetime, clinician: uuid.UUID | None = None
) -> tuple[ShockwaveFigures, list[ShockwaveFigures]]:
    """The figures over ``start`` (included) to ``end``, and each clinician's.

    With ``clinician`` only the courses they closed count.
    """
    where: list[Any] = [
        EswtCourse.status == RecordStatus.SIGNED.value,
        EswtCourse.deleted.is_(False),
        EswtCourse.signed_at >= start,
        EswtCourse.signed_at < end,
    ]
    if clinician is not None:
        where.append(EswtCourse.signed_by == clinician)
    courses = session.execute(
        select(
            EswtCourse.signed_by,
            EswtCourse.patient_id,
            EswtCourse.indication,
            EswtCourse.outcome_before,
            EswtCourse.outcome_after,
        ).where(*where)
    ).all()
    ids = {
        uuid.UUID(response)
        for course in courses
        for stored in (course.outcome_before, course.outcome_after)
        for response in _responses(stored)
    }
    totals: dict[str, tuple[uuid.UUID, str, int | None]] = {}
    if ids:
        for response_id, patient_id, kind, total in session.execute(
            select(
                QuestionnaireResponse.id,
                QuestionnaireResponse.patient_id,
                QuestionnaireResponse.questionnaire_id,
                QuestionnaireResponse.total,
            ).where(QuestionnaireResponse.id.in_(ids), QuestionnaireResponse.deleted.is_(False))
        ):
            totals[str(response_id)] = (patient_id, kind, total)
    titles = {i.id: i.title for i in shockwave_content().indications.indications}
    per: dict[uuid.UUID | None, list[Any]] = {}
    for course in courses:
        per.setdefault(course.signed_by, []).append(course)
    clinicians = [_figures(who, per[who], totals, titles) for who in sorted(per, key=str)]
    if clinician is not None:
        own = clinicians[0] if clinicians else ShockwaveFigures(clinician)
        return own, [own]
    return _figures(None, courses, totals, titles), clinicians


def audit_scope(actor: CurrentUser) -> tuple[bool, Action]:
    """Whose figures the actor sees, and the permission read under.

    The service lead (who keeps the device register) sees everyone's, anyone who gives
    shockwave therapy their own; anyone else is refused by the permission.
    """
    if allows(actor.role, Action.ESWT_DEVICE_MANAGE):
        return True, Action.ESWT_DEVICE_MANAGE
    return False, Action.ESWT_RECORD


def shockwave_audit(
    session: Session, actor: CurrentUser, first: date, last: date, *, everyone: bool
) -> ShockwaveAudit:
    """The audit over the months ``first`` to ``last`` (in either order), named."""
    first, last = min(first, last), max(first, last)
    start, end = range_bounds(first, last)
    overall, clinicians = shockwave_figures(session, start, end, None if everyone else actor.id)
    if not everyone:
        return ShockwaveAudit(
            start.date(), last.replace(day=1), False, replace(overall, name=actor.display_name)
        )
    named = tuple(
        sorted(
            (replace(row, name=display_name(session, row.clinician_id)) for row in clinicians),
            key=lambda row: (row.name, str(row.clinician_id)),
        )
    )
    return ShockwaveAudit(start.date(), last.replace(day=1), True, overall, named)
