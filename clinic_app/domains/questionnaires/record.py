"""What questionnaires offer the service's figures: responses, and MSK-HQ per episode.

Questionnaire responses have no record type (they are never signed); this module registers
their fact sources alone, and the schema loads it with every domain's ``record``. Only
complete responses count: an incomplete one has no total.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import aliased

from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.kernel.vocabulary import EpisodeStatus, Timepoint
from clinic_app.people.care import EpisodeOfCare
from clinic_app.records.facts import fact_columns
from clinic_app.records.offers import FactSource
from clinic_app.records.registry import register_facts

MSK_HQ = "msk_hq"


def response_facts() -> Select[Any]:
    """One row per complete response: which questionnaire, when in the episode, its score."""
    return (
        select(
            *fact_columns(
                patient_id=QuestionnaireResponse.patient_id,
                at=QuestionnaireResponse.recorded_at,
                site_id=EpisodeOfCare.site_id,
                clinician_id=QuestionnaireResponse.recorded_by,
                questionnaire=QuestionnaireResponse.questionnaire_id,
                timepoint=QuestionnaireResponse.timepoint,
                total=QuestionnaireResponse.total,
                score_group=QuestionnaireResponse.score_group,
            )
        )
        .outerjoin(EpisodeOfCare, EpisodeOfCare.id == QuestionnaireResponse.episode_id)
        .where(
            QuestionnaireResponse.deleted.is_(False),
            QuestionnaireResponse.complete.is_(True),
            QuestionnaireResponse.recorded_at.is_not(None),
        )
    )


def _msk_hq_total(timepoint: Timepoint, *, latest: bool) -> Any:
    """The episode's first (or latest) complete MSK-HQ total at ``timepoint``."""
    response = aliased(QuestionnaireResponse)
    order = response.recorded_at.desc() if latest else response.recorded_at
    return (
        select(response.total)
        .where(
            response.episode_id == EpisodeOfCare.id,
            response.deleted.is_(False),
            response.complete.is_(True),
            response.questionnaire_id == MSK_HQ,
            response.timepoint == timepoint,
        )
        .order_by(order, response.id)
        .limit(1)
        .correlate(EpisodeOfCare)
        .scalar_subquery()
    )


def _episode_columns() -> dict[str, Any]:
    return {
        "patient_id": EpisodeOfCare.patient_id,
        "site_id": EpisodeOfCare.site_id,
        "clinician_id": EpisodeOfCare.lead_clinician_id,
    }


def msk_hq_start_facts() -> Select[Any]:
    """One row per episode started (``at``: its first day): was an MSK-HQ baseline taken?"""
    baseline = _msk_hq_total(Timepoint.BASELINE, latest=False)
    return select(
        *fact_columns(
            **_episode_columns(),
            at=EpisodeOfCare.started_on,
            baseline_total=baseline,
            has_baseline=baseline.is_not(None),
        )
    ).where(EpisodeOfCare.deleted.is_(False))


def msk_hq_end_facts() -> Select[Any]:
    """One row per episode closed (``at``: its last day): its MSK-HQ baseline and follow-up.

    The baseline is the first complete one of the episode, the follow-up the latest; the
    change is follow-up minus baseline (higher is better on MSK-HQ), NULL unless both exist.
    """
    baseline = _msk_hq_total(Timepoint.BASELINE, latest=False)
    follow_up = _msk_hq_total(Timepoint.FOLLOW_UP, latest=True)
    return select(
        *fact_columns(
            **_episode_columns(),
            at=EpisodeOfCare.ended_on,
            baseline_total=baseline,
            follow_up_total=follow_up,
            has_baseline=baseline.is_not(None),
            paired=and_(baseline.is_not(None), follow_up.is_not(None)),
            change=(follow_up - baseline),
        )
    ).where(
        EpisodeOfCare.deleted.is_(False),
        EpisodeOfCare.status == EpisodeStatus.CLOSED,
        EpisodeOfCare.ended_on.is_not(None),
    )


FACT_SOURCES = tuple(
    register_facts(source)
    for source in (
        FactSource(
            name="questionnaire_response",
            title="Questionnaires answered",
            select=response_facts,
            columns={
                "questionnaire": "code",
                "timepoint": "code",
                "total": "number",
                "score_group": "code",
            },
        ),
        FactSource(
            name="msk_hq_episode_start",
            title="Episodes of care started",
            select=msk_hq_start_facts,
            columns={"baseline_total": "number", "has_baseline": "flag"},
        ),
        FactSource(
            name="msk_hq_episode_end",
            title="Episodes of care closed",
            select=msk_hq_end_facts,
            columns={
                "baseline_total": "number",
                "follow_up_total": "number",
                "has_baseline": "flag",
                "paired": "flag",
                "change": "number",
            },
        ),
    )
)
