"""The aftercare leaflet a patient takes home after a steroid injection.

What was given (where, each drug with its dose), when and by whom; what to expect; when and
how to get help, in a red-edged box; the parts that apply to this patient (diabetes, the
steroid emergency card); the review date; where the advice comes from. The words are the
service's (``resources/injections/aftercare.json``), chosen by the service: this module only
lays them out. Every page names the patient with their NHS number. A large-print variant
(17 pt body text) is printed for a patient whose record asks for large print.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from clinic_app.kernel import pdf_kit
from clinic_app.kernel.pdf_kit import (
    EMERGENCY_RED,
    NHS_BLUE,
    PALE_BLUE,
    PALE_RED,
    TEXT,
    TEXT_WIDTH,
    day_words,
    patient_band,
    patient_words,
)


@dataclass(frozen=True)
class GivenDrug:
    """One drug as the leaflet names it: the formulary's name, mg and mL."""

    name: str
    mg: float
    ml: float


@dataclass(frozen=True)
class LeafletPart:
    """A heading and its short statements; ``urgent`` parts print in a red-edged box."""

    heading: str
    statements: tuple[str, ...]
    urgent: bool = False


@dataclass(frozen=True)
class AftercareLeaflet:
    """Everything the leaflet prints, already chosen for this patient and this injection.

    Attributes:
        title: the leaflet's title.
        patient_name: as printed on every page ("FAMILY, Given").
        nhs_number: formatted (3-3-4), or "".
        date_of_birth: beside the name on every page.
        given_on: the day of the injection.
        site: where, in words with its side ("Left knee joint").
        drugs: each drug given, in the record's order.
        clinician: who gave it ("" when not known).
        parts: the advice, in order (only the parts that apply).
        review_on: the review date, or None when none is set.
        sources: where the advice comes from, one line each.
    """

    title: str
    patient_name: str
    nhs_number: str
    date_of_birth: date
    given_on: date
    site: str
    drugs: tuple[GivenDrug, ...]
    clinician: str
    parts: tuple[LeafletPart, ...]
    review_on: date | None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Sizes:
    body: float
    leading: float
    heading: float
    title: float
    small: float


_REGULAR = _Sizes(body=12, leading=16, heading=15, title=20, small=9.5)
_LARGE = _Sizes(body=17, leading=23, heading=21, title=26, small=13)


def amount_words(value: float) -> str:
    """A dose as written on a label: 40, 0.25, 2.5 (no trailing zeros)."""
    return f"{value:g}"


