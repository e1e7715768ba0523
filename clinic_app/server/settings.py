"""The service's settings, set on the server: devices only receive them, by pull.

A device's own change to a service setting is refused by the server (only the server writes
``service_setting``), so an administrator sets them here. Each change is checked by the
same definition a device's settings screen uses (the domain's ``changed_*`` function), and
written through the change log like any server write, so every device pulls it.

A setting is named ``SETTING.FIELD``:

- ``dicom.<field>``: the DICOM network (``clinic_app.domains.imaging``), e.g.
  ``dicom.pacs_host``, ``dicom.pacs_port``;
- ``waiting_times.amount.<rule>``, ``waiting_times.active.<rule>``,
  ``waiting_times.near.<unit>``: the waiting-time targets (``clinic_app.domains.triage``);
- ``sync_scope.<rule>``: which patients each laptop holds (``clinic_app.server.scope``),
  e.g. ``sync_scope.recent_days 14``, ``sync_scope.whole_service off``;
- ``injection_rules.<name>``: the injection checks' settings (``clinic_app.domains.injections``),
  e.g. ``injection_rules.warfarin_inr_below 3.5``;
- ``eswt_rules.<name>``: the shockwave checks' settings (``clinic_app.domains.shockwave``),
  e.g. ``eswt_rules.pressure_bar_high 3.5``;
- ``care_plan_rules.<name>``: the PIFU window's range and lapse warning
  (``clinic_app.domains.care_plans``), e.g. ``care_plan_rules.pifu_max_months 2``;
- ``<record type's attestation setting>.<step>``: the sentence a signer agrees to, e.g.
  ``report_attestation.sign`` ("" puts the default back).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import Connection, select

from clinic_app import schema  # noqa: F401 - every record type registered (attestations)
from clinic_app.domains.appointments.content import SETTING as DNA_RULE
from clinic_app.domains.appointments.content import (
    changed_dna_rule,
    dna_rule_fields,
    dna_rule_values,
    shipped_dna_rule,
)
from clinic_app.domains.care_plans.content import SETTING as CARE_PLAN_RULES
from clinic_app.domains.care_plans.content import changed_rules as changed_care_plan_rules
from clinic_app.domains.care_plans.content import rule_fields as care_plan_rule_fields
from clinic_app.domains.care_plans.content import rule_values as care_plan_rule_values
from clinic_app.domains.care_plans.content import shipped_rules as shipped_care_plan_rules
from clinic_app.domains.imaging.service.settings import DICOM_SETTINGS, changed_dicom_settings
from clinic_app.domains.imaging.views import DicomSettings
from clinic_app.domains.injections.content import SETTING as INJECTION_RULES
from clinic_app.domains.injections.content import (
    changed_rules,
    rule_fields,
    rule_values,
    shipped_rules,
)
from clinic_app.domains.shockwave.content import SETTING as ESWT_RULES
from clinic_app.domains.shockwave.content import changed_rules as changed_eswt_rules
from clinic_app.domains.shockwave.content import rule_fields as eswt_rule_fields
from clinic_app.domains.shockwave.content import rule_values as eswt_rule_values
from clinic_app.domains.shockwave.content import shipped_rules as shipped_eswt_rules
from clinic_app.domains.triage.service.targets import WAITING_TIMES, changed_waiting_times
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.outbox import wire_value
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.records.attestation import changed_attestations
from clinic_app.records.registry import record_types
from clinic_app.server.apply import apply_change, flush_log
from clinic_app.server.scope import SETTING_KEY as SCOPE_SETTING
from clinic_app.server.scope import ScopeRules
from clinic_app.server.users import SERVER_DEVICE
from clinic_app.sync.protocol import Change, Status

#: The waiting-time setting's parts, as named on the command line.
_WAITING_PARTS = {"amount": "amounts", "active": "active", "near": "near"}


@dataclass(frozen=True)
class SettingChange:
    """One setting as changed: its key, the new stored value and the field named."""

    key: str
    name: str
    value: dict[str, Any]


def _typed(text: str) -> Any:
    """A value as typed: JSON where it is JSON (``21``, ``true``), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _attestation_keys() -> dict[str, tuple[str, ...]]:
    return {
        record_type.attestation_setting: tuple(record_type.attestations)
        for record_type in record_types().values()
        if record_type.attestation_setting
    }


