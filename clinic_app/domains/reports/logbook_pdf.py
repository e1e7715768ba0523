"""A trainee's ultrasound logbook for their accreditation portfolio: a CSV and a signed A4 page.

The CSV is one flat table with the same columns on every line (trainee and period repeated),
so that a portfolio or spreadsheet can import it without knowing this app; the PDF is what a
supervisor signs.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from clinic_app.domains.reports.pdf import SUPERVISION_WORDS
from clinic_app.domains.reports.views import Logbook
from clinic_app.kernel.pdf_kit import (
    MARGIN,
    NHS_BLUE,
    PALE_GREY,
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

CSV_COLUMNS = (
    "Trainee",
    "Period start",
    "Period end",
    "Measure",
    "Body region",
    "Supervision",
    "Count",
)
#: Characters that make a spreadsheet read a cell as a formula (OWASP's list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def supervision_words(mode: str) -> str:
    """How the scans were supervised, in words (an unknown code as it is, capitalised)."""
    return SUPERVISION_WORDS.get(mode, mode[:1].upper() + mode[1:])


def last_day(book: Logbook) -> date:
    """The period's last day: its end is exclusive, usually midnight after that day."""
    return (book.end - timedelta(microseconds=1)).date()


def concordance_percent(book: Logbook) -> str:
    """Concordance as a percentage with one decimal ("83.3"), or "" with nothing verified."""
    share = book.concordance
    return "" if share is None else f"{share * 100:.1f}"


