"""Waiting-time targets of a referral: due dates, days left and where each target stands.

Pure rules with no I/O: the targets themselves (:class:`TargetRule`) are data, loaded and
checked by ``clinic_app.domains.triage.content`` and passed in here.

For a target counted in working days, the conventions of
:mod:`clinic_app.domains.triage.working_days` apply: the day the clock starts is day 0, and a
weekend or bank holiday (including "today") counts as the next working day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from clinic_app.domains.triage.working_days import add_working_days, working_days_between
from clinic_app.kernel import validation as check
from clinic_app.kernel.errors import ValidationError

#: Referral priorities, most pressing first (the codes of the ``referral_priority`` list).
PRIORITIES: tuple[str, ...] = ("urgent", "priority", "routine")
#: Tier 2 specialties of the service specifications; every other specialty is Tier 1.
TIER_2_SPECIALTIES = frozenset({"orthopaedic_spinal", "rheumatology", "pain_management"})
#: Outcomes that book an appointment in a pathway, so the pathway must be named.
APPOINTMENT_OUTCOMES = frozenset({"appointment", "appointment_after_diagnostics"})
#: The outcome that books diagnostics before the appointment.
AFTER_DIAGNOSTICS = "appointment_after_diagnostics"
RETURN_TO_REFERRER = "return_to_referrer"
TEXT_MAX = 4000


class Tier(StrEnum):
    """The tier of the specialty a referral is for."""

    TIER_1 = "tier_1"
    TIER_2 = "tier_2"


def tier_of(specialty: str) -> Tier:
    """The tier of a specialty (or pathway) code."""
    return Tier.TIER_2 if specialty in TIER_2_SPECIALTIES else Tier.TIER_1


class Unit(StrEnum):
    """How a target's amount is counted."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


class ClockStart(StrEnum):
    """The event that starts a target's clock."""

    RECEIVED = "received"
    TRIAGED = "triaged"


class ClockStop(StrEnum):
    """The event that meets a target."""

    TRIAGED = "triaged"
    APPOINTMENT_OFFERED = "appointment_offered"


class TargetState(StrEnum):
    """Where a target stands today.

    ``OK``, ``NEAR``, ``DUE_TODAY`` and ``OVERDUE`` are open targets; ``MET`` and ``MISSED``
    are closed ones (the event happened on time, or late).
    """

    OK = "ok"
    NEAR = "near"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    MET = "met"
    MISSED = "missed"


_CLOSED = frozenset({TargetState.MET, TargetState.MISSED})


@dataclass(frozen=True)
class TargetRule:
    """One waiting-time target as the service applies it.

    Attributes:
        rule_id: stable identifier, e.g. ``"triage_urgent_priority_tier2"``.
        label: short plain-English description of what must happen.
        priorities: priorities the rule covers.
        tiers: specialty tiers the rule covers; a referral is covered when its priority
            or its tier is listed.
        clock_start: what starts the clock.
        clock_stop: what meets the target.
        unit: working or calendar days.
        amount: how many days of ``unit`` the service allows.
        source: where the target comes from.
        active: whether the service works to this rule.
        outcomes: once the referral is triaged, the rule applies only if the triage outcome
            is one of these; empty means whatever the outcome.
        notes: anything a maintainer should know ("" if nothing).
    """

    rule_id: str
    label: str
    priorities: frozenset[str]
    tiers: frozenset[Tier]
    clock_start: ClockStart
    clock_stop: ClockStop
    unit: Unit
    amount: int
    source: str
    active: bool = True
    outcomes: frozenset[str] = frozenset()
    notes: str = ""

    def covers(self, priority: str, tier: Tier | None) -> bool:
        """Tell whether the rule covers a referral of this priority and tier.

        Args:
            priority: one of :data:`PRIORITIES`.
            tier: the specialty tier, or ``None`` for a specialty outside the tiers.

        Returns:
            True when the priority or the tier is listed by the rule.
        """
        return priority in self.priorities or (tier is not None and tier in self.tiers)


@dataclass(frozen=True)
class NearThresholds:
    """How close to its due date an open target is shown as near (a local display setting).

    Attributes:
        working_days: for targets counted in working days.
        calendar_days: for targets counted in calendar days.
    """

    working_days: int
    calendar_days: int

    def for_unit(self, unit: Unit) -> int:
        """The threshold for targets counted in ``unit``."""
        if unit is Unit.WORKING_DAYS:
            return self.working_days
        return self.calendar_days


