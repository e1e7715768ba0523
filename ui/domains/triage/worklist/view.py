"""The triage worklist: a table of referrals by due date, and a panel to triage the chosen one."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.triage.rules import TargetState
from clinic_app.domains.triage.views import TriageView, WorklistItem
from clinic_app.kernel.errors import ValidationError
from clinic_app.people.views import Choice
from ui.common import errors, formatting, theme
from ui.common.widgets import ChoiceCombo, ErrorSummary, FormField, NoticeBar, card, label, set_role
from ui.domains.triage.worklist.view_model import APPOINTMENT, WorklistViewModel, books_appointment

_Index = QModelIndex | QPersistentModelIndex
_STATE_ROLE = Qt.ItemDataRole.UserRole + 1
_MARKER_WIDTH = 6
_TEXT_LINES = 3
_PANEL_WIDTH = 430
#: Rows that stand out: a coloured marker and bold text, always with words saying why.
_MARKER_COLOURS = {
    TargetState.OVERDUE: theme.NHS_RED,
    TargetState.DUE_TODAY: theme.NHS_RED,
    TargetState.NEAR: theme.NHS_WARM_YELLOW,
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Worklist", text)


def days_left_words(item: WorklistItem) -> str:
    """How long is left before the most pressing target: "2 working days left", "Due today"."""
    if item.state is None or item.days_left is None:
        return _tr("No target")
    if item.state is TargetState.DUE_TODAY:
        return _tr("Due today")
    pressing = next((t for t in item.targets if t.due == item.due), None)
    working = pressing is not None and pressing.unit.value == "working_days"
    days = abs(item.days_left)
    if working:
        unit = _tr("working day") if days == 1 else _tr("working days")
    else:
        unit = _tr("day") if days == 1 else _tr("days")
    if item.state is TargetState.OVERDUE:
        return _tr("{days} {unit} overdue").format(days=days, unit=unit)
    return _tr("{days} {unit} left").format(days=days, unit=unit)


def stands_out(item: WorklistItem) -> bool:
    """True for a referral near, at or past its target."""
    return item.state in _MARKER_COLOURS


class WorklistModel(QAbstractTableModel):
    """Worklist entries as table rows, in the order the service gave them."""

    # Two lines a row, so everything fits beside the triage panel on a 1280-pixel screen:
    # the due date over the days left, the name over the NHS number. The received date is
    # in the triage panel, beside the targets it starts.
    COLUMNS = ("days_left", "name", "priority", "specialty", "referrer")

    def __init__(self, view_model: WorklistViewModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._rows: list[WorklistItem] = []
        self._bold = QFont()
        self._bold.setBold(True)
        self._red = QColor(theme.NHS_RED)
        self._headers = (
            self.tr("Due"),
            self.tr("Patient"),
            self.tr("Priority"),
            self.tr("Specialty"),
            self.tr("Referred by"),
        )

    def set_rows(self, rows: list[WorklistItem]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_of(self, referral_id: uuid.UUID) -> int:
        """The row showing ``referral_id``, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.referral_id == referral_id), -1)

    def item_at(self, row: int) -> WorklistItem | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        urgent_words = column == "days_left" and row.state in {
            TargetState.OVERDUE,
            TargetState.DUE_TODAY,
        }
        answers: dict[int, Any] = {
            Qt.ItemDataRole.DisplayRole: self.text(row, column),
            Qt.ItemDataRole.AccessibleTextRole: self.text(row, column).replace("\n", ", "),
            Qt.ItemDataRole.ToolTipRole: self.text(row, column),
            Qt.ItemDataRole.FontRole: self._bold if stands_out(row) else None,
            Qt.ItemDataRole.ForegroundRole: self._red if urgent_words else None,
            _STATE_ROLE: row.state,
        }
        return answers.get(role)

    def text(self, row: WorklistItem, column: str) -> str:
        """What one cell says."""
        due = formatting.clinical_date(row.due) if row.due else ""
        texts = {
            "days_left": lambda: f"{due}\n{days_left_words(row)}" if due else days_left_words(row),
            "name": lambda: (
                f"{formatting.patient_name(row.family_name, row.given_name)}\n"
                f"{formatting.nhs_number(row.nhs_number)}"
            ),
            "priority": lambda: self._vm.label("referral_priority", row.priority.value),
            "specialty": lambda: row.specialty_label,
            "referrer": lambda: row.referrer,
        }
        return texts[column]()


