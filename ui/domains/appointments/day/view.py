"""A day list: the appointments in time order with what each needs, and the attendance steps."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.appointments import rules
from clinic_app.domains.appointments.views import DayEntry, DayList, DnaCheck
from clinic_app.kernel.errors import ValidationError
from ui.common import errors, formatting, theme
from ui.common.widgets import FormField, NoticeBar, label, set_role
from ui.domains.appointments.day.view_model import DayViewModel

_Index = QModelIndex | QPersistentModelIndex
_RED_FLAG_ROLE = Qt.ItemDataRole.UserRole + 1
# The roles as the plain numbers a view asks with (the model's answers are keyed by them).
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole.value
_FONT = Qt.ItemDataRole.FontRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_RED_FLAG = int(_RED_FLAG_ROLE)
_MARKER_WIDTH = 6
_MARKER_ROOM = 10
_RED = QColor(theme.NHS_RED)


def _tr(text: str) -> str:
    return QCoreApplication.translate("DayList", text)


TYPES = {
    "new": "New patient",
    "follow_up": "Follow-up",
    "procedure": "Procedure",
    "scan": "Scan",
    "group": "Group class",
}
MECHANISMS = {"face_to_face": "Face to face", "telephone": "Telephone", "video": "Video"}
STATUSES = {
    "booked": "Booked",
    "arrived": "Arrived",
    "in_room": "In room",
    "finished": "Seen",
    "dna": "Did not attend",
    "cancelled": "Cancelled",
}
#: The steps offered for the chosen row, with their buttons' words and keys.
STEPS = (
    ("arrive", "&Arrived", "Alt+A"),
    ("call_in", "In &room", "Alt+R"),
    # Alt+S is the Session menu's: Seen takes its second letter.
    ("finish", "S&een", "Alt+E"),
    ("dna", "Did &not attend", "Alt+N"),
)
#: The widest a name column grows (pixels) before its names wrap.
NAME_COLUMN_MOST = 260
DISCHARGED = "discharged"
DISCHARGE_DECLINED = "discharge_offered_declined"


def words(table: Mapping[str, str], code: str) -> str:
    """A code's words from one of the tables above (the code itself if unknown)."""
    return _tr(table[code]) if code in table else code.replace("_", " ")


def clock(moment: datetime) -> str:
    """A time of day on the clinic's clock: ``09:30``."""
    return rules.on_clinic_clock(moment).strftime("%H:%M")


def clinic_today() -> date:
    """Today on the clinic's wall clock."""
    return rules.clinic_day(datetime.now(UTC))


def day_heading(day: date, today: date) -> str:
    """``Today, Thursday 05-Dec-2026`` (or the weekday and date for another day)."""
    weekday = day.strftime("%A")
    shown = f"{weekday} {formatting.clinical_date(day)}"
    if day == today:
        return _tr("Today, {day}").format(day=shown)
    return shown


def synced_words(synced_at: datetime | None, today: date, server_set_up: bool = False) -> str:
    """What the header says about the last sync.

    Nothing on a laptop with no server set up (it holds the whole list); a warning when a
    server is set up but this laptop has never synced (the list may be missing bookings).
    """
    if synced_at is None:
        if not server_set_up:
            return ""
        return _tr("Never synced with the server: this shows only what was booked on this laptop.")
    local = rules.on_clinic_clock(synced_at)
    when = clock(synced_at)
    if local.date() == today:
        return _tr("Showing what was synced at {time} today").format(time=when)
    return _tr("Showing what was synced at {time} on {day}").format(
        time=when, day=formatting.clinical_date(local.date())
    )


def short_title(title: str) -> str:
    """A questionnaire's short name where its title ends with one: ``MSK-HQ``."""
    found = re.search(r"\(([^()]+)\)\s*$", title)
    return found.group(1) if found else title


def needs_words(entry: DayEntry) -> str:
    """What the appointment needs, one thing a line; a red flag first, in capitals."""
    needs = entry.needs
    lines: list[str] = []
    if needs.red_flag:
        lines.append(_tr("RED FLAG"))
    if needs.unsigned:
        lines.append(_tr("Unsigned: {what}").format(what=", ".join(needs.unsigned)))
    if needs.questionnaires_due:
        due = ", ".join(short_title(title) for title in needs.questionnaires_due)
        lines.append(_tr("Due: {what}").format(what=due))
    if needs.report_waiting:
        lines.append(_tr("Scan report waiting"))
    return "\n".join(lines)


