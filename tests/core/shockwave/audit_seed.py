"""A seeded set of closed shockwave courses for the audit, written straight to the store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from clinic_app.container import Services
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.shockwave.model import EswtCourse
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.session import Actor
from clinic_app.kernel.vocabulary import RecordStatus, ResponseMode, Timepoint

QUESTIONNAIRE = "example_foot_score"


def seed_courses(
    services: Services, clinician: CurrentUser, colleague: CurrentUser, patient: uuid.UUID
) -> None:
    """Closed courses this month, and some that never count.

    Plantar fasciitis: 3 closed (2 the clinician's, 1 the colleague's); pain 8 -> 3 and
    6 -> 4 and one with no score after: mean change -3.5 over 2; the foot score 40 -> 22
    on one course (-18 over 1). Lateral elbow: 1 closed (the clinician's), pain 5 -> 5.
    Not counted: an open course, a deleted one, one closed 14 months ago.
    The clinician: plantar fasciitis 2 closed, pain -3.5 over 2; lateral elbow 1.
    """
    now = datetime.now(UTC)
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id, user_id=clinician.id)

        def response(total: int) -> str:
            row = QuestionnaireResponse(
                patient_id=patient,
                questionnaire_id=QUESTIONNAIRE,
                questionnaire_version="1",
                timepoint=Timepoint.BASELINE,
                mode=ResponseMode.CLINICIAN,
                complete=True,
                total=total,
            )
            session.add(row)
            session.flush()
            return str(row.id)

        def course(
            by: CurrentUser,
            indication: str,
            before: dict[str, Any],
            after: dict[str, Any],
            **columns: object,
        ) -> EswtCourse:
            values: dict[str, object] = {
                "patient_id": patient,
                "status": RecordStatus.SIGNED.value,
                "signed_at": now,
                "signed_by": by.id,
                "created_by": by.id,
                "indication": indication,
                "side": "left",
                "planned_sessions": 3,
                "outcome_before": before,
                "outcome_after": after,
                "sdm_missing_reason": "Decided before aids were used.",
            }
            values.update(columns)
            return EswtCourse(**values)

        session.add_all(
            [
                course(
                    clinician,
                    "plantar_fasciitis",
                    {"pain_nrs": 8, "responses": [response(40)]},
                    {"pain_nrs": 3, "responses": [response(22)]},
                ),
                course(clinician, "plantar_fasciitis", {"pain_nrs": 6}, {"pain_nrs": 4}),
                course(colleague, "plantar_fasciitis", {"pain_nrs": 7}, {}),
                course(clinician, "lateral_elbow", {"pain_nrs": 5}, {"pain_nrs": 5}),
                # None of these count.
                course(
                    clinician,
                    "lateral_elbow",
                    {"pain_nrs": 9},
                    {},
                    status=RecordStatus.DRAFT.value,
                    signed_at=None,
                    signed_by=None,
                ),
                course(clinician, "lateral_elbow", {"pain_nrs": 9}, {"pain_nrs": 0}, deleted=True),
                course(
                    clinician,
                    "achilles_tendinopathy",
                    {"pain_nrs": 9},
                    {"pain_nrs": 1},
                    signed_at=now - timedelta(days=430),
                ),
            ]
        )
