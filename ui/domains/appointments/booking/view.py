"""The open patient's appointments, the booking form (with its warnings) and cancelling."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.appointments import rules
from clinic_app.domains.appointments.views import (
    AppointmentView,
    BookingCheck,
    ClashView,
    Slot,
)
from clinic_app.kernel.errors import ValidationError
from ui.common import errors, formatting
from ui.common.drafts import FormDraft
from ui.common.widgets import ErrorSummary, FormField, NoticeBar, card, form_grid, label, set_role
from ui.domains.appointments.booking.view_model import (
    BookingChoices,
    BookingViewModel,
    PatientAppointments,
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Booking", text)


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
#: The service may name a field by its input's name or by what it is: both land on one field.
#: The service's field names as the booking form's fields are named (rebooking's "reason" is
#: the form's "Why it moves").
FIELD_ALIASES = {
    "clinician": "clinician_id",
    "site": "site_id",
    "date": "day",
    "starts_at": "time",
    "reason": "cancel_reason",
}


def words(table: Mapping[str, str], code: str) -> str:
    """A code's words (the code itself if unknown)."""
    return _tr(table[code]) if code in table else code.replace("_", " ")


def local(moment: datetime) -> datetime:
    """A stored moment on the clinic's wall clock."""
    return rules.on_clinic_clock(moment)


#: What a booking kept as a draft holds of the form: its choices (by their data) and its boxes.
_KEPT_CHOICES = ("clinician", "site", "appointment_type", "mechanism")
_KEPT_BOXES = ("room", "day", "time", "minutes")


def _kept_id(value: object) -> uuid.UUID | None:
    """An id kept in a draft as text, or None."""
    try:
        return uuid.UUID(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def typed_day(day: date) -> str:
    """A day as staff type it into a date field: ``12/01/2027``."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def when_words(moment: datetime, minutes: int) -> str:
    """``Thu 05-Dec-2026 09:30 (30 min)``."""
    shown = local(moment)
    day = formatting.clinical_date(shown.date())
    return f"{shown.strftime('%a')} {day} {shown.strftime('%H:%M')} ({minutes} min)"


def span_words(moment: datetime, minutes: int) -> str:
    """``09:30 to 10:00``."""
    start = local(moment)
    end = start + timedelta(minutes=minutes)
    return f"{start.strftime('%H:%M')} to {end.strftime('%H:%M')}"


def slot_words(slot: Slot) -> str:
    """A free slot as the list offers it."""
    room = f", {slot.room}" if slot.room else ""
    return (
        f"{local(slot.starts_at).strftime('%H:%M')} · {slot.minutes} min · {slot.site_name}{room}"
    )


def clash_words(clash: ClashView, patient_id: uuid.UUID) -> str:
    """Which two appointments overlap, from the banner patient's side."""
    mine, other = (
        (clash.first, clash.second)
        if clash.first.patient_id == patient_id
        else (clash.second, clash.first)
    )
    return _tr(
        "Double booked: this patient's appointment {mine} with {clinician} overlaps another "
        "appointment at {other}, booked on another device. Rebook or cancel one of them, or "
        "keep both with a reason."
    ).format(
        mine=when_words(mine.starts_at, mine.minutes),
        clinician=clash.clinician_name,
        other=span_words(other.starts_at, other.minutes),
    )


def _text_box(lines: int) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 18)
    return box


