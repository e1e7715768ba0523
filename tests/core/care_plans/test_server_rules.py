"""The server authorises a pushed care plan by its lifecycle, as it does every record's.

A tampered device could push a colleague's signing of someone else's draft, an edit to a
signed plan, or a review pointing at another patient's plan: the server refuses each.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.domains.care_plans.rules import pifu_ends_on
from clinic_app.kernel.vocabulary import Role
from clinic_app.server.authorise import Acting, refusal
from clinic_app.sync.protocol import Change, Status
from tests.support.server_push import (
    NOW,
    PushServer,
    example_patient,
    insert,
    push_server,
    sealed,
    update,
)

TABLE = "care_plan"
TODAY = date.today()


def _change(kind: str = "insert") -> Change:
    return Change(uuid.uuid4(), TABLE, uuid.uuid4(), kind, 0, {})


# ---------------------------------------------------------------- the rules, as data


def test_a_clinical_role_pushes_its_own_draft_and_the_service_lead_none() -> None:
    author = uuid.uuid4()
    draft = {"status": "draft", "created_by": author}

    for role in (Role.CLINICIAN, Role.SONOGRAPHER, Role.TRAINEE, Role.SUPERVISOR):
        assert refusal(Acting(author, role), _change(), None, draft) is None, role
    assert refusal(Acting(author, Role.ADMIN), _change(), None, draft) == "sync.not_allowed"


def test_only_the_author_signs_and_nobody_changes_a_signed_plan() -> None:
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
    # Consent to share is recorded as taken by whoever pushes it, never by someone else.
    assert (
        refusal(
            Acting(author, Role.CLINICIAN),
            _change("update"),
            stored,
            {"gp_consent": True, "gp_consent_recorded_by": colleague},
        )
        == "sync.not_yours"
    )
    signed = {"status": "signed", "created_by": author}
    assert (
        refusal(Acting(author, Role.CLINICIAN), _change("update"), signed, {"status": "draft"})
        == "sync.step_refused"
    )


# ---------------------------------------------------------------- a hostile push, end to end


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PushServer]:
    made = push_server(tmp_path, (("clinician", Role.CLINICIAN), ("colleague", Role.CLINICIAN)))
    yield made
    made.engine.dispose()


def _plan(patient: uuid.UUID, by: Acting, **values: Any) -> Change:
    fields = _plan_fields(patient, **values)
    if fields["status"] == "signed":
        fields = sealed(TABLE, fields)
    return insert(TABLE, uuid.uuid4(), by, **fields)


def _plan_fields(patient: uuid.UUID, **values: Any) -> dict[str, Any]:
    return {
        "patient_id": patient,
        "status": "draft",
        "what_matters": "",
        "strengths": "",
        "goals": ["Walk to the shops"],
        "actions": [],
        "conditions": [],
        "treatments": [],
        "self_management": "",
        "flare_plan": "",
        "seek_help": "",
        "safety_nets": [],
        "support_services": [],
        "named_contact": "Priya Shah",
        "contact_route": "",
        "pifu_months": 6,
        "review_on": TODAY + timedelta(days=90),
        "information_needs": [],
        **values,
    }


def _update(row_id: uuid.UUID, version: int, by: Acting, **values: Any) -> Change:
    return update(TABLE, row_id, version, by, **values)


def test_a_colleague_cannot_sign_another_s_draft_and_a_signed_plan_is_never_edited(
    server: PushServer,
) -> None:
    patient, registered = example_patient(server.acting["clinician"], "9990000018")
    draft = _plan(patient, server.acting["clinician"])
    assert (
        server.push(server.acting["clinician"], registered, draft) == [(Status.APPLIED, None)] * 2
    )

    hijack = _update(
        draft.row_id,
        1,
        server.acting["colleague"],
        status="signed",
        signed_by=server.acting["colleague"].user_id,
        signed_at=NOW,
        content_sha256="0" * 64,
    )
    assert server.push(server.acting["colleague"], hijack) == [(Status.REJECTED, "sync.not_author")]

    signed_values = {
        "status": "signed",
        "signed_by": server.acting["clinician"].user_id,
        "signed_at": NOW,
        "pifu_starts_on": TODAY,
        "pifu_ends_on": pifu_ends_on(TODAY, 6),
    }
    seal = sealed(TABLE, _plan_fields(patient, **signed_values))["content_sha256"]
    signing = _update(
        draft.row_id, 1, server.acting["clinician"], content_sha256=seal, **signed_values
    )
    assert server.push(server.acting["clinician"], signing) == [(Status.APPLIED, None)]
    edit = _update(draft.row_id, 2, server.acting["clinician"], goals=["Something else"])
    assert server.push(server.acting["clinician"], edit) == [(Status.REJECTED, "sync.signed")]
    widen = _update(
        draft.row_id, 2, server.acting["clinician"], pifu_ends_on=TODAY + timedelta(days=900)
    )
    assert server.push(server.acting["clinician"], widen) == [(Status.REJECTED, "sync.signed")]


def test_a_review_of_another_patient_s_plan_is_refused(server: PushServer) -> None:
    first, one = example_patient(server.acting["clinician"], "9990000018")
    second, two = example_patient(server.acting["clinician"], "9990000026")
    theirs = _plan(first, server.acting["clinician"])
    assert server.push(server.acting["clinician"], one, two, theirs) == [(Status.APPLIED, None)] * 3

    crossed = _plan(second, server.acting["clinician"], supersedes_id=theirs.row_id)

    assert server.push(server.acting["clinician"], crossed) == [
        (Status.REJECTED, "sync.wrong_patient")
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"goals": []},
        {"goals": ["   "]},
        {"pifu_months": 36, "pifu_ends_on": TODAY + timedelta(days=1095)},
        {"pifu_ends_on": TODAY + timedelta(days=900)},
        {"pifu_starts_on": None},
        {"pifu_months": "six"},
        {"review_on": None},
    ],
)
def test_a_signing_the_device_would_have_refused_is_refused(
    server: PushServer, changes: dict[str, Any]
) -> None:
    clinician = server.acting["clinician"]
    patient, registered = example_patient(clinician)
    values: dict[str, Any] = {
        "status": "signed",
        "signed_by": clinician.user_id,
        "signed_at": NOW,
        "pifu_starts_on": TODAY,
        "pifu_ends_on": pifu_ends_on(TODAY, 6),
        **changes,
    }
    signed = _plan(patient, clinician, **values)

    assert server.push(clinician, registered, signed)[1] == (Status.REJECTED, "sync.bad_value")


def test_a_signing_within_the_rules_is_applied(server: PushServer) -> None:
    clinician = server.acting["clinician"]
    patient, registered = example_patient(clinician)
    signed = _plan(
        patient,
        clinician,
        status="signed",
        signed_by=clinician.user_id,
        signed_at=NOW,
        pifu_starts_on=TODAY,
        pifu_ends_on=pifu_ends_on(TODAY, 6),
    )

    assert server.push(clinician, registered, signed) == [(Status.APPLIED, None)] * 2
