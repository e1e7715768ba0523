"""The printed contact note: its sections, its exercises as a table to follow, its addenda."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from clinic_app.kernel import pdf_kit
from clinic_app.kernel.pdf_kit import (
    EMERGENCY_RED,
    NHS_BLUE,
    PALE_BLUE,
    RULE_GREY,
    TEXT,
    TEXT_WIDTH,
)

#: The exercise table's columns: heading, the exercise's key, share of the page's width.
_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("Exercise", "name", 0.26),
    ("Sets", "sets", 0.09),
    ("Reps", "reps", 0.09),
    ("Load", "load", 0.16),
    ("How often", "frequency", 0.18),
    ("Notes", "notes", 0.22),
)


@dataclass(frozen=True)
class PrintedNote:
    """A contact note as printed: whose it is, its parts in order, who signed, its addenda.

    ``parts`` holds, in the declared order, each text section as (heading, words) and the
    exercises as (heading, exercises); ``exercises_key`` names which part is the table.
    """

    title: str
    patient_name: str
    nhs_number: str
    date_of_birth: date
    identity: tuple[str, ...]
    status: str
    #: When, how, where and with whom the contact was (PRSB "attendance details"), as
    #: (label, words) lines; empty for a note with no appointment or contact behind it.
    attendance: tuple[tuple[str, str], ...]
    parts: tuple[tuple[str, str | Sequence[Mapping[str, Any]]], ...]
    none_given: str
    sign_off: tuple[str, ...]
    addenda: tuple[tuple[str, str], ...]
    final: bool


def note_pdf(note: PrintedNote) -> bytes:
    """The note on A4 in the house style; every page names the patient, a draft says so."""
    fonts = pdf_kit.document_fonts()
    body = ParagraphStyle(
        "body", fontName=fonts.regular, fontSize=11, leading=15, textColor=TEXT, spaceAfter=4
    )
    title = ParagraphStyle(
        "title", parent=body, fontName=fonts.bold, fontSize=17, leading=21, textColor=NHS_BLUE
    )
    heading = ParagraphStyle(
        "heading", parent=body, fontName=fonts.bold, fontSize=12.5, spaceBefore=8, spaceAfter=2
    )
    small = ParagraphStyle("small", parent=body, fontSize=9.5, leading=12.5)
    cell = ParagraphStyle("cell", parent=body, fontSize=10, leading=13, spaceAfter=0)
    head_cell = ParagraphStyle("head_cell", parent=cell, fontName=fonts.bold)

    def table(exercises: Sequence[Mapping[str, Any]]) -> Table:
        rows = [[Paragraph(words, head_cell) for words, _key, _share in _COLUMNS]]
        rows += [
            [Paragraph(pdf_kit.text(exercise.get(key, "")), cell) for _w, key, _s in _COLUMNS]
            for exercise in exercises
        ]
        made = Table(
            rows, colWidths=[TEXT_WIDTH * share for *_rest, share in _COLUMNS], repeatRows=1
        )
        made.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), PALE_BLUE),
                    ("GRID", (0, 0), (-1, -1), 0.5, RULE_GREY),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return made

    def story() -> list[Any]:
        flow: list[Any] = [Paragraph(pdf_kit.text(note.title), title), Spacer(1, 4)]
        flow += [Paragraph(pdf_kit.text(line), small) for line in note.identity]
        flow.append(Paragraph(pdf_kit.text(note.status), small))
        if note.attendance:
            flow.append(Paragraph("Attendance details", heading))
            flow += [
                Paragraph(f"<b>{pdf_kit.text(label)}</b>  {pdf_kit.text(words)}", body)
                for label, words in note.attendance
            ]
        for label, value in note.parts:
            flow.append(Paragraph(pdf_kit.text(label), heading))
            if isinstance(value, str):
                flow.append(Paragraph(pdf_kit.text(value), body))
            elif value:
                flow.append(table(value))
            else:
                flow.append(Paragraph(pdf_kit.text(note.none_given), body))
        flow.append(Spacer(1, 8))
        flow += [Paragraph(pdf_kit.text(line), small) for line in note.sign_off]
        for when, words in note.addenda:
            flow.append(Paragraph(pdf_kit.text(when), heading))
            flow.append(Paragraph(pdf_kit.text(words), body))
        return flow

    who = pdf_kit.patient_words(note.patient_name, note.date_of_birth, note.nhs_number)

    def decorate(canvas: Any, page: int, pages: int) -> None:
        pdf_kit.patient_band(
            canvas,
            fonts,
            who,
            head_right=note.title,
            foot_right=f"Page {page} of {pages}",
            size=9.5,
            right_size=9,
        )
        if not note.final:
            # On its own line above the foot's name, which can now take the whole width.
            canvas.setFillColor(EMERGENCY_RED)
            canvas.setFont(fonts.bold, 9.5)
            canvas.drawCentredString(A4[0] / 2, 14.5 * mm, "DRAFT - not signed")
            canvas.setFillColor(TEXT)

    return pdf_kit.render_pdf(
        story, decorate, top=20 * mm, bottom=18 * mm, title=note.title, author="OneStop MSK"
    )
