"""The injection form's card "Anticoagulation and planned surgery"."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from clinic_app.domains.injections.rules import ANTICOAGULANTS
from clinic_app.domains.injections.views import InjectionInput
from ui.common.form_card import FormCard
from ui.common.form_parts import (
    choose,
    combo,
    date_text,
    number_text,
    read_date,
    read_number,
    read_time,
)
from ui.common.form_reading import read_into
from ui.common.widgets import form_grid


class AnticoagulationCard(FormCard):
    """The anticoagulant taken, the latest INR and when it was measured, a joint replacement."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Anticoagulation and planned surgery"), parent)
        inner = self.inner
        words = {"warfarin": self.tr("Warfarin"), "other": self.tr("Another anticoagulant")}
        self.anticoagulant = combo(
            self.tr("Anticoagulant"),
            [(words.get(kind, kind), kind) for kind in ANTICOAGULANTS],
            self.tr("None"),
        )
        self.inr = QLineEdit()
        self.inr_day = QLineEdit()
        self.inr_day.setPlaceholderText(self.tr("dd/mm/yyyy"))
        self.inr_time = QLineEdit()
        self.inr_time.setPlaceholderText(self.tr("hh:mm"))
        self.replacement = QLineEdit()
        self.replacement.setPlaceholderText(self.tr("dd/mm/yyyy"))
        grid = form_grid(2)
        grid.addWidget(
            self.field("anticoagulant", self.tr("Anticoagulant"), self.anticoagulant), 0, 0
        )
        grid.addWidget(self.field("inr_value", self.tr("Latest INR"), self.inr), 0, 1)
        grid.addWidget(
            self.field("inr_measured_at", self.tr("INR measured on (date)"), self.inr_day), 1, 0
        )
        grid.addWidget(
            self.field("inr_measured_time", self.tr("INR measured at (time)"), self.inr_time),
            1,
            1,
        )
        grid.addWidget(
            self.field(
                "replacement_planned_on",
                self.tr("Replacement of this joint planned on"),
                self.replacement,
                optional=True,
            ),
            2,
            0,
        )
        inner.addLayout(grid)
        for edit in (self.inr, self.inr_day, self.inr_time, self.replacement):
            edit.textEdited.connect(self.changed)
        self.anticoagulant.currentIndexChanged.connect(self.changed)

    def inr_value(self, local: dict[str, str]) -> float | None:
        return read_into(local, "inr_value", lambda: read_number(self.inr.text()))

    def inr_measured_at(self, local: dict[str, str]) -> datetime | None:
        return read_into(
            local, "inr_measured_at", lambda: read_time(self.inr_day.text(), self.inr_time.text())
        )

    def replacement_planned_on(self, local: dict[str, str]) -> date | None:
        return read_into(
            local, "replacement_planned_on", lambda: read_date(self.replacement.text())
        )

    def fill(self, values: InjectionInput) -> None:
        choose(self.anticoagulant, values.anticoagulant)
        self.inr.setText(number_text(values.inr_value))
        measured = values.inr_measured_at
        self.inr_day.setText(date_text(measured.date()) if measured is not None else "")
        self.inr_time.setText(measured.strftime("%H:%M") if measured is not None else "")
        self.replacement.setText(date_text(values.replacement_planned_on))


__all__ = ["AnticoagulationCard"]