#: How one setting takes a change: (its stored value, the field named, the text typed) to
#: its new stored value, checked by its domain's own definition.
Changer = Callable[[Mapping[str, Any], str, str], dict[str, Any]]
_DICOM_DEFAULTS = asdict(DicomSettings())


def _dicom(stored: Mapping[str, Any], field: str, text: str) -> dict[str, Any]:
    default = _DICOM_DEFAULTS.get(field)
    # Text fields keep the text as typed; numbers and yes/no are read as such (anything
    # else is passed on as text, for the domain's check to refuse in its own words).
    value: Any = text if isinstance(default, str) else _typed(text)
    return changed_dicom_settings(stored, {field: value})[1]


def _waiting(stored: Mapping[str, Any], field: str, text: str) -> dict[str, Any]:
    part, dot, name = field.partition(".")
    if part not in _WAITING_PARTS or not dot or not name:
        raise ClinicError("settings.unknown_setting", name=f"{WAITING_TIMES}.{field}")
    value = _typed(text)
    if part == "active" and text.strip().casefold() in {"on", "off"}:
        value = text.strip().casefold() == "on"
    wanted = {_WAITING_PARTS[part]: {name: value}}
    return changed_waiting_times(stored, **wanted)[1]


def _attestation(steps: tuple[str, ...]) -> Changer:
    def change(stored: Mapping[str, Any], field: str, text: str) -> dict[str, Any]:
        if field not in steps:
            raise ClinicError("settings.unknown_setting", name=field)
        return changed_attestations(stored, {field: text})

    return change


def _scope(stored: Mapping[str, Any], field: str, text: str) -> dict[str, Any]:
    if field not in {rule.name for rule in fields(ScopeRules)}:
        raise ClinicError("settings.unknown_setting", name=f"{SCOPE_SETTING}.{field}")
    value = _typed(text)
    if text.strip().casefold() in {"on", "off"}:
        value = text.strip().casefold() == "on"
    changed = {**stored, field: value}
    ScopeRules.from_setting(changed)  # refused in the rule's own words
    return changed


def _dna_rule(stored: Mapping[str, Any], field: str, text: str) -> dict[str, Any]:
    if field not in dna_rule_fields():
        raise ClinicError("settings.unknown_setting", name=f"{DNA_RULE}.{field}")
    value = _typed(text)
    if text.strip().casefold() in {"on", "off"}:
        value = text.strip().casefold() == "on"
    return changed_dna_rule(stored, field, value)


def _injection_rules(stored: Mapping[str, Any], field: str, text: str) -> dict[str, Any]:
    if field not in rule_fields():
        raise ClinicError("settings.unknown_setting", name=f"{INJECTION_RULES}.{field}")
    return changed_rules(stored, field, text)


def _eswt_rules(stored: Mapping[str, Any], field: str, text: str) -> dict[str, Any]:
    if field not in eswt_rule_fields():
        raise ClinicError("settings.unknown_setting", name=f"{ESWT_RULES}.{field}")
    return changed_eswt_rules(stored, field, text)


def _care_plan_rules(stored: Mapping[str, Any], field: str, text: str) -> dict[str, Any]:
    if field not in care_plan_rule_fields():
        raise ClinicError("settings.unknown_setting", name=f"{CARE_PLAN_RULES}.{field}")
    return changed_care_plan_rules(stored, field, text)


def _changers() -> dict[str, Changer]:
    found: dict[str, Changer] = {
        DICOM_SETTINGS: _dicom,
        WAITING_TIMES: _waiting,
        SCOPE_SETTING: _scope,
        DNA_RULE: _dna_rule,
        INJECTION_RULES: _injection_rules,
        ESWT_RULES: _eswt_rules,
        CARE_PLAN_RULES: _care_plan_rules,
    }
    for key, steps in _attestation_keys().items():
        found[key] = _attestation(steps)
    return found


