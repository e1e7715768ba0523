"""Pure rules of a shockwave (ESWT) course and its sessions: impossible values and the checks.

Nothing here reads a store or a clock: the service reads the course, its sessions, the device,
the patient's steroid injections and the settings in force, and hands them in. Every typical
range is a service setting over a cited default (resources/shockwave/settings.json); the bounds
below are the project's plausibility bounds, not clinical limits: they refuse a value no session
can have (a lost decimal point), and resources/shockwave/README.md says so.

Decisions written down here:

- A typical range includes its edges: 1.5 bar and 4 bar do not warn, 1.4 and 4.1 do.
- A session is dated no later than today (the clinic's day): a future date is refused.
- Session n of N: n runs from 1 to the course's planned N; n above N is refused.
- Radial devices are set by pressure (bar), focused ones by energy flux density (mJ/mm²):
  a session records the one its device uses, and the other is refused.
- The steroid window counts whole days: a signed injection at a site the indication names, fewer
  than ``steroid_window_weeks`` times 7 days before the session, warns; on that day it does not.
  Until the service sets the window (it has no cited default), the latest such injection, however
  long ago, warns with its age, for the clinician to judge.
- A device is overdue on the day after its last service plus the interval in months. Until the
  service sets the interval (it belongs to the device's instructions for use, not to a shipped
  default), a device with a service date warns that its service cannot be checked; a device with
  none is overdue either way.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from clinic_app.kernel.errors import ValidationError

SIDES: tuple[str, ...] = ("left", "right")
DEVICE_KINDS: tuple[str, ...] = ("radial", "focused")
ANSWERS: tuple[str, ...] = ("yes", "no")

PRESSURE_MAX_BAR = 10.0
"""No radial session is set above this (a plausibility bound, not a clinical limit)."""
ENERGY_MAX_MJ_MM2 = 3.0
"""No focused session is set above this (a plausibility bound, not a clinical limit)."""
FREQUENCY_MAX_HZ = 100.0
PULSES_MAX = 20000
PLANNED_MAX = 20
PAIN_MIN, PAIN_MAX = 0, 10
TEXT_MAX = 2000


@dataclass(frozen=True)
class EswtRules:
    """The service's ESWT settings (cited defaults in resources/shockwave/settings.json)."""

    pressure_bar_low: float
    pressure_bar_high: float
    frequency_hz_low: float
    frequency_hz_high: float
    pulses_low: int
    pulses_high: int
    sessions_low: int
    sessions_high: int
    interval_days: int
    #: None until the service sets it: no source gives one for every device.
    device_service_interval_months: int | None
    #: None until the service sets it: "recent steroid injection" has no cited number.
    steroid_window_weeks: int | None


@dataclass(frozen=True)
class DeviceFacts:
    """A device of the register as the checks read it."""

    id: uuid.UUID
    kind: str
    last_service_on: date | None


@dataclass(frozen=True)
class CourseFacts:
    """What the checks read of the course a session belongs to."""

    indication: str | None
    planned_sessions: int | None
    #: Governance requirement id → ticked.
    governance: Mapping[str, bool]
    #: The requirements the indication's guidance asks for.
    required_governance: Collection[str]
    #: Contraindication id → "yes" or "no".
    contraindications: Mapping[str, str]
    absolute: Collection[str]
    relative: Collection[str]
    #: The injection targets the indication's site is among (for the steroid window).
    injection_targets: Collection[str]
    side: str | None


@dataclass(frozen=True)
class SessionDraft:
    """One session as recorded so far."""

    record_id: uuid.UUID | None
    number: int | None
    performed_on: date | None
    pressure_bar: float | None = None
    energy_mj_mm2: float | None = None
    frequency_hz: float | None = None
    pulses: int | None = None
    pain_during: int | None = None


@dataclass(frozen=True)
class PastSteroid:
    """A signed corticosteroid injection of the patient, as the steroid window reads it."""

    performed_on: date
    target: str
    side: str | None


@dataclass(frozen=True)
class CheckWarning:
    """Something the clinician must acknowledge before signing the session.

    Attributes:
        code: what is warned of (acknowledged by this code), e.g. ``pressure_out_of_range``.
        words: the key a screen words it by, e.g. ``eswt.pressure_out_of_range``.
        fields: the fields it is about.
        params: numbers for the words (the typical range, the days).
    """

    code: str
    words: str
    fields: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Checks:
    """What stands before signing a session: hard stops and warnings to acknowledge."""

    hard_stops: tuple[ValidationError, ...] = ()
    warnings: tuple[CheckWarning, ...] = ()

    @property
    def warning_codes(self) -> frozenset[str]:
        """The codes of the warnings, for acknowledging them."""
        return frozenset(w.code for w in self.warnings)


