"""A service's own settings: for now, its waiting-time targets over the shipped defaults.

Settings are rows of ``service_setting`` (one per key, with an id derived from the key),
so they sync to every device of the service like any other record. Only what the service
changed is stored; everything else stays at the cited default from resources/.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from clinic_app.domains.triage.content import ServiceRules, waiting_times, with_overrides
from clinic_app.domains.triage.rules import Unit
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import FormErrors, ValidationError
from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.kernel.uow import Context, Mode, UnitOfWork

WAITING_TIMES = "waiting_times"
_PARTS = ("amounts", "active", "near")


def _stored(session: Session) -> dict[str, dict[str, Any]]:
    row = session.get(ServiceSetting, setting_id(WAITING_TIMES))
    value = row.value if row is not None and not row.deleted else {}
    return {part: dict(value.get(part) or {}) for part in _PARTS}


def rules_in_force(session: Session) -> ServiceRules:
    """The shipped waiting-time rules with the service's own settings applied.

    A setting for a rule the shipped file no longer has is left out rather than stopping
    the worklist; the settings screen and command show the rules as they now stand.
    """
    shipped = waiting_times()
    known = {rule.rule_id for rule in shipped.rules}
    stored = _stored(session)
    return with_overrides(
        shipped,
        {k: v for k, v in stored["amounts"].items() if k in known},
        active={k: v for k, v in stored["active"].items() if k in known},
        near=stored["near"],
    )


def changed_waiting_times(
    stored: Mapping[str, Mapping[str, Any]],
    *,
    amounts: Mapping[str, object] | None = None,
    active: Mapping[str, object] | None = None,
    near: Mapping[str, object] | None = None,
    reset: Iterable[str] = (),
) -> tuple[ServiceRules, dict[str, dict[str, Any]]]:
    """The rules in force after a change over the ``stored`` setting, and the value to store.

    The one check of a change, wherever it is made (a device's settings screen or command,
    or the server's ``settings set``). The value to store keeps only what differs from the
    shipped file, so a later default applies.

    Raises:
        FormErrors: as ``clinic_app.domains.triage.content.with_overrides``.
    """
    shipped = waiting_times()
    known = {rule.rule_id for rule in shipped.rules}
    resets = set(reset)
    merged = {part: dict(stored.get(part) or {}) for part in _PARTS}
    # Settings of rules no longer shipped are dropped, never re-checked or kept.
    for part in ("amounts", "active"):
        merged[part] = {k: v for k, v in merged[part].items() if k in known}
    for rule_id in resets - {"near"}:
        merged["amounts"].pop(rule_id, None)
        merged["active"].pop(rule_id, None)
    if "near" in resets:
        merged["near"] = {}
    merged["amounts"].update(amounts or {})
    merged["active"].update(active or {})
    merged["near"].update(near or {})
    changed = with_overrides(
        shipped, merged["amounts"], active=merged["active"], near=merged["near"]
    )
    defaults = {rule.rule_id: rule for rule in shipped.rules}
    value: dict[str, dict[str, Any]] = {
        "amounts": {
            r.rule_id: r.amount for r in changed.rules if r.amount != defaults[r.rule_id].amount
        },
        "active": {
            r.rule_id: r.active for r in changed.rules if r.active != defaults[r.rule_id].active
        },
        "near": {
            unit.value: changed.near.for_unit(unit)
            for unit in Unit
            if changed.near.for_unit(unit) != shipped.near.for_unit(unit)
        },
    }
    return changed, value


class SettingsService:
    """Read and change the service's waiting-time targets (changing them is audited)."""

    def __init__(self, context: Context) -> None:
        self._uow = UnitOfWork(context)

    @staticmethod
    def can_manage(actor: CurrentUser) -> bool:
        """True if ``actor`` may change the settings (screens offer the change only then)."""
        return allows(actor.role, Action.SETTINGS_MANAGE)

    @staticmethod
    def default_waiting_times() -> ServiceRules:
        """The rules as shipped, with their cited default amounts (content, not patient data)."""
        return waiting_times()

    def waiting_times(self, actor: CurrentUser) -> ServiceRules:
        """The waiting-time rules in force."""
        with self._uow(actor, Action.TRIAGE_WORKLIST, mode=Mode.READ) as session:
            return rules_in_force(session)

    def changed_waiting_times(self, actor: CurrentUser) -> dict[str, dict[str, Any]]:
        """Only what the service changed: ``{"amounts": ..., "active": ..., "near": ...}``."""
        with self._uow(actor, Action.TRIAGE_WORKLIST, mode=Mode.READ) as session:
            return _stored(session)

    def set_waiting_times(
        self,
        actor: CurrentUser,
        amounts: Mapping[str, object] | None = None,
        *,
        active: Mapping[str, object] | None = None,
        near: Mapping[str, object] | None = None,
        reset: Iterable[str] = (),
    ) -> ServiceRules:
        """Change amounts, switch rules on or off, change the near thresholds, or go back.

        Args:
            actor: the signed-in user (needs ``settings.manage``).
            amounts: new amount by rule id.
            active: True or False by rule id.
            near: new near threshold by unit (``working_days``, ``calendar_days``).
            reset: rule ids (or ``"near"``) to put back to the shipped default.

        Returns:
            The rules in force afterwards.

        Raises:
            FormErrors: as ``clinic_app.domains.triage.content.with_overrides``, plus
                ``service_rules.unknown_rule`` for a reset of a rule that does not exist.
                Nothing is stored unless every value is valid.
        """
        shipped = waiting_times()
        known = {rule.rule_id for rule in shipped.rules}
        resets = set(reset)
        with self._uow(actor, Action.SETTINGS_MANAGE, mode=Mode.READ) as session:
            leftovers = {key for part in ("amounts", "active") for key in _stored(session)[part]}
        # A rule the shipped file no longer has can still be reset (its setting dropped).
        unknown = sorted(resets - known - leftovers - {"near"})
        if unknown:
            raise FormErrors(
                [
                    ValidationError("service_rules.unknown_rule", field=f"{rule}.reset", rule=rule)
                    for rule in unknown
                ]
            )
        with self._uow(actor, Action.SETTINGS_MANAGE) as session:
            changed, value = changed_waiting_times(
                _stored(session), amounts=amounts, active=active, near=near, reset=resets
            )
            row = session.get(ServiceSetting, setting_id(WAITING_TIMES))
            if row is None:
                session.add(
                    ServiceSetting(id=setting_id(WAITING_TIMES), key=WAITING_TIMES, value=value)
                )
            else:
                row.value = value
                row.deleted = False
            session.flush()
            self._uow.audit(
                session,
                actor,
                "settings.waiting_times",
                entity="service_setting",
                entity_id=setting_id(WAITING_TIMES),
            )
            return changed
