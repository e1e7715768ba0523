"""The example note as a record type (file 3 of 4)."""

from __future__ import annotations

from typing import Any

from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.records.lifecycle import Check, Lifecycle, Step, statuses
from clinic_app.records.registry import (
    STATUS_WORDS,
    AddendumPolicy,
    RecordType,
    SigningPolicy,
    day_words,
    register,
)
from clinic_app.records.sections_record import sections_timeline
from clinic_app.records.timeline import register_source
from tests.support.example_record.model import ExampleNote
from tests.support.example_record.rules import SECTIONS


def describe(row: Any) -> str:
    """E.g. "Example note, signed, 3 March 2025"."""
    words = ("Example note", STATUS_WORDS.get(str(row.status), ""), day_words(row.created_at))
    return ", ".join(part for part in words if part)


EXAMPLE_NOTE = register(
    RecordType(
        code="example_note",
        title="Example note",
        table=ExampleNote,
        sections=SECTIONS,
        lifecycle=Lifecycle(
            steps=(
                Step(
                    "edit",
                    statuses(RecordStatus.DRAFT),
                    None,
                    Action.ASSESSMENT_WRITE,
                    (Check.STATUS, Check.AUTHOR),
                    refused="record.signed",
                ),
                Step(
                    "sign",
                    statuses(RecordStatus.DRAFT),
                    RecordStatus.SIGNED,
                    Action.ASSESSMENT_SIGN,
                    (Check.STATUS, Check.AUTHOR),
                    refused="record.signed",
                ),
            ),
            not_author="record.not_author",
        ),
        signing=SigningPolicy.ALONE,
        addendum=AddendumPolicy.NEW_VERSION,
        digest_scheme="record-v1",
        required_code="record.required_to_sign",
        describe=describe,
        attestations={"sign": "This note is a true record of the contact."},
    )
)

register_source(EXAMPLE_NOTE.code, sections_timeline(EXAMPLE_NOTE, "example_note"))
