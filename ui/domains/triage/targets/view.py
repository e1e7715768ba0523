"""Waiting-time targets: the service's own amounts beside the cited defaults."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.triage.content import ServiceRules
from clinic_app.domains.triage.rules import TargetRule
from clinic_app.kernel.errors import ValidationError
from ui.common import errors
from ui.common.widgets import NoticeBar, card, label, set_role
from ui.domains.triage.targets.view_model import WaitingTimesViewModel

_UNITS = {"working_days": "working days", "calendar_days": "calendar days"}
#: Upper limits the spin boxes offer, per unit; the service checks them again.
_LIMITS = {"working_days": 65, "calendar_days": 365}


class _RuleRow:
    """The widgets of one rule: on/off, amount, unit, default and source, error line."""

    def __init__(self, rule: TargetRule, default_amount: int, default_active: bool) -> None:
        unit = rule.unit.value
        self.rule_id: str = rule.rule_id
        self.active = QCheckBox(rule.label)
        self.active.setObjectName(f"{rule.rule_id}.active")
        self.amount = QSpinBox()
        self.amount.setObjectName(f"{rule.rule_id}.amount")
        self.amount.setRange(1, _LIMITS[unit])
        self.amount.setAccessibleName(f"{rule.label}: amount in {_UNITS[unit]}")
        self.amount.setMinimumWidth(90)
        self.unit = label(_UNITS[unit])
        default = f"default {default_amount}" + ("" if default_active else ", off by default")
        self.default = label(default, "hint")
        self.source = label(rule.source, "hint", wrap=True)
        self.error = label("", "fieldError", wrap=True)
        self.error.setVisible(False)
        self.show(rule)

    def show(self, rule: TargetRule) -> None:
        self.active.setChecked(rule.active)
        self.amount.setValue(rule.amount)

    def set_read_only(self, read_only: bool) -> None:
        self.active.setEnabled(not read_only)
        self.amount.setReadOnly(read_only)


class WaitingTimesView(QWidget):
    """Every target with its amount, on/off switch, default and source; save or put back."""

    def __init__(self, view_model: WaitingTimesViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.rows: dict[str, _RuleRow] = {}
        self.heading = label(self.tr("Waiting-time targets"), "heading")
        self.intro = label(
            self.tr(
                "The worklist counts every referral against these targets. Each default comes "
                "from the service specification named under it; a service lead can set the "
                "service's own amounts. Working days leave out weekends and England and Wales "
                "bank holidays."
            ),
            "hint",
            wrap=True,
        )
        self.notice = NoticeBar()
        self.read_only_note = label(
            self.tr("Only the service lead (admin) can change these."), "hint", wrap=True
        )
        self.near_working = QSpinBox()
        self.near_working.setRange(0, _LIMITS["working_days"])
        self.near_working.setObjectName("near.working_days")
        self.near_calendar = QSpinBox()
        self.near_calendar.setRange(0, _LIMITS["calendar_days"])
        self.near_calendar.setObjectName("near.calendar_days")
        self.near_error = label("", "fieldError", wrap=True)
        self.near_error.setVisible(False)
        self.save_button = QPushButton(self.tr("Save targets"))
        set_role(self.save_button, "", variant="primary")
        self.reset_button = QPushButton(self.tr("Put back the defaults"))
        self.rules_card = card()
        self.rules_grid = QGridLayout(self.rules_card)
        self.rules_grid.setContentsMargins(20, 14, 20, 18)
        self.rules_grid.setHorizontalSpacing(14)
        self.rules_grid.setVerticalSpacing(4)
        self._lay_out()
        vm = view_model
        vm.loaded.connect(self._on_vm_loaded)
        vm.saved.connect(
            lambda _rules: self.notice.show_notice(
                self.tr("Saved. The worklist uses these targets from now on."), "success"
            )
        )
        vm.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        vm.field_errors_changed.connect(self._on_vm_field_errors_changed)
        vm.busy_changed.connect(self._on_vm_busy_changed)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.reset_button.clicked.connect(self._vm.reset_all)

    def _lay_out(self) -> None:
        near_card = card()
        near = QGridLayout(near_card)
        near.setContentsMargins(20, 14, 20, 18)
        near.setHorizontalSpacing(10)
        near.addWidget(label(self.tr("Highlight as near"), "subheading"), 0, 0, 1, 4)
        near.addWidget(
            label(
                self.tr(
                    "How close to its due date an open target stands out on the worklist "
                    "(a local display choice, not a clinical number)."
                ),
                "hint",
                wrap=True,
            ),
            1,
            0,
            1,
            4,
        )
        near.addWidget(self.near_working, 2, 0)
        near.addWidget(label(self.tr("working days before due")), 2, 1)
        near.addWidget(self.near_calendar, 2, 2)
        near.addWidget(label(self.tr("calendar days before due")), 2, 3)
        near.setColumnStretch(3, 1)
        near.addWidget(self.near_error, 3, 0, 1, 4)

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(14)
        column.addWidget(self.heading)
        column.addWidget(self.intro)
        column.addWidget(self.read_only_note)
        column.addWidget(self.notice)
        column.addWidget(self.rules_card)
        column.addWidget(near_card)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

    def _on_vm_loaded(self, rules: ServiceRules) -> None:
        if set(self.rows) != {rule.rule_id for rule in rules.rules}:
            self._build_rows(rules, self._vm.defaults or rules)
        for rule in rules.rules:
            self.rows[rule.rule_id].show(rule)
        self.near_working.setValue(rules.near.working_days)
        self.near_calendar.setValue(rules.near.calendar_days)
        read_only = not self._vm.can_change
        for row in self.rows.values():
            row.set_read_only(read_only)
        self.near_working.setReadOnly(read_only)
        self.near_calendar.setReadOnly(read_only)
        self.save_button.setVisible(not read_only)
        self.reset_button.setVisible(not read_only)
        self.read_only_note.setVisible(read_only)

    def _build_rows(self, rules: ServiceRules, defaults: ServiceRules) -> None:
        while self.rules_grid.count():
            taken = self.rules_grid.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        self.rows = {}
        self.rules_grid.addWidget(label(self.tr("Targets"), "subheading"), 0, 0, 1, 4)
        shipped = {rule.rule_id: rule for rule in defaults.rules}
        line = 1
        for rule in rules.rules:
            default = shipped.get(rule.rule_id, rule)
            row = _RuleRow(rule, default.amount, default.active)
            self.rows[rule.rule_id] = row
            self.rules_grid.addWidget(row.active, line, 0)
            self.rules_grid.addWidget(row.amount, line, 1)
            self.rules_grid.addWidget(row.unit, line, 2)
            self.rules_grid.addWidget(row.default, line, 3)
            self.rules_grid.addWidget(row.source, line + 1, 0, 1, 4)
            self.rules_grid.addWidget(row.error, line + 2, 0, 1, 4)
            self.rules_grid.setRowMinimumHeight(line + 2, 12)
            line += 3
        self.rules_grid.setColumnStretch(0, 1)

    def values(self) -> tuple[dict[str, int], dict[str, bool], dict[str, int]]:
        """Amounts and switches by rule id, and the near thresholds, as shown."""
        amounts = {rule_id: row.amount.value() for rule_id, row in self.rows.items()}
        active = {rule_id: row.active.isChecked() for rule_id, row in self.rows.items()}
        near = {
            "working_days": self.near_working.value(),
            "calendar_days": self.near_calendar.value(),
        }
        return amounts, active, near

    def _on_save_clicked(self) -> None:
        self.notice.hide_notice()
        self._vm.save(*self.values())

    def _on_vm_field_errors_changed(self, by_field: dict[str, ValidationError]) -> None:
        for rule_id, row in self.rows.items():
            error = by_field.get(f"{rule_id}.amount") or by_field.get(f"{rule_id}.active")
            row.error.setText(errors.field_message(error) if error else "")
            row.error.setVisible(error is not None)
        near = by_field.get("near.working_days") or by_field.get("near.calendar_days")
        self.near_error.setText(errors.field_message(near) if near else "")
        self.near_error.setVisible(near is not None)

    def _on_vm_busy_changed(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        self.reset_button.setEnabled(not busy)
