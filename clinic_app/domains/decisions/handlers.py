"""What the server checks of a pushed SDM record, and of a record that names one.

An SDM record links only its own patient's episode and the earlier record it supersedes; a
record led to by a decision names only its own patient's SDM record. A tampered device could
link another patient's, so the server refuses it (``sync.wrong_patient``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from clinic_app.domains.decisions.model import DecisionRecord
from clinic_app.people.care import EpisodeOfCare
from clinic_app.records.links import link_refusal
from clinic_app.sync.hooks import on_checked


def decision_link_refusal(conn: Connection, row: Mapping[str, Any]) -> str | None:
    """``sync.wrong_patient`` when a pushed row's ``sdm_record_id`` is another patient's.

    For the tables of records that mix in ``DecisionLinkColumns``: register it with
    ``on_checked(<table>, "same_patient_decision", lambda conn, row, _stored: ...)``.
    """
    return link_refusal(conn, row, {"sdm_record_id": DecisionRecord})


on_checked(
    DecisionRecord.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(
        conn, row, {"episode_id": EpisodeOfCare, "supersedes_id": DecisionRecord}
    ),
)
