"""SDM records under a registration merged into the record: listed, continued, printed."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import insert, select

from clinic_app.container import Services
from clinic_app.domains.decisions.service import check_decision
from clinic_app.kernel.errors import Conflict, NotFound
from clinic_app.people.episodes import open_episode_id
from clinic_app.people.model import Patient
from tests.core.decisions.conftest import AID, Clinic
from tests.core.decisions.test_decision_record import PASSWORD, TALKED_THROUGH
from tests.support.merges import merged_by_sync


def _survivor_named(services: Services, patient: uuid.UUID, family_name: str) -> uuid.UUID:
    """The same person registered again under ``family_name`` (a pulled row), kept as theirs."""
    table = Patient.__table__
    with services.context.store.engine.begin() as conn:
        row = dict(conn.execute(select(table).where(table.c.id == patient)).mappings().one())
        survivor = uuid.uuid4()
        conn.execute(insert(table), {**row, "id": survivor, "family_name": family_name})
    return survivor


def _family_name(services: Services, patient: uuid.UUID) -> str:
    with services.context.store.sessions() as session:
        row = session.get(Patient, patient)
        assert row is not None
        return row.family_name


def _pdf_words(pdf: bytes) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed")
    out = subprocess.run([tool, "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def test_a_draft_begun_under_a_merged_registration_is_continued_and_signed_from_the_survivor(
    clinic: Clinic,
) -> None:
    decisions, me = clinic.services.decisions, clinic.clinician
    stale_name = _family_name(clinic.services, clinic.patient).upper()
    # A shared decision was begun under this registration; it has since been merged into
    # another registration of the same person, whose record names her Whitfield.
    draft = decisions.start(me, clinic.patient, AID)
    survivor = _survivor_named(clinic.services, clinic.patient, "Whitfield")
    merged_by_sync(clinic.services, survivor=survivor, merged=clinic.patient)

    # Listed, opened and continued from the surviving record: the same record, not a new one.
    assert [r.id for r in decisions.for_patient(me, survivor)] == [draft.id]
    assert decisions.get(me, draft.id, survivor).id == draft.id
    assert decisions.start(me, survivor, AID).id == draft.id
    saved = decisions.save(me, draft.id, survivor, TALKED_THROUGH)
    assert (saved.id, saved.patient_id, saved.choice) == (draft.id, clinic.patient, "injection")

    # Its take-home summary names her as the surviving record does.
    words = _pdf_words(decisions.printable(me, draft.id, survivor, draft.created_at.date()))
    assert "WHITFIELD" in words
    assert stale_name not in words

    signed = decisions.sign(me, draft.id, survivor, PASSWORD)
    assert signed.is_signed
    # An injection from the surviving record in that episode is led to by it.
    assert [r.id for r in decisions.decision_for(me, survivor, draft.episode_id, "injection")] == [
        draft.id
    ]
    with clinic.services.context.store.sessions() as session:
        assert open_episode_id(session, survivor) == draft.episode_id
        named = check_decision(
            session, survivor, draft.episode_id, "injection", sdm_id=draft.id, reason=None
        )
        found = check_decision(
            session, survivor, draft.episode_id, "injection", sdm_id=None, reason=None
        )
    assert named.sdm_record_id == found.sdm_record_id == draft.id
    changed = decisions.change_of_mind(me, draft.id, survivor)
    assert changed.supersedes_id == draft.id


def test_another_patients_sdm_record_is_still_refused_from_a_merged_record(
    clinic: Clinic,
) -> None:
    decisions, me = clinic.services.decisions, clinic.clinician
    hers = decisions.start(me, clinic.patient, AID)
    decisions.save(me, hers.id, clinic.patient, TALKED_THROUGH)
    hers_signed = decisions.sign(me, hers.id, clinic.patient, PASSWORD)
    theirs = decisions.start(me, clinic.other, AID)
    decisions.save(me, theirs.id, clinic.other, TALKED_THROUGH)
    theirs_signed = decisions.sign(me, theirs.id, clinic.other, PASSWORD)
    survivor = _survivor_named(clinic.services, clinic.patient, "Whitfield")
    merged_by_sync(clinic.services, survivor=survivor, merged=clinic.patient)
    assert decisions.get(me, hers.id, survivor).id == hers.id

    # Someone never merged with either registration: their record stays theirs alone.
    assert [r.id for r in decisions.for_patient(me, survivor)] == [hers.id]
    for asked_for in (survivor, clinic.patient):
        with pytest.raises(NotFound):
            decisions.get(me, theirs.id, asked_for)
        with pytest.raises(NotFound):
            decisions.printable(me, theirs.id, asked_for, theirs.created_at.date())
        with pytest.raises(Conflict) as wrong:
            decisions.change_of_mind(me, theirs.id, asked_for)
        assert wrong.value.code == "decision.wrong_patient"
        with pytest.raises(Conflict) as saved:
            decisions.save(me, theirs.id, asked_for, TALKED_THROUGH)
        assert saved.value.code == "decision.wrong_patient"
        with clinic.services.context.store.sessions() as session, pytest.raises(Conflict):
            check_decision(
                session,
                asked_for,
                theirs_signed.episode_id,
                "injection",
                sdm_id=theirs.id,
                reason=None,
            )
    # Nor does the merged registration's record open for the other patient.
    with pytest.raises(NotFound):
        decisions.get(me, hers.id, clinic.other)
    with pytest.raises(NotFound):
        decisions.printable(me, hers.id, clinic.other, hers.created_at.date())
    with pytest.raises(Conflict):
        decisions.change_of_mind(me, hers.id, clinic.other)
    assert hers.id not in [r.id for r in decisions.for_patient(me, clinic.other)]
    assert hers_signed.id not in [
        r.id for r in decisions.decision_for(me, clinic.other, hers_signed.episode_id, "injection")
    ]