def _warning(code: str, fields: tuple[str, ...] = (), **params: Any) -> CheckWarning:
    words = ValidationError(f"eswt.{code}", field=fields[0] if fields else None)
    return CheckWarning(code=code, words=words.code, fields=fields, params=params)


def _positive(
    code: str, value: float | None, field_name: str, most: float
) -> list[ValidationError]:
    if value is None:
        return []
    if isinstance(value, bool) or not 0 < value <= most:
        return [ValidationError(f"eswt.{code}", field=field_name, most=most)]
    return []


def session_value_problems(
    draft: SessionDraft, *, device_kind: str | None, planned: int | None, today: date
) -> list[ValidationError]:
    """Values no session can have, each naming its field (refused when saving).

    ``eswt.session_number_invalid`` (below 1), ``eswt.session_beyond_plan`` (n above N),
    ``eswt.session_in_future``, ``eswt.pressure_out_of_bounds``, ``eswt.energy_out_of_bounds``,
    ``eswt.frequency_out_of_bounds``, ``eswt.pulses_out_of_bounds`` (0 or fewer, or more than
    anyone gives), ``eswt.pain_out_of_range`` (not 0-10), ``eswt.wrong_measure`` (pressure for a
    focused device, energy for a radial one).
    """
    problems: list[ValidationError] = []
    if draft.number is not None:
        if draft.number < 1:
            problems.append(ValidationError("eswt.session_number_invalid", field="number"))
        elif planned is not None and draft.number > planned:
            problems.append(
                ValidationError("eswt.session_beyond_plan", field="number", planned=planned)
            )
    if draft.performed_on is not None and draft.performed_on > today:
        problems.append(ValidationError("eswt.session_in_future", field="performed_on"))
    problems += _positive(
        "pressure_out_of_bounds", draft.pressure_bar, "pressure_bar", PRESSURE_MAX_BAR
    )
    problems += _positive(
        "energy_out_of_bounds", draft.energy_mj_mm2, "energy_mj_mm2", ENERGY_MAX_MJ_MM2
    )
    problems += _positive(
        "frequency_out_of_bounds", draft.frequency_hz, "frequency_hz", FREQUENCY_MAX_HZ
    )
    if draft.pulses is not None and (
        isinstance(draft.pulses, bool) or not 0 < draft.pulses <= PULSES_MAX
    ):
        problems.append(
            ValidationError("eswt.pulses_out_of_bounds", field="pulses", most=PULSES_MAX)
        )
    if draft.pain_during is not None and not PAIN_MIN <= draft.pain_during <= PAIN_MAX:
        problems.append(ValidationError("eswt.pain_out_of_range", field="pain_during"))
    if device_kind == "radial" and draft.energy_mj_mm2 is not None:
        problems.append(ValidationError("eswt.wrong_measure", field="energy_mj_mm2", kind="radial"))
    if device_kind == "focused" and draft.pressure_bar is not None:
        problems.append(ValidationError("eswt.wrong_measure", field="pressure_bar", kind="focused"))
    return problems


