"""The triage worklist and triage decisions."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from clinic_app.domains.triage.content import ServiceRules
from clinic_app.domains.triage.model import TriageDecision
from clinic_app.domains.triage.rules import (
    APPOINTMENT_OUTCOMES,
    RETURN_TO_REFERRER,
    ReferralFacts,
    TargetStatus,
    checked_decision,
    most_pressing,
    target_statuses,
    tier_of,
    worklist_key,
)
from clinic_app.domains.triage.service.targets import rules_in_force
from clinic_app.domains.triage.views import TargetView, TriageInput, TriageView, WorklistItem
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, NotFound
from clinic_app.kernel.reference import code_list
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.uow import Context, Mode, UnitOfWork, recorded_by
from clinic_app.kernel.vocabulary import ReferralPriority, ReferralStatus
from clinic_app.people.care import Referral
from clinic_app.people.duplicates import standing_rows
from clinic_app.people.episodes import open_episode
from clinic_app.people.model import Patient


def referrer_words(name: str, organisation: str | None, source: str | None) -> str:
    """Who referred, as the worklist shows it: "Dr A Hughes, Riverside Surgery" or "Self"."""
    who = ", ".join(part for part in (name.strip(), (organisation or "").strip()) if part)
    return who or source or ""


def _target_view(status: TargetStatus) -> TargetView:
    return TargetView(
        rule_id=status.rule.rule_id,
        label=status.rule.label,
        unit=status.rule.unit,
        due=status.due,
        days_left=status.days_left,
        state=status.state,
    )


class TriageService:
    """Untriaged referrals by the date they are due, and recording what triage decided."""

    def __init__(self, context: Context, rules: ServiceRules | None = None) -> None:
        self._context = context
        self._uow = UnitOfWork(context)
        self._rules = rules

    def worklist(self, actor: CurrentUser, today: date | None = None) -> list[WorklistItem]:
        """Referrals waiting for triage, those due first at the top.

        One query reads every referral with its patient; the targets are worked out in memory.
        """
        day = today or self._context.today()
        specialties = code_list("specialty")
        sources = code_list("referral_source")
        with self._uow(actor, Action.TRIAGE_WORKLIST, mode=Mode.AUDITED_READ) as session:
            # The service's own settings unless the caller fixed the rules (tests, previews).
            rules = self._rules or rules_in_force(session)
            rows = session.execute(
                select(
                    Referral.id,
                    Referral.patient_id,
                    Referral.received_on,
                    Referral.specialty,
                    Referral.priority,
                    Referral.reason,
                    Referral.source,
                    Referral.referrer_name,
                    Referral.referrer_organisation,
                    Patient.nhs_number,
                    Patient.family_name,
                    Patient.given_name,
                )
                .join(Patient, Patient.id == Referral.patient_id)
                .where(
                    Referral.status == ReferralStatus.RECEIVED,
                    Referral.deleted.is_(False),
                    Patient.deleted.is_(False),
                )
            ).all()
            # A referral under a registration since merged into another record is listed
            # under that record's name and number (the record its row opens).
            standing = standing_rows(session, {row.patient_id for row in rows})
            self._uow.audit(session, actor, "triage.worklist")
        keyed = []
        for row in rows:
            tier = tier_of(row.specialty)
            facts = ReferralFacts(received=row.received_on, priority=row.priority.value, tier=tier)
            statuses = target_statuses(facts, rules.active_rules, rules.near, day)
            pressing = most_pressing(statuses)
            survivor = standing.get(row.patient_id)
            item = WorklistItem(
                referral_id=row.id,
                patient_id=row.patient_id,
                nhs_number=survivor.nhs_number if survivor is not None else row.nhs_number,
                family_name=survivor.family_name if survivor is not None else row.family_name,
                given_name=survivor.given_name if survivor is not None else row.given_name,
                received_on=row.received_on,
                specialty=row.specialty,
                specialty_label=specialties.label_for(row.specialty) or row.specialty,
                priority=row.priority,
                tier=tier,
                reason=row.reason,
                referrer=referrer_words(
                    row.referrer_name, row.referrer_organisation, sources.label_for(row.source)
                ),
                targets=tuple(_target_view(s) for s in statuses),
                due=pressing.due if pressing else None,
                days_left=pressing.days_left if pressing else None,
                state=pressing.state if pressing else None,
            )
            keyed.append(((*worklist_key(facts, statuses), row.id), item))
        keyed.sort(key=lambda pair: pair[0])
        return [item for _key, item in keyed]

    def triage(self, actor: CurrentUser, referral_id: uuid.UUID, data: TriageInput) -> TriageView:
        """Record the triage of a referral; it becomes "triaged", or "returned" to the referrer.

        Raises:
            FormErrors: one ValidationError per bad field (``outcome``, ``priority``,
                ``pathway``, ``reason``, ``advice``).
            NotFound: ``referral.not_found``.
            Conflict: ``referral.already_triaged`` when it is no longer waiting for triage.
        """
        checked = checked_decision(
            data.outcome, data.priority, data.pathway, data.reason, data.advice
        )
        outcome, pathway = checked.outcome, checked.pathway
        with self._uow(actor, Action.TRIAGE_DECIDE) as session:
            referral = session.get(Referral, referral_id)
            if referral is None or referral.deleted:
                raise NotFound("referral.not_found")
            if referral.status is not ReferralStatus.RECEIVED:
                raise Conflict("referral.already_triaged", status=referral.status.value)
            decided_at = utcnow()
            decision = TriageDecision(
                referral_id=referral.id,
                patient_id=referral.patient_id,
                outcome=outcome,
                pathway=pathway,
                tier=checked.tier.value if checked.tier else None,
                priority=ReferralPriority(checked.priority),
                with_diagnostics=checked.with_diagnostics,
                reason=checked.reason,
                advice=checked.advice,
                decided_at=decided_at,
                decided_by=recorded_by(actor),
            )
            session.add(decision)
            episode_id = None
            if pathway is not None and outcome in APPOINTMENT_OUTCOMES:
                episode = open_episode(session, referral, pathway, self._context.today(), lead=None)
                # Held at the triaging clinician's site (laptops there hold its patients).
                episode.site_id = actor.site_id
                session.flush()
                episode_id = episode.id
            referral.status = (
                ReferralStatus.RETURNED if outcome == RETURN_TO_REFERRER else ReferralStatus.TRIAGED
            )
            session.flush()
            self._uow.audit(
                session,
                actor,
                "triage.decide",
                patient_id=referral.patient_id,
                entity="triage_decision",
                entity_id=decision.id,
            )
            return TriageView(
                id=decision.id,
                referral_id=referral.id,
                outcome=outcome,
                pathway=pathway,
                tier=checked.tier,
                priority=decision.priority,
                with_diagnostics=decision.with_diagnostics,
                reason=checked.reason,
                advice=checked.advice,
                decided_at=decided_at,
                decided_by=recorded_by(actor),
                referral_status=referral.status,
                episode_id=episode_id,
            )
