"""What the server checks of a pushed imaging study, beyond who may capture and archive.

A study belongs to the patient it is made for (captured in their record, matched by what a
scanner's object carries, or an orphan a person assigned to them) and names that patient's
episode of care open at the time; a tampered device could name another patient's episode
(``sync.wrong_patient``).
"""

from __future__ import annotations

from clinic_app.domains.imaging.model import ImagingStudy
from clinic_app.people.care import EpisodeOfCare
from clinic_app.records.links import link_refusal
from clinic_app.sync.hooks import on_checked

on_checked(
    ImagingStudy.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(conn, row, {"episode_id": EpisodeOfCare}),
)
