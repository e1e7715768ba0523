"""Clinicians' regular sessions: a table, and a form at the side to add, change or end one."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.appointments.views import SessionView
from clinic_app.kernel.errors import ValidationError
from ui.common import errors, formatting
from ui.common.widgets import ErrorSummary, FormField, NoticeBar, card, form_grid, label, set_role
from ui.domains.appointments.sessions.view_model import SessionsOnFile, SessionsViewModel

_PANEL_WIDTH = 440


def _tr(text: str) -> str:
    return QCoreApplication.translate("Sessions", text)


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TYPES = {
    "": "Any kind",
    "new": "New patients",
    "follow_up": "Follow-ups",
    "procedure": "Procedures",
    "scan": "Scans",
    "group": "Group classes",
}
FIELD_ALIASES = {"clinician": "clinician_id", "site": "site_id"}


def typed_day(day: date) -> str:
    """A day as staff type it into a date field: ``31/03/2027``."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def period_words(session: SessionView) -> str:
    """``From 02-Jan-2027`` or ``02-Jan-2027 to 30-Jun-2027``."""
    start = formatting.clinical_date(session.valid_from)
    if session.valid_until is None:
        return _tr("From {start}").format(start=start)
    return _tr("{start} to {end}").format(
        start=start, end=formatting.clinical_date(session.valid_until)
    )


