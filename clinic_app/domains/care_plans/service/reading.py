"""A care plan's row as its read model."""

from __future__ import annotations

import uuid
from datetime import date

from clinic_app.domains.care_plans.model import CarePlan
from clinic_app.domains.care_plans.record import CARE_PLAN
from clinic_app.domains.care_plans.views import (
    CarePlanInput,
    CarePlanView,
    PlanAction,
    SupportChoice,
    TreatmentTried,
)
from clinic_app.records.seal import intact


def plan_input(row: CarePlan) -> CarePlanInput:
    """What a screen would save to keep this plan as it is."""
    return CarePlanInput(
        what_matters=row.what_matters,
        strengths=row.strengths,
        goals=tuple(row.goals),
        actions=tuple(
            PlanAction(
                what=str(a.get("what", "")),
                who=str(a.get("who", "")),
                by=date.fromisoformat(a["by"]) if a.get("by") else None,
            )
            for a in row.actions
        ),
        conditions=tuple(row.conditions),
        treatments=tuple(
            TreatmentTried(str(t.get("treatment", "")), str(t.get("outcome", "")))
            for t in row.treatments
        ),
        self_management=row.self_management,
        flare_plan=row.flare_plan,
        seek_help=row.seek_help,
        safety_nets=tuple(row.safety_nets),
        support_services=tuple(
            SupportChoice(s.get("service_id"), str(s.get("text", ""))) for s in row.support_services
        ),
        named_contact=row.named_contact,
        contact_route=row.contact_route,
        pifu_months=row.pifu_months,
        review_on=row.review_on,
        gp_consent=row.gp_consent,
        gp_consent_given_by=row.gp_consent_given_by,
    )


def plan_view(row: CarePlan, superseded_by: uuid.UUID | None = None) -> CarePlanView:
    """The read model of one version of a plan, its seal checked."""
    return CarePlanView(
        id=row.id,
        patient_id=row.patient_id,
        episode_id=row.episode_id,
        status=str(row.status),
        plan=plan_input(row),
        pifu_starts_on=row.pifu_starts_on,
        pifu_ends_on=row.pifu_ends_on,
        gp_consent_recorded_by=row.gp_consent_recorded_by,
        gp_consent_recorded_at=row.gp_consent_recorded_at,
        information_needs=tuple(row.information_needs),
        language=row.language,
        supersedes_id=row.supersedes_id,
        created_at=row.created_at,
        created_by=row.created_by,
        row_version=row.row_version,
        signed_at=row.signed_at,
        signed_by=row.signed_by,
        attestation=row.attestation,
        intact=intact(CARE_PLAN, row),
        superseded_by=superseded_by,
        summary=CARE_PLAN.describe(row),
    )