class CancelBy(QWidget):
    """By the patient or by the service."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.patient = QRadioButton(_tr("By the patient"))
        self.patient.setObjectName("byPatient")
        self.service = QRadioButton(_tr("By the service"))
        self.service.setObjectName("byService")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for button in (self.patient, self.service):
            self.group.addButton(button)
            layout.addWidget(button)
        layout.addStretch(1)

    def code(self) -> str:
        if self.patient.isChecked():
            return "patient"
        return "service" if self.service.isChecked() else ""

    def clear(self) -> None:
        self.group.setExclusive(False)
        self.patient.setChecked(False)
        self.service.setChecked(False)
        self.group.setExclusive(True)


class BookingForm(QWidget):
    """Book (or rebook): who, where, when, how long, what and how; free slots offered."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: dict[str, FormField] = {}
        self.heading = label(_tr("Book an appointment"), "heading")
        self.summary = ErrorSummary()
        self.clinician = QComboBox()
        self.clinician.setObjectName("clinician")
        self.site = QComboBox()
        self.site.setObjectName("site")
        self.room = QLineEdit()
        self.room.setObjectName("room")
        self.day = QLineEdit()
        self.day.setObjectName("day")
        self.day.setPlaceholderText(_tr("day/month/year, e.g. 12/01/2027"))
        self.time = QLineEdit()
        self.time.setObjectName("time")
        self.time.setPlaceholderText(_tr("HH:MM"))
        self.minutes = QLineEdit("30")
        self.minutes.setObjectName("minutes")
        self.appointment_type = QComboBox()
        self.appointment_type.setObjectName("appointmentType")
        for code, text in TYPES.items():
            self.appointment_type.addItem(_tr(text), code)
        self.mechanism = QComboBox()
        self.mechanism.setObjectName("mechanism")
        for code, text in MECHANISMS.items():
            self.mechanism.addItem(_tr(text), code)
        self.slots = QListWidget()
        self.slots.setObjectName("slots")
        self.slots.setFlow(QListWidget.Flow.LeftToRight)
        self.slots.setWrapping(True)
        self.slots.setSpacing(4)
        self.slots.setFixedHeight(self.slots.fontMetrics().lineSpacing() * 3 + 20)
        self.slots_hint = label("", "hint", wrap=True)
        self.cancel_by = CancelBy()
        self.cancel_reason = _text_box(2)
        self.cancel_reason.setObjectName("rebookReason")
        self.warning = QFrame()
        self.warning.setObjectName("bookingWarning")
        set_role(self.warning, "notice", tone="problem")
        self.warning_text = label("", wrap=True)
        self.warning_text.setObjectName("warningText")
        self.overbook_reason = _text_box(2)
        self.overbook_reason.setObjectName("overbookReason")
        self.book_button = QPushButton(_tr("Book"))
        self.book_button.setObjectName("book")
        set_role(self.book_button, "", variant="primary")
        self.back_button = QPushButton(_tr("Back to the list"))
        self.back_button.setObjectName("back")
        self._lay_out()

    def _field(self, name: str, text: str, editor: QWidget, optional: bool = False) -> FormField:
        field = FormField(text, editor, optional=optional)
        self.fields[name] = field
        return field

    def _lay_out(self) -> None:
        grid = form_grid(2)
        grid.addWidget(self._field("clinician_id", _tr("Clinician"), self.clinician), 0, 0)
        grid.addWidget(self._field("site_id", _tr("Site"), self.site), 0, 1)
        grid.addWidget(self._field("day", _tr("Date"), self.day), 1, 0)
        grid.addWidget(self._field("room", _tr("Room"), self.room, optional=True), 1, 1)
        grid.addWidget(self._field("time", _tr("Time"), self.time), 2, 0)
        grid.addWidget(self._field("minutes", _tr("Length (minutes)"), self.minutes), 2, 1)
        grid.addWidget(self._field("appointment_type", _tr("Type"), self.appointment_type), 3, 0)
        grid.addWidget(self._field("mechanism", _tr("How"), self.mechanism), 3, 1)
        warning_layout = QVBoxLayout(self.warning)
        warning_layout.setContentsMargins(12, 10, 12, 10)
        warning_layout.addWidget(self.warning_text)
        warning_layout.addWidget(
            self._field("overbook_reason", _tr("Reason to book over it"), self.overbook_reason)
        )
        self.warning.setVisible(False)
        self.rebook_box = QWidget()
        rebook = QVBoxLayout(self.rebook_box)
        rebook.setContentsMargins(0, 0, 0, 0)
        rebook.addWidget(
            self._field("cancelled_by", _tr("Moved at the request of"), self.cancel_by)
        )
        rebook.addWidget(self._field("cancel_reason", _tr("Why it moves"), self.cancel_reason))
        self.rebook_box.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.book_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addLayout(grid)
        self.slots_label = label(
            _tr("Free slots that day (choose one to fill the time)"), "fieldLabel"
        )
        layout.addWidget(self.slots_label)
        layout.addWidget(self.slots)
        layout.addWidget(self.slots_hint)
        layout.addWidget(self.rebook_box)
        layout.addWidget(self.warning)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def values(self) -> dict[str, object]:
        return {
            "clinician_id": self.clinician.currentData(),
            "site_id": self.site.currentData(),
            "room": self.room.text().strip(),
            "day": self.day.text().strip(),
            "time": self.time.text().strip(),
            "minutes": self.minutes.text().strip(),
            "appointment_type": self.appointment_type.currentData() or "",
            "mechanism": self.mechanism.currentData() or "",
            "overbook_reason": (
                self.overbook_reason.toPlainText().strip() if self.warning.isVisible() else ""
            ),
            "cancelled_by": self.cancel_by.code(),
            "cancel_reason": self.cancel_reason.toPlainText().strip(),
        }

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

    def show_warning(self, check: BookingCheck | None, clinician: str) -> None:
        """What booking runs into, and (for a clash) the reason it asks for."""
        if check is None or check.clear:
            self.warning.setVisible(False)
            self.warning_text.clear()
            self.overbook_reason.clear()
            self.book_button.setText(_tr("Book"))
            return
        lines: list[str] = []
        if check.clashes:
            times = ", ".join(span_words(c.starts_at, c.minutes) for c in check.clashes)
            lines.append(
                _tr("This overlaps another appointment of {clinician}: {times}.").format(
                    clinician=clinician, times=times
                )
            )
        if check.overbooked:
            lines.append(_tr("The session is full: this books beyond its slots."))
        if check.outside_sessions:
            lines.append(_tr("This time is outside the clinician's regular sessions."))
        lines.append(
            _tr("Give a reason to book over it, then press Book anyway.")
            if check.clashes
            else _tr("Press Book anyway to book it all the same.")
        )
        self.warning_text.setText("\n".join(lines))
        self.fields["overbook_reason"].setVisible(bool(check.clashes))
        self.warning.setVisible(True)
        self.book_button.setText(_tr("Book anyway"))