def age_on(born: date, day: date) -> int:
    """Age in whole years on ``day``."""
    years = day.year - born.year
    return years - 1 if (day.month, day.day) < (born.month, born.day) else years


class DayModel(QAbstractTableModel):
    """Day-list entries as rows, in the order the service gave them (time order)."""

    def __init__(self, with_clinician: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns: tuple[str, ...] = ("time", "patient", "what", "status", "needs")
        if with_clinician:
            self.columns = ("time", "clinician", "patient", "what", "status", "needs")
        self._headers = {
            "time": _tr("Time"),
            "clinician": _tr("Clinician"),
            "patient": _tr("Patient"),
            "what": _tr("Appointment"),
            "status": _tr("Status"),
            "needs": _tr("Needs"),
        }
        self._rows: list[DayEntry] = []
        self._cells: list[list[dict[int, Any]]] = []
        self._bold = QFont()
        self._bold.setBold(True)
        self._red = QColor(theme.NHS_RED)

    def set_rows(self, rows: tuple[DayEntry, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        # What each cell answers for each role, worked out once: a view asks many times over
        # (every layout and paint asks every role of every cell it shows).
        self._cells = [[self._cell(entry, column) for column in self.columns] for entry in rows]
        self.endResetModel()

    def _cell(self, entry: DayEntry, column: str) -> dict[int, Any]:
        text = self.text(entry, column)
        red = entry.needs.red_flag and column == "needs"
        cell: dict[int, Any] = {
            _DISPLAY: text,
            _TOOLTIP: text,
            _ACCESSIBLE: text.replace("\n", ", "),
            _RED_FLAG: entry.needs.red_flag,
        }
        if red or column == "status":
            cell[_FONT] = self._bold
        if red:
            cell[_FOREGROUND] = self._red
        return cell

    def row_of(self, appointment_id: uuid.UUID) -> int:
        return next((i for i, r in enumerate(self._rows) if r.appointment.id == appointment_id), -1)

    def entry_at(self, row: int) -> DayEntry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[self.columns[section]]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        return self._cells[index.row()][index.column()].get(role)

    def text(self, entry: DayEntry, column: str) -> str:
        """What one cell says."""
        appointment = entry.appointment
        if column == "time":
            return f"{clock(appointment.starts_at)}\n{appointment.minutes} min"
        if column == "clinician":
            room = f"\n{appointment.room}" if appointment.room else ""
            return f"{appointment.clinician_name}{room}"
        if column == "patient":
            facts = formatting.nhs_number(entry.nhs_number)
            if entry.date_of_birth is not None:
                years = age_on(entry.date_of_birth, appointment.starts_at.date())
                facts += f" · {formatting.age(years)}"
            return f"{entry.patient_name}\n{facts}"
        if column == "what":
            what = words(TYPES, appointment.appointment_type)
            return f"{what}\n{words(MECHANISMS, appointment.mechanism)}"
        if column == "status":
            status = words(STATUSES, appointment.status)
            if appointment.clash_open:
                status += "\n" + _tr("Double booked")
            return status
        return needs_words(entry)


class _MarkerDelegate(QStyledItemDelegate):
    """Paints a red bar at the left of a row whose patient has an open red flag.

    The bar's room is added to the column's width where the columns are fitted, so Qt asks
    no Python code for the cells' sizes.
    """

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        # The text moves right to leave the marker its room (the selection fills the whole).
        shifted = QStyleOptionViewItem(option)
        shifted.rect = option.rect.adjusted(_MARKER_ROOM, 0, 0, 0)
        painter.save()
        painter.fillRect(option.rect, option.palette.base())
        painter.restore()
        super().paint(painter, shifted, index)
        if index.data(_RED_FLAG_ROLE):
            rect: QRect = option.rect
            painter.fillRect(QRect(rect.left(), rect.top(), _MARKER_WIDTH, rect.height()), _RED)


class DnaDialog(QDialog):
    """Asks what recording a non-attendance needs: an open emergency's action, the rule's offer."""

    def __init__(self, entry: DayEntry, check: DnaCheck, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = entry
        self.check = check
        self.setWindowTitle(_tr("Did not attend"))
        self.setObjectName("dnaDialog")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        when = clock(entry.appointment.starts_at)
        # The NHS number beside the name: two patients may share a name on one day.
        who = entry.patient_name
        if entry.nhs_number:
            who = f"{who} ({formatting.nhs_number(entry.nhs_number)})"
        self.question = label(
            _tr("Record that {name} did not attend at {time}?").format(name=who, time=when),
            "subheading",
            wrap=True,
        )
        self.question.setObjectName("dnaQuestion")
        layout.addWidget(self.question)
        self._build_emergency_box(check)
        layout.addWidget(self.emergency_box)

        self.rule = label(check.rule_words, "hint", wrap=True)
        self.rule.setObjectName("dnaRule")
        self.rule.setVisible(bool(check.rule_words))
        layout.addWidget(self.rule)
        self.decision_group = QButtonGroup(self)
        self.discharge = QRadioButton(_tr("Discharge back to the GP"))
        self.discharge.setObjectName("discharge")
        self.keep_open = QRadioButton(_tr("Keep the episode open"))
        self.keep_open.setObjectName("keepOpen")
        self.decision_group.addButton(self.discharge)
        self.decision_group.addButton(self.keep_open)
        decisions = QHBoxLayout()
        decisions.addWidget(self.discharge)
        decisions.addWidget(self.keep_open)
        decisions.addStretch(1)
        self.decision_box = QWidget()
        self.decision_box.setLayout(decisions)
        self.decision_box.setVisible(check.discharge_offered)
        layout.addWidget(self.decision_box)
        self.problem = label("", "fieldError", wrap=True)
        self.problem.setVisible(False)
        layout.addWidget(self.problem)

        self.buttons = QDialogButtonBox()
        self.record_button = self.buttons.addButton(
            _tr("Record did not attend"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.record_button.setObjectName("recordDna")
        set_role(self.record_button, "", variant="primary")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_record)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if check.emergencies:
            self.action.setFocus(Qt.FocusReason.OtherFocusReason)

    def _build_emergency_box(self, check: DnaCheck) -> None:
        self.emergency_box = QFrame()
        self.emergency_box.setObjectName("dnaEmergency")
        set_role(self.emergency_box, "notice", tone="problem")
        box_layout = QVBoxLayout(self.emergency_box)
        box_layout.setContentsMargins(12, 10, 12, 10)
        box_layout.addWidget(label(_tr("Open red-flag emergency"), "subheading"))
        self.emergencies = label("\n".join(check.emergencies), wrap=True)
        self.emergencies.setObjectName("dnaEmergencies")
        box_layout.addWidget(self.emergencies)
        box_layout.addWidget(
            label(
                _tr(
                    "This patient has an open emergency and has not come. Say what you have "
                    "done about it (for example: phoned the patient, told them to go to the "
                    "emergency department, told the GP)."
                ),
                wrap=True,
            )
        )
        self.action = QPlainTextEdit()
        self.action.setObjectName("emergencyAction")
        self.action.setTabChangesFocus(True)
        self.action.setFixedHeight(self.action.fontMetrics().lineSpacing() * 3 + 18)
        self.action_field = FormField(_tr("What was done"), self.action)
        box_layout.addWidget(self.action_field)
        self.emergency_box.setVisible(bool(check.emergencies))

    def emergency_action(self) -> str:
        return self.action.toPlainText().strip()

    def decision(self) -> str:
        if not self.check.discharge_offered:
            return ""
        if self.discharge.isChecked():
            return DISCHARGED
        return DISCHARGE_DECLINED if self.keep_open.isChecked() else ""

    def _on_record(self) -> None:
        # Asked here first; the service asks again and its refusal lands under the field.
        if self.check.emergencies and not self.emergency_action():
            self.show_errors(
                {
                    "emergency_action": ValidationError(
                        "appointment.emergency_action_required", field="emergency_action"
                    )
                }
            )
            return
        if self.check.discharge_offered and not self.decision():
            self.problem.setText(_tr("Choose whether to discharge the patient back to the GP."))
            self.problem.setVisible(True)
            return
        self.accept()

    def show_errors(self, by_field: Mapping[str, ValidationError]) -> None:
        error = by_field.get("emergency_action")
        message = errors.field_message(error, self.action_field.text) if error else None
        if error is not None and not errors.has_words(error.code):
            message = _tr("Say what was done about the open emergency.")
        self.action_field.set_error(message)
        if message:
            self.action.setFocus(Qt.FocusReason.OtherFocusReason)


class DayView(QWidget):
    """The day's appointments; the chosen one's steps below; Enter opens its record."""

    #: ``(appointment_id)``: open the chosen row's patient's record at the right place.
    open_requested = Signal(object)

    def __init__(self, view_model: DayViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.dna_dialog: DnaDialog | None = None
        #: Which list is on show (day, site, clinician): a new one starts on its first row.
        self._shown: tuple[object, ...] | None = None
        self._today = clinic_today()
        title = _tr("Site day list") if view_model.site_view else _tr("My day list")
        self.heading = label(title, "heading")
        self.day_label = label("", "subheading")
        self.day_label.setObjectName("dayLabel")
        self.synced = label("", "hint", wrap=True)
        self.synced.setObjectName("syncedAt")
        self.count = label("", "hint")
        self.notice = NoticeBar()
        self.site = QComboBox()
        self.site.setObjectName("site")
        self.site.setAccessibleName(_tr("Site"))
        self.site.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.site.setMinimumWidth(260)
        self.previous_button = QPushButton(_tr("◀ Previous day"))
        self.today_button = QPushButton(_tr("Today"))
        self.next_button = QPushButton(_tr("Next day ▶"))
        for button, tip in (
            (self.previous_button, _tr("The day before (Alt+Left)")),
            (self.today_button, _tr("Back to today (Alt+Home)")),
            (self.next_button, _tr("The day after (Alt+Right)")),
        ):
            button.setToolTip(tip)
        self._build_table(view_model.site_view)
        self.empty = label("", "hint", wrap=True)
        self.open_button = QPushButton(_tr("Open record"))
        self.open_button.setObjectName("openRecord")
        self.open_button.setToolTip(
            _tr("Open this patient's record where the visit needs it (Enter)")
        )
        set_role(self.open_button, "", variant="primary")
        self.step_buttons: dict[str, QPushButton] = {}
        for step, text, keys in STEPS:
            button = QPushButton(_tr(text))
            button.setObjectName(f"step_{step}")
            button.setToolTip(keys)
            self.step_buttons[step] = button
        self._lay_out()
        # Only once it has a parent: shown before, it would flash up as a window of its own.
        self.site.setVisible(view_model.site_view)
        self._connect()
        self._on_vm_day_loaded(None)

    def _build_table(self, with_clinician: bool) -> None:
        self.model = DayModel(with_clinician, self)
        self.table = QTableView()
        self.table.setObjectName("dayList")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(0, _MarkerDelegate(self.table))
        self.table.setAccessibleName(_tr("Appointments on this day"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(True)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        # Columns and rows are fitted to their words when a list is read (and rows again when
        # the widths change), not on every layout: a view fitting itself asks every cell
        # again each time it is laid out.
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Wrapped needs take more lines once the columns have their widths: once for all
        # the columns that change together, not once per column.
        self._fit_rows = QTimer(self)
        self._fit_rows.setSingleShot(True)
        self._fit_rows.setInterval(0)
        self._fit_rows.timeout.connect(self.table.resizeRowsToContents)
        header.sectionResized.connect(lambda *_a: self._fit_rows.start())

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.site)
        days = QHBoxLayout()
        days.addWidget(self.day_label)
        days.addStretch(1)
        days.addWidget(self.previous_button)
        days.addWidget(self.today_button)
        days.addWidget(self.next_button)
        actions = QHBoxLayout()
        actions.addWidget(self.open_button)
        actions.addStretch(1)
        for button in self.step_buttons.values():
            actions.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 12, 12)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addLayout(days)
        layout.addWidget(self.synced)
        layout.addWidget(self.notice)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(actions)

    def _connect(self) -> None:
        vm = self._vm
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        self.table.doubleClicked.connect(lambda _index: self.open_chosen())
        for keys in ("Return", "Enter"):
            opener = QShortcut(QKeySequence(keys), self.table)
            opener.setContext(Qt.ShortcutContext.WidgetShortcut)
            opener.activated.connect(self.open_chosen)
        for keys, days in (("Alt+Left", -1), ("Alt+Right", 1)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda days=days: vm.step_days(days))
        home = QShortcut(QKeySequence("Alt+Home"), self)
        home.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        home.activated.connect(lambda: vm.go_to(None))
        self.open_button.clicked.connect(self.open_chosen)
        self.previous_button.clicked.connect(lambda: vm.step_days(-1))
        self.next_button.clicked.connect(lambda: vm.step_days(1))
        self.today_button.clicked.connect(lambda: vm.go_to(None))
        for step, button in self.step_buttons.items():
            button.clicked.connect(lambda _checked=False, step=step: self.take_step(step))
        self.site.currentIndexChanged.connect(self._on_site_chosen)
        vm.day_loaded.connect(self._on_vm_day_loaded)
        vm.sites_loaded.connect(self._on_vm_sites_loaded)
        vm.stepped.connect(self._on_vm_stepped)
        vm.dna_asked.connect(self._on_vm_dna_asked)
        vm.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        vm.field_errors_changed.connect(self._on_vm_field_errors)
        vm.busy_changed.connect(lambda _busy: self._update_buttons())

    # ------------------------------------------------------------------ the chosen row

    def chosen(self) -> DayEntry | None:
        index = self.table.currentIndex()
        return self.model.entry_at(index.row()) if index.isValid() else None

    def select(self, appointment_id: uuid.UUID) -> None:
        row = self.model.row_of(appointment_id)
        if row >= 0:
            self.table.selectRow(row)

    def focus_list(self) -> None:
        """Put the keyboard in the list, on the first appointment if none is chosen."""
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.selectRow(0)

    def open_chosen(self) -> None:
        entry = self.chosen()
        if entry is not None:
            self.open_requested.emit(entry.appointment.id)

    def take_step(self, step: str) -> None:
        entry = self.chosen()
        if entry is None or not self._vm.may_step(step, entry):
            return
        self.notice.hide_notice()
        if step == "dna":
            self._vm.ask_dna(entry.appointment.id)
        else:
            self._vm.take_step(step, entry.appointment.id)

    def _update_buttons(self) -> None:
        entry = self.chosen()
        self.open_button.setEnabled(entry is not None)
        for step, button in self.step_buttons.items():
            button.setEnabled(self._vm.may_step(step, entry))
            button.setVisible(self._vm.may_step(step, entry) or self._offered(step))

    def _offered(self, step: str) -> bool:
        """A step the user may take at all (shown greyed when this row's status rules it out).

        Decided by who the user is, not by the rows: the buttons keep their places as the
        list changes, and showing them is not redone (and laid out again) on every read.
        """
        return self._vm.may_ever(step)

    def model_entries(self) -> list[DayEntry]:
        return [e for i in range(self.model.rowCount()) if (e := self.model.entry_at(i))]

    # ------------------------------------------------------------------ answers

    def _on_vm_day_loaded(self, day_list: DayList | None) -> None:
        chosen = self.chosen()
        shown = (
            (day_list.day, day_list.site_id, day_list.clinician_id)
            if day_list is not None
            else None
        )
        fresh, self._shown = shown != self._shown, shown
        self._today = clinic_today()
        entries = day_list.entries if day_list is not None else ()
        self.model.set_rows(entries)
        self._fit_columns()
        if day_list is None:
            self.day_label.setText("")
            self.synced.setVisible(False)
            self.count.setText("")
            self.empty.setVisible(False)
        else:
            self.day_label.setText(day_heading(day_list.day, self._today))
            synced = synced_words(day_list.synced_at, self._today, self._vm.never_synced)
            self.synced.setText(synced)
            self.synced.setVisible(bool(synced))
            self.count.setText(self._count_words(entries))
            self.empty.setText(_tr("No appointments on this day."))
            self.empty.setVisible(not entries)
        row = self.model.row_of(chosen.appointment.id) if chosen is not None else -1
        if row >= 0:
            self.table.selectRow(row)
        elif fresh and self.model.rowCount():
            # A fresh list (another day, site or user) starts on its first appointment, so
            # Enter and the steps' keys work at once. A chosen row that has gone from the
            # list it was chosen on is never swapped for another.
            self.table.selectRow(0)
        self._update_buttons()

    def _fit_columns(self) -> None:
        """Each column as wide as its words; the names up to a limit, past which they wrap.

        A long name never pushes the status, the needs and a red flag out of sight. Then the
        rows as tall as their words in those widths, at once: the list is drawn once, in its
        final shape.
        """
        header = self.table.horizontalHeader()
        last = len(self.model.columns) - 1
        for at, column in enumerate(self.model.columns):
            if at == last:
                continue
            wanted = max(self.table.sizeHintForColumn(at), header.sectionSizeHint(at))
            if at == 0:
                wanted += _MARKER_ROOM
            if column in ("patient", "clinician"):
                wanted = min(wanted, NAME_COLUMN_MOST)
            header.resizeSection(at, wanted)
        self.table.resizeRowsToContents()
        # The widths set here asked for the rows to be fitted again: they already are.
        self._fit_rows.stop()

    @staticmethod
    def _count_words(entries: tuple[DayEntry, ...]) -> str:
        if not entries:
            return ""
        seen = sum(1 for e in entries if e.appointment.status == "finished")
        flagged = sum(1 for e in entries if e.needs.red_flag)
        text = (
            _tr("1 appointment")
            if len(entries) == 1
            else _tr("{count} appointments").format(count=len(entries))
        )
        text += _tr(" · {seen} seen").format(seen=seen)
        if flagged:
            text += _tr(" · {count} with a red flag").format(count=flagged)
        return text

    def _on_vm_sites_loaded(self, sites: list[Any]) -> None:
        self.site.blockSignals(True)
        self.site.clear()
        for site in sites:
            self.site.addItem(site.name, site.id)
        index = next(
            (i for i in range(self.site.count()) if self.site.itemData(i) == self._vm.site_id), -1
        )
        self.site.setCurrentIndex(max(index, 0))
        self.site.blockSignals(False)

    def _on_site_chosen(self, _index: int) -> None:
        data = self.site.currentData()
        self._vm.choose_site(data if isinstance(data, uuid.UUID) else None)

    def _on_vm_stepped(self, result: Any, step: str) -> None:
        if self.dna_dialog is not None:
            self.dna_dialog.hide()
            self.dna_dialog.deleteLater()
            self.dna_dialog = None
        entry = self._vm.entry(result.id)
        name = entry.patient_name if entry is not None else _tr("The patient")
        said = {
            "arrive": _tr("{name} has arrived."),
            "call_in": _tr("{name} is in the room."),
            "finish": _tr("{name} has been seen."),
            "dna": _tr("{name}: did not attend recorded."),
        }
        self.notice.show_notice(said[step].format(name=name), "success")
        self._back_to_list()

    def _on_vm_dna_asked(self, entry: DayEntry, check: DnaCheck) -> None:
        dialog = DnaDialog(entry, check, self)
        self.dna_dialog = dialog
        appointment_id = entry.appointment.id
        dialog.accepted.connect(
            lambda: self._vm.record_dna(
                appointment_id, dialog.emergency_action(), dialog.decision()
            )
        )
        dialog.rejected.connect(self._forget_dialog)
        dialog.setModal(True)
        dialog.show()

    def _forget_dialog(self) -> None:
        if self.dna_dialog is not None:
            self.dna_dialog.deleteLater()
        self.dna_dialog = None
        # Cancelled: the keyboard goes back to the list, on the row it was on.
        self._back_to_list()

    def _back_to_list(self) -> None:
        """The keyboard in the list again once a dialog has gone (its window active)."""
        self.window().activateWindow()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_vm_field_errors(self, by_field: Mapping[str, ValidationError]) -> None:
        if not by_field:
            return
        if self.dna_dialog is None:
            self.notice.show_notice(
                "\n".join(errors.field_message(e) for e in by_field.values()), "problem"
            )
            return
        # The service refused: the dialog comes back with the refusal under its field.
        self.dna_dialog.show_errors(by_field)
        self.dna_dialog.show()