def _stored(conn: Connection, key: str) -> tuple[dict[str, Any], Any]:
    row = conn.execute(
        select(ServiceSetting.value, ServiceSetting.row_version, ServiceSetting.deleted).where(
            ServiceSetting.id == setting_id(key)
        )
    ).first()
    if row is None:
        return {}, None
    return (dict(row.value or {}) if not row.deleted else {}), row


def set_setting(conn: Connection, name: str, text: str) -> SettingChange:
    """Set ``name`` (``SETTING.FIELD``) to ``text`` as typed; every device gets it at its next pull.

    Raises:
        ClinicError: ``settings.unknown_setting`` (param ``name``).
        FormErrors, ValidationError: the setting's own checks, as on a device.
    """
    key, dot, field = name.strip().partition(".")
    changer = _changers().get(key)
    if changer is None or not dot or not field:
        raise ClinicError("settings.unknown_setting", name=name)
    stored, row = _stored(conn, key)
    new_value = changer(stored, field, text)
    now = wire_value(utcnow())
    meta = {"updated_at": now, "updated_by": None, "device_id": str(SERVER_DEVICE)}
    row_id = setting_id(key)
    if row is None:
        fields = {"key": key, "value": new_value, "deleted": False, "created_at": now, **meta}
        change = Change(uuid.uuid4(), ServiceSetting.__tablename__, row_id, "insert", 0, fields)
    else:
        fields = {"value": new_value, "deleted": False, **meta}
        change = Change(
            uuid.uuid4(),
            ServiceSetting.__tablename__,
            row_id,
            "update",
            int(row.row_version),
            fields,
        )
    result = apply_change(conn, SERVER_DEVICE, change)
    flush_log(conn)
    if result.status not in (Status.APPLIED, Status.MERGED, Status.DUPLICATE):
        raise ClinicError("settings.not_saved", reason=result.reason or result.status.value)
    return SettingChange(key, name.strip(), new_value)


def setting_lines(conn: Connection) -> list[tuple[str, Any, bool]]:
    """Every setting a service may set: its name, the value in force, and if it was changed.

    Waiting-time targets are listed where the service changed them (the shipped defaults
    are in ``resources/``); the DICOM network field by field; attestation sentences where
    worded by the service.
    """
    lines: list[tuple[str, Any, bool]] = []
    dicom, _row = _stored(conn, DICOM_SETTINGS)
    for field, default in asdict(DicomSettings()).items():
        lines.append((f"{DICOM_SETTINGS}.{field}", dicom.get(field, default), field in dicom))
    waiting, _row = _stored(conn, WAITING_TIMES)
    for short, part in _WAITING_PARTS.items():
        for name, value in sorted((waiting.get(part) or {}).items()):
            lines.append((f"{WAITING_TIMES}.{short}.{name}", value, True))
    scope, _row = _stored(conn, SCOPE_SETTING)
    for rule in fields(ScopeRules):
        default = getattr(ScopeRules, rule.name)
        lines.append(
            (f"{SCOPE_SETTING}.{rule.name}", scope.get(rule.name, default), rule.name in scope)
        )
    dna, _row = _stored(conn, DNA_RULE)
    for name, default in dna_rule_values(shipped_dna_rule()).items():
        lines.append((f"{DNA_RULE}.{name}", dna.get(name, default), name in dna))
    injection, _row = _stored(conn, INJECTION_RULES)
    for name, default in rule_values(shipped_rules()).items():
        lines.append((f"{INJECTION_RULES}.{name}", injection.get(name, default), name in injection))
    eswt, _row = _stored(conn, ESWT_RULES)
    for name, default in eswt_rule_values(shipped_eswt_rules()).items():
        lines.append((f"{ESWT_RULES}.{name}", eswt.get(name, default), name in eswt))
    care_plan, _row = _stored(conn, CARE_PLAN_RULES)
    for name, default in care_plan_rule_values(shipped_care_plan_rules()).items():
        lines.append((f"{CARE_PLAN_RULES}.{name}", care_plan.get(name, default), name in care_plan))
    for key, steps in sorted(_attestation_keys().items()):
        worded, _row = _stored(conn, key)
        for step in steps:
            if step in worded:
                lines.append((f"{key}.{step}", worded[step], True))
    return lines