class BookingView(QWidget):
    """The banner patient's appointments (coming first), and what can be done with them."""

    def __init__(  # noqa: PLR0915 - one statement a part of the page, in order
        self,
        view_model: BookingViewModel,
        parent: QWidget | None = None,
        *,
        draft: FormDraft | None = None,
    ) -> None:
        super().__init__(parent)
        self._vm = view_model
        #: A booking typed and not made yet: the user's draft for the patient (see
        #: :meth:`resume_draft`); kept only once something was typed or chosen in it.
        self._draft = draft
        self._typed = False
        self._waiting_draft: dict[str, Any] | None = None
        #: The patient whose appointments the table lists (None: none read yet).
        self._listed_for: uuid.UUID | None = None
        self._rebooking: uuid.UUID | None = None
        self._cancelling: uuid.UUID | None = None
        self._check: BookingCheck | None = None
        self._problems: list[str] = []
        self.heading = label(_tr("Appointments"), "heading")
        self.count = label("", "hint")
        self.notice = NoticeBar()
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("appointments")
        self.table.setHorizontalHeaderLabels(
            [_tr("When"), _tr("With"), _tr("Appointment"), _tr("Status")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Clinicians' and sites' names can be long: a set width, wrapped, keeps Status in view.
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(1, 200)
        self.book_button = QPushButton(_tr("Book an appointment"))
        self.book_button.setObjectName("bookNew")
        set_role(self.book_button, "", variant="primary")
        self.rebook_button = QPushButton(_tr("Rebook"))
        self.rebook_button.setObjectName("rebook")
        self.cancel_button = QPushButton(_tr("Cancel appointment"))
        self.cancel_button.setObjectName("cancelAppointment")
        self.form = BookingForm()
        self.cancel_page = self._build_cancel_page()
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_list_page())
        form_scroll = QScrollArea()
        form_scroll.setWidgetResizable(True)
        form_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        form_scroll.setWidget(self.form)
        self.form_scroll = form_scroll
        self.stack.addWidget(form_scroll)
        self.stack.addWidget(self.cancel_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 12, 12)
        layout.setSpacing(8)
        layout.addWidget(self.notice)
        layout.addWidget(self.stack, 1)
        self._connect()
        self._on_vm_loaded(None)

    def _build_list_page(self) -> QWidget:
        page = QWidget()
        self.clash_box = card()
        self.clash_box.setObjectName("clashBox")
        set_role(self.clash_box, "notice", tone="problem")
        self.clash_text = label("", wrap=True)
        self.clash_text.setObjectName("clashText")
        self.keep_reason = QLineEdit()
        self.keep_reason.setObjectName("keepReason")
        self.keep_reason.setPlaceholderText(_tr("Why both are kept"))
        self.keep_button = QPushButton(_tr("Keep both"))
        self.keep_button.setObjectName("keepBoth")
        clash_layout = QVBoxLayout(self.clash_box)
        clash_layout.setContentsMargins(12, 10, 12, 10)
        clash_layout.addWidget(self.clash_text)
        keep_row = QHBoxLayout()
        keep_row.addWidget(self.keep_reason, 1)
        keep_row.addWidget(self.keep_button)
        clash_layout.addLayout(keep_row)
        self.clash_box.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.book_button)
        buttons.addStretch(1)
        buttons.addWidget(self.rebook_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.heading)
        layout.addWidget(self.count)
        layout.addWidget(self.clash_box)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        return page

    def _build_cancel_page(self) -> QWidget:
        page = QWidget()
        self.cancel_heading = label(_tr("Cancel an appointment"), "heading")
        self.cancel_what = label("", wrap=True)
        self.cancel_summary = ErrorSummary()
        self.cancel_by = CancelBy()
        self.cancel_reason = _text_box(3)
        self.cancel_reason.setObjectName("cancelReason")
        self.cancel_fields = {
            "cancelled_by": FormField(_tr("Cancelled"), self.cancel_by),
            "reason": FormField(_tr("Reason"), self.cancel_reason),
        }
        self.confirm_cancel = QPushButton(_tr("Cancel this appointment"))
        self.confirm_cancel.setObjectName("confirmCancel")
        set_role(self.confirm_cancel, "", variant="primary")
        self.cancel_back = QPushButton(_tr("Back to the list"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_back)
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_cancel)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.cancel_heading)
        layout.addWidget(self.cancel_what)
        layout.addWidget(self.cancel_summary)
        for field in self.cancel_fields.values():
            layout.addWidget(field)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    def _connect(self) -> None:
        vm = self._vm
        self.book_button.clicked.connect(lambda: self.start_booking(None))
        self.rebook_button.clicked.connect(lambda: self.start_booking(self.chosen_id()))
        self.cancel_button.clicked.connect(self.start_cancelling)
        self.keep_button.clicked.connect(self.keep_both)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.form.book_button.clicked.connect(self.book)
        # Enter in a one-line box books, as the Book button (or Book anyway) would.
        for box in (self.form.day, self.form.time, self.form.minutes, self.form.room):
            box.returnPressed.connect(self._book_from_keyboard)
        self.form.back_button.clicked.connect(self.show_list)
        self.cancel_back.clicked.connect(self.show_list)
        self.confirm_cancel.clicked.connect(self.cancel)
        self.form.clinician.currentIndexChanged.connect(lambda _i: self._on_where_when_changed())
        self.form.day.editingFinished.connect(self._on_where_when_changed)
        self.form.slots.itemActivated.connect(self._on_slot_chosen)
        self.form.slots.itemClicked.connect(self._on_slot_chosen)
        for editor in (self.form.day, self.form.time, self.form.minutes):
            editor.textEdited.connect(lambda _t: self._forget_warning())
        self.form.clinician.currentIndexChanged.connect(lambda _i: self._forget_warning())
        for box in (self.form.day, self.form.time, self.form.minutes, self.form.room):
            box.textEdited.connect(lambda _t: self._typed_in_form())
        for combo in (
            self.form.clinician,
            self.form.site,
            self.form.appointment_type,
            self.form.mechanism,
        ):
            combo.activated.connect(lambda _i: self._typed_in_form())
        if self._draft is not None:
            self._draft.restored.connect(self._on_draft_restored)
        vm.loaded.connect(self._on_vm_loaded)
        vm.choices_loaded.connect(self._on_vm_choices)
        vm.slots_loaded.connect(self._on_vm_slots)
        vm.warned.connect(self._on_vm_warned)
        vm.saved.connect(self._on_vm_saved)
        vm.problem.connect(self._on_vm_problem)
        vm.field_errors_changed.connect(self._on_vm_field_errors)
        vm.busy_changed.connect(lambda _b: self._update_buttons())

    # ------------------------------------------------------------------ the list

    def _chosen(self) -> AppointmentView | None:
        chosen = self.chosen_id()
        return self._vm.appointment(chosen) if chosen is not None else None

    def chosen_id(self) -> uuid.UUID | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        data = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return data if isinstance(data, uuid.UUID) else None

    def select(self, appointment_id: uuid.UUID) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == appointment_id:
                self.table.selectRow(row)
                return

    def show_list(self) -> None:
        if self._typed and self._draft is not None:
            self._draft.discard()  # closed on purpose (or booked): nothing of it is kept
        self._typed = False
        self._rebooking = None
        self._cancelling = None
        self.stack.setCurrentIndex(0)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_buttons(self) -> None:
        chosen = self._chosen()
        live = chosen is not None and chosen.status == "booked"
        idle = not self._vm.busy and self._vm.patient_id is not None
        self.book_button.setEnabled(idle)
        self.rebook_button.setEnabled(idle and live)
        self.cancel_button.setEnabled(idle and live)
        self.form.book_button.setEnabled(not self._vm.busy)
        self.confirm_cancel.setEnabled(not self._vm.busy)
        clash = self._vm.clash_for(chosen.id) if chosen is not None else None
        self._show_clash(clash)

    def _show_clash(self, clash: ClashView | None) -> None:
        state = self._vm.state
        clashes = state.clashes if state is not None else ()
        shown = clash or (clashes[0] if clashes else None)
        self.clash_box.setVisible(shown is not None and self._vm.patient_id is not None)
        if shown is not None and self._vm.patient_id is not None:
            self.clash_text.setText(clash_words(shown, self._vm.patient_id))
            self.keep_button.setProperty("clash_id", str(shown.id))

    def _on_vm_loaded(self, state: PatientAppointments | None) -> None:
        if self._waiting_draft is not None:
            QTimer.singleShot(0, self._put_draft)  # once the list is drawn
        # What was chosen counts only for the same patient's list read again.
        same_list = self._listed_for is not None and self._listed_for == self._vm.patient_id
        chosen = self.chosen_id() if same_list else None
        self._listed_for = self._vm.patient_id if state is not None else None
        appointments = state.appointments if state is not None else ()
        self.table.setRowCount(len(appointments))
        for row, appointment in enumerate(appointments):
            self._fill_row(row, appointment, state)
        self.count.setText(self._count_words(appointments))
        if chosen is not None and any(a.id == chosen for a in appointments):
            self.select(chosen)
        elif chosen is not None:
            # The appointment chosen has gone (cancelled or removed elsewhere): none is chosen
            # in its place, so Rebook and Cancel never act on one the clinician did not choose.
            self.table.setCurrentCell(-1, -1)
            self.table.clearSelection()
            self.notice.show_notice(
                _tr("The appointment you had chosen is no longer listed. Choose one again."),
                "info",
            )
        elif appointments:
            self.table.selectRow(0)
        self._update_buttons()

    def _fill_row(
        self, row: int, appointment: AppointmentView, state: PatientAppointments | None
    ) -> None:
        status = words(STATUSES, appointment.status)
        if appointment.clash_open:
            status += "\n" + _tr("Double booked")
        if appointment.status == "cancelled" and appointment.cancelled_by:
            status += "\n" + _tr("by the {who}").format(who=_tr(appointment.cancelled_by))
        room = f", {appointment.room}" if appointment.room else ""
        shown = local(appointment.starts_at)
        cells = (
            f"{shown.strftime('%a')} {formatting.clinical_date(shown.date())}\n"
            f"{shown.strftime('%H:%M')} ({appointment.minutes} min)",
            f"{appointment.clinician_name}\n{appointment.site_name}{room}",
            f"{words(TYPES, appointment.appointment_type)}\n"
            f"{words(MECHANISMS, appointment.mechanism)}",
            status,
        )
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, appointment.id)
            self.table.setItem(row, column, item)

    @staticmethod
    def _count_words(appointments: tuple[AppointmentView, ...]) -> str:
        if not appointments:
            return _tr("No appointments yet.")
        now = datetime.now(UTC)
        coming = sum(1 for a in appointments if a.status == "booked" and local(a.starts_at) >= now)
        return _tr("{coming} coming · {total} in all").format(
            coming=coming, total=len(appointments)
        )

    # ------------------------------------------------------------------ booking

    def start_booking(self, rebooking: uuid.UUID | None) -> None:
        """Show the form: empty for a new booking, from the old one for a rebooking."""
        if self._vm.patient_id is None:
            return
        self._rebooking = rebooking
        old = self._vm.appointment(rebooking) if rebooking is not None else None
        form = self.form
        form.heading.setText(_tr("Rebook the appointment") if old else _tr("Book an appointment"))
        form.show_errors({})
        form.summary.clear()
        form.show_warning(None, "")
        self._check = None
        form.rebook_box.setVisible(old is not None)
        form.cancel_by.clear()
        form.cancel_reason.clear()
        form.time.clear()
        if old is not None:
            self._choose(form.clinician, old.clinician_id)
            self._choose(form.site, old.site_id)
            form.room.setText(old.room or "")
            form.minutes.setText(str(old.minutes))
            self._choose(form.appointment_type, old.appointment_type)
            self._choose(form.mechanism, old.mechanism)
        else:
            form.room.clear()
            form.minutes.setText("30")
            choices = self._vm.choices
            if choices is not None:
                self._choose(form.mechanism, choices.preferred_mechanism)
        form.day.setText(typed_day(rules.clinic_day(datetime.now(UTC)) + timedelta(days=1)))
        self._typed = False
        self.stack.setCurrentIndex(1)
        self._on_where_when_changed()
        form.clinician.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ a booking kept

    def resume_draft(self, patient_id: uuid.UUID) -> None:
        """The patient's appointments open: a booking typed for them and not made comes back."""
        if self._draft is not None:
            self._waiting_draft = None
            self._draft.move_to(str(patient_id))

    def save_draft_now(self) -> None:
        """Write the booking being typed now (leaving, locking, switching user)."""
        if self._draft is not None:
            self._keep_booking()
            self._draft.save_now()

    def leave_draft(self) -> None:
        """The patient is left: the booking being typed is written, then forgotten here."""
        if self._draft is not None:
            self._keep_booking()
            self._draft.move_to(None)
        self._typed = False
        self._waiting_draft = None

    def _typed_in_form(self) -> None:
        if self.stack.currentIndex() == 1:
            self._typed = True
            self._keep_booking()

    def _keep_booking(self) -> None:
        if self._draft is None or not self._typed or self.stack.currentIndex() != 1:
            return
        form = self.form
        kept: dict[str, str] = {"rebooking": str(self._rebooking) if self._rebooking else ""}
        for name in _KEPT_CHOICES:
            value = getattr(form, name).currentData()
            kept[name] = "" if value is None else str(value)
        for name in _KEPT_BOXES:
            kept[name] = getattr(form, name).text()
        self._draft.update(kept)

    def _on_draft_restored(self, payload: dict[str, Any]) -> None:
        self._waiting_draft = dict(payload)
        self._put_draft()

    def _put_draft(self) -> None:
        """The kept booking back in the form, once the patient's list and choices are read."""
        kept = self._waiting_draft
        vm = self._vm
        if kept is None or vm.state is None or vm.choices is None or vm.busy:
            return
        if self.stack.currentIndex() != 0:
            return  # something is being typed already: never replaced
        self._waiting_draft = None
        rebooking = _kept_id(kept.get("rebooking"))
        if rebooking is not None and vm.appointment(rebooking) is None:
            rebooking = None  # the appointment is gone (cancelled elsewhere): a new booking
        self.start_booking(rebooking)
        for name in _KEPT_CHOICES:
            combo = getattr(self.form, name)
            wanted = kept.get(name)
            if isinstance(wanted, str) and wanted:
                index = next(
                    (i for i in range(combo.count()) if str(combo.itemData(i)) == wanted), -1
                )
                if index >= 0:
                    combo.setCurrentIndex(index)
        for name in _KEPT_BOXES:
            text = kept.get(name)
            if isinstance(text, str):
                getattr(self.form, name).setText(text)
        self._typed = True
        self._on_where_when_changed()

    @staticmethod
    def _choose(combo: QComboBox, data: object) -> None:
        # Compared in Python: ids are kept as objects, which Qt's own search cannot match.
        index = next((i for i in range(combo.count()) if combo.itemData(i) == data), -1)
        if index >= 0:
            combo.setCurrentIndex(index)

    def book(self) -> None:
        if self._vm.busy:
            return
        self.notice.hide_notice()
        self._vm.check_and_book(
            self.form.values(), rebooking=self._rebooking, warned=self._check is not None
        )

    def _book_from_keyboard(self) -> None:
        if self.form.book_button.isEnabled():
            self.book()

    def _forget_warning(self) -> None:
        if self._check is not None:
            self._check = None
            self.form.show_warning(None, "")

    def _on_where_when_changed(self) -> None:
        clinician = self.form.clinician.currentData()
        self._vm.load_slots(
            clinician if isinstance(clinician, uuid.UUID) else None, self.form.day.text()
        )

    def _on_vm_choices(self, choices: BookingChoices | None) -> None:
        if choices is None:
            return
        form = self.form
        for combo, items in (
            (form.clinician, choices.clinicians),
            (form.site, choices.sites),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(_tr("Choose…"), None)
            for item in items:
                combo.addItem(item.name, item.id)
            self._choose(combo, current)
            combo.blockSignals(False)
        if self.stack.currentIndex() != 1:
            self._choose(form.mechanism, choices.preferred_mechanism)
        # The patient's preferred way is named as such where it is chosen.
        for index in range(form.mechanism.count()):
            code = form.mechanism.itemData(index)
            text = words(MECHANISMS, code)
            if code == choices.preferred_mechanism:
                text = _tr("{how} (preferred)").format(how=text)
            form.mechanism.setItemText(index, text)
        if self._waiting_draft is not None:
            QTimer.singleShot(0, self._put_draft)

    def _on_vm_slots(self, slots: list[Slot]) -> None:
        form = self.form
        form.slots.clear()
        free = [slot for slot in slots if slot.free]
        for slot in free:
            item = QListWidgetItem(slot_words(slot))
            item.setData(Qt.ItemDataRole.UserRole, slot)
            form.slots.addItem(item)
        if not slots:
            form.slots_hint.setText(
                _tr("No sessions that day for this clinician: type a time to book outside them.")
            )
        elif not free:
            form.slots_hint.setText(_tr("Every slot that day is taken."))
        else:
            form.slots_hint.setText("")
        form.slots_hint.setVisible(bool(form.slots_hint.text()))
        # No list to choose from when nothing is free: the hint says why.
        form.slots.setVisible(bool(free))
        form.slots_label.setVisible(bool(free))

    def _on_slot_chosen(self, item: QListWidgetItem) -> None:
        slot = item.data(Qt.ItemDataRole.UserRole)
        if not isinstance(slot, Slot):
            return
        form = self.form
        form.time.setText(local(slot.starts_at).strftime("%H:%M"))
        form.minutes.setText(str(slot.minutes))
        self._choose(form.site, slot.site_id)
        form.room.setText(slot.room or "")
        if slot.appointment_type:
            self._choose(form.appointment_type, slot.appointment_type)
        self._forget_warning()

    def _on_vm_warned(self, check: BookingCheck) -> None:
        asked_before = self._check is not None
        reason = self.form.overbook_reason.toPlainText()
        self._check = check
        self.form.show_warning(check, self.form.clinician.currentText())
        if check.clashes:
            self.form.overbook_reason.setPlainText(reason)
            self.form.fields["overbook_reason"].set_error(
                _tr("Give a reason to book over the other appointment.")
                if asked_before and not reason.strip()
                else None
            )
            self.form.overbook_reason.setFocus(Qt.FocusReason.OtherFocusReason)
        self.form_scroll.ensureWidgetVisible(self.form.book_button)

    def _on_vm_saved(self, result: Any, what: str) -> None:
        said = {
            "booked": _tr("Booked: {when} with {clinician}."),
            "rebooked": _tr("Rebooked: {when} with {clinician}."),
            "cancelled": _tr("Cancelled: {when} with {clinician}."),
            "kept": _tr("Both appointments are kept."),
        }
        self.notice.show_notice(
            said[what].format(
                when=when_words(result.starts_at, result.minutes),
                clinician=result.clinician_name,
            ),
            "success",
        )
        self.keep_reason.clear()
        self.show_list()

    def _on_vm_problem(self, message: str) -> None:
        page = self.stack.currentIndex()
        if page == 1:
            self.form.summary.show_problems(message, self._problems)
            self.form_scroll.verticalScrollBar().setValue(0)
        elif page == 2:
            self.cancel_summary.show_problems(message, self._problems)
        else:
            self.notice.show_notice(message, "problem")

    def _on_vm_field_errors(self, by_field: Mapping[str, ValidationError]) -> None:
        self._problems = self.form.show_errors(by_field)
        shown: list[str] = []
        for name, field in self.cancel_fields.items():
            error = by_field.get(name) or (
                by_field.get("cancel_reason") if name == "reason" else None
            )
            message = errors.field_message(error, field.text) if error else None
            field.set_error(message)
            if message:
                shown.append(message)
        if self.stack.currentIndex() == 2:
            self._problems = shown
        if not by_field:
            self.form.summary.clear()
            self.cancel_summary.clear()

    # ------------------------------------------------------------------ cancelling, clashes

    def start_cancelling(self) -> None:
        appointment = self._chosen()
        if appointment is None:
            return
        self._cancelling = appointment.id
        self.cancel_what.setText(
            _tr("{when} with {clinician} at {site}.").format(
                when=when_words(appointment.starts_at, appointment.minutes),
                clinician=appointment.clinician_name,
                site=appointment.site_name,
            )
        )
        self.cancel_by.clear()
        self.cancel_reason.clear()
        for field in self.cancel_fields.values():
            field.set_error(None)
        self.cancel_summary.clear()
        self.stack.setCurrentIndex(2)
        self.cancel_by.patient.setFocus(Qt.FocusReason.OtherFocusReason)

    def cancel(self) -> None:
        if self._cancelling is None:
            return
        self._vm.cancel(
            self._cancelling, self.cancel_by.code(), self.cancel_reason.toPlainText().strip()
        )

    def keep_both(self) -> None:
        raw = self.keep_button.property("clash_id")
        if not raw:
            return
        self.notice.hide_notice()
        self._vm.keep_both(uuid.UUID(str(raw)), self.keep_reason.text().strip())

    def reset(self) -> None:
        """Back to the list, nothing typed kept."""
        self.show_list()
        # Hidden is not gone: nothing typed for one patient or user stays in the form's boxes.
        for box in (self.form.room, self.form.day, self.form.time):
            box.clear()
        self.form.overbook_reason.clear()
        self.form.show_errors({})
        self.form.summary.clear()
        self.form.show_warning(None, "")
        self._check = None
        self.keep_reason.clear()
        self.notice.hide_notice()
