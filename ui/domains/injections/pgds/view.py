"""The PGD register: a table of every PGD, and a form below it to add one or change one."""

from __future__ import annotations

import re
import uuid
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.injections.views import PgdInput, PgdView
from ui.common import formatting
from ui.common.widgets import ErrorSummary, FormField, NoticeBar, card, form_grid, label
from ui.domains.injections.pgds.view_model import (
    PgdRegisterViewModel,
    drug_choices,
    target_choices,
)

_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
#: The colour an expired PGD's "in force" words are shown in (the theme's problem red).
_EXPIRED = QColor("#b3261e")


def read_day(text: str) -> date | None:
    """A date typed as 05/03/2026 (or 2026-03-05); None when it is empty or not a date."""
    text = text.strip()
    try:
        iso = _ISO.match(text)
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        found = _DAY_MONTH_YEAR.match(text)
        if found:
            return date(int(found[3]), int(found[2]), int(found[1]))
    except ValueError:
        return None
    return None


def day_text(value: date) -> str:
    """A date as the form shows it for typing over (day/month/year)."""
    return value.strftime("%d/%m/%Y")


def _tick_list(name: str) -> QListWidget:
    ticks = QListWidget()
    ticks.setAccessibleName(name)
    ticks.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    ticks.setWordWrap(True)
    ticks.setMinimumHeight(96)
    ticks.setMaximumHeight(132)
    return ticks


def _fill(ticks: QListWidget, choices: list[tuple[object, str]], ticked: set[object]) -> None:
    ticks.clear()
    for value, words in choices:
        item = QListWidgetItem(words)
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
        checked = Qt.CheckState.Checked if value in ticked else Qt.CheckState.Unchecked
        item.setCheckState(checked)
        ticks.addItem(item)


def ticked(ticks: QListWidget) -> list[object]:
    """The values of the ticked entries, in the list's order."""
    return [
        ticks.item(row).data(Qt.ItemDataRole.UserRole)
        for row in range(ticks.count())
        if ticks.item(row).checkState() == Qt.CheckState.Checked
    ]


def tick(ticks: QListWidget, value: object, on: bool = True) -> None:
    """Tick (or untick) the entry holding ``value``."""
    for row in range(ticks.count()):
        item = ticks.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == value:
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


