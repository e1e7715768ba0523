"""The aftercare leaflet of a signed injection, read back: whose, what was given, the advice."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import select, update

from clinic_app.demo import demo_password
from clinic_app.domains.injections.content import injection_content
from clinic_app.domains.injections.model import InjectionRecord
from clinic_app.domains.injections.service.aftercare import (
    parse_aftercare,
    shipped_aftercare,
)
from clinic_app.domains.injections.views import InjectionInput
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.errors import ClinicError, Conflict, NotFound
from clinic_app.kernel.pdf_kit import day_words
from clinic_app.kernel.resource_files import read_json
from clinic_app.people.model import Patient
from clinic_app.people.nhs_number import synthetic_numbers
from clinic_app.people.views import PatientInput
from tests.core.injections.conftest import Clinic
from tests.core.injections.helpers import ALL_NO, ANAESTHETIC, STEROID, knee_injection
from tests.support import pictures
from tests.support.printed import pages_missing, without_nhs_number

INFECTION_WARNING = "get help urgently, the same day"
DIABETES = "If you have diabetes"
GLUCOSE = "Check your blood sugar more often than usual"
#: Far past the demo's patients in the fixed sequence of synthetic numbers.
READER_NUMBER = next(synthetic_numbers(1, start=5000))
CARD = "If you were given a Steroid Emergency Card, carry it with you"


def _pdftotext() -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed")
    return tool


def _words(pdf: bytes) -> str:
    text = subprocess.run(
        [_pdftotext(), "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return re.sub(r"\s+", " ", text)


def _heights(pdf: bytes, word: str) -> list[float]:
    """The heights (points) of every printed ``word``, read back from the PDF."""
    html = subprocess.run(
        [_pdftotext(), "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    found = re.findall(
        r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">' + re.escape(word) + "<", html
    )
    return [float(bottom) - float(top) for top, bottom in found]


def _pages(pdf: bytes) -> int:
    tool = shutil.which("pdfinfo")
    if tool is None:
        pytest.skip("pdfinfo is not installed")
    info = subprocess.run([tool, "-"], input=pdf, capture_output=True, check=True).stdout
    return int(re.search(rb"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


def _signed(clinic: Clinic, patient: uuid.UUID, fields: InjectionInput) -> uuid.UUID:
    """A signed injection of ``patient`` recorded as ``fields``, its warnings acknowledged."""
    services, clinician = clinic.services, clinic.clinician
    draft = services.injections.start(clinician, patient)
    services.injections.save(clinician, draft.id, fields)
    for warning in services.injections.checks(clinician, draft.id).warnings:
        services.injections.acknowledge(clinician, draft.id, warning.code)
    services.injections.sign(clinician, draft.id, demo_password("clinician"))
    return draft.id


def _patient(clinic: Clinic, patient_id: uuid.UUID) -> tuple[str, str, str]:
    """The patient's family name, given name and NHS number, as their record holds them."""
    with clinic.services.context.store.sessions() as session:
        patient = session.get(Patient, patient_id)
        assert patient is not None
        assert patient.nhs_number
        return patient.family_name, patient.given_name, patient.nhs_number


