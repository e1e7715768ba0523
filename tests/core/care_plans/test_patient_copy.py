"""The patient's printed plan, read back: to "you", their goals first, the safety net boxed."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace

import pytest

from clinic_app.domains.care_plans.rules import pifu_ends_on
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.people.model import Patient
from clinic_app.records.registry import day_words
from tests.core.care_plans.conftest import TODAY, Clinic, agreed_plan, writing
from tests.support import pictures
from tests.support.printed import pages_missing, without_nhs_number

PASSWORD = "clinician-demo-2026"


def _words(pdf: bytes) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed")
    text = subprocess.run([tool, "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return re.sub(r"\s+", " ", text.decode())


def _heights(pdf: bytes, word: str) -> list[float]:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed")
    html = subprocess.run(
        [tool, "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    found = re.findall(
        r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">' + re.escape(word) + "<", html
    )
    return [float(bottom) - float(top) for top, bottom in found]


def _signed_copy(clinic: Clinic, **change: object) -> bytes:
    plans = clinic.services.care_plans
    started = plans.start(clinic.clinician, clinic.patient)
    plans.save(clinic.clinician, started.id, clinic.patient, replace(agreed_plan(), **change))
    plans.sign(clinic.clinician, started.id, clinic.patient, PASSWORD)
    return plans.printable(clinic.clinician, started.id, clinic.patient)


def test_the_copy_speaks_to_the_patient_and_puts_their_goals_first(clinic: Clinic) -> None:
    pdf = _signed_copy(clinic)
    pictures.keep_pdf(pdf, "care-plan-copy", resolution=60)

    words = _words(pdf)
    with clinic.services.context.store.sessions() as session:
        patient = session.get(Patient, clinic.patient)
        assert patient is not None
        name = f"{patient.family_name.upper()}, {patient.given_name}"
    assert name in words
    goals = words.index("Your goals, in your words")
    assert goals < words.index("What will be done") < words.index("signs that need help")
    assert words.index("signs that need help") < words.index("What matters to you")
    assert "\u201cWalk to the shops and back without stopping\u201d" in words
    assert "Do the home exercises every morning (Me, by " in words
    assert "cauda equina" in words
    assert "both legs" in words
    assert "999" in words
    assert "Riverside walking club, Thursdays" in words
    until = day_words(pifu_ends_on(TODAY, 6))
    assert (
        "You can book an appointment with us yourself, without going back to your GP, "
        f"until {until}" in words
    )
    assert "You agreed that we send a copy of this plan to your GP." in words
    assert "draft" not in words.lower()


def test_large_print_and_the_language_come_from_the_patient_s_record(clinic: Clinic) -> None:
    regular = _signed_copy(clinic)
    with writing(clinic.services, clinic.clinician) as session:
        patient = session.get(Patient, clinic.patient)
        assert patient is not None
        patient.accessible_information_needs = ["large_print", "easy_read"]
        patient.interpreter_needed = True
        patient.interpreter_language = "pl"
    plans = clinic.services.care_plans
    [plan] = plans.for_patient(clinic.clinician, clinic.patient)

    large = plans.printable(clinic.clinician, plan.id, clinic.patient)
    pictures.keep_pdf(large, "care-plan-large-print", resolution=60)

    words = _words(large)
    assert "easy read" in words
    assert "Polish" in words
    # Said before the goals, where a reader who needs them meets them first.
    assert words.index("Polish") < words.index("Your goals, in your words")
    assert max(_heights(large, "goals,")) > max(_heights(regular, "goals,")) * 1.2


def test_a_draft_says_so_and_refused_consent_is_printed_as_refused(clinic: Clinic) -> None:
    plans = clinic.services.care_plans
    started = plans.start(clinic.clinician, clinic.patient)
    plans.save(
        clinic.clinician, started.id, clinic.patient, replace(agreed_plan(), gp_consent=False)
    )

    words = _words(plans.printable(clinic.clinician, started.id, clinic.patient))

    assert "This is a draft" in words
    assert "for 6 months from the day this plan is agreed" in words
    assert "You asked us not to send this plan to your GP" in words
    with clinic.services.context.store.sessions() as session:
        entry = session.query(AuditEntry).order_by(AuditEntry.seq.desc()).first()
    assert entry is not None
    assert entry.action == "care_plan.print"


def test_a_patient_with_no_nhs_number_is_named_with_their_date_of_birth_on_every_page(
    clinic: Clinic,
) -> None:
    born = without_nhs_number(clinic.services, clinic.clinician, clinic.patient)

    pdf = _signed_copy(clinic)
    pictures.keep_pdf(pdf, "care-plan-copy-no-nhs-number", resolution=60)

    assert born in _words(pdf)
    assert pages_missing(pdf, born) == []
