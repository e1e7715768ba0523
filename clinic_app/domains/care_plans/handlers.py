"""What the server checks of a pushed care plan beyond its lifecycle.

A plan links only its own patient's episode and the earlier version of their plan it
replaces (``sync.wrong_patient``). A device's own service refuses to sign a plan with no goal,
a PIFU window outside the service's range or one whose dates do not follow from its length;
a tampered device could push one signed anyway, so the server checks the signing again with
the service's settings as it holds them (``sync.bad_value``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from clinic_app.domains.care_plans.content import SETTING, rules_with, shipped_rules
from clinic_app.domains.care_plans.model import CarePlan
from clinic_app.domains.care_plans.rules import PifuRules, pifu_ends_on, pifu_in_range
from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.people.care import EpisodeOfCare
from clinic_app.records.links import link_refusal
from clinic_app.records.seal import becomes_signed
from clinic_app.sync.hooks import on_checked


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value[:10])
    return None


def _rules(conn: Connection) -> PifuRules:
    table = ServiceSetting.__table__
    row = conn.execute(
        select(table.c.value, table.c.deleted).where(table.c.id == setting_id(SETTING))
    ).first()
    if row is None or row.deleted or not row.value:
        return shipped_rules()
    try:
        return rules_with(row.value)
    except ValidationError:
        return shipped_rules()


def _window_fits(row: Mapping[str, Any], rules: PifuRules) -> bool:
    months = row.get("pifu_months")
    starts, ends = _day(row.get("pifu_starts_on")), _day(row.get("pifu_ends_on"))
    if months is None:
        return starts is None and ends is None
    if isinstance(months, bool) or not isinstance(months, int):
        return False
    if not pifu_in_range(months, rules) or starts is None:
        return False
    return ends == pifu_ends_on(starts, months)


def signing_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """``sync.bad_value`` for a pushed signing the device's own service would have refused.

    Only the step that signs is checked (a draft may be incomplete; a signed plan is never
    changed, which the lifecycle refuses).
    """
    if not becomes_signed(row, stored):
        return None
    try:
        goals = row.get("goals") or []
        has_goal = isinstance(goals, list) and any(str(goal).strip() for goal in goals)
        fits = _window_fits(row, _rules(conn))
        reviewed = _day(row.get("review_on")) is not None
    except (TypeError, ValueError):
        return "sync.bad_value"
    return None if has_goal and fits and reviewed else "sync.bad_value"


on_checked(
    CarePlan.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(
        conn, row, {"episode_id": EpisodeOfCare, "supersedes_id": CarePlan}
    ),
)
on_checked(CarePlan.__tablename__, "signing", signing_refusal)
