"""What the server checks of a pushed contact note: it links only its own patient's records."""

from __future__ import annotations

from clinic_app.domains.appointments.model import Appointment, CareContact
from clinic_app.domains.contacts.model import ContactNote
from clinic_app.people.care import EpisodeOfCare
from clinic_app.records.links import link_refusal
from clinic_app.sync.hooks import on_checked

on_checked(
    ContactNote.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(
        conn,
        row,
        {
            "appointment_id": Appointment,
            "care_contact_id": CareContact,
            "episode_id": EpisodeOfCare,
        },
    ),
)