def _field_error(code: str, field: str, **params: object) -> ValidationError:
    return ValidationError(f"triage.{code}", field=field, **params)


@dataclass(frozen=True)
class CheckedDecision:
    """A triage decision as it is recorded: its codes and texts checked and trimmed.

    Attributes:
        outcome: a code of the ``triage_outcome`` list.
        priority: a code of the ``referral_priority`` list.
        pathway: a code of the ``specialty`` list; given for an appointment outcome.
        reason: why (given to return a referral to its referrer), or None.
        advice: advice for the referrer, or None.
    """

    outcome: str
    priority: str
    pathway: str | None
    reason: str | None
    advice: str | None

    @property
    def tier(self) -> Tier | None:
        """The tier of the pathway, or None when no pathway is named."""
        return tier_of(self.pathway) if self.pathway else None

    @property
    def with_diagnostics(self) -> bool:
        """True when diagnostics come before the appointment."""
        return self.outcome == AFTER_DIAGNOSTICS


def checked_decision(
    outcome: str, priority: str, pathway: str, reason: str, advice: str
) -> CheckedDecision:
    """A triage decision as typed, checked field by field.

    Raises:
        FormErrors: one ValidationError per bad field (``outcome``, ``priority``,
            ``pathway``, ``reason``, ``advice``).
    """
    errors = check.Collector()
    checked_outcome = errors.check(
        lambda: check.code_in("triage_outcome", outcome, "outcome", required=True)
    )
    checked_priority = errors.check(
        lambda: check.code_in("referral_priority", priority, "priority", required=True)
    )
    needs_pathway = checked_outcome in APPOINTMENT_OUTCOMES
    checked_pathway = errors.check(
        lambda: check.code_in("specialty", pathway, "pathway", required=needs_pathway)
    )
    checked_reason = errors.check(lambda: check.optional_text(reason, "reason", TEXT_MAX))
    checked_advice = errors.check(lambda: check.optional_text(advice, "advice", TEXT_MAX))
    if checked_outcome == RETURN_TO_REFERRER and not reason.strip():
        errors.add("triage.reason_required", "reason")
    errors.raise_if_any()
    if checked_outcome is None or checked_priority is None:
        raise ValidationError("form.invalid")  # unreachable: checked above
    return CheckedDecision(
        outcome=checked_outcome,
        priority=checked_priority,
        pathway=checked_pathway,
        reason=checked_reason,
        advice=checked_advice,
    )


@dataclass(frozen=True)
class ReferralFacts:
    """What the waiting-time targets need to know about a referral.

    Attributes:
        received: the day the referral was received.
        priority: one of :data:`PRIORITIES`.
        tier: the tier of the specialty it is for; ``None`` for one outside the tiers.
        triaged: the day it was triaged, if it has been.
        outcome: the triage outcome code; given exactly when ``triaged`` is.
        appointment_offered: the day an appointment was first offered, if one has been.

    Raises:
        ValidationError: on construction, with codes ``triage.not_a_date``,
            ``triage.unknown_priority``, ``triage.outcome_required``,
            ``triage.outcome_without_date`` or ``triage.before_received`` and the field.
    """

    received: date
    priority: str
    tier: Tier | None
    triaged: date | None = None
    outcome: str | None = None
    appointment_offered: date | None = None

    def __post_init__(self) -> None:
        dates = {
            "received": self.received,
            "triaged": self.triaged,
            "appointment_offered": self.appointment_offered,
        }
        for field, value in dates.items():
            if isinstance(value, datetime):
                raise _field_error("not_a_date", field)
        if self.priority not in PRIORITIES:
            raise _field_error("unknown_priority", "priority", priority=self.priority)
        if self.triaged is not None and not self.outcome:
            raise _field_error("outcome_required", "outcome")
        if self.triaged is None and self.outcome is not None:
            raise _field_error("outcome_without_date", "triaged")
        for field in ("triaged", "appointment_offered"):
            later = dates[field]
            if later is not None and later < self.received:
                raise _field_error("before_received", field)


