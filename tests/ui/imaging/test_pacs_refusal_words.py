"""What a PACS refuses reaches a person as plain words, never as "the PACS did not answer"."""

from __future__ import annotations

import pytest

from clinic_app.domains.imaging.dicom.pacs import NO_ANSWER, NO_CONTEXT, refusal
from clinic_app.kernel.errors import Conflict
from ui.common import errors

# A status of every kind (PS3.4 B.2.3 C-STORE statuses, PS3.18 STOW-RS Failure Reasons),
# and the two the sender itself knows: no way to send accepted, and no answer.
REFUSALS = (NO_CONTEXT, NO_ANSWER, 0x0110, 0x0122, 0x0124, 0xA700, 0xA900, 0xC000, 0xC122, 0xFFFF)
STORED = (0x0000, 0x0001, 0xB000, 0xB007)


@pytest.mark.parametrize("status", REFUSALS)
def test_every_refusal_has_its_words(status: int, qapp: object) -> None:
    refused = refusal(status)
    assert refused is not None
    assert errors.has_words(refused.code), refused.code
    assert "did not answer" not in errors.message_for(refused)


@pytest.mark.parametrize("status", STORED)
def test_success_and_warnings_are_stored(status: int) -> None:
    assert refusal(status) is None


def test_refusals_are_told_apart(qapp: object) -> None:
    told = {errors.message_for(refused) for s in REFUSALS if (refused := refusal(s))}
    assert len(told) >= 6  # kind, not allowed, full, invalid, cut off, other


def test_a_different_object_under_a_held_identifier_is_said_plainly(qapp: object) -> None:
    words = errors.message_for(Conflict("dicom.duplicate_instance"))
    assert "same identifier" in words
    assert "Something went wrong" not in words
