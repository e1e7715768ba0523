"""Letters and a registration merged into the record: what they tell, open and print."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import insert, select

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.errors import Conflict, NotFound
from clinic_app.kernel.session import Actor
from clinic_app.kernel.staff import Site
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.model import Patient, PatientAlert
from clinic_app.people.views import PatientInput
from tests.core.letters.test_letters import _clinician, _patient_with_episode
from tests.support.merges import merged_by_sync


def test_an_allergy_recorded_under_a_merged_registration_is_in_the_gp_letter(
    demo: Services,
) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    # The same person registered a second time at another clinic, where their allergy was
    # recorded; a person has since merged that registration into this record.
    second = demo.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Second", family_name="Registration", date_of_birth="1960-03-03", sex="2"
        ),
    ).id
    with demo.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=demo.context.device_id)
        session.add(PatientAlert(patient_id=second, kind="allergy", text="Latex: anaphylaxis"))
    merged_by_sync(demo, survivor=patient, merged=second)
    # The record's banner shows it ...
    assert "Latex: anaphylaxis" in [a.text for a in demo.patients.open(me, patient).alerts]

    # ... and the letter to the GP must not leave it out.
    draft = demo.letters.draft(me, patient, "gp_clinic", episode)
    allergies = next(s for s in draft.sections if s.key == "allergies")
    assert "Latex: anaphylaxis" in allergies.text


def _survivor_named(services: Services, patient: uuid.UUID, family_name: str) -> uuid.UUID:
    """The same person registered again under ``family_name`` (a pulled row), kept as theirs."""
    table = Patient.__table__
    with services.context.store.engine.begin() as conn:
        row = dict(conn.execute(select(table).where(table.c.id == patient)).mappings().one())
        survivor = uuid.uuid4()
        conn.execute(insert(table), {**row, "id": survivor, "family_name": family_name})
    return survivor


def _pdf_words(pdf: bytes) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed")
    out = subprocess.run([tool, "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def test_a_letter_begun_under_a_merged_registration_is_continued_from_the_surviving_record(
    demo: Services,
) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    with demo.context.store.sessions() as session:
        stale = session.get(Patient, patient)
        assert stale is not None
        stale_name = stale.family_name.upper()
    # A letter to the GP was begun under this registration; it has since been merged into
    # another registration of the same person, whose record names her Whitfield.
    draft = demo.letters.draft(me, patient, "gp_clinic", episode)
    survivor = _survivor_named(demo, patient, "Whitfield")
    merged_by_sync(demo, survivor=survivor, merged=patient)

    # The surviving record lists it and opens it ...
    assert draft.id in [letter.id for letter in demo.letters.for_patient(me, survivor)]
    assert demo.letters.get(me, draft.id, survivor).sections == draft.sections
    # ... its words are changed there, on the same letter ...
    edited = demo.letters.edit(me, draft.id, survivor, {"clinical_summary": "Seen and better."})
    assert edited.id == draft.id
    assert edited.patient_id == patient
    # ... and it prints naming her as the surviving record does.
    words = _pdf_words(demo.letters.printable(me, draft.id, survivor))
    assert "WHITFIELD" in words
    assert stale_name not in words
    assert "Seen and better." in words

    signed = demo.letters.sign(me, draft.id, survivor, demo_password("clinician"))
    assert signed.signed
    assert signed.intact
    signed_words = _pdf_words(demo.letters.printable(me, draft.id, survivor))
    assert "WHITFIELD" in signed_words
    assert stale_name not in signed_words


def test_a_letter_signed_before_the_merge_reprints_as_sent_and_goes_to_the_gp_as_her_record(
    demo: Services,
) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    with demo.context.store.sessions() as session:
        stale = session.get(Patient, patient)
        assert stale is not None
        stale_name = stale.family_name.upper()
    draft = demo.letters.draft(me, patient, "gp_clinic", episode)
    demo.letters.sign(me, draft.id, patient, demo_password("clinician"))
    sent = demo.letters.printable(me, draft.id, patient)
    assert stale_name in _pdf_words(sent)
    survivor = _survivor_named(demo, patient, "Whitfield")
    merged_by_sync(demo, survivor=survivor, merged=patient)

    # Printed again from the surviving record: the copy that was sent, byte for byte.
    assert demo.letters.printable(me, draft.id, survivor) == sent
    # Sent to the GP's system again, it is filed under her record as it stands now.
    with demo.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=demo.context.device_id)
        site = session.get(Site, me.site_id)
        assert site is not None
        site.ods_code = "RDEMO"
    bundle = json.loads(demo.letters.fhir_document(me, draft.id, survivor))
    (named,) = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    assert [name["family"] for name in named["name"]] == ["Whitfield"]


def test_another_patients_letter_is_still_refused_from_a_merged_record(demo: Services) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    hers = demo.letters.draft(me, patient, "gp_clinic", episode)
    survivor = _survivor_named(demo, patient, "Whitfield")
    merged_by_sync(demo, survivor=survivor, merged=patient)
    assert demo.letters.get(me, hers.id, survivor).id == hers.id
    # A letter of someone else, never merged with either registration.
    other = demo.patients.register(
        SYSTEM,
        PatientInput(given_name="Other", family_name="Person", date_of_birth="1971-05-05", sex="1"),
    ).id
    theirs = demo.letters.draft(me, other, "gp_clinic")

    assert theirs.id not in [letter.id for letter in demo.letters.for_patient(me, survivor)]
    assert theirs.id not in [letter.id for letter in demo.letters.for_patient(me, patient)]
    for asked_for in (survivor, patient):
        with pytest.raises(NotFound):
            demo.letters.get(me, theirs.id, asked_for)
        with pytest.raises(NotFound):
            demo.letters.printable(me, theirs.id, asked_for)
        with pytest.raises(Conflict) as wrong:
            demo.letters.edit(me, theirs.id, asked_for, {"clinical_summary": "Not hers."})
        assert wrong.value.code == "letter.wrong_patient"
        with pytest.raises(Conflict):
            demo.letters.sign(me, theirs.id, asked_for, demo_password("clinician"))
    # Nor does a letter of either registration open for the other patient.
    ours = demo.letters.draft(me, survivor, "gp_clinic", episode)
    for letter in (hers, ours):
        with pytest.raises(NotFound):
            demo.letters.get(me, letter.id, other)
        with pytest.raises(NotFound):
            demo.letters.printable(me, letter.id, other)
        with pytest.raises(Conflict):
            demo.letters.edit(me, letter.id, other, {"clinical_summary": "Not his."})
