"""An addendum is added by the server only to a signed record, and always signed by its pusher."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.kernel.vocabulary import Role
from clinic_app.server.authorise import Acting
from clinic_app.sync.protocol import Change, Status
from tests.support.server_push import NOW, PushServer, example_patient, insert, push_server

APPLIED = (Status.APPLIED, None)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PushServer]:
    made = push_server(tmp_path, (("clinician", Role.CLINICIAN), ("trainee", Role.TRAINEE)))
    yield made
    made.engine.dispose()


def _draft(server: PushServer, by: Acting) -> uuid.UUID:
    patient, registered = example_patient(by)
    assessment = uuid.uuid4()
    drafted = insert(
        "assessment", assessment, by, patient_id=patient, status="draft", content={"history": "x"}
    )
    assert server.push(by, registered, drafted) == [APPLIED, APPLIED]
    return assessment


def _addendum(by: Acting, assessment: uuid.UUID, **values: Any) -> Change:
    fields: dict[str, Any] = {
        "assessment_id": assessment,
        "text": "Seen again: settling",
        "signed_at": NOW,
        "signed_by": by.user_id,
        "sha256": "0" * 64,
    }
    return insert("assessment_addendum", uuid.uuid4(), by, **{**fields, **values})


@pytest.mark.parametrize("pusher", ["clinician", "trainee"])
def test_an_addendum_to_a_draft_is_refused(server: PushServer, pusher: str) -> None:
    assessment = _draft(server, server.acting["clinician"])
    by = server.acting[pusher]

    result = server.push(by, _addendum(by, assessment))

    assert result[0][0] is Status.REJECTED
    assert result[0][1] in ("sync.adds_to_unsigned", "sync.not_allowed")


def test_an_addendum_to_a_record_the_server_does_not_have_is_refused(server: PushServer) -> None:
    by = server.acting["clinician"]

    result = server.push(by, _addendum(by, uuid.uuid4()))

    assert result[0][0] is Status.REJECTED


def test_an_addendum_signed_by_nobody_is_refused(server: PushServer) -> None:
    by = server.acting["clinician"]
    assessment = _draft(server, by)

    assert server.push(by, _addendum(by, assessment, signed_by=None)) == [
        (Status.REJECTED, "sync.not_signable")
    ]
