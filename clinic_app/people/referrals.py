"""Taking referrals in."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from clinic_app.kernel import validation as check
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.dates import parse_date
from clinic_app.kernel.errors import NotFound, ValidationError
from clinic_app.kernel.reference import code_list
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.uow import Context, Mode, UnitOfWork
from clinic_app.kernel.vocabulary import ReferralPriority
from clinic_app.people.care import Referral
from clinic_app.people.duplicates import identities_of
from clinic_app.people.model import Patient
from clinic_app.people.views import ReferralInput, ReferralSummary

REASON_MAX = 4000
EARLIEST_YEAR = 2000


def check_received_on(received_on: date, today: date) -> None:
    """Check the day a referral was received: not after ``today``, not before 2000.

    Args:
        received_on: the day entered.
        today: the current date (passed in so the rule stays pure).

    Raises:
        ValidationError: with ``field="received_on"``: ``date.future`` or
            ``date.too_early``.
    """
    if received_on > today:
        raise ValidationError("date.future", field="received_on")
    if received_on.year < EARLIEST_YEAR:
        raise ValidationError("date.too_early", field="received_on")


def referral_summary(referral: Referral) -> ReferralSummary:
    """The read model of a referral row."""
    sources = code_list("referral_source")
    specialties = code_list("specialty")
    return ReferralSummary(
        id=referral.id,
        patient_id=referral.patient_id,
        received_on=referral.received_on,
        source=referral.source,
        source_label=sources.label_for(referral.source) or referral.source,
        referrer_name=referral.referrer_name,
        referrer_organisation=referral.referrer_organisation,
        specialty=referral.specialty,
        specialty_label=specialties.label_for(referral.specialty) or referral.specialty,
        priority=referral.priority,
        status=referral.status,
        reason=referral.reason,
    )


class ReferralService:
    """Recording a referral against a registered patient."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._uow = UnitOfWork(context)

    def create(self, actor: CurrentUser, data: ReferralInput) -> ReferralSummary:
        """Record a new referral, status "received".

        Raises:
            FormErrors: one ValidationError per bad field.
            NotFound: ``patient.not_found``.
        """
        errors = check.Collector()
        today = self._context.today()
        source = errors.check(
            lambda: check.code_in("referral_source", data.source, "source", required=True)
        )
        specialty = errors.check(
            lambda: check.code_in("specialty", data.specialty, "specialty", required=True)
        )
        received = errors.check(lambda: parse_date(data.received_on, "received_on"))
        if received is not None:
            errors.check(lambda: check_received_on(received, today))
        referrer = errors.check(
            lambda: check.required_text(data.referrer_name, "referrer_name", 200)
        )
        organisation = errors.check(
            lambda: check.optional_text(data.referrer_organisation, "referrer_organisation", 200)
        )
        reason = errors.check(lambda: check.required_text(data.reason, "reason", REASON_MAX))
        try:
            priority = ReferralPriority(data.priority)
        except ValueError:
            errors.add("code.unknown", "priority")
            priority = ReferralPriority.ROUTINE
        errors.raise_if_any()

        with self._uow(actor, Action.REFERRAL_CREATE) as session:
            patient = session.get(Patient, data.patient_id)
            if patient is None or patient.deleted:
                raise NotFound("patient.not_found")
            if received is None or source is None or specialty is None:
                raise ValidationError("form.invalid")  # unreachable: checked above
            referral = Referral(
                patient_id=patient.id,
                source=source,
                received_on=received,
                referrer_name=referrer or "",
                referrer_organisation=organisation,
                reason=reason or "",
                specialty=specialty,
                priority=priority,
            )
            session.add(referral)
            session.flush()
            self._uow.audit(
                session,
                actor,
                "referral.create",
                patient_id=patient.id,
                entity="referral",
                entity_id=referral.id,
            )
            return referral_summary(referral)

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[ReferralSummary]:
        """A patient's referrals, newest first (those of registrations merged into theirs too)."""
        with self._uow(actor, Action.REFERRAL_VIEW, mode=Mode.AUDITED_READ) as session:
            self._uow.audit(session, actor, "referral.list", patient_id=patient_id)
            registrations = identities_of(session, patient_id)
            rows = session.scalars(
                select(Referral)
                .where(Referral.patient_id.in_(registrations), Referral.deleted.is_(False))
                .order_by(Referral.received_on.desc(), Referral.id.desc())
            ).all()
            return [referral_summary(r) for r in rows]
