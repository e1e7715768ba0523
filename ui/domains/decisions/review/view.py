"""The decision aids due for review, and the aid files not offered with the reason."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.common import formatting
from ui.common.widgets import NoticeBar, label
from ui.domains.decisions.review.problems import aid_place_words, aid_problem_words
from ui.domains.decisions.review.view_model import AidsReviewViewModel


def _table(headings: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headings))
    table.setHorizontalHeaderLabels(headings)
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(len(headings) - 1, QHeaderView.ResizeMode.Stretch)
    return table


class AidsReviewView(QWidget):
    """Two lists: aids to review (still offered), and files refused (not offered)."""

    def __init__(self, view_model: AidsReviewViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.notice = NoticeBar()
        self.summary = label("", "hint", wrap=True)
        self.due = _table(
            [self.tr("Id"), self.tr("Version"), self.tr("Review by"), self.tr("Decision aid")],
            self.tr("Decision aids due for review"),
        )
        self.refused = _table(
            [self.tr("File"), self.tr("Where in the file"), self.tr("What is wrong")],
            self.tr("Decision aid files not offered"),
        )
        self.month_label = label("", "subheading")
        self.earlier_button = QPushButton(self.tr("◀ &Earlier month"))
        self.later_button = QPushButton(self.tr("&Later month ▶"))
        self.earlier_button.clicked.connect(lambda: view_model.step_month(-1))
        self.later_button.clicked.connect(lambda: view_model.step_month(1))
        self.figures = _table(
            [
                self.tr("Clinician"),
                self.tr("Decisions signed"),
                self.tr("Of them, choosing an injection, scan or operation"),
                self.tr("Injections and the like made with a decision aid"),
                self.tr("CollaboRATE: top score on all three"),
            ],
            self.tr("Shared decisions this month, per clinician"),
        )
        self.refresh_button = QPushButton(self.tr("&Read the aids again"))
        self.refresh_button.clicked.connect(view_model.load)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(label(self.tr("Decision aids"), "heading"))
        layout.addWidget(self.notice)
        layout.addWidget(self.summary)
        due_label = label(self.tr("&Due for review (still offered, with a warning)"), "subheading")
        due_label.setBuddy(self.due)
        layout.addWidget(due_label)
        layout.addWidget(self.due, 1)
        refused_label = label(self.tr("&Not offered, and why"), "subheading")
        refused_label.setBuddy(self.refused)
        layout.addWidget(refused_label)
        layout.addWidget(self.refused, 1)
        months = QHBoxLayout()
        months.addWidget(self.month_label)
        months.addStretch(1)
        months.addWidget(self.earlier_button)
        months.addWidget(self.later_button)
        layout.addLayout(months)
        layout.addWidget(
            label(
                self.tr(
                    "A CollaboRATE rate needs at least 25 responses; below that it says "
                    '"too few to rate".'
                ),
                "hint",
                wrap=True,
            )
        )
        layout.addWidget(self.figures, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        layout.addLayout(row)
        view_model.loaded.connect(self._show)
        view_model.figures_loaded.connect(self._show_figures)
        view_model.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        self._show()
        self._show_figures()

    def _show_figures(self) -> None:
        vm = self._vm
        self.month_label.setText(
            self.tr("Shared decisions in {month}").format(month=vm.month.strftime("%B %Y"))
        )
        figures = vm.figures
        rows = [] if figures is None else [*figures.clinicians, figures.service]
        self.figures.setRowCount(len(rows))
        for row, counts in enumerate(rows):
            used = counts.aids_used
            leading = (
                f"{counts.leading_to_procedure} "
                f"({round(counts.leading_to_procedure / counts.sdm_records * 100)}%)"
                if counts.sdm_records
                else ""
            )
            cells = (
                counts.name or self.tr("The whole service"),
                str(counts.sdm_records),
                leading,
                self.tr("none recorded")
                if used is None
                else self.tr("{with_aid} of {all} ({share}%)").format(
                    with_aid=counts.procedures_with_aid,
                    all=counts.procedures,
                    share=round(used * 100),
                ),
                counts.collaborate_shown,
            )
            for column, words in enumerate(cells):
                self.figures.setItem(row, column, QTableWidgetItem(words))
        self.figures.resizeRowsToContents()

    def _show(self) -> None:
        vm = self._vm
        due = vm.due()
        refused = vm.refused()
        self.due.setRowCount(len(due))
        for row, aid in enumerate(due):
            cells = (aid.id, aid.version, formatting.clinical_date(aid.review_by), aid.title)
            for column, words in enumerate(cells):
                self.due.setItem(row, column, QTableWidgetItem(words))
        self.refused.setRowCount(len(refused))
        for row, problem in enumerate(refused):
            reasons = (
                problem.file,
                aid_place_words(problem.field),
                aid_problem_words(problem.code, problem.kind),
            )
            # The exact place and check, for whoever mends the file.
            detail = f"{problem.field or problem.file}: {problem.reason}"
            for column, words in enumerate(reasons):
                item = QTableWidgetItem(words)
                item.setToolTip(detail)
                self.refused.setItem(row, column, item)
        self.due.resizeRowsToContents()
        self.refused.resizeRowsToContents()
        files = len({problem.file for problem in refused})
        summary = self.tr(
            "{offered} aids offered; {due} due for review; {files} files not offered."
        ).format(offered=len(vm.offered), due=len(due), files=files)
        if files:
            summary += " " + self.tr(
                "Clinicians cannot use an aid that is not offered until its file is mended: "
                "pass the list below to whoever keeps the aids (point at a row for the detail)."
            )
        self.summary.setText(summary)