def test_the_leaflet_names_the_patient_what_was_given_and_when_to_get_help(
    clinic: Clinic,
) -> None:
    fields = knee_injection(clinic.pgd())
    record = _signed(clinic, clinic.patient, fields)
    family, given, number = _patient(clinic, clinic.patient)

    pdf = clinic.services.injections.aftercare(clinic.clinician, record, clinic.patient)
    words = _words(pdf)

    # Whose it is, from the patient's record: the name, the date of birth and the NHS number
    # grouped 3-3-4.
    grouped = f"{number[:3]} {number[3:6]} {number[6:]}"
    named = re.escape(f"{family.upper()}, {given}")
    assert re.search(rf"{named} Born \d+ \w+ \d{{4}} NHS {grouped}", words)
    assert words.count(f"NHS {grouped}") == 2 * _pages(pdf)  # head and foot of every page
    # What was given: the site and side in words, each drug by its formulary name and dose.
    assert "Where: Left knee joint" in words
    formulary = injection_content().formulary
    for drug in (STEROID, ANAESTHETIC):
        product = formulary.product(drug.product_id)
        assert product is not None
        assert f"{product.name}: {drug.mg:g} mg in {drug.ml:g} mL" in words
    assert "Methylprednisolone acetate 40 mg/mL (Depo-Medrone): 40 mg in 1 mL" in words
    assert fields.performed_on is not None
    given_on = f"You had a steroid injection on {day_words(fields.performed_on)}"
    assert given_on in words
    assert clinic.clinician.display_name in words
    # The review date, the infection warning and what to do, and the parts that apply.
    assert fields.review_date is not None
    assert f"Your review is due on {day_words(fields.review_date)}" in words
    assert "Signs of infection are: the injected joint or area gets hot or red" in words
    assert "a fever (a high temperature)" in words
    assert INFECTION_WARNING in words
    assert "call NHS 111" in words
    assert "The numbing medicine wears off" in words  # lidocaine was given
    assert CARD in words  # the card was considered
    assert DIABETES not in words
    assert GLUCOSE not in words
    pictures.keep_pdf(pdf, "injection_aftercare")


def test_the_diabetes_advice_is_printed_only_when_the_checklist_says_diabetes(
    clinic: Clinic,
) -> None:
    pgd = clinic.pgd()
    checklist = dict(ALL_NO) | {"diabetes": "yes"}
    record = _signed(
        clinic,
        clinic.patient,
        knee_injection(pgd, checklist=checklist, drugs=(STEROID,), steroid_card_considered=False),
    )

    pdf = clinic.services.injections.aftercare(clinic.clinician, record, clinic.patient)
    words = _words(pdf)

    assert DIABETES in words
    assert GLUCOSE in words
    assert "blood sugar (glucose) go up for several days" in words
    assert INFECTION_WARNING in words
    # No local anaesthetic given, no card considered: their words are left out.
    assert "numbing medicine" not in words
    assert CARD not in words
    pictures.keep_pdf(pdf, "injection_aftercare_diabetes")


def test_large_print_for_a_patient_whose_record_asks_for_it(clinic: Clinic) -> None:
    services = clinic.services
    reader = services.patients.register(
        clinic.lead,
        PatientInput(
            given_name="Edith",
            family_name="Largeprint",
            date_of_birth="1941-03-02",
            sex="2",
            nhs_number=READER_NUMBER,
            accessible_information_needs=("large_print",),
        ),
    )
    fields = knee_injection(clinic.pgd())
    regular = services.injections.aftercare(
        clinic.clinician, _signed(clinic, clinic.patient, fields), clinic.patient
    )
    large = services.injections.aftercare(
        clinic.clinician, _signed(clinic, reader.id, fields), reader.id
    )

    words = _words(large)
    grouped = f"{READER_NUMBER[:3]} {READER_NUMBER[3:6]} {READER_NUMBER[6:]}"
    assert f"LARGEPRINT, Edith Born 2 March 1941 NHS {grouped}" in words
    assert "Where: Left knee joint" in words
    assert INFECTION_WARNING in words
    assert min(_heights(large, "settles")) > max(_heights(regular, "settles")) * 1.3
    pictures.keep_pdf(large, "injection_aftercare_large")