def _safe(cell: object) -> str:
    # A name or region typed as "=HYPERLINK(...)" must stay text when the file is opened.
    value = str(cell)
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def logbook_csv(book: Logbook) -> str:
    """The logbook as CSV text with a header row, for a portfolio or spreadsheet to import.

    Every line has the trainee, the period (ISO dates, both days included), a measure, and a
    count: first the verified scans by body region and supervision, then the totals (verified,
    agreed, minor and major discordance, returned for changes, concordance in per cent).
    Save it as UTF-8 (``utf-8-sig`` when it is for Excel, which otherwise misreads accents).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    who = (book.trainee_name, book.start.date().isoformat(), last_day(book).isoformat())
    for row in book.rows:
        measure = ("Verified scans", row.body_region, supervision_words(row.supervision_mode))
        writer.writerow([_safe(cell) for cell in (*who, *measure, row.scans)])
    totals = (
        ("Total verified", book.verified),
        ("Agreed", book.agree),
        ("Minor discordance", book.minor),
        ("Major discordance", book.major),
        ("Returned for changes", book.returned),
        ("Concordance (%)", concordance_percent(book)),
    )
    for measure_name, count in totals:
        writer.writerow([_safe(cell) for cell in (*who, measure_name, "", "", count)])
    return out.getvalue()


def _modes(book: Logbook) -> list[str]:
    known = [
        mode for mode in SUPERVISION_WORDS if any(r.supervision_mode == mode for r in book.rows)
    ]
    others = sorted({r.supervision_mode for r in book.rows} - set(SUPERVISION_WORDS))
    return known + others


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
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "cell": ParagraphStyle("cell", parent=body, spaceAfter=0),
        "head": ParagraphStyle("head", parent=body, fontName=fonts.bold, fontSize=9, leading=11),
        "head_number": ParagraphStyle(
            "head_number",
            parent=body,
            fontName=fonts.bold,
            fontSize=9,
            leading=11,
            alignment=2,
        ),
        "number": ParagraphStyle("number", parent=body, spaceAfter=0, alignment=2),
        "total": ParagraphStyle("total", parent=body, fontName=fonts.bold, spaceAfter=0),
        "total_number": ParagraphStyle(
            "total_number", parent=body, fontName=fonts.bold, spaceAfter=0, alignment=2
        ),
    }


def _table(rows: list[list[Any]], widths: list[float], *, header: bool, total: bool) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM" if header else "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE_GREY),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), PALE_GREY))
    if total:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 1, TEXT))
    table.setStyle(TableStyle(commands))
    return table


def _by_region(book: Logbook, s: dict[str, ParagraphStyle]) -> Any:
    if not book.rows:
        return Paragraph("No verified scans in this period.", s["body"])
    modes = _modes(book)
    regions = sorted({row.body_region for row in book.rows})
    count = {(row.body_region, row.supervision_mode): row.scans for row in book.rows}
    rows: list[list[Any]] = [
        [
            Paragraph("Body region", s["head"]),
            *[Paragraph(text(supervision_words(mode)), s["head_number"]) for mode in modes],
            Paragraph("Total", s["head_number"]),
        ]
    ]
    for region in regions:
        scans = [count.get((region, mode), 0) for mode in modes]
        rows.append(
            [
                Paragraph(text(region), s["cell"]),
                *[Paragraph(str(n), s["number"]) for n in [*scans, sum(scans)]],
            ]
        )
    columns = [sum(count.get((region, mode), 0) for region in regions) for mode in modes]
    rows.append(
        [
            Paragraph("Total", s["total"]),
            *[Paragraph(str(n), s["total_number"]) for n in [*columns, sum(columns)]],
        ]
    )
    number_width = 26 * mm
    first = max(TEXT_WIDTH - number_width * (len(modes) + 1), 34 * mm)
    return _table(rows, [first] + [number_width] * (len(modes) + 1), header=True, total=True)


def _agreement(book: Logbook, s: dict[str, ParagraphStyle]) -> Table:
    percent = concordance_percent(book)
    concordance = (
        f"{percent}% ({book.agree} of {book.verified} verified scans agreed)"
        if percent
        else "Not yet known: no verified scans"
    )
    lines = (
        ("Verified scans", str(book.verified)),
        ("Agreed", str(book.agree)),
        ("Minor discordance", str(book.minor)),
        ("Major discordance", str(book.major)),
        ("Concordance", concordance),
        ("Returned for changes before verification", str(book.returned)),
    )
    rows = [
        [Paragraph(text(label), s["cell"]), Paragraph(text(v), s["cell"])] for label, v in lines
    ]
    return _table(rows, [80 * mm, TEXT_WIDTH - 80 * mm], header=False, total=False)


def _signature(s: dict[str, ParagraphStyle]) -> Any:
    labels = ("Signature", "Name (capitals)", "Professional registration", "Date")
    rows = [[Paragraph(label, s["cell"]), ""] for label in labels]
    table = Table(rows, colWidths=[50 * mm, 90 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("TOPPADDING", (0, 0), (-1, -1), 20),
                ("LINEBELOW", (1, 0), (1, -1), 0.6, TEXT),
            ]
        )
    )
    return KeepTogether(
        [
            Paragraph("Supervisor's confirmation", s["heading"]),
            Paragraph(
                "I confirm that these scans were performed by the trainee named above and "
                "verified by me or another named supervisor, as recorded.",
                s["body"],
            ),
            table,
        ]
    )


def _story(book: Logbook, service: str, printed_at: datetime, fonts: Fonts) -> list[Any]:
    s = _styles(fonts)
    about = (
        ("Trainee", book.trainee_name),
        ("Period", f"{day_words(book.start)} to {day_words(last_day(book))}"),
        ("Service", service),
        ("Printed", time_words(printed_at)),
    )
    rows = [
        [Paragraph(f"<b>{label}</b>", s["cell"]), Paragraph(text(v), s["cell"])]
        for label, v in about
    ]
    return [
        Paragraph("Ultrasound logbook", s["title"]),
        Spacer(1, 4),
        _table(rows, [32 * mm, TEXT_WIDTH - 32 * mm], header=False, total=False),
        Paragraph("Verified scans by body region and supervision", s["heading"]),
        _by_region(book, s),
        Paragraph("Agreement with the supervisor", s["heading"]),
        _agreement(book, s),
        _signature(s),
    ]


def logbook_pdf(book: Logbook, service: str, printed_at: datetime) -> bytes:
    """The logbook on A4 for the portfolio, with a place for the supervisor to sign.

    Verified scans by body region and supervision with totals, then the supervisor's agreement
    with the counts behind the concordance.
    """
    fonts = document_fonts()

    def decorate(canvas: Any, page: int, pages: int) -> None:
        footer_line(
            canvas,
            fonts,
            f"{service} · Ultrasound logbook of {book.trainee_name} · "
            f"Printed {time_words(printed_at)}",
            f"Page {page} of {pages}",
        )

    return render_pdf(
        lambda: _story(book, service, printed_at, fonts),
        decorate,
        top=MARGIN,
        bottom=MARGIN + 6 * mm,
        title="Ultrasound logbook",
        author=service,
    )
