"""The injections audit over a range of months: counts and rates, never a patient.

Counted are the signed, non-deleted injection records signed in the range, for the clinician
who signed them: by target, by guidance (landmark or ultrasound), by authority (each PGD by
name and the version given under, a patient-specific direction, a prescriber); how many had
an immediate reaction recorded, and how many were added to afterwards by a signed addendum
(a later fact: a culture result, a reaction the next day), with the addenda's number.

The repeat-injection rate: the signed injections that raised, and had acknowledged, the
warning of a repeat too soon at the same site (``repeat_too_soon``) or of the yearly count
at the site (``too_many_at_site``), over all signed injections. Every count is one SQL query
in the store over the signed rows; nothing of a patient (name, number, record id) is read.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from clinic_app.domains.injections.content import injection_content
from clinic_app.domains.injections.model import (
    InjectionAddendum,
    InjectionRecord,
    PatientGroupDirection,
)
from clinic_app.domains.injections.record import repeat_raised
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.kernel.staff import User
from clinic_app.kernel.vocabulary import RecordStatus


@dataclass(frozen=True)
class Count:
    """One line of a breakdown: what was counted, and how many.

    ``key`` is a target's id, ``landmark``/``ultrasound``, ``pgd``/``psd``/``prescriber``
    (``""`` when the record left it empty); ``label`` is the target's title or the PGD's
    name and version, ``""`` when the screen words the key itself.
    """

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class InjectionFigures:
    """One clinician's (or the whole service's) injection figures over the range.

    Attributes:
        clinician_id: who signed the records (None: the whole service).
        signed: signed injections in the range.
        by_target, by_guidance, by_authority: the breakdowns, most first.
        immediate_reactions: signed injections with an immediate reaction recorded.
        with_addenda: signed injections added to by at least one addendum.
        addenda: the addenda to them.
        repeats: signed injections that raised and had acknowledged a repeat warning.
        name: the clinician's name as shown ("" for the service).
    """

    clinician_id: uuid.UUID | None
    signed: int = 0
    by_target: tuple[Count, ...] = ()
    by_guidance: tuple[Count, ...] = ()
    by_authority: tuple[Count, ...] = ()
    immediate_reactions: int = 0
    with_addenda: int = 0
    addenda: int = 0
    repeats: int = 0
    name: str = ""

    @property
    def repeat_rate(self) -> float | None:
        """Repeat injections over all signed (None: none signed, the figure is not a rate)."""
        return None if self.signed == 0 else self.repeats / self.signed

    @property
    def reaction_rate(self) -> float | None:
        """Immediate reactions over all signed (None: none signed)."""
        return None if self.signed == 0 else self.immediate_reactions / self.signed


@dataclass(frozen=True)
class InjectionAudit:
    """The audit over ``first`` to ``last`` (whole months, both included).

    ``overall`` is the whole service's figures for the service lead, the clinician's own
    otherwise; ``clinicians`` holds each clinician's, by name, for the service lead only.
    """

    first: date
    last: date
    everyone: bool
    overall: InjectionFigures
    clinicians: tuple[InjectionFigures, ...] = ()


def range_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The first instant of ``first``'s month and of the month after ``last``'s, in UTC."""
    start = datetime(first.year, first.month, 1, tzinfo=UTC)
    end = (
        datetime(last.year + 1, 1, 1, tzinfo=UTC)
        if last.month == 12
        else datetime(last.year, last.month + 1, 1, tzinfo=UTC)
    )
    return start, end


def _signed(start: datetime, end: datetime, clinician: uuid.UUID | None) -> list[Any]:
    where: list[Any] = [
        InjectionRecord.status == RecordStatus.SIGNED.value,
        InjectionRecord.deleted.is_(False),
        InjectionRecord.signed_at >= start,
        InjectionRecord.signed_at < end,
    ]
    if clinician is not None:
        where.append(InjectionRecord.signed_by == clinician)
    return where


def _breakdown(
    session: Session, column: Any, where: list[Any], by: Any
) -> dict[uuid.UUID | None, dict[str, int]]:
    found: dict[uuid.UUID | None, dict[str, int]] = {}
    rows = session.execute(
        select(by, func.coalesce(column, ""), func.count()).where(*where).group_by(by, column)
    )
    for who, key, count in rows:
        found.setdefault(who, {})[key] = found.get(who, {}).get(key, 0) + count
    return found


def _counts(tally: dict[str, int], label: Any) -> tuple[Count, ...]:
    return tuple(
        Count(key, label(key), count)
        for key, count in sorted(tally.items(), key=lambda item: (-item[1], item[0]))
    )


