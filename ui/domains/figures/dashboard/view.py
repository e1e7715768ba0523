"""The service figures dashboard's page: the measures on the left, the chosen one's charts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.common.figure_chart import ChartKind, FigureChart
from ui.common.month_table import ask_where_to_save_csv
from ui.common.printing import documents_folder
from ui.common.widgets import NoticeBar, label
from ui.domains.figures.dashboard.view_model import (
    ServiceFiguresViewModel,
    breakdown_words,
    target_words,
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("ServiceFigures", text)


def ask_where_to_save_png(parent: QWidget | None, title: str, suggested: str) -> str:
    """The save dialog for a picture, opened on the suggested path; "" when cancelled."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, _tr("PNG pictures (*.png)"))
    return path


class _ChartBox(QWidget):
    """One chart with its "Save chart" and "Save table" buttons."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = FigureChart(name)
        self.save_chart = QPushButton(_tr("Save chart…"))
        self.save_table = QPushButton(_tr("Save table…"))
        self.save_chart.setAccessibleName(_tr("Save {chart} as a picture").format(chart=name))
        self.save_table.setAccessibleName(_tr("Save {chart}'s table as CSV").format(chart=name))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.chart, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_chart)
        buttons.addWidget(self.save_table)
        layout.addLayout(buttons)


class ServiceFiguresPage(QWidget):
    """The list of measures; the chosen measure's trend with its target, and its breakdown."""

    def __init__(self, view_model: ServiceFiguresViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        #: Asks where to save (title, suggested path) -> the path, "" when cancelled.
        self.choose_csv_path: Callable[[str, str], str] = lambda title, suggested: (
            ask_where_to_save_csv(self, title, suggested)
        )
        self.choose_png_path: Callable[[str, str], str] = lambda title, suggested: (
            ask_where_to_save_png(self, title, suggested)
        )
        self.folder: Callable[[], Path] = documents_folder
        self.notice = NoticeBar()
        self.where = label("", "hint", wrap=True)
        self.table = QTableWidget(0, 4)
        self.table.setAccessibleName(_tr("Measures"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.breakdown = QComboBox()
        self.breakdown.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.month = label("", "hint", wrap=True)
        self.breakdown.setAccessibleName(_tr("Break the figures down by"))
        self.source = label("", "hint", wrap=True)
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.trend_box = _ChartBox(_tr("Trend chart"))
        self.bars_box = _ChartBox(_tr("Breakdown chart"))
        self.trend = self.trend_box.chart
        self.bars = self.bars_box.chart

        self._lay_out()
        self._connect(view_model)
        self._show_measures()
        self._show_charts()

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(label(_tr("Service figures"), "heading"))
        layout.addWidget(self.notice)
        layout.addWidget(self.where)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.month)
        left_layout.addWidget(self.table, 1)
        split.addWidget(left)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.setSpacing(4)
        row = QHBoxLayout()
        by = label(_tr("&Break down by"))
        by.setBuddy(self.breakdown)
        row.addWidget(by)
        row.addWidget(self.breakdown)
        row.addStretch(1)
        right_layout.addWidget(self.source)
        # One chart at a time, each with the whole height: two stacked on a laptop's screen
        # left a breakdown of eight age bands too little room for its labels.
        self.charts = QTabWidget()
        self.charts.setDocumentMode(True)
        self.charts.addTab(self.trend_box, _tr("&Trend over 12 months"))
        bars_page = QWidget()
        bars_layout = QVBoxLayout(bars_page)
        bars_layout.setContentsMargins(0, 4, 0, 0)
        bars_layout.addLayout(row)
        bars_layout.addWidget(self.bars_box, 1)
        self.charts.addTab(bars_page, _tr("B&y breakdown"))
        right_layout.addWidget(self.charts, 1)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([470, 760])
        layout.addWidget(split, 1)

    def _connect(self, view_model: ServiceFiguresViewModel) -> None:
        # A title wraps to the width its column ends up with: rows follow the column.
        self.table.horizontalHeader().sectionResized.connect(
            lambda *_: self.table.resizeRowsToContents()
        )
        self.table.itemSelectionChanged.connect(self._picked)
        self.breakdown.activated.connect(self._breakdown_picked)
        self.trend_box.save_chart.clicked.connect(lambda: self.save_chart(ChartKind.TREND))
        self.trend_box.save_table.clicked.connect(lambda: self.save_table(ChartKind.TREND))
        self.bars_box.save_chart.clicked.connect(lambda: self.save_chart(ChartKind.BARS))
        self.bars_box.save_table.clicked.connect(lambda: self.save_table(ChartKind.BARS))
        view_model.measures_changed.connect(self._show_measures)
        view_model.charts_changed.connect(self._show_charts)
        view_model.note_changed.connect(self.where.setText)
        view_model.problem.connect(lambda text: self.notice.show_notice(text, "problem"))

    # ------------------------------------------------------------------ showing

    def _show_measures(self) -> None:
        vm = self._vm
        self.table.blockSignals(True)
        self.table.clear()
        self.table.setHorizontalHeaderLabels(
            [_tr("Measure"), _tr("Service"), _tr("Yours"), _tr("Target")]
        )
        self.month.setText(
            _tr(
                "Figures for {month}, the last whole month. Choose a measure for its charts."
            ).format(month=vm.last.strftime("%B %Y"))
        )
        self.table.setRowCount(len(vm.lines))
        for index, line in enumerate(vm.lines):
            cells = (line.title, line.service, line.own, line.target_short)
            for column, words in enumerate(cells):
                item = QTableWidgetItem(words)
                item.setToolTip(
                    line.measure.description
                    if column == 0
                    else line.target
                    if column == 3
                    else words
                )
                item.setData(Qt.ItemDataRole.UserRole, line.measure.id)
                self.table.setItem(index, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # The figures' columns keep a set width (their words wrap): the measure's title gets
        # the rest, so a long "not recorded yet" never squeezes it.
        for column, width in ((1, 96), (2, 96), (3, 104)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        self.table.setColumnHidden(1, not vm.shows_service)
        self.table.setColumnHidden(2, not vm.shows_own)
        self.table.setColumnHidden(3, not any(line.target for line in vm.lines))
        chosen = vm.chosen.id if vm.chosen else None
        for index, line in enumerate(vm.lines):
            if line.measure.id == chosen:
                self.table.selectRow(index)
        self.table.resizeRowsToContents()
        self.table.blockSignals(False)

    def _show_charts(self) -> None:
        vm = self._vm
        measure = vm.chosen
        self.breakdown.blockSignals(True)
        self.breakdown.clear()
        if measure is not None:
            for name in vm.breakdowns(measure):
                self.breakdown.addItem(breakdown_words(name), name)
            self.breakdown.setCurrentIndex(max(self.breakdown.findData(vm.breakdown), 0))
        self.breakdown.blockSignals(False)
        if measure is None:
            self.source.setText("")
        elif measure.target_source:
            self.source.setText(
                _tr("{what} {target}. Source: {source}").format(
                    what=measure.description,
                    target=target_words(measure),
                    source=measure.target_source,
                )
            )
        else:
            self.source.setText(
                _tr("{what} No document sets a target for this.").format(what=measure.description)
            )
        trend, bars = vm.chart(ChartKind.TREND), vm.chart(ChartKind.BARS)
        self.trend.set_data(trend)
        self.bars.set_data(bars)
        for box, data in ((self.trend_box, trend), (self.bars_box, bars)):
            ready = data is not None and bool(data.categories) and data.has_figures
            box.save_chart.setEnabled(ready)
            box.save_table.setEnabled(ready)

    def _picked(self) -> None:
        items = self.table.selectedItems()
        if items:
            self._vm.choose(str(items[0].data(Qt.ItemDataRole.UserRole)), self._vm.breakdown)

    def _breakdown_picked(self, index: int) -> None:
        self._vm.choose_breakdown(str(self.breakdown.itemData(index)))

    # ------------------------------------------------------------------ saving

    def save_chart(self, kind: ChartKind) -> Path | None:
        """Ask where to save a chart (small numbers suppressed) as PNG, and save it there."""
        data = self._vm.chart(kind, suppressed=True)
        if data is None:
            return None
        chosen = self.choose_png_path(
            _tr("Save the chart"), str(self.folder() / self._vm.file_name(kind, "png"))
        )
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".png":
            path = path.with_name(path.name + ".png")
        chart = self.trend if kind is ChartKind.TREND else self.bars
        if not chart.save_png(path, data):
            self.notice.show_notice(
                _tr("The file could not be saved there. Choose another place."), "problem"
            )
            return None
        self._saved(path)
        return path

    def save_table(self, kind: ChartKind) -> Path | None:
        """Ask where to save a chart's table (small numbers suppressed) as CSV, and save it."""
        chosen = self.choose_csv_path(
            _tr("Save the table"), str(self.folder() / self._vm.file_name(kind, "csv"))
        )
        if not chosen:
            return None
        saved = self._vm.save_table(kind, Path(chosen))
        if saved is not None:
            self._saved(saved)
        return saved

    def _saved(self, path: Path) -> None:
        self.notice.show_notice(
            _tr("Saved as {path}. Small numbers (1 to 4) are shown as <5 in it.").format(path=path),
            "success",
        )
