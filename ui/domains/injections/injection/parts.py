"""Small pieces of the injection form: typed values read from text, yes/no pairs, drug rows."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from clinic_app.domains.injections.content import Product
from clinic_app.domains.injections.pack import PackReading
from clinic_app.domains.injections.rules import Drug
from ui.common import formatting
from ui.common.form_parts import (
    NotValid,
    choose,
    combo,
    date_text,
    number_text,
    read_date,
    read_number,
)
from ui.common.widgets import FormField


def _tr(text: str) -> str:
    return QCoreApplication.translate("InjectionForm", text)


class DrugRow(QWidget):
    """One drug given: product, mg, mL, batch, expiry, and whether it shared a syringe."""

    changed = Signal()
    touched = Signal()
    """The user worked in this row (the pack scanned next fills it)."""

    def __init__(
        self, number: int, products: Sequence[Product], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.number = number
        self.product = combo(
            _tr("Drug {n}: product").format(n=number),
            [(p.name, p.id) for p in products],
            _tr("Choose a product"),
        )
        self.mg = QLineEdit()
        self.ml = QLineEdit()
        self.batch = QLineEdit()
        self.batch.setMaxLength(40)
        self.expiry = QLineEdit()
        self.expiry.setPlaceholderText(_tr("dd/mm/yyyy"))
        self.same_syringe = QCheckBox(_tr("In the same syringe"))
        self.same_syringe.setAccessibleName(
            _tr("Drug {n}: in the same syringe as another").format(n=number)
        )
        self.fields = {
            "product_id": FormField(_tr("Drug {n}: product").format(n=number), self.product),
            "mg": FormField(_tr("Dose (mg)"), self.mg),
            "ml": FormField(_tr("Volume (mL)"), self.ml),
            "batch": FormField(_tr("Batch"), self.batch),
            "expiry": FormField(_tr("Expiry"), self.expiry),
        }
        for key in ("mg", "ml", "batch", "expiry"):
            editor = self.fields[key].editor
            editor.setAccessibleName(f"{_tr('Drug {n}').format(n=number)}: {self.fields[key].text}")
        self.note = QLabel("")
        self.note.setProperty("role", "hint")
        self.note.setWordWrap(True)
        self.note.hide()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.addWidget(self.fields["product_id"], 0, 0, 1, 2)
        grid.addWidget(self.fields["mg"], 0, 2)
        grid.addWidget(self.fields["ml"], 0, 3)
        grid.addWidget(self.fields["batch"], 1, 0)
        grid.addWidget(self.fields["expiry"], 1, 1)
        grid.addWidget(self.same_syringe, 1, 2, 1, 2)
        grid.addWidget(self.note, 2, 0, 1, 4)
        for column, stretch in enumerate((3, 2, 1, 1)):
            grid.setColumnStretch(column, stretch)
        self.product.currentIndexChanged.connect(self._changed)
        for edit in (self.mg, self.ml, self.batch, self.expiry):
            edit.textEdited.connect(self._changed)
        self.same_syringe.toggled.connect(self._changed)

    def _changed(self, *_args: object) -> None:
        self.touched.emit()
        self.changed.emit()

    def is_empty(self) -> bool:
        return (
            self.product.currentData() is None
            and not any(e.text().strip() for e in (self.mg, self.ml, self.batch, self.expiry))
            and not self.same_syringe.isChecked()
        )

    def drug(self, problems: dict[str, str], index: int) -> Drug | None:
        """The drug as typed, or None while the product, mg or mL is still missing.

        A value that cannot be read is put in ``problems`` under its field's key.
        """
        product = self.product.currentData()
        values: dict[str, object] = {}
        for key in ("mg", "ml"):
            try:
                values[key] = read_number(self.fields[key].editor.text())  # type: ignore[attr-defined]
            except NotValid as error:
                problems[f"drugs.{index}.{key}"] = error.words
                values[key] = None
        try:
            expiry = read_date(self.expiry.text())
        except NotValid as error:
            problems[f"drugs.{index}.expiry"] = error.words
            expiry = None
        complete = product is not None and values["mg"] is not None and values["ml"] is not None
        waiting = not complete and not self.is_empty()
        self.note.setText(
            _tr("Kept once the product, the dose and the volume are all filled in.")
            if waiting
            else ""
        )
        self.note.setVisible(waiting)
        if not complete:
            return None
        return Drug(
            product_id=str(product),
            mg=float(values["mg"]),  # type: ignore[arg-type]
            ml=float(values["ml"]),  # type: ignore[arg-type]
            batch=self.batch.text().strip(),
            expiry=expiry,
            same_syringe=self.same_syringe.isChecked(),
        )

    def show_drug(self, drug: Drug | None) -> None:
        choose(self.product, drug.product_id if drug is not None else None)
        self.mg.setText(number_text(drug.mg) if drug is not None else "")
        self.ml.setText(number_text(drug.ml) if drug is not None else "")
        self.batch.setText(drug.batch if drug is not None else "")
        self.expiry.setText(date_text(drug.expiry) if drug is not None else "")
        self.same_syringe.setChecked(drug.same_syringe if drug is not None else False)
        self.note.hide()


def fill_from_pack(row: DrugRow, reading: PackReading, product: Product | None) -> list[str]:
    """Put what a pack's scan read into ``row``; the sentences that say what was filled.

    ``product`` is the one the service's list links the pack's GTIN to (None when it links
    none): the product is filled only from that list, never guessed. A GTIN the list does not
    hold is said plainly, with what to do.
    """
    said: list[str] = []
    if product is not None:
        choose(row.product, product.id)
        said.append(_tr("product {name}").format(name=product.name))
    if reading.batch:
        row.batch.setText(reading.batch)
        said.append(_tr("batch {batch}").format(batch=reading.batch))
    if reading.expiry is not None:
        row.expiry.setText(date_text(reading.expiry))
        said.append(_tr("expiry {day}").format(day=formatting.clinical_date(reading.expiry)))
    lines: list[str] = []
    if said:
        lines.append(
            _tr("Read from the pack for drug {n}: {what}.").format(
                n=row.number, what=", ".join(said)
            )
        )
    if reading.gtin is not None and product is None:
        lines.append(
            _tr(
                "This pack's product code is not in the service's list of pack codes, so the "
                "product was not filled in: choose it yourself. The service lead can add the "
                "code to the list."
            )
        )
    if reading.separators_inferred:
        lines.append(
            _tr(
                "The scanner did not mark where the batch ends: check the batch and serial "
                "number against the pack."
            )
        )
    return lines
