"""What the server checks of a pushed letter: it names only its own patient's records."""

from __future__ import annotations

from clinic_app.domains.letters.model import LetterRecord
from clinic_app.domains.triage.model import TriageDecision
from clinic_app.people.care import EpisodeOfCare
from clinic_app.records.links import link_refusal
from clinic_app.sync.hooks import on_checked

on_checked(
    LetterRecord.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(
        conn, row, {"episode_id": EpisodeOfCare, "onward_decision_id": TriageDecision}
    ),
)
