"""Referrals and their triage decisions on the patient's timeline.

A referral shows the priority in force: the latest triage decision's once triaged, else the
one it was referred with. A decision that lowers the referred priority says so.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.triage.model import TriageDecision
from clinic_app.kernel.reference import code_list
from clinic_app.kernel.vocabulary import ReferralPriority
from clinic_app.people.care import EpisodeOfCare, Referral
from clinic_app.records.timeline import (
    EntryStatus,
    TimelineEntry,
    at_start_of,
    aware,
    register_source,
)

#: Lowest to highest.
_RANK = {ReferralPriority.ROUTINE: 0, ReferralPriority.PRIORITY: 1, ReferralPriority.URGENT: 2}
_SHORT_REASON = 90


def priority_change(referred: ReferralPriority, decided: ReferralPriority) -> str:
    """``downgraded``, ``upgraded`` or ``""`` when triage kept the referred priority."""
    if _RANK[decided] < _RANK[referred]:
        return "downgraded"
    if _RANK[decided] > _RANK[referred]:
        return "upgraded"
    return ""


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _SHORT_REASON else line[: _SHORT_REASON - 1].rstrip() + "…"


def referral_entries(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
    """Each referral, and each triage decision about it, with the priority in force."""
    referrals = {
        row.id: row
        for row in session.scalars(
            select(Referral).where(Referral.patient_id == patient_id, Referral.deleted.is_(False))
        )
    }
    episodes = {
        referral_id: episode_id
        for referral_id, episode_id in session.execute(
            select(EpisodeOfCare.referral_id, EpisodeOfCare.id).where(
                EpisodeOfCare.patient_id == patient_id, EpisodeOfCare.deleted.is_(False)
            )
        )
    }
    decisions = session.scalars(
        select(TriageDecision)
        .where(TriageDecision.patient_id == patient_id, TriageDecision.deleted.is_(False))
        .order_by(TriageDecision.decided_at, TriageDecision.id)
    ).all()
    outcomes, specialties, sources = (
        code_list("triage_outcome"),
        code_list("specialty"),
        code_list("referral_source"),
    )
    entries: list[TimelineEntry] = []
    in_force: dict[uuid.UUID, ReferralPriority] = {}
    for decision in decisions:
        referral = referrals.get(decision.referral_id)
        if referral is None:
            continue
        in_force[referral.id] = decision.priority
        change = priority_change(referral.priority, decision.priority)
        pathway = specialties.label_for(decision.pathway) if decision.pathway else None
        outcome = outcomes.label_for(decision.outcome) or decision.outcome
        detail = f"Priority {decision.priority.value}"
        if change:
            detail += f" ({change} from {referral.priority.value})"
        if decision.reason:
            detail += f". {_short(decision.reason)}"
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=episodes.get(referral.id),
                when=aware(decision.decided_at or decision.created_at),
                kind="triage_decision",
                description=f"Triage: {outcome}" + (f", {pathway}" if pathway else ""),
                status=EntryStatus.TRIAGED,
                record_id=decision.id,
                priority=decision.priority.value,
                detail=detail,
            )
        )
    for referral in referrals.values():
        source = sources.label_for(referral.source) or referral.source
        specialty = specialties.label_for(referral.specialty) or referral.specialty
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=episodes.get(referral.id),
                when=at_start_of(referral.received_on),
                kind="referral",
                description=f"Referral from {source}: {specialty}",
                status=str(referral.status.value),
                record_id=referral.id,
                priority=in_force.get(referral.id, referral.priority).value,
                detail=_short(referral.reason),
            )
        )
    return entries


register_source("referral", referral_entries)