def test_a_draft_is_refused_and_printing_is_audited(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    draft = services.injections.start(clinician, clinic.patient)
    services.injections.save(clinician, draft.id, knee_injection(clinic.pgd()))

    with pytest.raises(Conflict) as refused:
        services.injections.aftercare(clinician, draft.id, clinic.patient)
    assert refused.value.code == "injection.aftercare_not_signed"

    services.injections.sign(clinician, draft.id, demo_password("clinician"))
    services.injections.aftercare(clinic.colleague, draft.id, clinic.patient)
    with services.context.store.sessions() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None
    assert (entry.action, entry.patient_id, entry.entity_id, entry.user_id) == (
        "injection.print",
        clinic.patient,
        draft.id,
        clinic.colleague.id,
    )


def test_a_record_changed_outside_the_app_is_never_printed(clinic: Clinic) -> None:
    record = _signed(clinic, clinic.patient, knee_injection(clinic.pgd()))
    with clinic.services.context.store.sessions() as session:
        session.execute(
            update(InjectionRecord)
            .where(InjectionRecord.id == record)
            .values(drugs=[{**STEROID.as_json(), "mg": 80, "ml": 2}])
        )
        session.commit()

    with pytest.raises(Conflict) as refused:
        clinic.services.injections.aftercare(clinic.clinician, record, clinic.patient)
    assert refused.value.code == "injection.aftercare_not_intact"


def test_another_patient_s_id_or_no_record_is_not_found(clinic: Clinic) -> None:
    record = _signed(clinic, clinic.patient, knee_injection(clinic.pgd()))

    with pytest.raises(NotFound) as other:
        clinic.services.injections.aftercare(clinic.clinician, record, clinic.other)
    assert other.value.code == "injection.not_found"
    with pytest.raises(NotFound):
        clinic.services.injections.aftercare(clinic.clinician, uuid.uuid4(), clinic.patient)


def test_the_shipped_words_are_short_cited_and_name_real_checklist_items() -> None:
    words = shipped_aftercare()
    checklist = set(injection_content().checklist.ids)

    for part in words.sections:
        assert part.statements
        for statement in part.statements:
            assert statement.source
            # Short sentences for a reading age of about 11.
            for sentence in re.split(r"(?<=[.!?])\s+", statement.text):
                assert len(sentence.split()) <= 30, sentence
    assert any(p.checklist_item == "diabetes" for p in words.sections)
    assert all(
        p.checklist_item in checklist for p in words.sections if p.checklist_item is not None
    )


def test_every_target_has_plain_words() -> None:
    named = set(shipped_aftercare().site_words)

    assert named == {target.id for target in injection_content().targets.targets}


def test_the_site_is_printed_in_plain_words_with_its_side(clinic: Clinic) -> None:
    fields = knee_injection(
        clinic.pgd(), target="glenohumeral_joint", side="right", drugs=(STEROID,)
    )
    record = _signed(clinic, clinic.patient, fields)

    words = _words(clinic.services.injections.aftercare(clinic.clinician, record, clinic.patient))

    assert "Where: Right shoulder joint (glenohumeral joint)" in words


def test_words_naming_no_checklist_item_are_refused() -> None:
    data = read_json("injections", "aftercare")
    assert isinstance(data, dict)
    broken = dict(data)
    broken["sections"] = [
        {**part, "checklist_item": "diabetic"} if part["id"] == "diabetes" else part
        for part in data["sections"]
    ]

    with pytest.raises(ClinicError) as refused:
        parse_aftercare(broken, injection_content())
    assert refused.value.code == "content.invalid"
    assert refused.value.params["field"] == "diabetes"


def test_plain_words_for_an_unknown_target_are_refused() -> None:
    data = read_json("injections", "aftercare")
    assert isinstance(data, dict)
    broken = {**data, "site_words": {**data["site_words"], "elbow_joint": "elbow joint"}}

    with pytest.raises(ClinicError) as refused:
        parse_aftercare(broken, injection_content())
    assert refused.value.params["field"] == "elbow_joint"


def test_a_patient_with_no_nhs_number_is_named_with_their_date_of_birth_on_every_page(
    clinic: Clinic,
) -> None:
    born = without_nhs_number(clinic.services, clinic.lead, clinic.patient)
    record = _signed(clinic, clinic.patient, knee_injection(clinic.pgd()))

    pdf = clinic.services.injections.aftercare(clinic.clinician, record, clinic.patient)

    assert _pages(pdf) > 1
    assert pages_missing(pdf, born) == []
