"""A scan report as printed or sent: final, or unmistakably preliminary on every page."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from clinic_app.domains.reports.views import ReportView
from clinic_app.kernel.pdf_kit import (
    EMERGENCY_RED,
    FRAME_PADDING,
    MARGIN,
    NHS_BLUE,
    PALE_BLUE,
    PALE_GREY,
    PALE_RED,
    RULE_GREY,
    TEXT,
    TEXT_WIDTH,
    Fonts,
    day_words,
    document_fonts,
    footer_line,
    render_pdf,
    text,
    time_words,
)
from clinic_app.records.registry import record_type
from clinic_app.records.sections import Section, SectionKind

log = logging.getLogger(__name__)


#: How the supervisor supervised, in the words a reader of the report understands.
SUPERVISION_WORDS = {
    "present": "Present at the scan",
    "remote_live": "Watching live, remotely",
    "retrospective": "Reviewed the images afterwards",
}
#: The supervisor's agreement with the report as the trainee wrote it.
AGREEMENT_WORDS = {
    "agree": "Agreed",
    "minor": "Minor discordance",
    "major": "Major discordance",
}
NOT_FOR_DECISIONS = "not for clinical decisions"


@dataclass(frozen=True)
class ReportDetails:
    """What the report does not hold itself: whose scan, where, and when it was printed."""

    patient_name: str
    #: Already spaced for reading, e.g. "999 000 0018".
    nhs_number: str
    date_of_birth: date
    service: str
    study_date: datetime
    study_description: str
    #: Words for each key image, in the report's order, e.g. "Still · Knee · right".
    key_image_names: tuple[str, ...]
    printed_at: datetime
    #: The newest version that adds to this one and whether it is final (None: none does).
    later_version: tuple[int, bool] | None = None


def _styles(fonts: Fonts) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=fonts.regular, fontSize=10.5, leading=14, textColor=TEXT, spaceAfter=4
    )
    return {
        "body": body,
        "title": ParagraphStyle(
            "title", parent=body, fontName=fonts.bold, fontSize=18, leading=22, textColor=NHS_BLUE
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontName=fonts.bold,
            fontSize=12,
            leading=15,
            textColor=NHS_BLUE,
            spaceBefore=9,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "label": ParagraphStyle("label", parent=body, fontName=fonts.bold, spaceAfter=0),
        "cell": ParagraphStyle("cell", parent=body, spaceAfter=0),
        "quote": ParagraphStyle(
            "quote",
            parent=body,
            fontName=fonts.italic,
            backColor=PALE_BLUE,
            borderPadding=6,
            leftIndent=6,
            rightIndent=6,
            spaceBefore=6,
            spaceAfter=10,
        ),
        "warning": ParagraphStyle(
            "warning", parent=body, fontName=fonts.bold, textColor=EMERGENCY_RED
        ),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=TEXT),
    }


def _paragraphs(words: str, style: ParagraphStyle, empty: str = "None recorded.") -> list[Any]:
    # One paragraph per blank-line-separated block, so long findings flow across pages.
    blocks = [block.strip() for block in words.split("\n\n") if block.strip()]
    return [Paragraph(text(block), style) for block in blocks or [empty]]


def _grid(rows: list[list[Any]], widths: list[float], *, header: bool) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE_GREY),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), PALE_GREY))
    table.setStyle(TableStyle(commands))
    return table


def _status_words(report: ReportView) -> str:
    if report.final and report.verified:
        words = f"Final: verified by {report.supervisor_name or 'the supervisor'}"
        if report.agreement in {"minor", "major"}:
            # A reader who stops at the impression must still learn the supervisor differed.
            words += f", {AGREEMENT_WORDS[report.agreement].lower()}"
            if report.supervisor_words:
                words += ": read the supervisor's own words at the end"
        return words
    if report.final:
        return f"Final: signed by {report.author_name or 'the author'}"
    submitted = report.submitted_at
    if report.status == "submitted":
        when = f" on {time_words(submitted)}" if submitted else ""
        return f"Preliminary: submitted to {report.supervisor_name or 'a supervisor'}{when}"
    if report.status == "returned":
        return "Preliminary: returned to the author for changes"
    return "Preliminary: draft, not yet submitted"


def _version_words(report: ReportView, later: tuple[int, bool] | None = None) -> str:
    words = f"Version {report.version}"
    if report.predecessor_id is not None:
        words += f": addendum to version {report.version - 1}"
    if later is not None:
        number, final = later
        state = "final" if final else "not yet final"
        words += f". Version {number} ({state}) adds to this report: read it with this one"
    return words


def _identity(report: ReportView, details: ReportDetails, fonts: Fonts) -> Table:
    label = ParagraphStyle("id_label", fontName=fonts.bold, fontSize=9.5, leading=12.5)
    value = ParagraphStyle("id_value", parent=label, fontName=fonts.regular, textColor=TEXT)
    status = ParagraphStyle(
        "id_status",
        parent=label,
        textColor=TEXT if report.final else EMERGENCY_RED,
    )
    status_red = ParagraphStyle("id_later", parent=label, textColor=EMERGENCY_RED)
    pairs = [
        ("Patient", details.patient_name, "Study", details.study_description),
        (
            "NHS number",
            details.nhs_number or _NO_NHS_NUMBER,
            "Study date",
            time_words(details.study_date),
        ),
        ("Date of birth", day_words(details.date_of_birth), "Service", details.service),
    ]
    rows = [
        [
            Paragraph(text(name), label),
            Paragraph(text(words), value),
            Paragraph(text(name2), label),
            Paragraph(text(words2), value),
        ]
        for name, words, name2, words2 in pairs
    ]
    # Version and status span the width: they are what a reader must not miss.
    # A later version is what a reader of this one must not miss: said in red.
    version_style = value if details.later_version is None else status_red
    rows.append(
        [
            Paragraph("Report", label),
            Paragraph(text(_version_words(report, details.later_version)), version_style),
            "",
            "",
        ]
    )
    rows.append(
        [Paragraph("Status", label), Paragraph(text(_status_words(report)), status), "", ""]
    )
    table = _grid(rows, [29 * mm, 53 * mm, 25 * mm, TEXT_WIDTH - 107 * mm], header=False)
    table.setStyle(TableStyle([("SPAN", (1, 3), (3, 3)), ("SPAN", (1, 4), (3, 4))]))
    return table


def _measurements(
    content: Mapping[str, Any], empty: str, s: dict[str, ParagraphStyle]
) -> list[Any]:
    items = list(content.get("measurements") or [])
    if not items:
        return [Paragraph(text(empty), s["body"])]
    keys = [str(key) for key in content.get("key_images") or []]
    rows = [[Paragraph(f"<b>{word}</b>", s["cell"]) for word in ("Measurement", "Size", "On")]]
    for number, item in enumerate(items, start=1):
        instance = str(item.get("instance_id") or "")
        where = f"key image {keys.index(instance) + 1}" if instance in keys else "a stored image"
        if int(item.get("frame") or 0) > 0:
            where += f", frame {int(item['frame'])}"
        rows.append(
            [
                Paragraph(text(item.get("label") or f"Measurement {number}"), s["cell"]),
                Paragraph(f"{float(item['mm']):.1f} mm", s["cell"]),
                Paragraph(text(where), s["cell"]),
            ]
        )
    return [_grid(rows, [TEXT_WIDTH - 74 * mm, 24 * mm, 50 * mm], header=True)]


def _key_images(
    content: Mapping[str, Any], details: ReportDetails, empty: str, s: dict[str, ParagraphStyle]
) -> list[Any]:
    names = list(details.key_image_names)
    count = max(len(names), len(content.get("key_images") or []))
    if not count:
        return [Paragraph(text(empty), s["body"])]
    names += ["(no description)"] * (count - len(names))
    return [Paragraph(f"{number}. {text(name)}", s["body"]) for number, name in enumerate(names, 1)]


def _sign_off(report: ReportView, s: dict[str, ParagraphStyle]) -> list[Any]:
    author = text(report.author_name or "the author")
    supervisor = text(report.supervisor_name or "the supervisor")
    when = time_words(report.signed_at) if report.signed_at else "a date not recorded"
    if not report.final:
        return [
            Paragraph("Not yet verified", s["heading"]),
            Paragraph(f"Written by {author}. {text(_status_words(report))}.", s["body"]),
            Paragraph(
                "This report is preliminary: it has not been signed or verified and must not be "
                "used for clinical decisions.",
                s["warning"],
            ),
        ]
    if not report.verified:
        story = [
            Paragraph("Signed", s["heading"]),
            Paragraph(f"Signed by <b>{author}</b> on {when}.", s["body"]),
        ]
    else:
        mode = report.supervision_mode or ""
        agreement = report.agreement or ""
        story = [
            Paragraph("Verified", s["heading"]),
            Paragraph(f"Written by {author}, under supervision.", s["body"]),
            Paragraph(f"Verified by <b>{supervisor}</b> on {when}.", s["body"]),
            Paragraph(
                f"How supervised: {text(SUPERVISION_WORDS.get(mode, mode or 'not recorded'))}",
                s["body"],
            ),
            Paragraph(
                "Agreement with the report as written: "
                f"{text(AGREEMENT_WORDS.get(agreement, agreement or 'not recorded'))}",
                s["body"],
            ),
        ]
        if report.supervisor_words:
            story.append(Paragraph(f"In the supervisor's own words ({supervisor}):", s["label"]))
            story.append(Paragraph(f"“{text(report.supervisor_words)}”", s["quote"]))
    seal = (report.content_sha256 or "")[:16] or "not recorded"
    story.append(
        Paragraph(
            f"Seal {seal}: the start of the SHA-256 of the content as signed. A signed report "
            "never changes; a correction is a new version with an addendum.",
            s["small"],
        )
    )
    return story


def _section(
    section: Section,
    report: ReportView,
    details: ReportDetails,
    s: dict[str, ParagraphStyle],
) -> list[Any]:
    """A printed section under its heading, or nothing when it is left out."""
    content = report.content
    empty = section.empty_words or ""
    heading = section.label
    if section.kind is SectionKind.STRUCTURED:
        if section.key == "measurements":
            return [Paragraph(text(heading), s["heading"]), *_measurements(content, empty, s)]
        if section.key == "key_images":
            return [
                Paragraph(text(heading), s["heading"]),
                *_key_images(content, details, empty, s),
            ]
        return []
    words = str(content.get(section.key) or "")
    if not words.strip() and section.empty_words is None:
        return []
    if section.amendment:
        heading = f"{heading} (version {report.version})"
    return [Paragraph(text(heading), s["heading"]), *_paragraphs(words, s["body"], empty)]


def _story(report: ReportView, details: ReportDetails, fonts: Fonts) -> list[Any]:
    s = _styles(fonts)
    story: list[Any] = [
        Paragraph("Scan report", s["title"]),
        Spacer(1, 4),
        _identity(report, details, fonts),
    ]
    # The sections in the order the scan report's record type declares them.
    for section in record_type("scan_report").sections:
        if section.prints:
            story += _section(section, report, details, s)
    # The sign-off stays in one piece where it fits: who vouches for the report, and how.
    return [*story, KeepTogether(_sign_off(report, s))]


#: In place of a blank where a patient has no NHS number on their record.
_NO_NHS_NUMBER = "not recorded"

_BANNER = 16 * mm
_HEADER = 12 * mm
_FOOTER = 14 * mm


def _decorator(
    report: ReportView, details: ReportDetails, fonts: Fonts
) -> Callable[[Any, int, int], None]:
    width, height = A4

    def decorate(canvas: Any, page: int, pages: int) -> None:
        top = height - MARGIN / 2
        if report.marking:
            # Red on every page, so no single printed page can pass as a final report.
            canvas.setFillColor(EMERGENCY_RED)
            canvas.rect(0, top - _BANNER, width, _BANNER + MARGIN / 2, stroke=0, fill=1)
            canvas.setFillColor(colors.white)
            canvas.setFont(fonts.bold, 15)
            canvas.drawCentredString(width / 2, top - 7 * mm, report.marking)
            canvas.setFont(fonts.regular, 9)
            canvas.drawCentredString(
                width / 2, top - 12 * mm, f"Not signed or verified: {NOT_FOR_DECISIONS}"
            )
            top -= _BANNER
        canvas.setFillColor(TEXT)
        canvas.setFont(fonts.bold, 10)
        canvas.drawString(MARGIN + FRAME_PADDING, top - 6 * mm, details.patient_name)
        canvas.setFont(fonts.regular, 9)
        canvas.drawRightString(
            width - MARGIN - FRAME_PADDING,
            top - 6 * mm,
            f"NHS number {details.nhs_number or _NO_NHS_NUMBER}   "
            f"Born {day_words(details.date_of_birth)}",
        )
        canvas.setStrokeColor(NHS_BLUE)
        canvas.line(MARGIN, top - 8.5 * mm, width - MARGIN, top - 8.5 * mm)
        _footer(canvas, report, details, fonts, f"Page {page} of {pages}")

    return decorate


def _footer(
    canvas: Any, report: ReportView, details: ReportDetails, fonts: Fonts, page: str
) -> None:
    width = A4[0]
    if report.marking:
        canvas.setFillColor(PALE_RED)
        canvas.rect(0, MARGIN / 2 + 4 * mm, width, 6 * mm, stroke=0, fill=1)
        canvas.setFillColor(EMERGENCY_RED)
        canvas.setFont(fonts.bold, 9)
        canvas.drawCentredString(
            width / 2, MARGIN / 2 + 6 * mm, f"{report.marking} — {NOT_FOR_DECISIONS}"
        )
    footer_line(
        canvas,
        fonts,
        f"{details.service} · Scan report, {_version_words(report).lower()} · "
        f"Printed {time_words(details.printed_at)}",
        page,
    )


def scan_report_pdf(report: ReportView, details: ReportDetails) -> bytes:
    """One version of a scan report as an A4 PDF, ready to print, send or keep.

    A report that is not final carries a red banner and a warning line on every page; every
    page names the patient and says which page of how many it is.
    """
    fonts = document_fonts()
    banner = _BANNER if report.marking else 0
    return render_pdf(
        lambda: _story(report, details, fonts),
        _decorator(report, details, fonts),
        top=MARGIN / 2 + banner + _HEADER,
        bottom=MARGIN / 2 + _FOOTER,
        title="Scan report" if report.final else f"Scan report ({report.marking})",
        author=details.service,
    )
