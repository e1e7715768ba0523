"""The open PIFU windows as a table: soonest ending first, about to lapse in words and colour."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from clinic_app.domains.care_plans.views import PifuWindow
from ui.common.chosen_row import ChosenRow
from ui.common.patient_list import ListTable
from ui.common.theme import NHS_WARM_YELLOW
from ui.common.widgets import NoticeBar, label, set_role
from ui.domains.care_plans.pifu.view_model import PifuRow, PifuWindowsViewModel, lapse_words

DAYS_LEFT = 4
STATUS = 5
CLINICIAN = 6
"""The columns marked, and the one shown only for the whole service."""


class PifuWindowsPage(QWidget):
    """Patients who can book straight back, the window ending soonest first."""

    open_requested = Signal(object)
    """A ``PifuWindow`` whose patient (and care plan) is to be opened."""

    def __init__(self, view_model: PifuWindowsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view_model = view_model
        self.title = label(self.tr("Open PIFU windows"), "title")
        self.about = label(
            self.tr(
                "Patient-initiated follow-up: until the window ends, each patient here can book "
                "straight back without a new referral."
            ),
            "hint",
            wrap=True,
        )
        self.whose = label("", "hint", wrap=True)
        self.whole_service = QCheckBox(self.tr("Show &every clinician's patients"))
        self.whole_service.setAccessibleName(
            self.tr("Show the windows of every clinician's patients, not only yours")
        )
        self.notice = NoticeBar()
        self.empty = label("", wrap=True)
        self.headings = [
            self.tr("Patient"),
            self.tr("NHS number"),
            self.tr("Window opened"),
            self.tr("Ends on"),
            self.tr("Days left"),
            self.tr("Status"),
            self.tr("Clinician"),
        ]
        self.table = ListTable(self.headings, self.tr("Open PIFU windows"))
        self.open_button = QPushButton()
        set_role(self.open_button, "", variant="primary")
        self.refresh_button = QPushButton(self.tr("Re&fresh"))
        self.refresh_button.setAccessibleName(self.tr("Read the open windows again"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.about)
        layout.addWidget(self.whose)
        layout.addWidget(self.whole_service, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.notice)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        # Takes the room the table leaves when there is no row, so the words stay together.
        layout.addStretch(0)
        self.table.row_opened.connect(self._open)
        self.open_button.clicked.connect(lambda: self._open(self.table.currentRow()))
        self._chosen = ChosenRow(self.table)
        self.table.currentCellChanged.connect(
            lambda *_cells: self.open_button.setEnabled(self.table.currentRow() >= 0)
        )
        self.refresh_button.clicked.connect(view_model.load)
        self.whole_service.toggled.connect(view_model.show_whole_service)
        view_model.rows_changed.connect(self.show_rows)
        view_model.problem.connect(lambda words: self.notice.show_notice(words, "problem"))
        self.show_rows([])

    def show_rows(self, rows: list[PifuRow]) -> None:
        before = self._chosen.chosen()
        whole = self.view_model.whole_service
        self._describe()
        self.whole_service.setVisible(self.view_model.may_switch)
        self.whole_service.blockSignals(True)
        self.whole_service.setChecked(whole)
        self.whole_service.blockSignals(False)
        self.empty.setText(
            self.tr("No patient has an open window.")
            if whole
            else self.tr("None of your patients has an open window.")
        )
        self.table.setColumnHidden(CLINICIAN, not whole)
        self.table.show_rows([shown.cells for shown in rows])
        for r, shown in enumerate(rows):
            if shown.item.about_to_lapse:
                self.table.mark(r, DAYS_LEFT, bold=True)
                self.table.mark(r, STATUS, background=NHS_WARM_YELLOW, bold=True)
        may_open_plan = self.view_model.may_open_plan
        self.open_button.setText(
            self.tr("&Open the care plan") if may_open_plan else self.tr("&Open the record")
        )
        self.open_button.setAccessibleName(
            self.tr("Open the chosen patient's record and care plan")
            if may_open_plan
            else self.tr("Open the chosen patient's record")
        )
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))
        if not self._chosen.shown([shown.item.plan_id for shown in rows], before):
            self.notice.show_notice(
                self.tr("The follow-up window you had chosen has closed. Choose a row to open."),
                "info",
            )
        self.open_button.setEnabled(self.table.currentRow() >= 0)

    def _describe(self) -> None:
        """Whose windows these are, and what "About to lapse" means."""
        self.whose.setText(
            (
                self.tr("Every clinician's patients whose window is open, ending soonest first.")
                if self.view_model.whole_service
                else self.tr(
                    "Your patients whose window is open (from the care plans you signed), "
                    "ending soonest first."
                )
            )
            + " "
            + lapse_words(self.view_model.rules)
        )

    def _open(self, r: int) -> None:
        rows = self.view_model.rows
        if 0 <= r < len(rows):
            item: PifuWindow = rows[r].item
            self.open_requested.emit(item)
