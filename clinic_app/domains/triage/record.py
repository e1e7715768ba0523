"""What triage offers the service's figures: each referral received, and how it was triaged.

Triage has no record type of its own (a triage decision is never signed); it registers its
fact source alone, and the schema loads this module with every domain's ``record``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import aliased

from clinic_app.domains.triage.model import TriageDecision
from clinic_app.people.care import Referral
from clinic_app.records.facts import fact_columns
from clinic_app.records.offers import FactSource
from clinic_app.records.registry import register_facts

#: The triage outcomes that refer a patient on to another service.
ONWARD_OUTCOMES: tuple[str, ...] = ("onward_referral", "emergency_onward_referral")


def _first_decision() -> Any:
    """The referral's first triage decision (by when it was decided), as a correlated row."""
    first = aliased(TriageDecision)
    return (
        select(first.id)
        .where(
            first.referral_id == Referral.id,
            first.deleted.is_(False),
            first.decided_at.is_not(None),
        )
        .order_by(first.decided_at, first.id)
        .limit(1)
        .correlate(Referral)
        .scalar_subquery()
    )


def referral_facts() -> Select[Any]:
    """One row per referral received: its priority, and its first triage if it has one.

    ``at`` is the day it was received; the clinician is who triaged it first (NULL while it
    waits). ``onward`` is true when any triage of it referred the patient on.
    """
    decision = aliased(TriageDecision)
    onward = aliased(TriageDecision)
    return (
        select(
            *fact_columns(
                patient_id=Referral.patient_id,
                at=Referral.received_on,
                clinician_id=decision.decided_by,
                received_on=Referral.received_on,
                triaged_at=decision.decided_at,
                priority=Referral.priority,
                triage_outcome=decision.outcome,
                onward=exists().where(
                    onward.referral_id == Referral.id,
                    onward.deleted.is_(False),
                    onward.outcome.in_(ONWARD_OUTCOMES),
                ),
            )
        )
        .outerjoin(decision, decision.id == _first_decision())
        .where(Referral.deleted.is_(False))
    )


REFERRAL_FACTS = register_facts(
    FactSource(
        name="referral",
        title="Referrals received",
        select=referral_facts,
        columns={
            "received_on": "day",
            "triaged_at": "time",
            "priority": "code",
            "triage_outcome": "code",
            "onward": "flag",
        },
    )
)
