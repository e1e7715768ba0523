"""Printed red-flag documents: the screening summary for the record, and the safety-net card.

The summary names the patient on every page and lists the answers, the outcome, what the
rules ask for and every action taken with its details. The card is one A4 page (any clinic
printer; folds in four to carry), 14 pt body text and high contrast, in the spirit of the
Accessible Information Standard. Its words come from the red-flag screen's definition in
resources/, never from code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from clinic_app.domains.red_flags.rules import Answer, Level, RedFlagScreen, SafetyNetCard
from clinic_app.domains.red_flags.views import RedFlagActionView, ScreeningView
from clinic_app.kernel.pdf_kit import (
    EMERGENCY_RED,
    MARGIN,
    NHS_BLUE,
    PALE_GREY,
    RULE_GREY,
    TEXT,
    TEXT_WIDTH,
    day_words,
    document_fonts,
    patient_words,
    render_pdf,
    text,
    time_words,
)


@dataclass(frozen=True)
class CardDetails:
    """Who the card is for and who gave it (printed small at the foot)."""

    patient_name: str | None
    given_on: date
    clinic_name: str | None = None
    #: Spaced for reading ("999 000 0018"), and the date of birth: the card is theirs.
    nhs_number: str | None = None
    date_of_birth: date | None = None


def _styles() -> dict[str, ParagraphStyle]:
    # The house fonts, embedded, as every other document (the built-in Helvetica is not
    # embedded and some readers space its letters badly).
    fonts = document_fonts()
    body = ParagraphStyle(
        "body", fontName=fonts.regular, fontSize=14, leading=19, textColor=TEXT, spaceAfter=6
    )
    return {
        "title": ParagraphStyle(
            "title",
            parent=body,
            fontName=fonts.bold,
            fontSize=19,
            leading=24,
            textColor=NHS_BLUE,
            spaceAfter=10,
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontName=fonts.bold,
            fontSize=15,
            leading=20,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "action": ParagraphStyle(
            "action", parent=body, fontName=fonts.bold, textColor=EMERGENCY_RED
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
    who = ""
    if details.patient_name:
        identity = [escape(details.patient_name)]
        if details.nhs_number:
            identity.append(f"NHS number {escape(details.nhs_number)}")
        if details.date_of_birth is not None:
            identity.append(f"born {day_words(details.date_of_birth)}")
        who = f"For {', '.join(identity)}. "
    where = f" at {escape(details.clinic_name)}" if details.clinic_name else ""
    story.append(Paragraph(f"{who}Given on {given}{where}.", styles["foot"]))
    document.build(story)
    return out.getvalue()


@dataclass(frozen=True)
class SummaryDetails:
    """Whose screening it is, and where and when it is printed."""

    patient_name: str
    nhs_number: str | None
    date_of_birth: date
    printed_on: date
    clinic_name: str | None = None


_LEVEL_WORDS = {
    Level.EMERGENCY: "Emergency",
    Level.URGENT: "Urgent",
    Level.ROUTINE_WATCH: "Routine: keep watching",
    Level.INCOMPLETE: "Incomplete: questions not asked",
    Level.CLEAR: "Clear",
}
_ANSWER_WORDS = {
    Answer.YES.value: "Yes",
    Answer.NO.value: "No",
    Answer.NOT_ASKED.value: "Not asked",
}


def _summary_styles() -> dict[str, ParagraphStyle]:
    fonts = document_fonts()
    body = ParagraphStyle(
        "sbody", fontName=fonts.regular, fontSize=10, leading=13, textColor=TEXT, spaceAfter=3
    )
    return {
        "title": ParagraphStyle(
            "stitle",
            parent=body,
            fontName=fonts.bold,
            fontSize=16,
            leading=20,
            textColor=NHS_BLUE,
            spaceAfter=6,
        ),
        "heading": ParagraphStyle(
            "sheading",
            parent=body,
            fontName=fonts.bold,
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "level": ParagraphStyle(
            "slevel",
            parent=body,
            fontName=fonts.bold,
            fontSize=12,
            leading=15,
            textColor=EMERGENCY_RED,
        ),
        "bold": ParagraphStyle("sbold", parent=body, fontName=fonts.bold),
        "body": body,
        "cell": ParagraphStyle("scell", parent=body, spaceAfter=0),
    }


def _grid(rows: list[list[Any]], widths: tuple[float, float]) -> Table:
    table = Table(rows, colWidths=[TEXT_WIDTH * w for w in widths])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE_GREY),
                ("BACKGROUND", (0, 0), (0, -1), PALE_GREY),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _answers(
    screen: RedFlagScreen | None, screening: ScreeningView, styles: dict[str, ParagraphStyle]
) -> list[Any]:
    asked = {q.code: q.text for q in screen.questions} if screen is not None else {}
    rows = [
        [
            Paragraph(text(asked.get(code, code)), styles["cell"]),
            Paragraph(text(_ANSWER_WORDS.get(value, value)), styles["cell"]),
        ]
        for code, value in screening.answers.items()
    ]
    return [_grid(rows, (0.8, 0.2))] if rows else []


def _action_story(action: RedFlagActionView, styles: dict[str, ParagraphStyle]) -> list[Any]:
    cell = styles["cell"]
    rows = [
        [Paragraph(text(label), cell), Paragraph(text(value), cell)]
        for label, value in action.lines()
    ]
    rows.append(
        [Paragraph("Recorded", cell), Paragraph(text(time_words(action.recorded_at)), cell)]
    )
    if action.outstanding:
        status = "Outstanding: not yet confirmed done"
    else:
        when = f" on {time_words(action.done_at)}" if action.done_at else ""
        status = f"{action.spec.done_label}{when}"
        if action.done_note:
            status += f". {action.done_note}"
    rows.append([Paragraph("Status", cell), Paragraph(text(status), styles["bold"])])
    return [Paragraph(text(action.spec.title), styles["bold"]), _grid(rows, (0.35, 0.65))]


def summary_pdf(
    screen: RedFlagScreen | None,
    screening: ScreeningView,
    actions: list[RedFlagActionView],
    details: SummaryDetails,
) -> bytes:
    """One screening as a document for the record: answers, outcome and actions taken."""
    styles = _summary_styles()
    fired = set(screening.fired_rules)
    required = (
        [a.text for r in screen.rules if r.rule_id in fired for a in r.actions]
        if screen is not None
        else []
    )

    def story() -> list[Any]:
        parts: list[Any] = [
            Paragraph(text(f"Red-flag screening: {screening.screen_title}"), styles["title"]),
            Paragraph(
                text(
                    f"Screened {time_words(screening.recorded_at)}"
                    f" (screen version {screening.screen_version})"
                ),
                styles["body"],
            ),
            # Red for an outcome that asks for something; a clear screening is not an alarm.
            Paragraph(
                text(f"Outcome: {_LEVEL_WORDS[screening.level]}"),
                styles["bold" if screening.level is Level.CLEAR else "level"],
            ),
        ]
        if required:
            parts.append(Paragraph("What the outcome asks for", styles["heading"]))
            parts.append(
                ListFlowable(
                    [ListItem(Paragraph(text(line), styles["body"])) for line in required],
                    bulletType="bullet",
                    leftIndent=12,
                )
            )
        cleared = screening.level is Level.CLEAR and not actions and screening.resolution is None
        parts.append(Paragraph("Action taken", styles["heading"]))
        if cleared:
            parts.append(Paragraph("None needed: no red flag was found.", styles["body"]))
        for action in actions:
            parts += [*_action_story(action, styles), Spacer(1, 6)]
        if screening.resolution is not None and not actions:
            reason = f": {screening.resolution.reason}" if screening.resolution.reason else ""
            parts.append(
                Paragraph(text(f"{screening.resolution.action.value}{reason}"), styles["body"])
            )
        if not actions and screening.resolution is None and not cleared:
            parts.append(Paragraph("No action recorded yet.", styles["bold"]))
        parts.append(Paragraph("Answers", styles["heading"]))
        parts += _answers(screen, screening, styles)
        return parts

    fonts = document_fonts()

    def decorate(canvas: Any, page: int, pages: int) -> None:
        canvas.setFont(fonts.bold, 9)
        canvas.setFillColor(TEXT)
        digits = details.nhs_number or ""
        spaced = f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits
        who = patient_words(details.patient_name, details.date_of_birth, spaced)
        canvas.drawString(MARGIN, A4[1] - 12 * mm, who)
        canvas.setFont(fonts.regular, 8)
        where = f" at {details.clinic_name}" if details.clinic_name else ""
        canvas.drawString(
            MARGIN,
            10 * mm,
            f"Printed {day_words(details.printed_on)}{where}. Page {page} of {pages}",
        )

    return render_pdf(
        story,
        decorate,
        top=20 * mm,
        bottom=18 * mm,
        title=f"Red-flag screening: {screening.screen_title}",
        author=details.clinic_name or "OneStop MSK",
    )
