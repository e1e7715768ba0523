"""A decision aid opened on screen, and its take-home summary printed.

(a) Opening an aid: from asking for the aid's page to its first paint in a 1366 x 768
    window with the event loop free again (offscreen), in a fresh process each run; and the
    whole page drawn once with every icon array on it (``grab``, as printing the screen
    would). Baseline in the same process: a bare window painting the same number of figures
    (100 per number the aid gives) with plain QPainter ellipses and rectangles. Target for
    the first paint: 150 ms.
(b) The take-home summary PDF: ``take_home_pdf`` for the aid, median of several, against
    bare reportlab drawing the same words and the same number of figures on a canvas.
    Target: 300 ms.

The aid is the shipped one with the most numbers (the most icon arrays to draw).

Run: ``python -m tests.bench.bench_decision [--runs N]``. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from typing import Any

_MODULE = (sys.executable, "-m", "tests.bench.bench_decision")


def _busiest_aid() -> Any:
    from clinic_app.domains.decisions.content import decision_aids

    offered = decision_aids().offered
    return max(offered, key=lambda aid: sum(len(o.outcomes) for o in aid.options))


def _figures(aid: Any) -> int:
    return 100 * sum(len(option.outcomes) for option in aid.options)


def _texts(aid: Any) -> list[str]:
    """Every sentence the summary prints from the aid."""
    words = [aid.title, aid.question, *aid.condition]
    for option in aid.options:
        words += [option.title, option.involves, option.recovery, option.time_off_work]
        words += [outcome.text for outcome in option.outcomes]
    words += [statement.text for statement in aid.matters]
    return [w for w in words if w]


def _time_to_idle(app: Any, start: Any) -> float:
    """Milliseconds from calling ``start`` to the widget it returns painted, the loop free."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    times: dict[str, float] = {}

    class Watch(QObject):
        def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
            painting = event.type() == QEvent.Type.Paint
            if painting and "start" in times and "painted" not in times:
                times["painted"] = time.perf_counter()
                QTimer.singleShot(0, done)
            return False

    def done() -> None:
        times["free"] = time.perf_counter()
        app.quit()

    watch = Watch()

    def begin() -> None:
        times["start"] = time.perf_counter()
        start().installEventFilter(watch)

    QTimer.singleShot(300, begin)  # the window settled first, as in the app
    QTimer.singleShot(30_000, app.quit)
    app.exec()
    if "free" not in times:
        raise RuntimeError("nothing was painted")
    return (times["free"] - times["start"]) * 1000


def _open_once() -> dict[str, float]:
    """One run in this (fresh) process: the aid's page, then the bare baseline."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QPainter, QPaintEvent
    from PySide6.QtWidgets import QScrollArea, QWidget

    from clinic_app.domains.decisions.content import collaborate
    from ui.app import create_application
    from ui.domains.decisions.consultation.view import ConversationPage

    app = create_application([])
    aid = _busiest_aid()
    measure = collaborate()
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.resize(1366, 768)
    scroll.show()
    pages: list[Any] = []

    def open_aid() -> QWidget:
        page = ConversationPage(aid, measure)
        pages.append(page)
        scroll.setWidget(page)
        return page

    opened = _time_to_idle(app, open_aid)
    started = time.perf_counter()
    pages[0].grab()
    whole = (time.perf_counter() - started) * 1000
    scroll.hide()

    count = _figures(aid)

    class Bare(QWidget):
        def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
            painter = QPainter(self)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setBrush(QColor("#005EB8"))
            side = 9.0
            per_row = int(self.width() // side)
            for index in range(count):
                row, column = divmod(index, per_row)
                x, y = column * side, row * side
                painter.drawEllipse(QRectF(x + 3, y, 3, 3))
                painter.drawRoundedRect(QRectF(x + 2, y + 4, 5, 4), 1.5, 1.5)
            painter.end()

    bare = Bare()
    bare.resize(1366, 768)

    def show_bare() -> QWidget:
        bare.show()
        return bare

    baseline = _time_to_idle(app, show_bare)
    return {"open_ms": opened, "whole_page_ms": whole, "bare_ms": baseline}


def _pdf(rounds: int) -> dict[str, float]:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from clinic_app.domains.decisions.pdf import TakeHome, take_home_pdf

    aid = _busiest_aid()
    first = aid.options[0]
    home = TakeHome(
        patient_name="EXAMPLE, Alex",
        nhs_number="999 000 0001",
        date_of_birth=date(1960, 5, 17),
        on=date(2026, 12, 5),
        ratings={statement.id: 7 for statement in aid.matters},
        choice=first.id,
        choice_words="I would like to try this first.",
        questions="How long before I know it is working?",
        clinician="A Physiotherapist",
    )
    take_home_pdf(aid, home)  # warm: fonts and forms loaded once, as after the first print
    summary = []
    for _ in range(rounds):
        started = time.perf_counter()
        take_home_pdf(aid, home)
        summary.append((time.perf_counter() - started) * 1000)

    texts, figures = _texts(aid), _figures(aid)

    def bare() -> bytes:
        out = io.BytesIO()
        page = canvas.Canvas(out, pagesize=A4)
        y = 800.0
        for line in texts:
            page.drawString(40, y, line[:110])
            y -= 14
            if y < 60:
                page.showPage()
                y = 800.0
        page.showPage()
        for index in range(figures):
            row, column = divmod(index % 2000, 40)
            x, y = 40 + column * 12, 780 - row * 14
            page.circle(x + 5, y + 10, 2, stroke=1, fill=1)
            page.roundRect(x + 2, y, 6, 6, 2, stroke=1, fill=1)
            if index % 2000 == 1999:
                page.showPage()
        page.save()
        return out.getvalue()

    bare()
    baseline = []
    for _ in range(rounds):
        started = time.perf_counter()
        bare()
        baseline.append((time.perf_counter() - started) * 1000)
    return {"pdf_ms": statistics.median(summary), "bare_pdf_ms": statistics.median(baseline)}


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="fresh processes opening the aid")
    parser.add_argument("--rounds", type=int, default=10, help="summaries printed")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_open_once()))
        return {}
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    runs = []
    for _ in range(args.runs):
        done = subprocess.run(
            [*_MODULE, "--child"], env=env, capture_output=True, text=True, check=True
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    aid = _busiest_aid()
    opened = statistics.median(r["open_ms"] for r in runs)
    bare = statistics.median(r["bare_ms"] for r in runs)
    whole = statistics.median(r["whole_page_ms"] for r in runs)
    pdf = _pdf(args.rounds)
    result: dict[str, object] = {
        "aid": aid.id,
        "numbers_on_the_page": sum(len(o.outcomes) for o in aid.options),
        "figures_drawn": _figures(aid),
        "open_to_first_paint_ms": sorted(round(r["open_ms"], 1) for r in runs),
        "open_median_ms": round(opened, 1),
        "bare_window_median_ms": round(bare, 1),
        "ratio_open_to_bare": round(opened / bare, 2),
        "whole_page_drawn_median_ms": round(whole, 1),
        "target_open_ms": 150,
        "take_home_pdf_median_ms": round(pdf["pdf_ms"], 1),
        "bare_reportlab_median_ms": round(pdf["bare_pdf_ms"], 1),
        "ratio_pdf_to_bare": round(pdf["pdf_ms"] / pdf["bare_pdf_ms"], 2),
        "target_pdf_ms": 300,
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