class SessionForm(QWidget):
    """One session: who, where, which weekday, hours, slot length, for what, from when."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: dict[str, FormField] = {}
        self.heading = label(_tr("Add a session"), "subheading")
        self.summary = ErrorSummary()
        self.clinician = QComboBox()
        self.clinician.setObjectName("clinician")
        self.site = QComboBox()
        self.site.setObjectName("site")
        self.room = QLineEdit()
        self.room.setObjectName("room")
        self.weekday = QComboBox()
        self.weekday.setObjectName("weekday")
        for number, name in enumerate(WEEKDAYS):
            self.weekday.addItem(_tr(name), number)
        self.starts = QLineEdit()
        self.starts.setObjectName("starts")
        self.starts.setPlaceholderText(_tr("HH:MM"))
        self.ends = QLineEdit()
        self.ends.setObjectName("ends")
        self.ends.setPlaceholderText(_tr("HH:MM"))
        self.slot_minutes = QLineEdit("30")
        self.slot_minutes.setObjectName("slotMinutes")
        self.appointment_type = QComboBox()
        self.appointment_type.setObjectName("appointmentType")
        for code, text in TYPES.items():
            self.appointment_type.addItem(_tr(text), code)
        self.valid_from = QLineEdit()
        self.valid_from.setObjectName("validFrom")
        self.valid_until = QLineEdit()
        self.valid_until.setObjectName("validUntil")
        self.save_button = QPushButton(_tr("Add session"))
        self.save_button.setObjectName("saveSession")
        set_role(self.save_button, "", variant="primary")
        self.new_button = QPushButton(_tr("New session"))
        self.new_button.setObjectName("newSession")
        self.last_day = QLineEdit()
        self.last_day.setObjectName("lastDay")
        self.last_day.setPlaceholderText(_tr("day/month/year, e.g. 31/03/2027"))
        self.end_button = QPushButton(_tr("End session"))
        self.end_button.setObjectName("endSession")
        self._lay_out()

    def _field(self, name: str, text: str, editor: QWidget, optional: bool = False) -> FormField:
        field = FormField(text, editor, optional=optional)
        self.fields[name] = field
        return field

    def _lay_out(self) -> None:
        grid = form_grid(2)
        grid.addWidget(self._field("clinician_id", _tr("Clinician"), self.clinician), 0, 0, 1, 2)
        grid.addWidget(self._field("site_id", _tr("Site"), self.site), 1, 0)
        grid.addWidget(self._field("room", _tr("Room"), self.room, optional=True), 1, 1)
        grid.addWidget(self._field("weekday", _tr("Day of the week"), self.weekday), 2, 0)
        grid.addWidget(self._field("slot_minutes", _tr("Slot (minutes)"), self.slot_minutes), 2, 1)
        grid.addWidget(self._field("starts", _tr("Starts"), self.starts), 3, 0)
        grid.addWidget(self._field("ends", _tr("Ends"), self.ends), 3, 1)
        grid.addWidget(
            self._field("appointment_type", _tr("Slots for"), self.appointment_type), 4, 0, 1, 2
        )
        grid.addWidget(self._field("valid_from", _tr("From"), self.valid_from, True), 5, 0)
        grid.addWidget(self._field("valid_until", _tr("Until"), self.valid_until, True), 5, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        self.end_box = QWidget()
        end_layout = QHBoxLayout(self.end_box)
        end_layout.setContentsMargins(0, 0, 0, 0)
        end_layout.addWidget(self._field("last_day", _tr("Last day"), self.last_day), 1)
        end_layout.addWidget(self.end_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 16)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(self.end_box)
        layout.addStretch(1)

    def values(self) -> dict[str, object]:
        return {
            "clinician_id": self.clinician.currentData(),
            "site_id": self.site.currentData(),
            "room": self.room.text().strip(),
            "weekday": self.weekday.currentData(),
            "starts": self.starts.text().strip(),
            "ends": self.ends.text().strip(),
            "slot_minutes": self.slot_minutes.text().strip(),
            "appointment_type": self.appointment_type.currentData() or "",
            "valid_from": self.valid_from.text().strip(),
            "valid_until": self.valid_until.text().strip(),
        }

    def show_session(self, session: SessionView | None) -> None:
        """Fill the form from ``session`` (None: an empty form to add one)."""
        self.show_errors({})
        self.summary.clear()
        self.heading.setText(_tr("Change the session") if session else _tr("Add a session"))
        self.save_button.setText(_tr("Save changes") if session else _tr("Add session"))
        self.end_box.setVisible(session is not None)
        self.last_day.clear()
        if session is None:
            for edit in (self.room, self.starts, self.ends, self.valid_from, self.valid_until):
                edit.clear()
            self.slot_minutes.setText("30")
            self.appointment_type.setCurrentIndex(0)
            return
        _choose(self.clinician, session.clinician_id)
        _choose(self.site, session.site_id)
        self.room.setText(session.room or "")
        _choose(self.weekday, session.weekday)
        self.starts.setText(session.starts)
        self.ends.setText(session.ends)
        self.slot_minutes.setText(str(session.slot_minutes))
        _choose(self.appointment_type, session.appointment_type or "")
        self.valid_from.setText(typed_day(session.valid_from))
        until = session.valid_until
        self.valid_until.setText(typed_day(until) if until else "")

    def show_errors(self, by_field: Mapping[str, ValidationError]) -> list[str]:
        named = {FIELD_ALIASES.get(name, name): error for name, error in by_field.items()}
        shown: list[str] = []
        for name, field in self.fields.items():
            error = named.get(name)
            message = errors.field_message(error, field.text) if error else None
            field.set_error(message)
            if message:
                shown.append(message)
        return shown


def _choose(combo: QComboBox, data: object) -> None:
    # Compared in Python: ids are kept as objects, which Qt's own search cannot match.
    index = next((i for i in range(combo.count()) if combo.itemData(i) == data), -1)
    if index >= 0:
        combo.setCurrentIndex(index)


class SessionsView(QWidget):
    """Every live session by clinician and weekday; the chosen one is changed at the side."""

    def __init__(self, view_model: SessionsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._editing: uuid.UUID | None = None
        self._problems: list[str] = []
        self.heading = label(_tr("Clinicians' sessions"), "heading")
        self.hint = label(
            _tr("Each clinician's regular clinics: the slots offered for booking come from these."),
            "hint",
            wrap=True,
        )
        self.notice = NoticeBar()
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("sessions")
        self.table.setHorizontalHeaderLabels(
            [_tr("Clinician"), _tr("Day"), _tr("Hours"), _tr("Where"), _tr("In use")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Names and sites can be long: set widths, wrapped, so every column stays in view.
        for column, width in ((0, 180), (3, 170)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, width)
        self.form = SessionForm()
        panel = card()
        panel_layout = QVBoxLayout(panel)
        panel_layout.setContentsMargins(0, 0, 0, 0)
        panel_layout.addWidget(self.form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(panel)
        scroll.setFixedWidth(_PANEL_WIDTH)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.panel_scroll = scroll
        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(self.heading)
        left.addWidget(self.hint)
        left.addWidget(self.notice)
        left.addWidget(self.table, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 14, 12, 12)
        layout.setSpacing(14)
        layout.addLayout(left, 1)
        layout.addWidget(scroll)
        self._connect()
        self.form.show_session(None)

    def _connect(self) -> None:
        self.table.itemSelectionChanged.connect(self._on_row_chosen)
        self.form.save_button.clicked.connect(self.save)
        self.form.new_button.clicked.connect(self.start_new)
        self.form.end_button.clicked.connect(self.end)
        self._vm.loaded.connect(self._on_vm_loaded)
        self._vm.saved.connect(self._on_vm_saved)
        self._vm.problem.connect(self._on_vm_problem)
        self._vm.field_errors_changed.connect(
            lambda by_field: setattr(self, "_problems", self.form.show_errors(by_field))
        )
        self._vm.busy_changed.connect(self._on_vm_busy)

    def _on_vm_busy(self, busy: bool) -> None:
        self.form.save_button.setEnabled(not busy)
        self.form.end_button.setEnabled(not busy)

    def chosen_id(self) -> uuid.UUID | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        data = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return data if isinstance(data, uuid.UUID) else None

    def select(self, session_id: uuid.UUID) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == session_id:
                self.table.selectRow(row)
                return

    def start_new(self) -> None:
        self.table.clearSelection()
        self.table.setCurrentCell(-1, -1)
        self._editing = None
        self.form.show_session(None)
        self.form.clinician.setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self) -> None:
        self.notice.hide_notice()
        self._vm.save(self._editing, self.form.values())

    def end(self) -> None:
        if self._editing is not None:
            self.notice.hide_notice()
            self._vm.end(self._editing, self.form.last_day.text().strip())

    def _on_row_chosen(self) -> None:
        chosen = self.chosen_id()
        session = self._vm.session_view(chosen) if chosen is not None else None
        if session is not None:
            self._editing = session.id
            self.form.show_session(session)

    def _on_vm_loaded(self, found: SessionsOnFile | None) -> None:
        editing = self._editing
        sessions = found.sessions if found is not None else ()
        if found is not None:
            for combo, choices in (
                (self.form.clinician, found.clinicians),
                (self.form.site, found.sites),
            ):
                current = combo.currentData()
                combo.clear()
                combo.addItem(_tr("Choose…"), None)
                for choice in choices:
                    combo.addItem(choice.name, choice.id)
                _choose(combo, current)
        self.table.blockSignals(True)
        self.table.setRowCount(len(sessions))
        for row, session in enumerate(sessions):
            room = f"\n{session.room}" if session.room else ""
            kind = TYPES.get(session.appointment_type or "", session.appointment_type or "")
            cells = (
                session.clinician_name,
                _tr(WEEKDAYS[session.weekday]) if 0 <= session.weekday < 7 else "",
                f"{session.starts} to {session.ends}\n"
                + _tr("{minutes} min slots · {kind}").format(
                    minutes=session.slot_minutes, kind=_tr(kind)
                ),
                f"{session.site_name}{room}",
                period_words(session),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, session.id)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        if editing is not None:
            self.select(editing)
            self._on_row_chosen()

    def _on_vm_saved(self, result: Any, what: str) -> None:
        said = {
            "added": _tr("Session added: {who}, {day} {starts} to {ends}."),
            "changed": _tr("Session changed: {who}, {day} {starts} to {ends}."),
            "ended": _tr("Session ended: {who}, {day} {starts} to {ends}."),
        }
        day = _tr(WEEKDAYS[result.weekday]) if 0 <= result.weekday < 7 else ""
        self.notice.show_notice(
            said[what].format(
                who=result.clinician_name, day=day, starts=result.starts, ends=result.ends
            ),
            "success",
        )
        self._editing = result.id

    def _on_vm_problem(self, message: str) -> None:
        self.form.summary.show_problems(message, self._problems)
        self.panel_scroll.verticalScrollBar().setValue(0)

    def reset(self) -> None:
        self._editing = None
        self.form.show_session(None)
        self.notice.hide_notice()
