"""The house style of every printed document: colours, A4 margins, fonts, page numbering.

Letters, cards, reports and logbooks draw with these, so they look like one service's paper.
This is the kernel's one reportlab module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

log = logging.getLogger(__name__)

NHS_BLUE = colors.HexColor("#005EB8")
TEXT = colors.HexColor("#212B32")
EMERGENCY_RED = colors.HexColor("#D5281B")
PALE_GREY = colors.HexColor("#F0F4F5")

RULE_GREY = colors.HexColor("#AEB7BD")

PALE_RED = colors.HexColor("#FBE9E7")

PALE_BLUE = colors.HexColor("#E8F1FA")

MARGIN = 18 * mm

#: The page frame's own inner padding (points): header and footer line up with the text.
FRAME_PADDING = 6

TEXT_WIDTH = A4[0] - 2 * MARGIN - 2 * FRAME_PADDING

# Debian's fonts-dejavu-core puts DejaVu here; it has the accented and non-Latin letters of
# patients' names that the PDF's built-in Helvetica cannot draw.
_FONT_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))

_DEJAVU_FACES = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique.ttf",
)


@dataclass(frozen=True)
class Fonts:
    """The font names a document draws with: regular, bold, italic and bold italic."""

    regular: str
    bold: str
    italic: str
    bold_italic: str


def _dejavu_folder() -> Path | None:
    for folder in _FONT_FOLDERS:
        if not folder.is_dir():
            continue
        for regular in sorted(folder.rglob(_DEJAVU_FACES[0])):
            if all((regular.parent / face).is_file() for face in _DEJAVU_FACES):
                return regular.parent
    return None


@cache
def document_fonts() -> Fonts:
    """DejaVu Sans when installed (registered once), otherwise the built-in Helvetica."""
    helvetica = Fonts("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique")
    folder = _dejavu_folder()
    if folder is None:
        log.warning("DejaVu Sans not found; printing with Helvetica (Latin-1 letters only)")
        return helvetica
    fonts = Fonts("OneStopSans", "OneStopSans-Bold", "OneStopSans-Italic", "OneStopSans-BI")
    names = (fonts.regular, fonts.bold, fonts.italic, fonts.bold_italic)
    try:
        for name, face in zip(names, _DEJAVU_FACES, strict=True):
            pdfmetrics.registerFont(TTFont(name, str(folder / face)))
    except TTFError:
        log.warning("DejaVu Sans is unreadable; printing with Helvetica", exc_info=True)
        return helvetica
    # So that <b> and <i> inside a paragraph pick the matching DejaVu face.
    pdfmetrics.registerFontFamily(
        fonts.regular, normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3]
    )
    return fonts


def day_words(day: date | datetime) -> str:
    """A date as people write it in letters: 3 March 2025."""
    return f"{day.day} {day:%B %Y}"


def time_words(when: datetime) -> str:
    """A moment in the clinic's local time: 3 March 2025 at 14:05."""
    local = when.astimezone() if when.tzinfo is not None else when
    return f"{day_words(local)} at {local:%H:%M}"


def text(value: object) -> str:
    """Text made safe for a reportlab paragraph, line breaks kept."""
    return escape(str(value)).replace("\n", "<br/>")


def render_pdf(
    story: Callable[[], list[Any]],
    decorate: Callable[[Any, int, int], None],
    *,
    top: float,
    bottom: float,
    title: str,
    author: str,
) -> bytes:
    """Lay out ``story`` on A4, calling ``decorate(canvas, page, pages)`` on every page.

    Laid out twice: the first run counts the pages so that every page can say "page X of Y".
    """
    pages = 0
    for _ in range(2):
        out = BytesIO()
        document = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=top,
            bottomMargin=bottom,
            title=title,
            author=author,
        )
        on_page = _page_painter(decorate, pages)
        document.build(story(), onFirstPage=on_page, onLaterPages=on_page)
        pages = int(document.page)
    return out.getvalue()


def _page_painter(
    decorate: Callable[[Any, int, int], None], pages: int
) -> Callable[[Any, Any], None]:
    def paint(canvas: Any, document: Any) -> None:
        canvas.saveState()
        decorate(canvas, int(document.page), pages)
        canvas.restoreState()

    return paint


@dataclass(frozen=True)
class PrintedSection:
    """One heading of a printed record and the words under it."""

    heading: str
    words: str


@dataclass(frozen=True)
class PrintedRecord:
    """A record as printed: whose it is (on every page), its sections and who signed it.

    Attributes:
        title: what it is, e.g. "Contact note".
        patient_name: the patient's name, in the header and footer of every page.
        date_of_birth: beside the name on every page.
        identity: the lines under the title: NHS number, date of birth, the clinic.
        status: its status in words (a draft is marked as one on every page).
        sections: its headings and words, in their declared order.
        sign_off: who signed it, when, and the sentence they agreed to.
        final: True once signed; otherwise every page says it is a draft.
    """

    title: str
    patient_name: str
    identity: tuple[str, ...]
    status: str
    sections: tuple[PrintedSection, ...]
    sign_off: tuple[str, ...]
    final: bool
    date_of_birth: date
    nhs_number: str = ""
    """Formatted, beside the name on every page ("" when not known)."""


