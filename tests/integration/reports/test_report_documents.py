"""Printed scan reports and logbooks, read back with poppler as a reader would see them."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image

from clinic_app.domains.reports.logbook_pdf import logbook_csv, logbook_pdf
from clinic_app.domains.reports.pdf import ReportDetails, scan_report_pdf
from clinic_app.domains.reports.views import PRELIMINARY_WORDS, Logbook, LogbookRow, ReportView
from tests.support.postgres import running_in_ci

IMAGES = [str(uuid.UUID(int=n)) for n in range(1, 4)]
SEAL = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
FINDINGS_BLOCK = (
    "Small suprapatellar effusion. The quadriceps and patellar tendons are of normal "
    "thickness and echotexture with no tear. The medial collateral ligament is intact. "
)
CONTENT = {
    "history": "Six weeks of lateral knee pain after a fall.\nWorse on stairs.",
    "request": "",
    "findings": FINDINGS_BLOCK,
    "impression": "Small joint effusion. No tendon tear.",
    "recommendations": "Physiotherapy; review in six weeks if no better.",
    "addendum": "",
    "body_region": "Knee",
    "key_images": IMAGES[:2],
    "measurements": [
        {"label": "Suprapatellar effusion depth", "mm": 3.0, "instance_id": IMAGES[0], "frame": 0},
        {"label": "Patellar tendon thickness", "mm": 4.4, "instance_id": IMAGES[1], "frame": 12},
    ],
}
# Noon UTC: the printed local date is the same in any clinic's time zone.
NOON = datetime(2025, 3, 12, 12, 0, tzinfo=UTC)
SUBMITTED = ReportView(
    id=uuid.uuid4(),
    study_id=uuid.uuid4(),
    patient_id=uuid.uuid4(),
    author_id=uuid.uuid4(),
    author_name="Łukasz Nowak",
    status="submitted",
    version=1,
    predecessor_id=None,
    content=CONTENT,
    supervisor_id=uuid.uuid4(),
    supervisor_name="Dr Siân O'Connor",
    submitted_at=NOON,
    supervisor_words=None,
    supervision_mode=None,
    agreement=None,
    signed_at=None,
    verified=False,
    content_sha256=None,
    feedback=(),
    updated_at=NOON,
)
VERIFIED = replace(
    SUBMITTED,
    status="signed",
    supervisor_words="Agree; note also a small Baker's cyst <2 cm & no rupture.",
    supervision_mode="retrospective",
    agreement="minor",
    signed_at=NOON,
    verified=True,
    content_sha256=SEAL,
)
DETAILS = ReportDetails(
    patient_name="Zoë Müller",
    nhs_number="999 000 0018",
    date_of_birth=date(1961, 3, 3),
    service="Riverside Community MSK Clinic",
    study_date=NOON,
    study_description="US Knee right",
    key_image_names=("Still · Knee · right", "Cine · Knee · right"),
    printed_at=NOON,
)
BOOK = Logbook(
    trainee_id=uuid.uuid4(),
    trainee_name="Zoë Müller",
    start=datetime(2025, 1, 1, tzinfo=UTC),
    end=datetime(2025, 4, 1, tzinfo=UTC),
    rows=(
        LogbookRow("Knee", "present", 6),
        LogbookRow("Knee", "retrospective", 9),
        LogbookRow("Shoulder", "remote_live", 4),
        LogbookRow("Shoulder", "retrospective", 7),
        LogbookRow("Ankle", "not recorded", 1),
    ),
    verified=27,
    agree=22,
    minor=4,
    major=1,
    returned=3,
)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if running_in_ci():
            pytest.fail(f"{name} is not installed: the test command installs it (poppler)")
        pytest.skip(f"{name} is not installed")
    return path


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """The text of each page, as pdftotext lays it out."""
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _first_page_png(pdf: bytes, tmp_path: Path, name: str) -> Path:
    """Page 1 as a PNG, also saved for a person to look at when ONESTOP_SHOTS names a folder."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    stem = tmp_path / name
    subprocess.run(
        [_tool("pdftoppm"), "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", source, stem],
        check=True,
    )
    png = stem.with_suffix(".png")
    if folder := os.environ.get("ONESTOP_SHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, Path(folder) / png.name)
    return png


def _red_at_top(png: Path) -> bool:
    with Image.open(png) as image:
        pixel = image.convert("RGB").getpixel((image.width // 10, 10))
    assert isinstance(pixel, tuple)
    red, green, blue = pixel[:3]
    return red > 180 and green < 90 and blue < 90


def test_an_unverified_report_says_preliminary_on_every_page(tmp_path: Path) -> None:
    long = replace(SUBMITTED, content={**CONTENT, "findings": (FINDINGS_BLOCK * 5 + "\n\n") * 8})
    pdf = scan_report_pdf(long, DETAILS)
    pages = _pages(pdf, tmp_path)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        flat = _flat(page)
        assert PRELIMINARY_WORDS in flat
        assert f"{PRELIMINARY_WORDS} — not for clinical decisions" in flat
        assert "Zoë Müller" in flat
        assert "NHS number 999 000 0018" in flat
        assert "Born 3 March 1961" in flat
        assert f"Page {number} of {len(pages)}" in flat
    everything = _flat(" ".join(pages))
    assert "Verified by" not in everything
    assert "submitted to Dr Siân O'Connor on 12 March 2025" in everything
    assert _red_at_top(_first_page_png(pdf, tmp_path, "27-report-pdf-preliminary"))


def test_a_verified_report_says_who_vouched_for_it_and_how(tmp_path: Path) -> None:
    pdf = scan_report_pdf(VERIFIED, DETAILS)
    everything = _flat(" ".join(_pages(pdf, tmp_path)))
    assert "PRELIMINARY" not in everything.upper()
    assert "Written by Łukasz Nowak" in everything
    assert "Verified by Dr Siân O'Connor on 12 March 2025" in everything
    assert "How supervised: Reviewed the images afterwards" in everything
    assert "Minor discordance" in everything
    assert (
        "Status Final: verified by Dr Siân O'Connor, minor discordance: read the supervisor's "
        "own words at the end" in everything
    )
    assert "In the supervisor's own words (Dr Siân O'Connor)" in everything
    assert "Baker's cyst <2 cm & no rupture." in everything
    assert f"Seal {SEAL[:16]}" in everything
    assert SEAL not in everything
    assert not _red_at_top(_first_page_png(pdf, tmp_path, "28-report-pdf-verified"))


@pytest.mark.parametrize(
    ("mode", "agreement", "words"),
    [
        ("present", "agree", ("Present at the scan", "Agreed")),
        ("remote_live", "major", ("Watching live, remotely", "Major discordance")),
    ],
)
def test_every_mode_and_agreement_is_put_in_words(
    tmp_path: Path, mode: str, agreement: str, words: tuple[str, ...]
) -> None:
    report = replace(VERIFIED, supervision_mode=mode, agreement=agreement, supervisor_words=None)
    everything = _flat(" ".join(_pages(scan_report_pdf(report, DETAILS), tmp_path)))
    assert all(word in everything for word in words)
    assert "own words" not in everything
    assert ("Status Final: verified by Dr Siân O'Connor, major discordance" in everything) is (
        agreement == "major"
    )


def test_a_report_signed_alone_names_its_author_and_when(tmp_path: Path) -> None:
    signed = replace(
        VERIFIED,
        verified=False,
        supervisor_name=None,
        supervisor_words=None,
        supervision_mode=None,
        agreement=None,
    )
    everything = _flat(" ".join(_pages(scan_report_pdf(signed, DETAILS), tmp_path)))
    assert "Signed by Łukasz Nowak on 12 March 2025 at" in everything
    assert "Status Final: signed by Łukasz Nowak" in everything
    assert "Verified by" not in everything
    assert "PRELIMINARY" not in everything.upper()
    assert f"Seal {SEAL[:16]}" in everything


def test_the_report_lists_sections_measurements_and_key_images(tmp_path: Path) -> None:
    everything = _flat(" ".join(_pages(scan_report_pdf(VERIFIED, DETAILS), tmp_path)))
    for heading in ("Clinical history", "Findings", "Measurements", "Impression"):
        assert heading in everything
    assert "Recommendations Physiotherapy; review in six weeks" in everything
    assert "Request" not in everything  # none was given
    assert "Suprapatellar effusion depth 3.0 mm key image 1" in everything
    assert "Patellar tendon thickness 4.4 mm key image 2, frame 12" in everything
    assert "1. Still · Knee · right 2. Cine · Knee · right" in everything
    assert "Study US Knee right" in everything
    assert "Version 1" in everything


def test_an_addendum_says_which_version_it_adds_to(tmp_path: Path) -> None:
    later = replace(
        SUBMITTED,
        version=2,
        predecessor_id=uuid.uuid4(),
        content={**CONTENT, "addendum": "Compared with the MRI of 10 March: no meniscal tear."},
    )
    everything = _flat(" ".join(_pages(scan_report_pdf(later, DETAILS), tmp_path)))
    assert "Version 2: addendum to version 1" in everything
    assert "Addendum (version 2) Compared with the MRI of 10 March" in everything


def test_typed_markup_is_printed_as_typed(tmp_path: Path) -> None:
    odd = replace(
        SUBMITTED,
        author_name="<b>Ana</b> & Co",
        content={**CONTENT, "impression": "Effusion <5 mm & no tear; <i>not</i> markup."},
    )
    everything = _flat(" ".join(_pages(scan_report_pdf(odd, DETAILS), tmp_path)))
    assert "Effusion <5 mm & no tear; <i>not</i> markup." in everything
    assert "Written by <b>Ana</b> & Co" in everything


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_logbook_csv_imports_with_the_right_numbers() -> None:
    rows = _csv_rows(logbook_csv(BOOK))
    assert {row["Trainee"] for row in rows} == {"Zoë Müller"}
    assert {(row["Period start"], row["Period end"]) for row in rows} == {
        ("2025-01-01", "2025-03-31")
    }
    scans = {
        (row["Body region"], row["Supervision"]): int(row["Count"])
        for row in rows
        if row["Measure"] == "Verified scans"
    }
    assert scans == {
        ("Knee", "Present at the scan"): 6,
        ("Knee", "Reviewed the images afterwards"): 9,
        ("Shoulder", "Watching live, remotely"): 4,
        ("Shoulder", "Reviewed the images afterwards"): 7,
        ("Ankle", "Not recorded"): 1,
    }
    totals = {row["Measure"]: row["Count"] for row in rows if row["Measure"] != "Verified scans"}
    assert totals == {
        "Total verified": "27",
        "Agreed": "22",
        "Minor discordance": "4",
        "Major discordance": "1",
        "Returned for changes": "3",
        "Concordance (%)": "81.5",
    }
    assert sum(scans.values()) == int(totals["Total verified"])


def test_an_empty_logbook_has_no_concordance_to_report() -> None:
    empty = replace(BOOK, rows=(), verified=0, agree=0, minor=0, major=0, returned=0)
    totals = {row["Measure"]: row["Count"] for row in _csv_rows(logbook_csv(empty))}
    assert totals["Total verified"] == "0"
    assert totals["Concordance (%)"] == ""


def test_the_logbook_csv_never_hands_a_spreadsheet_a_formula() -> None:
    hostile = replace(
        BOOK,
        trainee_name='=HYPERLINK("http://example.invalid","Zoë")',
        rows=(
            LogbookRow("+SUM(A1:A9)", "present", 1),
            LogbookRow("-2+3", "present", 1),
            LogbookRow("@cmd", "present", 1),
            LogbookRow("Knee - left", "present", 1),
        ),
    )
    rows = _csv_rows(logbook_csv(hostile))
    assert {row["Trainee"] for row in rows} == {'\'=HYPERLINK("http://example.invalid","Zoë")'}
    regions = [row["Body region"] for row in rows if row["Measure"] == "Verified scans"]
    assert regions == ["'+SUM(A1:A9)", "'-2+3", "'@cmd", "Knee - left"]
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.values())


def test_the_logbook_pdf_has_the_table_totals_and_a_place_to_sign(tmp_path: Path) -> None:
    pdf = logbook_pdf(BOOK, "Riverside Community MSK Clinic", NOON)
    pages = _pages(pdf, tmp_path)
    everything = _flat(" ".join(pages))
    assert "Ultrasound logbook" in everything
    assert "Trainee Zoë Müller" in everything
    assert "Period 1 January 2025 to 31 March 2025" in everything
    assert "Knee 6 0 9 0 15" in everything
    assert "Total 6 4 16 1 27" in everything
    assert "Concordance 81.5% (22 of 27 verified scans agreed)" in everything
    assert "Major discordance 1" in everything
    assert "Returned for changes before verification 3" in everything
    for line in ("Signature", "Name (capitals)", "Professional registration", "Date"):
        assert line in everything
    assert f"Page 1 of {len(pages)}" in everything
    assert _first_page_png(pdf, tmp_path, "29-logbook-pdf").stat().st_size > 0