def months_later(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has 28 days


def service_due(last_service_on: date | None, rules: EswtRules) -> date | None:
    """The last day before a device is overdue; None with no service date or no interval set."""
    months = rules.device_service_interval_months
    if last_service_on is None or months is None:
        return None
    return months_later(last_service_on, months)


def device_overdue(device: DeviceFacts, on: date, rules: EswtRules) -> bool:
    """True when the device's service is overdue on ``on`` (or it has never been serviced).

    False when the service has not set the interval and the device has a service date: that
    cannot be known (``service_unchecked`` says so).
    """
    if device.last_service_on is None:
        return True
    due = service_due(device.last_service_on, rules)
    return due is not None and on > due


def service_unchecked(device: DeviceFacts, rules: EswtRules) -> bool:
    """True when a device's service date cannot be checked: the service set no interval."""
    return device.last_service_on is not None and rules.device_service_interval_months is None


def _range(
    code: str, value: float | None, low: float, high: float, field_name: str
) -> list[CheckWarning]:
    if value is None or low <= value <= high:
        return []
    words = ValidationError(f"eswt.{code}", field=field_name)
    return [CheckWarning(code, words.code, (field_name,), {"low": low, "high": high})]


def _parameters(
    draft: SessionDraft, device: DeviceFacts | None, rules: EswtRules
) -> list[CheckWarning]:
    warnings: list[CheckWarning] = []
    if device is not None and device.kind == "radial":
        warnings += _range(
            "pressure_out_of_range",
            draft.pressure_bar,
            rules.pressure_bar_low,
            rules.pressure_bar_high,
            "pressure_bar",
        )
    if device is not None and device.kind == "focused" and draft.energy_mj_mm2 is not None:
        warnings.append(_warning("no_typical_energy", ("energy_mj_mm2",)))
    warnings += _range(
        "frequency_out_of_range",
        draft.frequency_hz,
        rules.frequency_hz_low,
        rules.frequency_hz_high,
        "frequency_hz",
    )
    warnings += _range(
        "pulses_out_of_range", draft.pulses, rules.pulses_low, rules.pulses_high, "pulses"
    )
    return warnings


def _course_warnings(course: CourseFacts, rules: EswtRules) -> list[CheckWarning]:
    warnings: list[CheckWarning] = []
    for item in sorted(course.relative):
        if course.contraindications.get(item) == "yes":
            # One warning per caution, each acknowledged on its own.
            words = ValidationError("eswt.relative_contraindication")
            warnings.append(
                CheckWarning(
                    f"relative_contraindication.{item}",
                    words.code,
                    (f"contraindications.{item}",),
                    {"item": item},
                )
            )
    planned = course.planned_sessions
    if planned is not None and not rules.sessions_low <= planned <= rules.sessions_high:
        warnings.append(
            _warning(
                "sessions_out_of_range",
                ("planned_sessions",),
                low=rules.sessions_low,
                high=rules.sessions_high,
            )
        )
    return warnings


def _steroids(
    course: CourseFacts, on: date, steroids: Iterable[PastSteroid], rules: EswtRules
) -> list[CheckWarning]:
    here = [
        s
        for s in steroids
        if s.target in course.injection_targets
        and (course.side is None or s.side is None or s.side == course.side)
        and s.performed_on <= on
    ]
    if not here:
        return []
    days = min((on - s.performed_on).days for s in here)
    weeks = rules.steroid_window_weeks
    if weeks is None:
        # No window set: the latest injection here is told, for the clinician to judge.
        return [_warning("steroid_here_no_window", ("performed_on",), days=days)]
    if days >= weeks * 7:
        return []
    return [_warning("recent_steroid", ("performed_on",), days=days, weeks=weeks)]


def check_session(
    draft: SessionDraft,
    *,
    course: CourseFacts,
    device: DeviceFacts | None,
    earlier: Sequence[date],
    steroids: Iterable[PastSteroid],
    rules: EswtRules,
    today: date,
) -> Checks:
    """The hard stops and warnings of a session, given its course and the patient's history.

    Args:
        draft: the session as recorded so far.
        course: the course it belongs to.
        device: the course's device (None when none is chosen yet).
        earlier: the days of the course's signed sessions other than this one.
        steroids: the patient's signed steroid injections, from every device.
        rules: the service's settings in force.
        today: the clinic's day.

    Returns:
        Hard stops: ``eswt.absolute_contraindication`` (per item answered yes),
        ``eswt.governance_not_ticked`` (per requirement of the guidance not ticked),
        ``eswt.session_in_future``, ``eswt.session_beyond_plan``. Warnings, each to
        acknowledge: ``relative_contraindication.<item>`` (one per caution answered yes),
        ``sessions_out_of_range``,
        ``pressure_out_of_range``, ``no_typical_energy``, ``frequency_out_of_range``,
        ``pulses_out_of_range``, ``device_overdue``, ``device_never_serviced``,
        ``device_service_unchecked`` (no service interval set), ``recent_steroid``,
        ``steroid_here_no_window`` (no steroid window set), ``too_soon``.
    """
    stops: list[ValidationError] = []
    for item in sorted(course.absolute):
        if course.contraindications.get(item) == "yes":
            stops.append(
                ValidationError(
                    "eswt.absolute_contraindication", field=f"contraindications.{item}", item=item
                )
            )
    for requirement in sorted(course.required_governance):
        if not course.governance.get(requirement):
            stops.append(
                ValidationError("eswt.governance_not_ticked", field=f"governance.{requirement}")
            )
    on = draft.performed_on or today
    if on > today:
        stops.append(ValidationError("eswt.session_in_future", field="performed_on"))
    planned = course.planned_sessions
    if draft.number is not None and planned is not None and draft.number > planned:
        stops.append(ValidationError("eswt.session_beyond_plan", field="number", planned=planned))
    warnings = _course_warnings(course, rules) + _parameters(draft, device, rules)
    if device is not None and device_overdue(device, on, rules):
        months = rules.device_service_interval_months
        if device.last_service_on is None:
            warnings.append(_warning("device_never_serviced", ("eswt_device_id",)))
        else:
            warnings.append(_warning("device_overdue", ("eswt_device_id",), months=months))
    elif device is not None and service_unchecked(device, rules):
        warnings.append(_warning("device_service_unchecked", ("eswt_device_id",)))
    warnings += _steroids(course, on, steroids, rules)
    before = [d for d in earlier if d <= on]
    if before:
        days = min((on - d).days for d in before)
        if days < rules.interval_days:
            warnings.append(
                _warning("too_soon", ("performed_on",), days=days, least=rules.interval_days)
            )
    return Checks(hard_stops=tuple(stops), warnings=tuple(warnings))
