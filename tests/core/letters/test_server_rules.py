"""The server authorises a pushed letter by its lifecycle, as the device does.

A tampered device could push a colleague's draft signed as itself, a change to a signed
letter, or a letter from a role that writes none: the server refuses each.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.container import Services
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.care import EpisodeOfCare
from clinic_app.server.authorise import Acting, refusal
from clinic_app.sync.hooks import change_checks
from clinic_app.sync.protocol import Change

TABLE = "letter_record"


def _change(kind: str = "insert") -> Change:
    return Change(uuid.uuid4(), TABLE, uuid.uuid4(), kind, 0, {})


def test_clinicians_push_their_own_draft_and_other_roles_none() -> None:
    author = uuid.uuid4()
    draft = {"status": "draft", "created_by": author, "kind": "gp_discharge"}

    for role in (Role.CLINICIAN, Role.SUPERVISOR):
        assert refusal(Acting(author, role), _change(), None, draft) is None, role
    for role in (Role.TRAINEE, Role.SONOGRAPHER, Role.ADMIN):
        assert refusal(Acting(author, role), _change(), None, draft) == "sync.not_allowed"


def test_a_colleagues_draft_is_neither_edited_nor_signed() -> None:
    author, colleague = uuid.uuid4(), uuid.uuid4()
    stored = {"status": "draft", "created_by": author}

    editing = {"status": "draft", "sections": [{"key": "clinical_summary", "text": "mine"}]}
    assert refusal(Acting(colleague, Role.CLINICIAN), _change("update"), stored, editing) == (
        "sync.not_author"
    )
    signing = {"status": "signed", "signed_by": colleague}
    assert refusal(Acting(colleague, Role.CLINICIAN), _change("update"), stored, signing) == (
        "sync.not_author"
    )
    as_the_author = {"status": "signed", "signed_by": author}
    assert (
        refusal(Acting(colleague, Role.SUPERVISOR), _change("update"), stored, as_the_author)
        == "sync.not_yours"
    )
    assert refusal(Acting(author, Role.CLINICIAN), _change("update"), stored, as_the_author) is None


def test_a_signed_letter_is_never_changed_nor_unsigned() -> None:
    author = uuid.uuid4()
    signed = {"status": "signed", "created_by": author, "signed_by": author}

    for change in (
        {"status": "signed", "sections": [{"key": "clinical_summary", "text": "changed"}]},
        {"status": "draft"},
    ):
        assert (
            refusal(Acting(author, Role.CLINICIAN), _change("update"), signed, change)
            == "sync.step_refused"
        ), change


def test_the_server_refuses_a_letter_naming_another_patients_episode(demo: Services) -> None:
    with demo.context.store.sessions() as session:
        first, second = session.execute(
            select(EpisodeOfCare.patient_id, EpisodeOfCare.id)
            .where(EpisodeOfCare.deleted.is_(False))
            .order_by(EpisodeOfCare.patient_id)
            .limit(2)
        ).all()
    assert first.patient_id != second.patient_id
    checks = change_checks(TABLE)

    with demo.context.store.engine.connect() as conn:
        wrong = [
            c(conn, {"patient_id": first.patient_id, "episode_id": second.id}, None) for c in checks
        ]
        right = [
            c(conn, {"patient_id": first.patient_id, "episode_id": first.id}, None) for c in checks
        ]

    assert "sync.wrong_patient" in wrong
    assert set(right) == {None}