class _Leaflet:
    """The leaflet's styles and parts, for one patient's injection."""

    def __init__(self, leaflet: AftercareLeaflet, sizes: _Sizes) -> None:
        self.leaflet = leaflet
        self.sizes = sizes
        self.fonts = pdf_kit.document_fonts()
        self.body = ParagraphStyle(
            "body",
            fontName=self.fonts.regular,
            fontSize=sizes.body,
            leading=sizes.leading,
            textColor=TEXT,
            spaceAfter=5,
        )
        self.strong = ParagraphStyle("strong", parent=self.body, fontName=self.fonts.bold)
        self.title = ParagraphStyle(
            "title",
            parent=self.strong,
            fontSize=sizes.title,
            leading=sizes.title * 1.25,
            textColor=NHS_BLUE,
            spaceAfter=8,
        )
        self.heading = ParagraphStyle(
            "heading",
            parent=self.strong,
            fontSize=sizes.heading,
            leading=sizes.heading * 1.25,
            spaceBefore=12,
            spaceAfter=4,
            textColor=NHS_BLUE,
            keepWithNext=1,
        )
        self.urgent_heading = ParagraphStyle(
            "urgent_heading", parent=self.heading, textColor=EMERGENCY_RED, spaceBefore=0
        )
        self.bullet = ParagraphStyle(
            "bullet",
            parent=self.body,
            leftIndent=sizes.body * 1.2,
            bulletIndent=0,
            bulletFontName=self.fonts.regular,
            bulletFontSize=sizes.body,
        )
        self.small = ParagraphStyle(
            "small", parent=self.body, fontSize=sizes.small, leading=sizes.small * 1.3
        )

    def para(self, words: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(pdf_kit.text(words), style or self.body)

    def point(self, words: str) -> Paragraph:
        return Paragraph(pdf_kit.text(words), self.bullet, bulletText="\u2022")

    def boxed(self, flow: list[Any], *, edge: Any, fill: Any) -> Table:
        """``flow`` in a box the text's width, its left edge a thick line of ``edge``.

        One row a paragraph, so that a box longer than the page room left can still break.
        """
        box = Table([[item] for item in flow], colWidths=[TEXT_WIDTH])
        box.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), fill),
                    ("LINEBEFORE", (0, 0), (0, -1), 4, edge),
                    ("LEFTPADDING", (0, 0), (-1, -1), 10),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    # A paragraph's space after is lost in a cell: the rows keep it instead.
                    ("BOTTOMPADDING", (0, 0), (-1, -1), self.body.spaceAfter),
                    ("TOPPADDING", (0, 0), (-1, 0), 8),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
                ]
            )
        )
        return box

    def given(self) -> list[Any]:
        """What was given, where, when and by whom, in a pale blue box."""
        leaflet = self.leaflet
        when = f"You had a steroid injection on {day_words(leaflet.given_on)}"
        if leaflet.clinician:
            when += f", given by {leaflet.clinician}"
        lines: list[Any] = [
            self.para(when + "."),
            Paragraph(
                f"<b>Where:</b> {pdf_kit.text(leaflet.site)}",
                self.body,
            ),
            self.para("What was injected:", self.strong),
        ]
        lines += [
            self.point(f"{drug.name}: {amount_words(drug.mg)} mg in {amount_words(drug.ml)} mL")
            for drug in leaflet.drugs
        ]
        lines.append(self.review())
        return [self.boxed(lines, edge=NHS_BLUE, fill=PALE_BLUE)]

    def part(self, part: LeafletPart) -> list[Any]:
        if part.urgent:
            flow = [self.para(part.heading, self.urgent_heading)]
            flow += [self.para(words, self.strong) for words in part.statements]
            return [
                Spacer(1, 10),
                KeepTogether(self.boxed(flow, edge=EMERGENCY_RED, fill=PALE_RED)),
            ]
        flow = [self.para(part.heading, self.heading)]
        flow += [self.point(words) for words in part.statements]
        return [KeepTogether(flow)]

    def review(self) -> Paragraph:
        """The review date, with what to do when no one has been in touch by then."""
        review_on = self.leaflet.review_on
        if review_on is None:
            return self.para("Your clinician will tell you when your review is.")
        return Paragraph(
            f"<b>Your review is due on {pdf_kit.text(day_words(review_on))}.</b> If you have "
            "not heard from us by then, contact the clinic.",
            self.body,
        )

    def closing(self) -> list[Any]:
        if not self.leaflet.sources:
            return []
        heading = ParagraphStyle("sources", parent=self.strong, spaceBefore=10, keepWithNext=1)
        flow: list[Any] = [self.para("Where this advice comes from", heading)]
        return flow + [self.para(line, self.small) for line in self.leaflet.sources]

    def story(self) -> list[Any]:
        flow: list[Any] = [self.para(self.leaflet.title, self.title), *self.given()]
        for part in self.leaflet.parts:
            flow += self.part(part)
        return [*flow, *self.closing()]

    def decorate(self, canvas: Any, page: int, pages: int) -> None:
        """The patient named with their date of birth and NHS number on every page."""
        leaflet = self.leaflet
        who = patient_words(leaflet.patient_name, leaflet.date_of_birth, leaflet.nhs_number)
        patient_band(
            canvas,
            self.fonts,
            who,
            head_right=leaflet.title,
            foot_right=f"Page {page} of {pages}",
            size=self.sizes.small,
            right_size=self.sizes.small,
        )


def aftercare_pdf(leaflet: AftercareLeaflet, *, large_print: bool = False) -> bytes:
    """The aftercare leaflet on A4; every page names the patient.

    ``large_print`` for a patient whose record asks for information in large print.
    """
    laid_out = _Leaflet(leaflet, _LARGE if large_print else _REGULAR)
    return pdf_kit.render_pdf(
        laid_out.story,
        laid_out.decorate,
        top=22 * mm,
        bottom=20 * mm,
        title=leaflet.title,
        author="OneStop MSK",
    )
