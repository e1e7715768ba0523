"""Setting the service's scope rules on the server (they reach every laptop by sync)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, select

from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.outbox import wire_value
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.server.apply import apply_change, flush_log
from clinic_app.server.scope import SETTING_KEY, ScopeRules
from clinic_app.server.users import SERVER_DEVICE
from clinic_app.sync.protocol import Change, Status


def set_rules(conn: Connection, value: dict[str, Any]) -> ScopeRules:
    """Make ``value`` the service's scope rules; the rules it gives.

    Raises:
        ValidationError: ``sync.scope_setting_invalid``.
    """
    rules = ScopeRules.from_setting(value)
    row_id = setting_id(SETTING_KEY)
    version = conn.execute(
        select(ServiceSetting.row_version).where(ServiceSetting.id == row_id)
    ).scalar()
    now = wire_value(utcnow())
    fields: dict[str, Any] = {"value": value, "updated_at": now, "device_id": str(SERVER_DEVICE)}
    if version is None:
        fields |= {"key": SETTING_KEY, "created_at": now}
        change = Change(uuid.uuid4(), "service_setting", row_id, "insert", 0, fields)
    else:
        change = Change(uuid.uuid4(), "service_setting", row_id, "update", int(version), fields)
    result = apply_change(conn, SERVER_DEVICE, change)
    flush_log(conn)
    if result.status not in (Status.APPLIED, Status.MERGED, Status.DUPLICATE):
        raise ClinicError("sync.scope_setting_not_saved", reason=result.reason or "")
    return rules
