"""The safety-net card a patient takes home: warning signs and what to do, in large print.

One A4 page (any clinic printer; folds in four to carry), 14 pt body text and high contrast,
in the spirit of the Accessible Information Standard. The words come from the red-flag screen's
definition in resources/, never from code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

from clinic_app.domains.red_flags.rules import SafetyNetCard
from clinic_app.kernel.pdf_kit import EMERGENCY_RED, NHS_BLUE, TEXT


@dataclass(frozen=True)
class CardDetails:
    """Who the card is for and who gave it (printed small at the foot)."""

    patient_name: str | None
    given_on: date
    clinic_name: str | None = None


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName="Helvetica", fontSize=14, leading=19, textColor=TEXT, spaceAfter=6
    )
    return {
        "title": ParagraphStyle(
            "title",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=19,
            leading=24,
            textColor=NHS_BLUE,
            spaceAfter=10,
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=15,
            leading=20,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "action": ParagraphStyle(
            "action", parent=body, fontName="Helvetica-Bold", textColor=EMERGENCY_RED
        ),
        "body": body,
        "foot": ParagraphStyle("foot", parent=body, fontSize=10, leading=13),
    }


def safety_net_card_pdf(card: SafetyNetCard, details: CardDetails) -> bytes:
    """The card as a PDF document, ready to print or keep in the record."""
    styles = _styles()
    out = BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=card.title,
        author=details.clinic_name or "OneStop MSK",
        subject="Safety-net advice",
    )
    story: list[object] = [
        Paragraph(escape(card.title), styles["title"]),
        Paragraph(escape(card.intro), styles["body"]),
        Paragraph("Warning signs", styles["heading"]),
        ListFlowable(
            [ListItem(Paragraph(escape(sign), styles["body"])) for sign in card.warning_signs],
            bulletType="bullet",
            leftIndent=14,
        ),
        Paragraph("What to do", styles["heading"]),
    ]
    first, *rest = card.what_to_do or ("",)
    story.append(Paragraph(escape(first), styles["action"]))
    story += [Paragraph(escape(line), styles["body"]) for line in rest]
    story.append(Spacer(1, 8))
    given = details.given_on.strftime("%d %B %Y").lstrip("0")
    who = f"For {escape(details.patient_name)}. " if details.patient_name else ""
    where = f" at {escape(details.clinic_name)}" if details.clinic_name else ""
    story.append(Paragraph(f"{who}Given on {given}{where}.", styles["foot"]))
    document.build(story)
    return out.getvalue()
