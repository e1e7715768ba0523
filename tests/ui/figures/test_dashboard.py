"""The service figures dashboard through the real window, over the seeded service.

The figures are the seeded scenario's (``tests.core.figures.seed``), read by the figures
routes in-process through the app's own HTTP transport. The clinic's day is 10 February
2027, so the trend runs from February 2026 to January 2027. Worked by hand for January 2027:
five care contacts, one not attended, so the service's non-attendance is 20%; Ann's own
contacts are two, both attended (0%). Over the twelve months, by site: North 2 of 3 not
attended (12 January and 15 December), 66.7%; South 0 of 3, 0%.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.kernel.errors import ClinicError
from clinic_app.sync.http import HttpTransport
from tests.support import pictures
from tests.ui.conftest import WAIT_MS, sign_in, wait_idle
from tests.ui.figures.conftest import PASSWORD
from ui.app import MainWindow
from ui.common import theme
from ui.common.figure_chart import ChartData, ChartKind, ChartSeries, FigureChart
from ui.common.theme import apply_theme
from ui.domains.figures.dashboard.screens import ServiceFiguresScreen

TODAY = date(2027, 2, 10)
DNA = "did_not_attend_rate"


def _open(qtbot: QtBot, window: MainWindow, who: str) -> ServiceFiguresScreen:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    window.resize(1366, 768)
    action = window.action("service_figures")
    assert action.isEnabled()
    screen = window.screen_by_id("service_figures")
    assert isinstance(screen, ServiceFiguresScreen)
    screen.view_model.today = lambda: TODAY
    action.trigger()
    qtbot.waitUntil(lambda: bool(screen.view.where.text()), timeout=WAIT_MS)
    wait_idle(window)
    assert window.showing(screen)
    return screen


def _signed_in(qtbot: QtBot, window: MainWindow, who: str) -> None:
    sign_in(qtbot, window, who, PASSWORD)
    assert window.session.user is not None


def _row(screen: ServiceFiguresScreen, title: str) -> list[str]:
    table = screen.view.table
    for row in range(table.rowCount()):
        if table.item(row, 0).text() == title:
            return [table.item(row, c).text() for c in range(table.columnCount())]
    raise AssertionError(f"no line for {title}")


def _pick(qtbot: QtBot, screen: ServiceFiguresScreen, measure: str, breakdown: str) -> None:
    view = screen.view
    for row in range(view.table.rowCount()):
        if view.table.item(row, 0).data(0x0100) == measure:
            view.table.selectRow(row)
    assert screen.view_model.chosen is not None
    assert screen.view_model.chosen.id == measure
    index = view.breakdown.findData(breakdown)
    assert index >= 0
    view.breakdown.setCurrentIndex(index)
    view.breakdown.activated.emit(index)
    qtbot.waitUntil(lambda: screen.view_model.by_breakdown is not None, timeout=WAIT_MS)
    QApplication.processEvents()


def _saves_the_breakdown_as_png(screen: ServiceFiguresScreen, tmp_path: Path) -> None:
    """The breakdown's chart as a picture, drawn from the suppressed figures."""
    view = screen.view
    view.choose_png_path = lambda _title, _suggested: str(tmp_path / "by-site")
    picture = view.save_chart(ChartKind.BARS)
    assert picture == tmp_path / "by-site.png"
    image = QImage(str(picture))
    assert (image.width(), image.height()) == (1000, 520)
    suppressed = screen.view_model.chart(ChartKind.BARS, suppressed=True)
    assert suppressed is not None
    # North's 2 of 3 and South's 0 of 3: a figure made from a small count is not shown.
    assert suppressed.series[0].shown == ("<5", "<5")
    assert "shown as <5" in suppressed.note
    # Cancelling the dialog saves nothing.
    view.choose_png_path = lambda _title, _suggested: ""
    assert view.save_chart(ChartKind.TREND) is None


def test_the_service_lead_reads_breaks_down_and_exports_the_service_s_figures(
    qtbot: QtBot, window: MainWindow, online: Callable[[], None], tmp_path: Path
) -> None:
    _signed_in(qtbot, window, "lee")
    online()
    screen = _open(qtbot, window, "lee")
    view = screen.view

    assert view.where.text() == "The whole service's figures, from the service's server."
    assert view.month.text().startswith("Figures for January 2027, the last whole month.")
    assert view.table.horizontalHeaderItem(1).text() == "Service"
    assert view.table.isColumnHidden(2)  # the lead has no figures of their own
    dna = _row(screen, "Care contacts not attended")
    assert dna[1] == "20%"  # 1 of 5 contacts in January 2027
    experience = next(line for line in screen.view_model.lines if not line.measure.recorded)
    assert experience.service == "not recorded yet"

    _pick(qtbot, screen, DNA, "site")
    bars = view.bars.data
    assert bars is not None
    assert bars.categories == ("North Clinic", "South Clinic")
    assert [s.shown for s in bars.series] == [("66.7%", "0%")]
    assert bars.axis == "Percentage (%)"
    assert "North Clinic: 66.7%" in view.bars.accessibleDescription()
    trend = view.trend.data
    assert trend is not None
    assert len(trend.categories) == 12
    assert trend.categories[-1] == "Jan 27"
    assert trend.series[0].shown[-1] == "20%"
    assert window.minimumSizeHint().width() <= 1366
    assert window.minimumSizeHint().height() <= 768
    pictures.keep(window, "service_figures_lead.png")

    # The trend's table as CSV: the small count suppressed, and the file says so.
    asked: list[str] = []
    view.choose_csv_path = lambda _title, suggested: (
        asked.append(suggested) or str(tmp_path / "trend")
    )
    saved = view.save_table(ChartKind.TREND)
    assert saved == tmp_path / "trend.csv"
    assert asked[0].endswith("did_not_attend_rate_by_month_2026-02_to_2027-01.csv")
    assert str(saved) in view.notice.message.text()
    assert "<5" in view.notice.message.text()
    with saved.open(encoding="utf-8-sig", newline="") as file:
        read = list(csv.reader(file))
    assert read[0] == [
        "Month",
        "The whole service: counted",
        "The whole service: out of",
        "The whole service: figure",
    ]
    january = next(row for row in read if row[0] == "January 2027")
    assert january == ["January 2027", "<5", "5", "<5"]
    assert any("shown as <5" in cell for row in read for cell in row)

    _saves_the_breakdown_as_png(screen, tmp_path)


