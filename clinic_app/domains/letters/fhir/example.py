"""The example outpatient letter bundle kept in docs/fhir, made from a synthetic patient.

The file docs/fhir/example-outpatient-letter.json is this module's output; a test compares
the two, so the example never drifts from what the app writes. After a deliberate change,
rewrite it with ``python -m clinic_app.domains.letters.fhir.example`` from the repository root.
"""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from clinic_app.domains.letters.fhir.bundle import build_bundle_json
from clinic_app.domains.letters.fhir.document import (
    Attendance,
    Author,
    LetterDocument,
    Organisation,
    PatientDetails,
    Registration,
    SectionText,
)
from clinic_app.people.nhs_number import synthetic_numbers

EXAMPLE_PATH = Path("docs") / "fhir" / "example-outpatient-letter.json"
"""Where the example lives, relative to the repository root."""

_LETTER_ID = uuid.UUID("0195f0a0-0000-7000-8000-00000000e1e7")


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF showing one line of text, byte for byte the same on every run.

    Only for examples and tests: real letters are the signed PDFs kept in the record.
    """
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 770 Td ({safe}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def example_document() -> LetterDocument:
    """A discharge letter to the GP for a synthetic patient (NHS number in the 999 range).

    The ODS codes and the registration number are invented placeholders, not real ones.
    """
    clinic = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
    sections = (
        ("886731000000109", "Patient demographics", "Sam Sample, born 12 May 1968."),
        ("886711000000101", "GP practice", "Example Street Surgery."),
        ("1077881000000105", "Attendance details", "MSK clinic, face to face, 4 March 2026."),
        (
            "887181000000106",
            "Clinical summary",
            "Right shoulder pain for four months, worse at night.\n\n"
            "Discharged with a home exercise plan.",
        ),
        ("886921000000105", "Allergies and adverse reactions", "No allergies recorded."),
        ("887231000000104", "Person completing record", "Alex Clinician, physiotherapist."),
        ("887161000000102", "Diagnoses", "Subacromial shoulder pain (working diagnosis)."),
        (
            "887201000000105",
            "Plan and requested actions",
            "For the GP: no action needed.\nFor the patient: continue the exercises daily.",
        ),
        ("887261000000109", "Distribution list", "GP practice; the patient."),
    )
    return LetterDocument(
        letter_id=_LETTER_ID,
        kind="Discharge letter to the GP",
        title="MSK service outpatient letter",
        signed_at=clinic.replace(hour=16, minute=20),
        patient=PatientDetails(
            nhs_number=next(synthetic_numbers(1)),
            nhs_number_verified=True,
            given_names=("Sam",),
            family_name="Sample",
            birth_date=date(1968, 5, 12),
            gender="unknown",
            address_lines=("1 Example Road", "Exampletown"),
            postcode="ZZ99 9ZZ",
        ),
        gp_practice=Organisation("EXGP001", "Example Street Surgery"),
        service=Organisation("EXMSK01", "Example Community MSK Service"),
        author=Author(
            given_names=("Alex",),
            family_name="Clinician",
            role="Advanced practice physiotherapist",
            registration=Registration("HCPC", "PH000000"),
        ),
        attendance=Attendance(
            start=clinic,
            end=clinic.replace(minute=40),
            type_text="MSK clinic, face to face",
        ),
        sections=tuple(SectionText(code, title, text) for code, title, text in sections),
        pdf=tiny_pdf("Example letter for a synthetic patient"),
        pdf_title="discharge-letter.pdf",
    )


def example_bundle_json() -> str:
    """The example document as bundle JSON, exactly as kept in docs/fhir."""
    return build_bundle_json(example_document())


def write_example(root: Path) -> Path:
    """Rewrite the example file under ``root`` (the repository root); returns its path."""
    path = root / EXAMPLE_PATH
    path.write_text(example_bundle_json(), encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.stdout.write(f"{write_example(Path.cwd())}\n")
