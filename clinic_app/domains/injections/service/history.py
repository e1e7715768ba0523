"""What the checks read from the store: the patient's injections, red flags, the PGD, the content.

Every read is of the store as synced: a signed injection given on another laptop, or a red
flag screened on another, counts the same as this device's own once it has arrived.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.injections.content import injection_content, loosest_rules
from clinic_app.domains.injections.model import InjectionRecord, PatientGroupDirection
from clinic_app.domains.injections.rules import (
    Checks,
    Draft,
    Drug,
    PastInjection,
    ProductFacts,
    TargetFacts,
    authority_problems,
    check_injection,
)
from clinic_app.domains.injections.service.pgds import pgd_terms
from clinic_app.domains.injections.service.settings import rules_in_force
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.domains.red_flags.model import (
    RedFlagAction,
    RedFlagResolution,
    RedFlagScreening,
)
from clinic_app.domains.red_flags.rules import HardStop
from clinic_app.kernel.errors import ClinicError, ValidationError
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.people.duplicates import identities_of

#: The red-flag screen whose rules stop a steroid injection when its own file cannot be read.
SEPTIC_SCREEN = "septic_arthritis"


def products() -> dict[str, ProductFacts]:
    """The formulary as the checks read it."""
    return {
        p.id: ProductFacts(
            id=p.id,
            is_steroid=p.is_steroid,
            strength_mg_per_ml=p.strength_mg_per_ml,
            ranges={size: (r.min_mg, r.max_mg) for size, r in p.doses.items()},
            max_single_dose_mg=p.max_single_dose_mg,
            local_anaesthetic_mg_per_ml=p.local_anaesthetic_mg_per_ml,
            anaesthetic=p.anaesthetic,
        )
        for p in injection_content().formulary.products
    }


def targets() -> dict[str, TargetFacts]:
    """The targets as the checks read them."""
    return {
        t.id: TargetFacts(t.id, t.size_class, t.implausible_above_ml)
        for t in injection_content().targets.targets
    }


def hard_items() -> frozenset[str]:
    """The checklist items marked as hard stops."""
    return frozenset(i.id for i in injection_content().checklist.items if i.kind == "hard_stop")


def draft_of(row: InjectionRecord, today: date) -> Draft:
    """A stored record as the checks read it (today when its date is not set yet)."""
    return Draft(
        record_id=row.id,
        performed_on=row.performed_on or today,
        target=row.target,
        side=row.side,
        drugs=tuple(Drug.from_json(d) for d in row.drugs),
        checklist=dict(row.checklist),
        anticoagulant=row.anticoagulant,
        inr_value=row.inr_value,
        inr_measured_at=row.inr_measured_at,
        replacement_planned_on=row.replacement_planned_on,
        authority_kind=row.authority_kind,
    )


def _registrations(
    session: Session, patient_id: uuid.UUID, written_on: uuid.UUID | None
) -> list[uuid.UUID]:
    """The registrations whose records count: any merged into the patient's record too.

    Not for what a device certainly held when it signed (``written_on``): a merge may have
    reached it only afterwards.
    """
    return [patient_id] if written_on is not None else identities_of(session, patient_id)


def history(
    session: Session,
    patient_id: uuid.UUID,
    *,
    written_on: uuid.UUID | None = None,
    signed_by: datetime | None = None,
) -> list[PastInjection]:
    """Every signed injection of the patient held in the store, from whichever device.

    The patient's injections include those recorded under a registration since merged into
    their record (a second registration at another clinic): a joint injected there counts
    as much as one injected here.

    With ``written_on``, only those that device signed itself under this very registration,
    at or before ``signed_by``: what it certainly held when it signed a record then (see
    :func:`checks_as_signed`; a merge may have reached it only afterwards).
    """
    registrations = _registrations(session, patient_id, written_on)
    rows = session.execute(
        select(
            InjectionRecord.id,
            InjectionRecord.performed_on,
            InjectionRecord.signed_at,
            InjectionRecord.target,
            InjectionRecord.side,
            InjectionRecord.device_id,
        ).where(
            InjectionRecord.patient_id.in_(registrations),
            InjectionRecord.status == RecordStatus.SIGNED.value,
            InjectionRecord.deleted.is_(False),
        )
    ).all()
    if written_on is not None:
        rows = [
            row
            for row in rows
            if row.device_id == written_on
            and row.signed_at is not None
            and (signed_by is None or _utc(row.signed_at) <= signed_by)
        ]
    return [
        PastInjection(
            record_id=row.id,
            performed_on=row.performed_on or row.signed_at.date(),
            target=row.target or "",
            side=row.side or "",
        )
        for row in rows
        if row.performed_on is not None or row.signed_at is not None
    ]


def _utc(moment: datetime) -> datetime:
    """An aware time (a naive one read as UTC), to compare times from either engine."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _stops_steroids(screen_id: str, fired: list[str]) -> bool:
    try:
        screen = red_flag_screen(screen_id)
    except ClinicError:
        # A screen no longer shipped: a septic-arthritis screening still stops the injection.
        return screen_id == SEPTIC_SCREEN and bool(fired)
    return any(
        rule.rule_id in fired and HardStop.STEROID_INJECTION in rule.hard_stops
        for rule in screen.rules
    )