def patient_words(name: str, date_of_birth: date | None, nhs_number: str) -> str:
    """The patient as the head and foot of every page name them.

    Name, date of birth and the NHS number when there is one: two identifiers on every page
    even for a patient with no NHS number, so that no loose page can be taken for another
    patient's.
    """
    words = [name]
    if date_of_birth is not None:
        words.append(f"Born {day_words(date_of_birth)}")
    if nhs_number:
        words.append(f"NHS {nhs_number}")
    return "  ".join(words)


def patient_band(
    canvas: Any,
    fonts: Fonts,
    who: str,
    *,
    head_right: str,
    foot_right: str,
    size: float,
    right_size: float,
) -> None:
    """The patient named at the head and foot of a page, with words at the right of each.

    A name too long to share its line keeps it: the words on the right move one line inwards
    (under the head, over the foot). A name too long for the page is set smaller until it
    fits; it is never cut short.
    """
    width, height = A4
    left = MARGIN + FRAME_PADDING
    room = width - 2 * left
    name_size = size
    while name_size > 6 and canvas.stringWidth(who, fonts.bold, name_size) > room:
        name_size -= 0.5
    canvas.setFillColor(TEXT)
    for y, font, words, inwards in (
        (height - 12 * mm, fonts.bold, head_right, -1),
        (10 * mm, fonts.regular, foot_right, 1),
    ):
        canvas.setFont(font, name_size)
        canvas.drawString(left, y, who)
        if not words:
            continue
        taken = canvas.stringWidth(who, font, name_size) + 12
        shared = taken + canvas.stringWidth(words, fonts.regular, right_size) <= room
        canvas.setFont(fonts.regular, right_size)
        canvas.drawRightString(width - left, y if shared else y + inwards * (right_size + 3), words)


def footer_line(canvas: Any, fonts: Fonts, left_words: str, right_words: str) -> None:
    """A page's foot: words at the left, the page number at the right, never overlapping.

    Left words too long for the room beside the page number are set smaller, down to 6 pt,
    then go on over two lines, broken at a " · "; they are never cut short.
    """
    width = A4[0]
    left = MARGIN + FRAME_PADDING
    y = MARGIN / 2
    canvas.setFillColor(TEXT)
    canvas.setFont(fonts.regular, 8)
    canvas.drawRightString(width - left, y, right_words)
    room = width - 2 * left - canvas.stringWidth(right_words, fonts.regular, 8) - 12
    size = 8.0
    while size > 6 and canvas.stringWidth(left_words, fonts.regular, size) > room:
        size -= 0.5
    canvas.setFont(fonts.regular, size)
    if canvas.stringWidth(left_words, fonts.regular, size) <= room or " · " not in left_words:
        canvas.drawString(left, y, left_words)
        return
    first, _, rest = left_words.rpartition(" · ")
    while " · " in first and canvas.stringWidth(first, fonts.regular, size) > room:
        first, _, more = first.rpartition(" · ")
        rest = f"{more} · {rest}"
    canvas.drawString(left, y + size + 2, first)
    canvas.drawString(left, y, rest)


def record_pdf(record: PrintedRecord, *, author: str = "OneStop MSK") -> bytes:
    """A record whose content is its sections, in the house style: A4, page X of Y.

    Every page names the patient and the record, and a draft says so on every page.
    """
    fonts = document_fonts()
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

    def story() -> list[Any]:
        flow: list[Any] = [Paragraph(text(record.title), title), Spacer(1, 4)]
        flow += [Paragraph(text(line), small) for line in record.identity]
        flow.append(Paragraph(text(record.status), small))
        for section in record.sections:
            flow.append(Paragraph(text(section.heading), heading))
            flow.append(Paragraph(text(section.words), body))
        flow.append(Spacer(1, 8))
        flow += [Paragraph(text(line), small) for line in record.sign_off]
        return flow

    def decorate(canvas: Any, page: int, pages: int) -> None:
        width = A4[0]
        who = patient_words(record.patient_name, record.date_of_birth, record.nhs_number)
        patient_band(
            canvas,
            fonts,
            who,
            head_right=record.title,
            foot_right=f"Page {page} of {pages}",
            size=9.5,
            right_size=9,
        )
        if not record.final:
            # A draft says so at the foot of every page, on its own line above the name.
            canvas.setFillColor(EMERGENCY_RED)
            canvas.setFont(fonts.bold, 9.5)
            canvas.drawCentredString(width / 2, 14.5 * mm, "DRAFT - not signed")
            canvas.setFillColor(TEXT)

    return render_pdf(
        story, decorate, top=20 * mm, bottom=18 * mm, title=record.title, author=author
    )
