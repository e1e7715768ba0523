"""The cauda equina safety-net card as a patient takes it home: a valid, readable PDF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.errors import NotFound, PermissionDenied
from clinic_app.people.views import PatientSummary


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: the test command installs it (poppler/qpdf)")
    return path


@pytest.fixture
def card(demo: Services, tmp_path: Path) -> tuple[Path, PatientSummary]:
    clinician = demo.auth.login("clinician", demo_password("clinician"))
    patient = demo.patients.search(clinician, "999", limit=1)[0]
    pdf = demo.red_flags.safety_net_card(clinician, patient.id)
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf)
    return path, patient


def test_the_card_is_a_valid_pdf(card: tuple[Path, PatientSummary]) -> None:
    path, _ = card
    checked = subprocess.run(
        [_tool("qpdf"), "--check", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_card_says_what_to_do_and_whom_it_is_for(card: tuple[Path, PatientSummary]) -> None:
    path, patient = card
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(text.split())
    assert "call 999 or go to the nearest emergency department" in flat
    assert "NHS 111" in flat
    assert f"For {patient.given_name} {patient.family_name}" in flat
    # Whose it is, as every document says it: the NHS number and date of birth too.
    number = patient.nhs_number or ""
    assert f"NHS number {number[:3]} {number[3:6]} {number[6:]}" in flat
    assert f"born {patient.date_of_birth.day} " in flat
    assert "Riverside Community MSK Clinic" in flat
    # Its words in the house fonts, embedded (not left to the reader's own Helvetica).
    fonts = subprocess.run(
        [_tool("pdffonts"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    house = [line.split() for line in fonts.splitlines() if "DejaVuSans" in line]
    assert house, fonts
    assert all(line[-5] == "yes" for line in house), fonts
    pages = subprocess.run(
        [_tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    counts = [line.split()[1] for line in pages.splitlines() if line.startswith("Pages:")]
    assert counts == ["1"]  # one page, nothing spilling over


def test_only_screens_with_a_card_print_one(demo: Services) -> None:
    clinician = demo.auth.login("clinician", demo_password("clinician"))
    patient = demo.patients.search(clinician, "999", limit=1)[0]
    with pytest.raises(NotFound):
        demo.red_flags.safety_net_card(clinician, patient.id, "giant_cell_arteritis")


def test_admin_cannot_print_clinical_cards(demo: Services) -> None:
    admin = demo.auth.login("admin", demo_password("admin"))
    patient = demo.patients.search(admin, "999", limit=1)[0]
    with pytest.raises(PermissionDenied):
        demo.red_flags.safety_net_card(admin, patient.id)
