"""The Keele MSK outcomes extract: each episode's MSK-HQ at baseline and latest follow-up.

One row per episode with an MSK-HQ recorded in the month, carrying no identifier of the
patient or the episode: only scores, their dates and the unscored activity item.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.kernel.vocabulary import Timepoint
from clinic_app.server.exports.period import Month, local

MSK_HQ = "msk_hq"
#: The MSK-HQ's unscored item: days in the past week with 30 minutes' activity (0 to 7).
ACTIVITY_ITEM = "mskhq_activity_days"

Row = dict[str, str]


def _columns(prefix: str, response: Any | None) -> Row:
    if response is None:
        return {f"{prefix}_SCORE": "", f"{prefix}_DATE": "", f"{prefix}_ACTIVITY_DAYS": ""}
    days = (response.answers or {}).get(ACTIVITY_ITEM)
    return {
        f"{prefix}_SCORE": str(response.total),
        f"{prefix}_DATE": local(response.recorded_at).date().isoformat(),
        f"{prefix}_ACTIVITY_DAYS": "" if days is None else str(days),
    }


def _row(responses: Sequence[Any]) -> Row:
    baselines = [r for r in responses if r.timepoint == Timepoint.BASELINE]
    follow_ups = [r for r in responses if r.timepoint == Timepoint.FOLLOW_UP]
    return {
        **_columns("MSKHQ_BASELINE", baselines[0] if baselines else None),
        **_columns("MSKHQ_FOLLOW_UP", follow_ups[-1] if follow_ups else None),
    }


def keele_rows(conn: Connection, month: Month) -> dict[str, list[Row]]:
    """The month's rows, oldest episode first, under the table id ``MSKHQ``."""
    rows = conn.execute(
        select(
            QuestionnaireResponse.episode_id,
            QuestionnaireResponse.timepoint,
            QuestionnaireResponse.total,
            QuestionnaireResponse.answers,
            QuestionnaireResponse.recorded_at,
        )
        .where(
            QuestionnaireResponse.deleted.is_(False),
            QuestionnaireResponse.questionnaire_id == MSK_HQ,
            QuestionnaireResponse.complete.is_(True),
            QuestionnaireResponse.total.is_not(None),
            QuestionnaireResponse.episode_id.is_not(None),
            QuestionnaireResponse.recorded_at < month.ends,
        )
        .order_by(QuestionnaireResponse.recorded_at, QuestionnaireResponse.id)
    ).all()
    by_episode: dict[uuid.UUID, list[Any]] = {}
    for row in rows:
        by_episode.setdefault(row.episode_id, []).append(row)
    in_month = [
        responses
        for responses in by_episode.values()
        if any(r.recorded_at >= month.starts for r in responses)
    ]
    return {"MSKHQ": [_row(responses) for responses in in_month]}
