"""What the server checks of a pushed assessment, beyond who may write and sign it.

An assessment links only its own patient's episode of care and referral: a device's own
service takes them from the patient's record, a tampered device could name another
patient's (``sync.wrong_patient``).
"""

from __future__ import annotations

from clinic_app.domains.assessments.model import Assessment
from clinic_app.people.care import EpisodeOfCare, Referral
from clinic_app.records.links import link_refusal
from clinic_app.sync.hooks import on_checked

on_checked(
    Assessment.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(
        conn, row, {"episode_id": EpisodeOfCare, "referral_id": Referral}
    ),
)
