"""A letter on paper, in the house style: the same words always draw the same bytes.

A signed letter is kept as its sealed words, and drawn again when printed: the PDF has a
fixed creation date and document id, so the same letter prints identically on any device.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab import rl_config
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from clinic_app.domains.letters.views import LetterView
from clinic_app.kernel.pdf_kit import (
    EMERGENCY_RED,
    NHS_BLUE,
    TEXT,
    day_words,
    document_fonts,
    patient_band,
    patient_words,
    render_pdf,
    text,
)

#: Point sizes of the body text: standard, and large print (at least 16 point, as the RNIB's
#: clear print guidance asks for large print).
BODY_SIZE = 11.0
LARGE_SIZE = 16.0


@dataclass(frozen=True)
class PrintedLetter:
    """A letter and what its pages say about whose it is."""

    view: LetterView
    patient_name: str
    nhs_number: str
    date_of_birth: date
    signer: str
    service: str
    greeting: str = ""
    #: How to reach the clinic the letter comes from (its address, telephone, email), in
    #: the order printed under its name at the head of the first page.
    sender: tuple[str, ...] = ()


#: A quoted record's own heading ("Injection, 15 September 2026") is short and has no full stop.
_QUOTE_HEADING_MAX = 60


def _lines(words: str, style: Any, line: Any) -> list[Any]:
    """A section's words, one flowable a line; a quote's own heading line in bold.

    Lines of one paragraph sit close (``line``); the last line of each takes the space after.
    """
    flowables: list[Any] = []
    for block in (part for part in words.strip().split("\n\n") if part.strip()):
        lines = block.strip().splitlines()
        for index, words_of_line in enumerate(lines):
            shown = text(words_of_line)
            heads = index == 0 and len(lines) > 1
            if heads and len(words_of_line) <= _QUOTE_HEADING_MAX and not shown.endswith("."):
                shown = f"<b>{shown}</b>"
            flowables.append(Paragraph(shown, style if index == len(lines) - 1 else line))
    return flowables


def letter_pdf(letter: PrintedLetter) -> bytes:
    """The letter as a PDF: large print when the patient's record asks for it."""
    view = letter.view
    fonts = document_fonts()
    size = LARGE_SIZE if view.large_print else BODY_SIZE
    body = ParagraphStyle(
        "body",
        fontName=fonts.regular,
        fontSize=size,
        leading=size * 1.4,
        textColor=TEXT,
        spaceAfter=size * 0.4,
    )
    title = ParagraphStyle(
        "title",
        parent=body,
        fontName=fonts.bold,
        fontSize=size + 6,
        leading=(size + 6) * 1.25,
        textColor=NHS_BLUE,
    )
    heading = ParagraphStyle(
        "heading",
        parent=body,
        fontName=fonts.bold,
        fontSize=size + 1.5,
        spaceBefore=size * 0.7,
        spaceAfter=2,
        textColor=NHS_BLUE,
    )
    empty = ParagraphStyle("empty", parent=body, textColor=TEXT, fontName=fonts.italic)
    line = ParagraphStyle("line", parent=body, spaceAfter=0)
    flag = ParagraphStyle("flag", parent=body, fontName=fonts.bold, textColor=EMERGENCY_RED)

    sender_style = ParagraphStyle(
        "sender",
        parent=body,
        alignment=TA_RIGHT,
        fontSize=max(size - 1, BODY_SIZE - 1),
        leading=max(size - 1, BODY_SIZE - 1) * 1.3,
        spaceAfter=0,
    )

    def story() -> list[Any]:
        # Who it is from and how to reach them, at the head of the first page, as a letter.
        head = [f"<b>{text(letter.service)}</b>", *(text(part) for part in letter.sender)]
        flow: list[Any] = [Paragraph("<br/>".join(head), sender_style), Spacer(1, 4 * mm)]
        flow += [Paragraph(text(view.title), title), Spacer(1, 3 * mm)]
        flow.append(Paragraph(text(view.recipient), body))
        # Staff's warning, for letters to a GP or provider; the patient's own letter asks
        # them who their GP is in its own words.
        if view.no_gp_practice and view.kind != "patient":
            flow.append(Paragraph("No GP practice is recorded for this patient.", flag))
        when = view.signed_at or view.created_at
        flow.append(Paragraph(text(day_words(when)), body))
        flow.append(Spacer(1, 2 * mm))
        if letter.greeting:
            flow.append(Paragraph(text(letter.greeting), body))
        for section in view.sections:
            parts = _lines(section.text, body if section.filled else empty, line)
            # A heading never ends a page alone: it keeps with its first two lines.
            flow.append(KeepTogether([Paragraph(text(section.title), heading), *parts[:2]]))
            flow += parts[2:]
        flow.append(Spacer(1, 5 * mm))
        if view.signed and view.kind == "patient":
            flow.append(Paragraph(text(f"From {letter.signer}"), body))
        elif view.signed:
            flow.append(Paragraph(text(f"Signed by {letter.signer}, {day_words(when)}"), body))
        else:
            flow.append(Paragraph("Draft: not signed", flag))
        return flow

    def decorate(canvas: Any, page: int, pages: int) -> None:
        # A fixed date and id make the same letter's bytes the same on every print.
        who = patient_words(letter.patient_name, letter.date_of_birth, letter.nhs_number)
        patient_band(
            canvas,
            fonts,
            who,
            head_right=f"{view.title} - {letter.service}",
            foot_right=f"Page {page} of {pages}",
            size=9.5,
            right_size=9,
        )
        if not view.signed:
            canvas.setFillColor(EMERGENCY_RED)
            canvas.setFont(fonts.bold, 9.5)
            canvas.drawCentredString(105 * mm, 14.5 * mm, "DRAFT - not signed")

    # Invariant output: no creation time and a fixed document id, so the same letter prints
    # the same bytes on every device and every day.
    before = rl_config.invariant
    rl_config.invariant = True
    try:
        return render_pdf(
            story, decorate, top=20 * mm, bottom=18 * mm, title=view.title, author=letter.service
        )
    finally:
        rl_config.invariant = before
