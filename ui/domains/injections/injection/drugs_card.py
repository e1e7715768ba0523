"""The injection form's card "Drugs given": the pack scanned, then a row for each drug.

A scanned pack fills the row the user last worked in: its batch and expiry, and its product
when the pack's code is in the service's list (never a guess).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from clinic_app.domains.injections.content import Product
from clinic_app.domains.injections.pack import PackReading, looks_like_pack, read_pack
from clinic_app.domains.injections.rules import Drug
from clinic_app.domains.injections.views import InjectionInput
from clinic_app.kernel.errors import ClinicError
from ui.common import errors
from ui.common.form_card import FormCard, plain_words
from ui.domains.injections.injection.parts import DrugRow, fill_from_pack

DRUG_ROWS = 3
SCAN_PAUSE_MS = 400


class DrugsCard(FormCard):
    """The pack's barcode box, what the scan found, the drug rows and a problem of them all.

    Args:
        products: the formulary's products, offered in each row.
        find_product: the product a scanned GTIN names in the service's list, or None.
    """

    changed = Signal()
    """A row changed, or a scanned pack filled one."""
    scanned = Signal()
    """What a scan found is shown (the form brings it into view)."""

    def __init__(
        self,
        products: Sequence[Product],
        find_product: Callable[[str], Product | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("Drugs given"), parent)
        self._find_product = find_product
        self._current_row = 0
        inner = self.inner
        self.scan = QLineEdit()
        self.scan.setPlaceholderText(self.tr("Scan the pack's barcode here"))
        inner.addWidget(
            self.field(
                "scan",
                self.tr("Scan the pack"),
                self.scan,
                hint=self.tr(
                    "Fills the batch and expiry of the drug you are working on, and its product "
                    "when the pack's code is in the service's list."
                ),
            )
        )
        self.scan_result = plain_words("", "hint")
        self.scan_result.setObjectName("scanResult")
        self.scan_result.hide()
        inner.addWidget(self.scan_result)
        self.drug_rows: list[DrugRow] = []
        for index in range(DRUG_ROWS):
            row = DrugRow(index + 1, products)
            self.drug_rows.append(row)
            for key, made in row.fields.items():
                self.fields[f"drugs.{index}.{key}"] = made
            row.touched.connect(lambda index=index: self._set_current_row(index))
            row.changed.connect(self.changed)
            inner.addWidget(row)
        self.drugs_problem = plain_words("", "fieldError")
        self.drugs_problem.hide()
        inner.addWidget(self.drugs_problem)
        self._scan_timer = QTimer(self)
        self._scan_timer.setSingleShot(True)
        self._scan_timer.setInterval(SCAN_PAUSE_MS)
        self._scan_timer.timeout.connect(self._scan_if_pack)
        self.scan.textEdited.connect(lambda _text: self._scan_timer.start())
        self.scan.returnPressed.connect(self._on_scan_entered)

    def drugs(self, local: dict[str, str]) -> tuple[Drug, ...]:
        """The drugs typed, each row's problems kept in ``local``."""
        drugs = []
        for index, row in enumerate(self.drug_rows):
            drug = row.drug(local, index)
            if drug is not None:
                drugs.append(drug)
        return tuple(drugs)

    def fill(self, values: InjectionInput) -> None:
        for index, row in enumerate(self.drug_rows):
            row.show_drug(values.drugs[index] if index < len(values.drugs) else None)

    def opened(self) -> None:
        """A record opened: the scan box emptied, the next scan fills the first row."""
        self.clear_scan()
        self._current_row = 0

    def clear_scan(self) -> None:
        self.scan.clear()
        self.scan_result.hide()

    def show_problem(self, text: str) -> None:
        """A problem of the drugs together (mixed in one syringe, more than the site takes)."""
        self.drugs_problem.setText(text)
        self.drugs_problem.setVisible(bool(text))

    def _set_current_row(self, index: int) -> None:
        self._current_row = index

    def _scan_if_pack(self) -> None:
        if looks_like_pack(self.scan.text()):
            self._read_scan()

    def _on_scan_entered(self) -> None:
        self._scan_timer.stop()
        if not self.scan.text().strip():
            return
        self._read_scan()

    def _read_scan(self) -> None:
        text = self.scan.text()
        self.scan.clear()
        reading = read_pack(text)
        self._show_reading(reading)

    def _show_reading(self, reading: PackReading) -> None:
        row = self.drug_rows[min(self._current_row, len(self.drug_rows) - 1)]
        product = self._find_product(reading.gtin) if reading.gtin is not None else None
        lines = fill_from_pack(row, reading, product)
        lines.extend(errors.explain(ClinicError(code)) for code in reading.problems)
        self.scan_result.setText("\n".join(lines))
        self.scan_result.setVisible(bool(lines))
        if lines:
            self.scanned.emit()
        if product is not None or reading.batch or reading.expiry is not None:
            self.changed.emit()


__all__ = ["DRUG_ROWS", "SCAN_PAUSE_MS", "DrugsCard"]