def injection_figures(
    session: Session, start: datetime, end: datetime, clinician: uuid.UUID | None = None
) -> tuple[InjectionFigures, list[InjectionFigures]]:
    """The figures over ``start`` (included) to ``end``, and each clinician's.

    With ``clinician`` only that clinician's records count (the first figures are then
    theirs, the list holds them alone).
    """
    where = _signed(start, end, clinician)
    signer = InjectionRecord.signed_by
    totals = session.execute(
        select(
            signer,
            func.count(),
            func.sum(case((InjectionRecord.immediate_reaction != "", 1), else_=0)),
            func.sum(case((repeat_raised(), 1), else_=0)),
        )
        .where(*where)
        .group_by(signer)
    ).all()
    addenda = session.execute(
        select(
            signer,
            func.count(func.distinct(InjectionAddendum.injection_id)),
            func.count(InjectionAddendum.id),
        )
        .join(InjectionAddendum, InjectionAddendum.injection_id == InjectionRecord.id)
        .where(*where, InjectionAddendum.deleted.is_(False))
        .group_by(signer)
    ).all()
    targets = _breakdown(session, InjectionRecord.target, where, signer)
    guidance = _breakdown(session, InjectionRecord.guidance, where, signer)
    kinds = _breakdown(session, InjectionRecord.authority_kind, where, signer)
    pgds = session.execute(
        select(
            signer,
            PatientGroupDirection.name,
            InjectionRecord.pgd_version,
            func.count(),
        )
        .join(PatientGroupDirection, PatientGroupDirection.id == InjectionRecord.pgd_id)
        .where(*where, InjectionRecord.authority_kind == "pgd")
        .group_by(signer, PatientGroupDirection.name, InjectionRecord.pgd_version)
    ).all()

    authority: dict[uuid.UUID | None, dict[str, int]] = {}
    pgd_labels: dict[str, str] = {}
    for who, tally in kinds.items():
        mine = authority.setdefault(who, {})
        for kind, count in tally.items():
            if kind != "pgd":
                mine[kind] = count
    for who, name, version, count in pgds:
        key = f"pgd:{name}:{version}"
        pgd_labels[key] = f"{name} (version {version})"
        authority.setdefault(who, {})[key] = authority.get(who, {}).get(key, 0) + count

    titles = {t.id: t.title for t in injection_content().targets.targets}

    def target_label(key: str) -> str:
        return titles.get(key, "")

    def authority_label(key: str) -> str:
        return pgd_labels.get(key, "")

    def none(_key: str) -> str:
        return ""

    per: dict[uuid.UUID | None, list[int]] = {}
    for who, signed, reactions, repeats in totals:
        per[who] = [signed, int(reactions or 0), int(repeats or 0), 0, 0]
    for who, with_addenda, count in addenda:
        per.setdefault(who, [0, 0, 0, 0, 0])[3:] = [with_addenda, count]

    def figures(who: uuid.UUID | None, keys: list[uuid.UUID | None]) -> InjectionFigures:
        tally = [sum(per[k][i] for k in keys) for i in range(5)]

        def merged(source: dict[uuid.UUID | None, dict[str, int]]) -> dict[str, int]:
            out: dict[str, int] = {}
            for k in keys:
                for key, count in source.get(k, {}).items():
                    out[key] = out.get(key, 0) + count
            return out

        return InjectionFigures(
            clinician_id=who,
            signed=tally[0],
            immediate_reactions=tally[1],
            repeats=tally[2],
            with_addenda=tally[3],
            addenda=tally[4],
            by_target=_counts(merged(targets), target_label),
            by_guidance=_counts(merged(guidance), none),
            by_authority=_counts(merged(authority), authority_label),
        )

    everyone = list(per)
    clinicians = [figures(who, [who]) for who in sorted(everyone, key=str)]
    if clinician is not None:
        own = clinicians[0] if clinicians else InjectionFigures(clinician)
        return own, [own]
    return figures(None, everyone), clinicians


def audit_scope(actor: CurrentUser) -> tuple[bool, Action]:
    """Whose figures the actor sees, and the permission read under.

    The service lead (who keeps the PGD register) sees everyone's; anyone who gives
    injections sees their own; anyone else is refused by the permission.
    """
    if allows(actor.role, Action.PGD_MANAGE):
        return True, Action.PGD_MANAGE
    return False, Action.INJECTION_RECORD


def injection_audit(
    session: Session, actor: CurrentUser, first: date, last: date, *, everyone: bool
) -> InjectionAudit:
    """The audit over the months ``first`` to ``last`` (in either order), named.

    Everyone's with each clinician by name when ``everyone``, the actor's own otherwise.
    """
    first, last = min(first, last), max(first, last)
    start, end = range_bounds(first, last)
    overall, clinicians = injection_figures(session, start, end, None if everyone else actor.id)
    named = tuple(
        sorted(
            (replace(row, name=_name(session, row.clinician_id)) for row in clinicians),
            key=lambda row: (row.name, str(row.clinician_id)),
        )
    )
    if not everyone:
        return InjectionAudit(
            start.date(), last.replace(day=1), False, replace(overall, name=actor.display_name)
        )
    return InjectionAudit(start.date(), last.replace(day=1), True, overall, named)


def _name(session: Session, user_id: uuid.UUID | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.display_name if user is not None else ""
