"""A two-page discharge letter to the GP, printed to PDF.

``letter_pdf`` for a discharge letter assembled from synthetic facts long enough to fill two
pages, median of several, against bare reportlab writing the same words line by line on a
canvas. Target: 150 ms.

Run: ``python -m tests.bench.bench_letter [--rounds N] [--out FILE]``. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

TARGET_MS = 150


def discharge_letter(*, large_print: bool = False) -> Any:
    """A signed two-page discharge letter (synthetic patient, 999 range) ready to print."""
    from clinic_app.domains.letters.content import prsb_headings
    from clinic_app.domains.letters.pdf import PrintedLetter
    from clinic_app.domains.letters.rules import (
        LetterFacts,
        LetterKind,
        Quoted,
        RedFlagFact,
        ReportFact,
        ScoreFact,
        assemble,
        recipient,
    )
    from clinic_app.domains.letters.views import LetterView

    facts = LetterFacts(
        kind=LetterKind.GP_DISCHARGE,
        on=date(2026, 12, 4),
        patient_name="Mrs Alex Example",
        given_name="Alex",
        nhs_number="999 000 0018",
        date_of_birth=date(1958, 3, 3),
        address="1 Example Street, Exampletown, EX1 1AA",
        gp_name="Example Family Practice",
        gp_address="2 Surgery Road, Exampletown, EX1 2BB",
        gp_ods="Y00001",
        clinician="Alex Physio (Advanced Physiotherapist)",
        site="Example Community MSK Clinic",
        episode_started=date(2026, 9, 1),
        episode_ended=date(2026, 12, 1),
        end_reason="goals met; self-managing with the exercise plan",
        attendances=tuple(f"Seen in clinic on {d} December 2026." for d in (1, 8, 15)),
        assessments=(
            Quoted(
                "Assessment, 1 September 2026",
                "Working diagnosis: Osteoarthritis of the right knee\n"
                "Reasoning: over 45, activity-related joint pain, morning stiffness under 30 "
                "minutes, crepitus and bony enlargement; no red flags.\n" * 3,
                "assessment",
                uuid.uuid4(),
            ),
        ),
        red_flags=(RedFlagFact("Septic arthritis", "clear", None),),
        scores=(ScoreFact("MSK-HQ", 22, 34, "improved", 5.5),),
        decisions=(
            Quoted(
                "Shared decision, 8 September 2026",
                "Decision aid: Knee osteoarthritis (version 1)\nChoice: Exercise therapy\n"
                "Why, in the patient's words: I want to keep walking the dog.",
                "sdm",
                uuid.uuid4(),
            ),
        ),
        procedures=(
            Quoted(
                "Injection, 15 September 2026",
                "Right knee, ultrasound-guided. Methylprednisolone acetate 40 mg (batch "
                "AB1234, expiry 2027-06), lidocaine 1% 4 mL (batch CD5678, expiry 2027-03).",
                "injection",
                uuid.uuid4(),
            ),
        ),
        reports=(
            ReportFact(
                uuid.uuid4(),
                "Scan report: Knee, 10 September 2026",
                "Findings: small effusion, medial meniscal extrusion 4 mm, osteophytes.\n" * 4,
                True,
                None,
            ),
        ),
        allergies=("Allergy: penicillin (rash)",),
        plan="For the GP: no action needed. For the patient: exercises twice a day.\n" * 6,
    )
    sections = assemble(facts, prsb_headings())
    now = datetime(2026, 12, 4, 10, tzinfo=UTC)
    view = LetterView(
        id=uuid.uuid4(),
        patient_id=uuid.uuid4(),
        episode_id=None,
        onward_decision_id=None,
        kind=facts.kind.value,
        title="Discharge letter",
        status="signed",
        recipient=recipient(facts),
        sections=sections,
        cited_reports=(),
        no_gp_practice=False,
        large_print=large_print,
        assembled_on=facts.on,
        created_at=now,
        created_by=None,
        row_version=1,
        signed_at=now,
        signed_by=None,
        attestation=None,
        intact=True,
        summary="Discharge letter, signed",
    )
    return PrintedLetter(
        view=view,
        patient_name="EXAMPLE, Alex",
        nhs_number="999 000 0018",
        date_of_birth=date(1958, 3, 3),
        signer="Alex Physio (Advanced Physiotherapist)",
        service="Example Community MSK Clinic",
        greeting="Dear Doctor,",
    )


def _lines(letter: Any) -> list[str]:
    lines = [letter.view.title, letter.view.recipient]
    for section in letter.view.sections:
        lines.append(section.title)
        lines += section.text.splitlines()
    return lines


def measure(rounds: int) -> dict[str, float]:
    """Median milliseconds of ``letter_pdf`` and of bare reportlab."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from clinic_app.domains.letters.pdf import letter_pdf

    letter = discharge_letter()
    letter_pdf(letter)  # warm: fonts loaded once, as after the first print
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        letter_pdf(letter)
        timings.append((time.perf_counter() - started) * 1000)
    lines = _lines(letter)

    def bare() -> bytes:
        out = io.BytesIO()
        page = canvas.Canvas(out, pagesize=A4)
        y = 800.0
        for line in lines:
            page.drawString(50, y, line[:110])
            y -= 15
            if y < 60:
                page.showPage()
                y = 800.0
        page.save()
        return out.getvalue()

    bare()
    baseline = []
    for _ in range(rounds):
        started = time.perf_counter()
        bare()
        baseline.append((time.perf_counter() - started) * 1000)
    return {"pdf_ms": statistics.median(timings), "bare_ms": statistics.median(baseline)}


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Run the benchmark and print its result as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10, help="letters printed")
    parser.add_argument("--out", type=Path, help="also write one letter's PDF here")
    args = parser.parse_args(argv)
    if args.out is not None:
        from clinic_app.domains.letters.pdf import letter_pdf

        args.out.write_bytes(letter_pdf(discharge_letter()))
    found = measure(args.rounds)
    result: dict[str, object] = {
        "letter_pdf_median_ms": round(found["pdf_ms"], 1),
        "bare_reportlab_median_ms": round(found["bare_ms"], 1),
        "ratio_pdf_to_bare": round(found["pdf_ms"] / found["bare_ms"], 2),
        "target_ms": TARGET_MS,
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
