"""The device register: every device with its service, and a form to add or change one."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.shockwave.views import DeviceInput, DeviceView
from ui.common import formatting
from ui.common.widgets import ErrorSummary, FormField, NoticeBar, card, form_grid, label
from ui.domains.shockwave.devices.view_model import DevicesViewModel

_COLUMNS = ("Make", "Model", "Serial", "Kind", "Last serviced", "Next service due", "Service")


_ID = Qt.ItemDataRole.UserRole


def _day(value: date | None) -> str:
    return formatting.clinical_date(value) if value is not None else ""


class NotADate(ValueError):
    """A service date that does not read as day/month/year."""


class DevicesView(QWidget):
    """The register, and one device being added or changed."""

    def __init__(  # noqa: PLR0915 - one statement a part of the page, in order
        self, view_model: DevicesViewModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.heading = label(self.tr("Shockwave devices"), "heading")
        self.explain = label(
            self.tr(
                "The devices shockwave courses are given with, and when each was last serviced. "
                "A device overdue for its service is said on every session given with it."
            ),
            "hint",
            wrap=True,
        )
        self.notice = NoticeBar()
        self.summary = ErrorSummary()
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setAccessibleName(self.tr("The shockwave devices"))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in _COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.form_heading = label(self.tr("Add a device"), "subheading")
        self.make = QLineEdit()
        self.model = QLineEdit()
        self.serial = QLineEdit()
        self.kind_box = QComboBox()
        self.kind_box.addItem(self.tr("Choose"), None)
        self.kind_box.addItem(self.tr("Radial"), "radial")
        self.kind_box.addItem(self.tr("Focused"), "focused")
        self.serviced = QLineEdit()
        self.serviced.setPlaceholderText(self.tr("dd/mm/yyyy"))
        self.fields = {
            "make": FormField(self.tr("Make"), self.make),
            "model": FormField(self.tr("Model"), self.model),
            "serial": FormField(self.tr("Serial number"), self.serial),
            "kind": FormField(self.tr("Radial or focused"), self.kind_box),
            "last_service_on": FormField(self.tr("Last serviced on"), self.serviced),
        }
        self.save_button = QPushButton(self.tr("&Save the device"))
        self.new_button = QPushButton(self.tr("&New device"))
        box = card()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(14, 10, 14, 12)
        inner.addWidget(self.form_heading)
        grid = form_grid(3)
        for index, key in enumerate(("make", "model", "serial", "kind", "last_service_on")):
            grid.addWidget(self.fields[key], index // 3, index % 3)
        inner.addLayout(grid)
        line = QHBoxLayout()
        line.addWidget(self.save_button)
        line.addWidget(self.new_button)
        line.addStretch(1)
        inner.addLayout(line)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.explain)
        layout.addWidget(self.notice)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(box)
        view_model.listed.connect(self._show_devices)
        view_model.saved.connect(self._on_saved)
        view_model.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        view_model.field_errors_changed.connect(self._show_errors)
        self.table.itemSelectionChanged.connect(self._on_selected)
        self.save_button.clicked.connect(self._on_save)
        self.new_button.clicked.connect(self.start_new)

    def _show_devices(self, devices: tuple[DeviceView, ...]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(devices))
        for row, device in enumerate(devices):
            kind = self.tr("Radial") if device.kind == "radial" else self.tr("Focused")
            if device.overdue:
                service = self.tr("Overdue")
            elif device.last_service_on is None:
                service = self.tr("No date on record")
            elif device.service_unchecked:
                service = self.tr("Not checked: the service has set no interval")
            else:
                service = ""
            for column, text in enumerate(
                (
                    device.make,
                    device.model,
                    device.serial,
                    kind,
                    _day(device.last_service_on),
                    _day(device.service_due_on),
                    service,
                )
            ):
                item = QTableWidgetItem(text)
                item.setData(_ID, str(device.id))
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)

    def row_texts(self) -> list[list[str]]:
        """The register as shown, row by row."""
        return [
            [
                item.text() if (item := self.table.item(row, column)) is not None else ""
                for column in range(self.table.columnCount())
            ]
            for row in range(self.table.rowCount())
        ]

    def _on_selected(self) -> None:
        items = self.table.selectedItems()
        if not items:
            return
        device_id = uuid.UUID(str(items[0].data(_ID)))
        device = next((d for d in self._vm.devices if d.id == device_id), None)
        if device is None:
            return
        self._vm.edit(device.id)
        self.form_heading.setText(
            self.tr("Change {make} {model}, serial {serial}").format(
                make=device.make, model=device.model, serial=device.serial
            )
        )
        self.make.setText(device.make)
        self.model.setText(device.model)
        self.serial.setText(device.serial)
        index = self.kind_box.findData(device.kind)
        self.kind_box.setCurrentIndex(max(index, 0))
        self.serviced.setText(
            device.last_service_on.strftime("%d/%m/%Y") if device.last_service_on else ""
        )

    def start_new(self) -> None:
        """An empty form, for a device not in the register yet."""
        self._vm.edit(None)
        self.table.clearSelection()
        self.form_heading.setText(self.tr("Add a device"))
        for edit in (self.make, self.model, self.serial, self.serviced):
            edit.clear()
        self.kind_box.setCurrentIndex(0)

    def _on_save(self) -> None:
        try:
            serviced = self._serviced()
        except NotADate:
            self._show_errors(
                {
                    "last_service_on": self.tr(
                        "Enter a date as day/month/year, for example 05/03/2026."
                    )
                }
            )
            return
        self._vm.save(
            DeviceInput(
                make=self.make.text(),
                model=self.model.text(),
                serial=self.serial.text(),
                kind=str(self.kind_box.currentData() or ""),
                last_service_on=serviced,
            )
        )

    def _serviced(self) -> date | None:
        text = self.serviced.text().strip()
        if not text:
            return None
        try:
            return datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            raise NotADate(text) from None

    def _on_saved(self, device: DeviceView) -> None:
        self.notice.show_notice(
            self.tr("Saved: {make} {model}, serial {serial}.").format(
                make=device.make, model=device.model, serial=device.serial
            ),
            "success",
        )
        if self._vm.editing != device.id:
            return  # another device was chosen while this one was being saved
        # Saving again now changes this device: it is not added twice.
        self.form_heading.setText(
            self.tr("Change {make} {model}, serial {serial}").format(
                make=device.make, model=device.model, serial=device.serial
            )
        )

    def _show_errors(self, messages: Mapping[str, str]) -> None:
        for key, made in self.fields.items():
            made.set_error(messages.get(key))
        if messages:
            self.summary.show_problems(
                self.tr("Some answers need a look. Each is marked beside its field."),
                [
                    f"{self.fields[k].text}: {v}" if k in self.fields else v
                    for k, v in messages.items()
                ],
            )
        else:
            self.summary.clear()


__all__ = ["DevicesView"]