def test_offline_a_clinician_sees_their_own_from_this_laptop_and_why_not_the_service_s(
    qtbot: QtBot, window: MainWindow
) -> None:
    _signed_in(qtbot, window, "ann")
    screen = _open(qtbot, window, "ann")
    view = screen.view

    assert view.where.text().startswith("These are your own figures, from this computer.")
    assert "need a connection" in view.where.text()
    assert view.table.isColumnHidden(1)
    assert _row(screen, "Care contacts not attended")[1:3] == ["", "0%"]
    assert _row(screen, "Injections given")[2] == "2"
    _pick(qtbot, screen, "injections_given", "month")
    trend = view.trend.data
    assert trend is not None
    assert trend.series[0].own
    assert trend.series[0].shown[-1] == "2"


def test_a_clinician_sees_their_own_beside_the_service_s_but_not_each_colleague_s(
    qtbot: QtBot,
    window: MainWindow,
    online: Callable[[], None],
    tmp_path: Path,
) -> None:
    _signed_in(qtbot, window, "ann")
    online()
    screen = _open(qtbot, window, "ann")
    view = screen.view

    assert (
        view.where.text()
        == "Your own figures beside the whole service's, from the service's server."
    )
    assert not view.table.isColumnHidden(1)
    assert view.table.horizontalHeaderItem(2).text() == "Yours"
    assert _row(screen, "Care contacts not attended")[1:3] == ["20%", "0%"]
    assert _row(screen, "Injections given")[2] == "2"
    _pick(qtbot, screen, DNA, "site")
    offered = [view.breakdown.itemData(i) for i in range(view.breakdown.count())]
    assert "site" in offered
    assert "clinician" not in offered  # each colleague's figures are the service lead's
    bars = view.bars.data
    assert bars is not None
    # Told apart by more than colour: the clinician's own bars are hatched, their line dashed.
    assert [(s.name, s.own) for s in bars.series] == [
        ("The whole service", False),
        ("Your own", True),
    ]
    assert [s.shown for s in bars.series] == [("66.7%", "0%"), ("50%", "0%")]
    assert "Your own: North Clinic: 50%; South Clinic: 0%" in view.bars.accessibleDescription()
    pictures.keep(window, "service_figures_clinician.png")
    view.choose_csv_path = lambda _title, _suggested: str(tmp_path / "by-site.csv")
    saved = view.save_table(ChartKind.BARS)
    assert saved is not None
    with saved.open(encoding="utf-8-sig", newline="") as file:
        read = list(csv.reader(file))
    assert read[0][4:] == ["Your own: counted", "Your own: out of", "Your own: figure"]
    assert read[1] == ["North Clinic", "<5", "<5", "<5", "<5", "<5", "<5"]


def test_a_server_that_does_not_answer_leaves_a_clinician_their_own_figures(
    qtbot: QtBot, window: MainWindow, online: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    _signed_in(qtbot, window, "ann")
    online()

    def unreachable(*_args: object, **_kwargs: object) -> dict[str, object]:
        raise ClinicError("sync.unreachable", reason="ConnectError")

    monkeypatch.setattr(HttpTransport, "figures", unreachable)
    screen = _open(qtbot, window, "ann")

    assert "need a connection" in screen.view.where.text()
    assert _row(screen, "Injections given")[2] == "2"


def test_the_chart_saves_a_trend_with_its_target_and_both_series(
    qapp: object, tmp_path: Path
) -> None:
    data = ChartData(
        kind=ChartKind.TREND,
        title="Patients rating their experience good or very good",
        categories=("Dec 26", "Jan 27"),
        series=(
            ChartSeries("The whole service", (80.0, 70.0), ("80%", "70%")),
            ChartSeries("Your own", (None, 50.0), ("<5", "50%"), own=True),
        ),
        axis="Percentage (%)",
        category_axis="Month",
        target=75.0,
        target_words="Target: at least 75%",
        top=100.0,
    )
    chart = FigureChart("Trend chart")
    chart.set_data(data)

    assert chart.accessibleDescription() == (
        "Patients rating their experience good or very good. Target: at least 75%. "
        "The whole service: Dec 26: 80%; Jan 27: 70%. Your own: Dec 26: <5; Jan 27: 50%."
    )
    assert chart.save_png(tmp_path / "trend.png")
    image = QImage(str(tmp_path / "trend.png"))
    green = QColor(theme.NHS_GREEN).rgb()
    assert any(image.pixel(x, y) == green for x in range(200, 800) for y in range(60, 480))
