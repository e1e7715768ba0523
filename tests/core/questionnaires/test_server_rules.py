"""The server keeps a pushed questionnaire response to its own patient.

A tampered device could push a response in another patient's episode: the server refuses it.
"""

from __future__ import annotations

from sqlalchemy import select

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.container import Services
from clinic_app.domains.questionnaires.content import questionnaire
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.people.care import EpisodeOfCare
from clinic_app.sync.hooks import change_checks
from tests.support.demo_clinic import demo_clinic

TABLE = "questionnaire_response"


def _answers(questionnaire_id: str, pick: int = -1, **given: int | None) -> dict[str, int | None]:
    """Every item answered with its value at ``pick`` (as the form stores them), then ``given``."""
    definition = questionnaire(questionnaire_id)
    answers = {item.code: item.values()[pick] for item in definition.items}
    return {**answers, **given}


# ---------------------------------------------------------------- the row the app writes


def test_a_response_recorded_by_the_app_passes_and_another_patient_s_episode_is_refused(
    demo: Services,
) -> None:
    clinic = demo_clinic(demo)
    recorded = demo.questionnaires.record(
        clinic.clinician, clinic.patient, "msk_hq", _answers("msk_hq", 1), "follow_up", "clinician"
    )
    checks = change_checks(TABLE)

    with demo.context.store.engine.connect() as conn:
        table = QuestionnaireResponse.__table__
        row = dict(conn.execute(select(table).where(table.c.id == recorded.id)).mappings().one())
        theirs = conn.execute(
            select(EpisodeOfCare.id).where(EpisodeOfCare.patient_id == clinic.other)
        ).scalar()
        assert row["episode_id"] is not None
        assert theirs is not None
        as_written = [check(conn, row, None) for check in checks]
        crossed = [check(conn, {**row, "episode_id": theirs}, None) for check in checks]

    assert set(as_written) == {None}
    assert "sync.wrong_patient" in crossed