@dataclass(frozen=True)
class TargetStatus:
    """Where one target of one referral stands.

    Attributes:
        rule: the target.
        clock_started: the day its clock started.
        due: the last day on which the target is met.
        days_left: in the rule's unit, from today to ``due`` for an open target (0 on the
            due day, negative when overdue); for a closed target, from the day the clock
            stopped to ``due`` (negative when it was missed).
        state: where it stands.
        stopped: the day the target was met or missed; ``None`` while it is open.
    """

    rule: TargetRule
    clock_started: date
    due: date
    days_left: int
    state: TargetState
    stopped: date | None = None

    @property
    def is_open(self) -> bool:
        """True until the event the target measures has happened."""
        return self.state not in _CLOSED


def _due_date(start: date, rule: TargetRule) -> date:
    if rule.unit is Unit.WORKING_DAYS:
        return add_working_days(start, rule.amount)
    return start + timedelta(days=rule.amount)


def _days_from(day: date, due: date, unit: Unit) -> int:
    if unit is Unit.WORKING_DAYS:
        return working_days_between(day, due)
    return (due - day).days


def _open_state(days_left: int, near: int) -> TargetState:
    if days_left < 0:
        return TargetState.OVERDUE
    if days_left == 0:
        return TargetState.DUE_TODAY
    if days_left <= near:
        return TargetState.NEAR
    return TargetState.OK


def target_status(
    rule: TargetRule, referral: ReferralFacts, near: NearThresholds, today: date
) -> TargetStatus | None:
    """Where one target stands for one referral today.

    Args:
        rule: the target.
        referral: the referral.
        near: the service's near thresholds.
        today: the day to judge from.

    Returns:
        The status, or ``None`` when the rule does not apply: it is switched off, does not
        cover the referral's priority or tier, does not apply to its triage outcome, or its
        clock starts at triage and the referral is not triaged yet.
    """
    if not rule.active or not rule.covers(referral.priority, referral.tier):
        return None
    if referral.outcome is not None and rule.outcomes and referral.outcome not in rule.outcomes:
        return None
    start = referral.received if rule.clock_start is ClockStart.RECEIVED else referral.triaged
    if start is None:
        return None
    due = _due_date(start, rule)
    stopped = (
        referral.triaged if rule.clock_stop is ClockStop.TRIAGED else referral.appointment_offered
    )
    if stopped is not None:
        days_left = _days_from(stopped, due, rule.unit)
        state = TargetState.MET if stopped <= due else TargetState.MISSED
    else:
        days_left = _days_from(today, due, rule.unit)
        state = _open_state(days_left, near.for_unit(rule.unit))
    return TargetStatus(
        rule=rule,
        clock_started=start,
        due=due,
        days_left=days_left,
        state=state,
        stopped=stopped,
    )


def target_statuses(
    referral: ReferralFacts,
    rules: Iterable[TargetRule],
    near: NearThresholds,
    today: date,
) -> tuple[TargetStatus, ...]:
    """Every target that applies to a referral, with where it stands today.

    Args:
        referral: the referral.
        rules: the service's rules (inactive ones are skipped).
        near: the service's near thresholds.
        today: the day to judge from.

    Returns:
        One status per applicable rule, in the order of ``rules``.
    """
    statuses = (target_status(rule, referral, near, today) for rule in rules)
    return tuple(status for status in statuses if status is not None)


def most_pressing(statuses: Iterable[TargetStatus]) -> TargetStatus | None:
    """The open target due first (the first listed on a tie), for a worklist's days-left column.

    Args:
        statuses: the statuses of one referral.

    Returns:
        That target, or ``None`` when every target is closed or there are none.
    """
    open_targets = [status for status in statuses if status.is_open]
    return min(open_targets, key=lambda status: status.due, default=None)


def worklist_key(
    referral: ReferralFacts, statuses: Sequence[TargetStatus]
) -> tuple[date, int, date]:
    """Sort key for the triage worklist: by due date, then priority, then received date.

    The due date is that of the referral's most pressing open target; a referral with no
    open target sorts after every referral that has one.

    Args:
        referral: the referral.
        statuses: its target statuses, from :func:`target_statuses`.

    Returns:
        A key for ``sorted``; add a stable identifier to break the remaining ties.
    """
    pressing = most_pressing(statuses)
    due = pressing.due if pressing is not None else date.max
    return (due, PRIORITIES.index(referral.priority), referral.received)
