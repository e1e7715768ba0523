"""What the server checks of a pushed questionnaire response: its links.

A device records a response in its patient's episode; a tampered device could point one at
another patient's episode, so the server refuses that (``sync.wrong_patient``).
"""

from __future__ import annotations

from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.people.care import EpisodeOfCare
from clinic_app.records.links import link_refusal
from clinic_app.sync.hooks import on_checked

TABLE = QuestionnaireResponse.__tablename__

on_checked(
    TABLE,
    "same_patient",
    lambda conn, row, _stored: link_refusal(conn, row, {"episode_id": EpisodeOfCare}),
)
