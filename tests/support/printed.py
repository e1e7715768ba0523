"""Printed documents read back page by page, as a person holding one loose page would."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid

import pytest

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.pdf_kit import day_words
from clinic_app.kernel.session import Actor
from clinic_app.people.model import Patient


def page_words(pdf: bytes) -> list[str]:
    """The words of each page, in order, white space made single spaces."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed")
    text = subprocess.run(
        [tool, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    # pdftotext ends every page with a form feed.
    pages = text.split("\f")[:-1]
    return [re.sub(r"\s+", " ", page) for page in pages]


def pages_missing(pdf: bytes, *words: str) -> list[int]:
    """The numbers (from 1) of the pages that do not show every one of ``words``."""
    return [
        number
        for number, page in enumerate(page_words(pdf), start=1)
        if not all(word in page for word in words)
    ]


def without_nhs_number(services: Services, user: CurrentUser, patient_id: uuid.UUID) -> str:
    """Clear the patient's NHS number (it is optional); their date of birth as printed."""
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id, user_id=user.id)
        patient = session.get(Patient, patient_id)
        assert patient is not None
        patient.nhs_number = None
        return f"Born {day_words(patient.date_of_birth)}"
