"""What the server checks of a pushed care plan beyond its lifecycle.

A plan links only its own patient's episode and the earlier version of their plan it
replaces. A tampered device could link another patient's, so the server refuses it
(``sync.wrong_patient``).
"""

from __future__ import annotations

from clinic_app.domains.care_plans.model import CarePlan
from clinic_app.people.care import EpisodeOfCare
from clinic_app.records.links import link_refusal
from clinic_app.sync.hooks import on_checked

on_checked(
    CarePlan.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(
        conn, row, {"episode_id": EpisodeOfCare, "supersedes_id": CarePlan}
    ),
)