class PgdRegisterView(QWidget):
    """Every PGD with its dates, whether in force today, what it covers and who is named."""

    COLUMNS = 8

    def __init__(self, view_model: PgdRegisterViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._editing: uuid.UUID | None = None
        #: Raised each time the form is opened; the form a save on its way was sent from.
        self._form_opened = 0
        self._saving_from: tuple[int, str] | None = None
        #: The PGD just saved, to choose once the register is read again.
        self._pending_choice: uuid.UUID | None = None
        self._drugs = dict(drug_choices())
        self._targets = dict(target_choices())
        self.notice = NoticeBar()
        self.summary = label("", "hint", wrap=True)
        self._build_table()
        self._build_editor()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(label(self.tr("Patient group directions"), "heading"))
        layout.addWidget(self.notice)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.edit_button)
        row.addWidget(self.add_button)
        layout.addLayout(row)
        layout.addWidget(self.editor)

        view_model.loaded.connect(self._show)
        view_model.saved.connect(self._on_saved)
        view_model.field_errors_changed.connect(self._show_field_errors)
        view_model.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        view_model.busy_changed.connect(lambda busy: self.save_button.setEnabled(not busy))
        self._show()

    def _build_table(self) -> None:
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Name"),
                self.tr("Version"),
                self.tr("Valid from"),
                self.tr("Valid to"),
                self.tr("In force today"),
                self.tr("Drugs"),
                self.tr("Sites"),
                self.tr("Practitioners"),
            ]
        )
        self.table.setAccessibleName(self.tr("Patient group directions"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        # With the form open below, the chosen PGD's row stays in sight.
        self.table.setMinimumHeight(120)
        header = self.table.horizontalHeader()
        for column in range(1, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        # The drugs' names are the longest words: their column takes the room left.
        for column, width in ((0, 220), (6, 200), (7, 180)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda _item: self.edit_chosen())

        self.add_button = QPushButton(self.tr("&Add a PGD"))
        self.edit_button = QPushButton(self.tr("&Edit the chosen PGD"))
        self.add_button.clicked.connect(self.start_new)
        self.edit_button.clicked.connect(self.edit_chosen)

    def _build_editor(self) -> None:
        # The form: shown to add a PGD or change the chosen one.
        self.editor = card()
        self.editor_title = label("", "subheading")
        self.error_summary = ErrorSummary()
        self.name = QLineEdit()
        self.version = QLineEdit()
        self.valid_from = QLineEdit()
        self.valid_to = QLineEdit()
        for box in (self.valid_from, self.valid_to):
            box.setPlaceholderText(self.tr("dd/mm/yyyy"))
        self.valid_to.setToolTip(self.tr("The last day the PGD may be given under"))
        self.drugs = _tick_list(self.tr("Drugs covered"))
        self.sites = _tick_list(self.tr("Sites covered"))
        self.practitioners = _tick_list(self.tr("Practitioners named"))
        self.fields: dict[str, FormField] = {
            "name": FormField(self.tr("Name"), self.name),
            "version": FormField(self.tr("Version"), self.version),
            "valid_from": FormField(self.tr("Valid from"), self.valid_from),
            "valid_to": FormField(self.tr("Valid to"), self.valid_to),
            "drugs": FormField(self.tr("Drugs covered"), self.drugs),
            "targets": FormField(self.tr("Sites covered"), self.sites),
            "practitioners": FormField(
                self.tr("Practitioners named"),
                self.practitioners,
                hint=self.tr("Those who may give injections"),
            ),
        }
        self.save_button = QPushButton(self.tr("&Save the PGD"))
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("&Cancel"))
        self.save_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.close_editor)

        words = form_grid(5)
        words.addWidget(self.fields["name"], 0, 0, 1, 2)
        words.addWidget(self.fields["version"], 0, 2)
        words.addWidget(self.fields["valid_from"], 0, 3)
        words.addWidget(self.fields["valid_to"], 0, 4)
        lists = form_grid(3)
        lists.addWidget(self.fields["drugs"], 0, 0)
        lists.addWidget(self.fields["targets"], 0, 1)
        lists.addWidget(self.fields["practitioners"], 0, 2)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        inside = QVBoxLayout(self.editor)
        inside.setContentsMargins(12, 8, 12, 8)
        inside.addWidget(self.editor_title)
        inside.addWidget(self.error_summary)
        inside.addLayout(words)
        inside.addLayout(lists)
        inside.addLayout(buttons)
        self.editor.setVisible(False)

    # ---------------------------------------------------------------- the table

    def _words(self, pgd: PgdView) -> tuple[str, ...]:
        today = self._vm.today
        if pgd.valid_on(today):
            in_force = self.tr("Yes")
        elif pgd.valid_to < today:
            in_force = self.tr("No: expired")
        else:
            in_force = self.tr("No: not started yet")
        names = [self._vm.person(person) for person in pgd.practitioners]
        return (
            pgd.name,
            pgd.version,
            formatting.clinical_date(pgd.valid_from),
            formatting.clinical_date(pgd.valid_to),
            in_force,
            "; ".join(self._drugs.get(drug, drug) for drug in pgd.drugs),
            "; ".join(self._targets.get(target, target) for target in pgd.targets),
            "; ".join(sorted(names, key=str.casefold)) or self.tr("nobody named"),
        )

    def _show(self) -> None:
        pgds = self._vm.register.pgds
        chosen = self._pending_choice or self.chosen()
        self._pending_choice = None
        self.table.setRowCount(len(pgds))
        today = self._vm.today
        for row, pgd in enumerate(pgds):
            for column, words in enumerate(self._words(pgd)):
                item = QTableWidgetItem(words)
                item.setData(Qt.ItemDataRole.UserRole, pgd.id)
                # A long list of drugs makes a tall row: every cell starts at its top.
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                if column == 4 and not pgd.valid_on(today):
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                    item.setForeground(QBrush(_EXPIRED))
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        if chosen is not None:
            self.choose(chosen)
        in_force = sum(1 for pgd in pgds if pgd.valid_on(today))
        self.summary.setText(
            self.tr(
                "PGDs in the register: {count}; in force today: {in_force}. An injection is "
                "given under a PGD only while it is in force, for the drugs and sites it covers, "
                "by the practitioners it names."
            ).format(count=len(pgds), in_force=in_force)
        )
        self._update_buttons()

    def _row_pgd(self, row: int) -> uuid.UUID | None:
        item = self.table.item(row, 0)
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return value if isinstance(value, uuid.UUID) else None

    def chosen(self) -> uuid.UUID | None:
        """The PGD of the chosen row, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self._row_pgd(rows[0].row()) if rows else None

    def choose(self, pgd_id: uuid.UUID) -> None:
        """Choose the row of this PGD, and bring it into sight."""
        for row in range(self.table.rowCount()):
            if self._row_pgd(row) == pgd_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.table.model().index(row, 0))

    def _update_buttons(self) -> None:
        self.edit_button.setEnabled(self.chosen() is not None)

    # ---------------------------------------------------------------- the form

    def start_new(self) -> None:
        """An empty form for a new PGD."""
        self._open_editor(None)

    def edit_chosen(self) -> None:
        """The chosen PGD on the form, to change."""
        pgd_id = self.chosen()
        pgd = self._vm.pgd(pgd_id) if pgd_id is not None else None
        if pgd is not None:
            self._open_editor(pgd)

    def _open_editor(self, pgd: PgdView | None) -> None:
        self._form_opened += 1
        self._editing = pgd.id if pgd is not None else None
        self._clear_errors()
        self.notice.hide_notice()
        if pgd is None:
            self.editor_title.setText(self.tr("A new PGD"))
        else:
            self.editor_title.setText(
                self.tr(
                    "Changing {name} (version {version}): a new version is a change of its version"
                ).format(name=pgd.name, version=pgd.version)
            )
        self.name.setText(pgd.name if pgd is not None else "")
        self.version.setText(pgd.version if pgd is not None else "")
        self.valid_from.setText(day_text(pgd.valid_from) if pgd is not None else "")
        self.valid_to.setText(day_text(pgd.valid_to) if pgd is not None else "")
        _fill(self.drugs, list(self._drugs.items()), set(pgd.drugs if pgd else ()))
        _fill(self.sites, list(self._targets.items()), set(pgd.targets if pgd else ()))
        named = pgd.practitioners if pgd is not None else ()
        people: list[tuple[object, str]] = list(self._vm.clinicians(named))
        _fill(self.practitioners, people, set(named))
        self.editor.setVisible(True)
        self.name.setFocus()

    def close_editor(self) -> None:
        """Put the form away, unsaved."""
        self._form_opened += 1
        self._editing = None
        self._clear_errors()
        self.editor.setVisible(False)

    @property
    def editing(self) -> uuid.UUID | None:
        """The PGD on the form (None for a new one)."""
        return self._editing

    def submit(self) -> None:
        """Save what the form holds, once the dates read as dates."""
        self._clear_errors()
        days: dict[str, date] = {}
        problems: dict[str, str] = {}
        for field, box in (("valid_from", self.valid_from), ("valid_to", self.valid_to)):
            day = read_day(box.text())
            if day is None:
                problems[field] = self.tr("Enter a date as day/month/year, for example 05/03/2026.")
            else:
                days[field] = day
        if problems:
            self._show_field_errors(problems)
            return
        data = PgdInput(
            name=self.name.text(),
            version=self.version.text(),
            valid_from=days["valid_from"],
            valid_to=days["valid_to"],
            drugs=tuple(str(value) for value in ticked(self.drugs)),
            targets=tuple(str(value) for value in ticked(self.sites)),
            practitioners=tuple(
                value for value in ticked(self.practitioners) if isinstance(value, uuid.UUID)
            ),
        )
        self._saving_from = (self._form_opened, data.name.strip() or self.tr("the PGD"))
        self._vm.save(self._editing, data)

    def _still_on_the_form_saved(self) -> bool:
        """Whether the form on show is the one the save on its way was sent from."""
        sent = self._saving_from
        return sent is None or sent[0] == self._form_opened

    def _on_saved(self, pgd: PgdView) -> None:
        if not self._still_on_the_form_saved():
            # Another PGD's form was opened meanwhile: it stays, with what is typed on it.
            self._saving_from = None
            self.notice.show_notice(
                self.tr("Saved: {name}, version {version}.").format(
                    name=pgd.name, version=pgd.version
                ),
                "success",
            )
            return
        self._saving_from = None
        self.close_editor()
        self.notice.show_notice(
            self.tr("Saved: {name}, version {version}.").format(name=pgd.name, version=pgd.version),
            "success",
        )
        self._pending_choice = pgd.id
        self.choose(pgd.id)

    def _clear_errors(self) -> None:
        self.error_summary.clear()
        for field in self.fields.values():
            field.set_error(None)

    def _show_field_errors(self, messages: dict[str, str]) -> None:
        if messages and not self._still_on_the_form_saved():
            # A refusal of a save sent from a form put away since: said, by name, not shown
            # beside another PGD's answers.
            _opened, name = self._saving_from or (0, "")
            self._saving_from = None
            self.notice.show_notice(
                self.tr("The change to {name} was not saved: {why}").format(
                    name=name, why=" ".join(messages.values())
                ),
                "problem",
            )
            return
        if messages:
            self._saving_from = None
        for name, field in self.fields.items():
            field.set_error(messages.get(name))
        if messages:
            shown = [
                f"{self.fields[name].text}: {words}"
                for name, words in messages.items()
                if name in self.fields
            ]
            headline = (
                self.tr("There is a problem with 1 answer. It is marked beside the question.")
                if len(shown) == 1
                else self.tr(
                    "There are problems with {count} answers. Each is marked beside its question."
                ).format(count=len(shown))
            )
            self.error_summary.show_problems(headline, shown)
        else:
            self.error_summary.clear()
