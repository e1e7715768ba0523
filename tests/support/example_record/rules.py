"""The example note's sections (file 1 of 4)."""

from __future__ import annotations

from clinic_app.records.sections import Section

SECTIONS = (
    Section("reason", "Reason for contact", required=True, max_length=500),
    Section("discussion", "What was discussed", required=True),
    Section("plan", "Plan", empty_words="No plan recorded."),
)
