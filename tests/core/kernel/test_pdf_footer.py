"""A page's foot: the words at the left never run into the page number at the right."""

from __future__ import annotations

import io
from typing import Any

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from clinic_app.kernel.pdf_kit import document_fonts, footer_line


class _Recording(Canvas):
    """A real canvas that also notes where each string went and how wide it was."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), pagesize=A4)
        self.drawn: list[tuple[str, float, float, float]] = []  # words, left, right, y

    def drawString(self, x: float, y: float, text: str, *args: Any, **kwargs: Any) -> None:  # noqa: N802
        width = self.stringWidth(text, self._fontname, self._fontsize)
        self.drawn.append((text, x, x + width, y))
        super().drawString(x, y, text, *args, **kwargs)

    def drawRightString(self, x: float, y: float, text: str, *args: Any, **kwargs: Any) -> None:  # noqa: N802
        width = self.stringWidth(text, self._fontname, self._fontsize)
        self.drawn.append((text, x - width, x, y))
        super().drawRightString(x, y, text, *args, **kwargs)


@pytest.mark.parametrize(
    "left",
    [
        "Riverside Community MSK Clinic · Scan report, version 1 · Printed 6 December 2026",
        "Riverside Community Musculoskeletal Interface and Physiotherapy Service · Scan report, "
        "version 2: addendum to version 1. Version 3 (final) adds to this report: read it with "
        "this one · Printed 6 December 2026, 14:05",
    ],
)
def test_the_left_words_keep_clear_of_the_page_number_and_are_all_there(left: str) -> None:
    canvas = _Recording()
    footer_line(canvas, document_fonts(), left, "Page 12 of 12")
    (page_number,) = [d for d in canvas.drawn if d[0] == "Page 12 of 12"]
    words = [d for d in canvas.drawn if d[0] != "Page 12 of 12"]
    # Nothing is cut: every word is drawn, in order, over one or two lines.
    assert " · ".join(d[0] for d in words) == left
    for _text, _start, end, y in words:
        if y == page_number[3]:
            assert end < page_number[1]