class _MarkerDelegate(QStyledItemDelegate):
    """Paints the coloured bar at the left of a row that is near or past its target."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        super().paint(painter, option, index)
        colour = _MARKER_COLOURS.get(index.data(_STATE_ROLE))
        if colour is not None:
            rect: QRect = option.rect
            painter.fillRect(
                QRect(rect.left(), rect.top(), _MARKER_WIDTH, rect.height()), QColor(colour)
            )


def _radio_row(group: QButtonGroup, choices: list[Choice], *, vertical: bool) -> QWidget:
    holder = QWidget()
    layout: QVBoxLayout | QHBoxLayout = QVBoxLayout(holder) if vertical else QHBoxLayout(holder)
    layout.setContentsMargins(0, 2, 0, 2)
    layout.setSpacing(2 if vertical else 18)
    for choice in choices:
        button = QRadioButton(choice.label)
        button.setObjectName(choice.code)
        button.setProperty("code", choice.code)
        group.addButton(button)
        layout.addWidget(button)
    if not vertical:
        layout.addStretch(1)
    return holder


def _text_box(lines: int) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 18)
    return box


class TriagePanel(QWidget):
    """The referral chosen in the list, and the triage form for it."""

    #: The user changed something in the form (not the form filling itself in).
    edited = Signal()

    def __init__(self, view_model: WorklistViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.item: WorklistItem | None = None
        self.fields: dict[str, FormField] = {}
        self._filling = False

        self.patient_name = label("", "heading", wrap=True)
        self.open_record_button = QPushButton(self.tr("Open record"))
        self.open_record_button.setObjectName("openRecord")
        self.open_record_button.setToolTip(
            self.tr("Open this patient's record (Enter or double-click in the list)")
        )
        self.patient_facts = label("", "hint", wrap=True)
        self.referral_reason = label("", wrap=True)
        self.targets = label("", wrap=True)
        self.summary = ErrorSummary()
        self.outcome_group = QButtonGroup(self)
        outcomes = _radio_row(self.outcome_group, self._vm.outcome_choices(), vertical=True)
        self.pathway = ChoiceCombo()
        self.pathway.set_choices(self._vm.choices("specialty"), self.tr("Choose…"))
        self.diagnostics = QCheckBox(self.tr("Diagnostics before the appointment"))
        self.diagnostics.setObjectName("diagnostics")
        self.priority_group = QButtonGroup(self)
        priorities = _radio_row(
            self.priority_group, self._vm.choices("referral_priority"), vertical=False
        )
        self.reason = _text_box(_TEXT_LINES)
        self.advice = _text_box(_TEXT_LINES)
        self.record_button = QPushButton(self.tr("Record triage"))
        set_role(self.record_button, "", variant="primary")
        self.record_button.setToolTip(self.tr("Record this triage decision (Ctrl+Enter)"))

        self.form = self._build_form(outcomes, priorities)
        self._lay_out()

        self.outcome_group.buttonToggled.connect(self._on_outcome_toggled)
        self._watch_edits()
        self.show_item(None)

    def _lay_out(self) -> None:

        self.empty_hint = label(
            self.tr("Choose a referral in the list to triage it. Use the arrow keys, then Tab."),
            "hint",
            wrap=True,
        )
        panel = card()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(18, 14, 18, 16)
        layout.setSpacing(8)
        layout.addWidget(self.empty_hint)
        name_row = QHBoxLayout()
        name_row.addWidget(self.patient_name, 1)
        name_row.addWidget(self.open_record_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(name_row)
        layout.addWidget(self.patient_facts)
        self.reason_heading = label(self.tr("Reason for referral"), "subheading")
        layout.addWidget(self.reason_heading)
        layout.addWidget(self.referral_reason)
        layout.addWidget(self.targets)
        layout.addSpacing(6)
        layout.addWidget(self.form)
        layout.addStretch(1)
        self._details = (
            self.patient_name,
            self.open_record_button,
            self.patient_facts,
            self.reason_heading,
            self.referral_reason,
            self.targets,
        )
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(panel)

    def _watch_edits(self) -> None:
        for changed in (
            self.outcome_group.buttonToggled,
            self.priority_group.buttonToggled,
            self.pathway.currentIndexChanged,
            self.diagnostics.toggled,
            self.reason.textChanged,
            self.advice.textChanged,
        ):
            changed.connect(self._on_edited)

    def _build_form(self, outcomes: QWidget, priorities: QWidget) -> QWidget:
        form = QWidget()
        form_layout = QVBoxLayout(form)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.setSpacing(12)
        form_layout.addWidget(self.summary)
        form_layout.addWidget(self._field("outcome", self.tr("Outcome"), outcomes))
        pathway_box = QWidget()
        pathway_layout = QVBoxLayout(pathway_box)
        pathway_layout.setContentsMargins(0, 0, 0, 0)
        pathway_layout.addWidget(self._field("pathway", self.tr("Pathway"), self.pathway))
        pathway_layout.addWidget(self.diagnostics)
        self.pathway_box = pathway_box
        form_layout.addWidget(pathway_box)
        form_layout.addWidget(self._field("priority", self.tr("Priority"), priorities))
        reason_hint = self.tr("Needed to return a referral: say what is missing or why.")
        form_layout.addWidget(self._field("reason", self.tr("Reason"), self.reason, reason_hint))
        form_layout.addWidget(self._field("advice", self.tr("Advice to the referrer"), self.advice))
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.record_button)
        form_layout.addLayout(actions)
        return form

    def _field(self, name: str, text: str, editor: QWidget, hint: str | None = None) -> FormField:
        optional = name == "advice"
        field = FormField(text, editor, hint=hint, optional=optional)
        self.fields[name] = field
        return field

    def show_item(self, item: WorklistItem | None) -> None:
        """Show ``item`` with a fresh form; None shows how to choose one."""
        self.item = item
        self.empty_hint.setVisible(item is None)
        for widget in (*self._details, self.form):
            widget.setVisible(item is not None)
        if item is None:
            return
        self.patient_name.setText(formatting.patient_name(item.family_name, item.given_name))
        facts = self.tr("NHS number {nhs} · received {received} · {specialty}\nFrom {referrer}")
        self.patient_facts.setText(
            facts.format(
                nhs=formatting.nhs_number(item.nhs_number),
                received=formatting.clinical_date(item.received_on),
                specialty=item.specialty_label,
                referrer=item.referrer,
            )
        )
        self.referral_reason.setText(item.reason)
        lines = [
            self.tr("{label}: by {due}").format(
                label=target.label, due=formatting.clinical_date(target.due)
            )
            for target in item.targets
        ]
        lines.append(days_left_words(item))
        self.targets.setText("\n".join(lines))
        self._reset_form(item)

    def _reset_form(self, item: WorklistItem) -> None:
        self.fill(
            {"priority": item.priority.value, "pathway": item.specialty, "diagnostics": False}
        )
        self.show_errors({})
        self.summary.clear()

    def fill(self, values: Mapping[str, object]) -> None:
        """Put ``values`` (as :meth:`values` gives them) in the form; what is missing is empty.

        Not an edit of the user's: ``edited`` is not emitted for it.
        """
        self._filling = True
        try:
            outcome, priority = values.get("outcome"), values.get("priority")
            self.outcome_group.setExclusive(False)
            for button in self.outcome_group.buttons():
                button.setChecked(button.property("code") == outcome)
            self.outcome_group.setExclusive(True)
            for button in self.priority_group.buttons():
                button.setChecked(button.property("code") == priority)
            self.pathway.set_code(str(values.get("pathway") or ""))
            self.diagnostics.setChecked(values.get("diagnostics") is True)
            self.reason.setPlainText(str(values.get("reason") or ""))
            self.advice.setPlainText(str(values.get("advice") or ""))
        finally:
            self._filling = False
        self._on_outcome_toggled()

    def _on_edited(self, *_args: object) -> None:
        if not self._filling and self.item is not None:
            self.edited.emit()

    def values(self) -> dict[str, object]:
        """The form as the view model takes it."""
        outcome = self.outcome_group.checkedButton()
        priority = self.priority_group.checkedButton()
        return {
            "outcome": outcome.property("code") if outcome else "",
            "pathway": self.pathway.code(),
            "diagnostics": self.diagnostics.isChecked(),
            "priority": priority.property("code") if priority else "",
            "reason": self.reason.toPlainText(),
            "advice": self.advice.toPlainText(),
        }

    def show_errors(self, by_field: Mapping[str, ValidationError]) -> list[str]:
        """Put each error under its field; returns the words, first field first."""
        shown: list[str] = []
        for name, field in self.fields.items():
            error = by_field.get(name)
            message = errors.field_message(error, field.text) if error else None
            field.set_error(message)
            if message:
                shown.append(message)
        return shown

    def focus_first_error(self) -> None:
        for field in self.fields.values():
            if field.error():
                target = field.editor
                if field is self.fields["outcome"]:
                    target = self.outcome_group.buttons()[0]
                elif field is self.fields["priority"]:
                    target = self.priority_group.checkedButton() or self.priority_group.buttons()[0]
                target.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def first_outcome(self) -> QRadioButton:
        button = self.outcome_group.buttons()[0]
        assert isinstance(button, QRadioButton)
        return button

    def _on_outcome_toggled(self, *_args: object) -> None:
        checked = self.outcome_group.checkedButton()
        code = checked.property("code") if checked else ""
        self.pathway_box.setVisible(books_appointment(code))
        self.diagnostics.setVisible(code == APPOINTMENT)


class WorklistView(QWidget):
    """Referrals waiting for triage, most pressing first; the chosen one is triaged at the side."""

    #: ``(patient_id)``: open the chosen referral's patient's record (button, Enter, double-click).
    open_record_requested = Signal(object)

    def __init__(self, view_model: WorklistViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._awaiting: str | None = None
        #: The referral this user last recorded a triage for (it leaves the list for that).
        self._recorded: uuid.UUID | None = None
        self.heading = label(self.tr("Triage worklist"), "heading")
        self.count = label("", "hint")
        self.count.setObjectName("worklistCount")
        self.notice = NoticeBar()
        self.model = WorklistModel(view_model, self)
        self.table = QTableView()
        self.table.setObjectName("worklist")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(0, _MarkerDelegate(self.table))
        self.table.setAccessibleName(self.tr("Referrals waiting for triage"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(True)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().lineSpacing() * 2 + 14
        )
        # Room at the left of every row for the marker of a pressing one.
        self.table.setStyleSheet("QTableView#worklist::item { padding: 4px 4px 4px 12px; }")
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # Specialty names can be long: a set width, wrapped onto the row's second line.
        specialty = WorklistModel.COLUMNS.index("specialty")
        header.setSectionResizeMode(specialty, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(specialty, 170)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.panel = TriagePanel(view_model)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setWidget(self.panel)
        self.scroll_area.setFixedWidth(_PANEL_WIDTH)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._lay_out()
        self._connect()
        self._set_tab_order()
        self._on_vm_items_changed(view_model.items)

    def _lay_out(self) -> None:
        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(self.heading)
        left.addWidget(self.count)
        left.addWidget(self.notice)
        left.addWidget(self.table, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 14, 12, 12)
        layout.setSpacing(14)
        layout.addLayout(left, 1)
        layout.addWidget(self.scroll_area)

    def _connect(self) -> None:
        self.table.selectionModel().currentRowChanged.connect(self._on_table_row_changed)
        self.panel.record_button.clicked.connect(self.record)
        self.panel.open_record_button.clicked.connect(self.open_record)
        self.table.doubleClicked.connect(lambda _index: self.open_record())
        for keys in ("Return", "Enter"):
            opener = QShortcut(QKeySequence(keys), self.table)
            opener.setContext(Qt.ShortcutContext.WidgetShortcut)
            opener.activated.connect(self.open_record)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.record)
        self._vm.items_changed.connect(self._on_vm_items_changed)
        self._vm.triaged.connect(self._on_vm_triaged)
        self._vm.problem.connect(self._on_vm_problem)
        self._vm.field_errors_changed.connect(self._on_vm_field_errors_changed)
        self._vm.busy_changed.connect(self._on_vm_busy_changed)
        self._vm.draft_restored.connect(self._on_vm_draft_restored)
        self.panel.edited.connect(self._on_panel_edited)

    def _set_tab_order(self) -> None:
        panel = self.panel
        chain: list[QWidget] = [self.table, *panel.outcome_group.buttons(), panel.pathway]
        chain += [panel.diagnostics, *panel.priority_group.buttons()]
        chain += [panel.reason, panel.advice, panel.record_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def focus_list(self) -> None:
        """Put the keyboard in the list, on the first referral if none is chosen."""
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.selectRow(0)

    def select(self, referral_id: uuid.UUID) -> None:
        row = self.model.row_of(referral_id)
        if row >= 0:
            self.table.selectRow(row)

    def open_record(self) -> None:
        """Open the record of the patient whose referral is chosen (nothing if none is)."""
        item = self.panel.item
        if item is not None:
            self.open_record_requested.emit(item.patient_id)

    def record(self) -> None:
        item = self.panel.item
        if item is None or self._vm.busy:
            return
        self._awaiting = formatting.patient_name(item.family_name, item.given_name)
        self.notice.hide_notice()
        self._vm.triage(item.referral_id, self.panel.values())

    def _on_table_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.model.item_at(current.row()) if current.isValid() else None
        if (
            item is None
            or self.panel.item is None
            or item.referral_id != self.panel.item.referral_id
        ):
            self._show(item)

    def _show(self, item: WorklistItem | None) -> None:
        """Show ``item`` in the form, with what this user typed about it and did not record."""
        self.panel.show_item(item)
        self._vm.choose(item.referral_id if item is not None else None)

    def _on_panel_edited(self) -> None:
        item = self.panel.item
        if item is not None:
            self._vm.form_changed(item.referral_id, self.panel.values())

    def _on_vm_draft_restored(self, referral_id: uuid.UUID, values: object) -> None:
        item = self.panel.item
        if item is None or item.referral_id != referral_id or not isinstance(values, Mapping):
            return
        self.panel.fill(values)
        self.notice.show_notice(
            self.tr("What you typed about this referral before, not yet recorded, is back."),
            "info",
        )

    def _on_vm_items_changed(self, items: list[WorklistItem]) -> None:
        chosen = self.panel.item
        old_row = self.table.currentIndex().row()
        self.model.set_rows(items)
        pressing = sum(1 for item in items if item.state is TargetState.OVERDUE)
        if not items:
            self.count.setText(self.tr("No referrals are waiting for triage."))
        else:
            words = self.tr("{count} referrals waiting for triage").format(count=len(items))
            if len(items) == 1:
                words = self.tr("1 referral waiting for triage")
            if pressing:
                words += self.tr(" · {count} overdue").format(count=pressing)
            self.count.setText(words)
        row = self.model.row_of(chosen.referral_id) if chosen else -1
        if row < 0 and chosen is not None and chosen.referral_id != self._recorded:
            # Gone, but not triaged here (a colleague's triage a sync round brought): said,
            # by name, and no other patient's referral takes its place under the typing.
            self.notice.show_notice(
                self.tr(
                    "The referral you were triaging for {name} was triaged elsewhere and has "
                    "left the list. What you typed about it was not recorded."
                ).format(name=formatting.patient_name(chosen.family_name, chosen.given_name)),
                "info",
            )
            self.table.clearSelection()
            self._show(None)
            return
        if row < 0 and chosen is not None and items:
            # Triaged here: the next one down takes its place.
            row = min(max(old_row, 0), len(items) - 1)
        if row >= 0:
            self.table.selectRow(row)
        else:
            self._show(None)

    def _on_vm_triaged(self, result: TriageView) -> None:
        self._recorded = result.referral_id
        outcome = self._vm.label("triage_outcome", result.outcome)
        words = self.tr("Triage recorded for {name}: {outcome}.").format(
            name=self._awaiting or self.tr("the patient"), outcome=outcome.lower()
        )
        if result.pathway:
            words += " " + self.tr("Pathway: {pathway}.").format(
                pathway=self._vm.label("specialty", result.pathway)
            )
        self._awaiting = None
        self.notice.show_notice(words, "success")
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_vm_field_errors_changed(self, by_field: Mapping[str, ValidationError]) -> None:
        self._problems = self.panel.show_errors(by_field)

    def _on_vm_problem(self, message: str) -> None:
        if self._awaiting is not None and self.panel.item is not None:
            self.panel.summary.show_problems(message, getattr(self, "_problems", []))
            self.scroll_area.verticalScrollBar().setValue(0)
            self.panel.focus_first_error()
        else:
            self.notice.show_notice(message, "problem")
        self._awaiting = None

    def _on_vm_busy_changed(self, busy: bool) -> None:
        self.panel.record_button.setEnabled(not busy)
        self.panel.record_button.setText(
            self.tr("Recording…") if busy else self.tr("Record triage")
        )
