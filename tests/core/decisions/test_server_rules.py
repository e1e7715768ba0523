"""The server authorises a pushed SDM record by its lifecycle, as it does every record's."""

from __future__ import annotations

import uuid

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.kernel.vocabulary import Role
from clinic_app.server.authorise import Acting, refusal
from clinic_app.sync.protocol import Change

TABLE = "sdm_records"


def _change(kind: str = "insert") -> Change:
    return Change(uuid.uuid4(), TABLE, uuid.uuid4(), kind, 0, {})


def test_a_clinical_role_pushes_its_own_draft_and_the_service_lead_none() -> None:
    author = uuid.uuid4()
    draft = {"status": "draft", "created_by": author}

    for role in (Role.CLINICIAN, Role.SONOGRAPHER, Role.TRAINEE, Role.SUPERVISOR):
        assert refusal(Acting(author, role), _change(), None, draft) is None, role
    assert refusal(Acting(author, Role.ADMIN), _change(), None, draft) == "sync.not_allowed"


def test_only_the_author_signs_and_nobody_changes_a_signed_record() -> None:
    author, colleague = uuid.uuid4(), uuid.uuid4()
    stored = {"status": "draft", "created_by": author}

    assert (
        refusal(
            Acting(author, Role.CLINICIAN),
            _change("update"),
            stored,
            {"status": "signed", "signed_by": author},
        )
        is None
    )
    assert (
        refusal(
            Acting(colleague, Role.CLINICIAN),
            _change("update"),
            stored,
            {"status": "signed", "signed_by": colleague},
        )
        == "sync.not_author"
    )
    assert (
        refusal(
            Acting(colleague, Role.CLINICIAN),
            _change("update"),
            stored,
            {"status": "signed", "signed_by": author},
        )
        == "sync.not_yours"
    )
    signed = {"status": "signed", "created_by": author}
    assert (
        refusal(Acting(author, Role.CLINICIAN), _change("update"), signed, {"status": "draft"})
        == "sync.step_refused"
    )