def septic_flag_open(
    session: Session,
    patient_id: uuid.UUID,
    episode_id: uuid.UUID | None,
    *,
    written_on: uuid.UUID | None = None,
    screened_by: datetime | None = None,
) -> bool:
    """True when a screening of the episode stops a steroid injection and is not resolved.

    Not resolved: no action recorded for it yet, or its recorded action still outstanding.
    With ``written_on``, only screenings that device made itself, at or before
    ``screened_by``, are read (what it certainly held then; see :func:`checks_as_signed`).
    """
    in_episode = (
        RedFlagScreening.episode_id.is_(None)
        if episode_id is None
        else RedFlagScreening.episode_id == episode_id
    )
    registrations = _registrations(session, patient_id, written_on)
    screenings = session.execute(
        select(
            RedFlagScreening.id,
            RedFlagScreening.screen_id,
            RedFlagScreening.fired_rules,
            RedFlagScreening.device_id,
            RedFlagScreening.created_at,
        ).where(
            RedFlagScreening.patient_id.in_(registrations),
            RedFlagScreening.deleted.is_(False),
            in_episode,
        )
    ).all()
    if written_on is not None:
        screenings = [
            s
            for s in screenings
            if s.device_id == written_on
            and (screened_by is None or _utc(s.created_at) <= screened_by)
        ]
    stopping = [s.id for s in screenings if _stops_steroids(s.screen_id, list(s.fired_rules))]
    if not stopping:
        return False
    resolved = set(
        session.scalars(
            select(RedFlagResolution.screening_id).where(
                RedFlagResolution.screening_id.in_(stopping),
                RedFlagResolution.deleted.is_(False),
            )
        )
    )
    outstanding = set(
        session.scalars(
            select(RedFlagAction.screening_id).where(
                RedFlagAction.screening_id.in_(stopping),
                RedFlagAction.status == "outstanding",
                RedFlagAction.deleted.is_(False),
            )
        )
    )
    return any(s not in resolved or s in outstanding for s in stopping)


def authority_of(
    session: Session, row: InjectionRecord, draft: Draft, user_id: uuid.UUID | None
) -> list[ValidationError]:
    """The problems of the record's authority (only a PGD's are checked here)."""
    if row.authority_kind != "pgd":
        return []
    pgd = session.get(PatientGroupDirection, row.pgd_id) if row.pgd_id is not None else None
    if pgd is None or pgd.deleted:
        return [ValidationError("pgd.not_found", field="pgd_id")]
    return authority_problems(
        pgd_terms(pgd),
        on=draft.performed_on,
        user_id=user_id,
        drugs=draft.drugs,
        target=draft.target,
        version=row.pgd_version,
    )


def checks_for(
    session: Session, row: InjectionRecord, user_id: uuid.UUID | None, now: datetime
) -> Checks:
    """The hard stops and warnings of a stored draft, as ``user_id`` would sign it now."""
    draft = draft_of(row, now.date())
    return check_injection(
        draft,
        history=history(session, row.patient_id),
        products=products(),
        targets=targets(),
        rules=rules_in_force(session),
        septic_flag_open=septic_flag_open(session, row.patient_id, row.episode_id),
        authority=authority_of(session, row, draft, user_id),
        hard_items=hard_items(),
        now=now,
    )


def checks_as_signed(session: Session, row: InjectionRecord) -> Checks:
    """The checks of a record pushed as signed, as far as its device must have made them too.

    The server asks this of a signing a device pushes, at the record's own time (its
    ``performed_on``, the INR's age to its ``signed_at``), never the server's clock. It reads
    only what the device certainly knew when it signed: the record itself; the formulary,
    targets and checklist it ships with; the injections and red-flag screenings that device
    signed or made itself before; and the loosest rules a service may set
    (:func:`~clinic_app.domains.injections.content.loosest_rules`). What another device
    recorded may not have reached it yet, so it never refuses a record honestly signed.
    The PGD is checked apart (``handlers.authority_refusal``).

    Raises:
        ValueError: for a record with no signing time.
    """
    if row.signed_at is None:
        raise ValueError("a signed record has its signing time")
    signed_at = _utc(row.signed_at)
    draft = draft_of(row, signed_at.date())
    if draft.inr_measured_at is not None:
        draft = replace(draft, inr_measured_at=_utc(draft.inr_measured_at))
    return check_injection(
        draft,
        history=history(session, row.patient_id, written_on=row.device_id, signed_by=signed_at),
        products=products(),
        targets=targets(),
        rules=loosest_rules(),
        septic_flag_open=septic_flag_open(
            session,
            row.patient_id,
            row.episode_id,
            written_on=row.device_id,
            screened_by=signed_at,
        ),
        hard_items=hard_items(),
        now=signed_at,
    )
