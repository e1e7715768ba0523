"""The pack codes: each product with its codes, a code added by scanning the pack, one removed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.injections.views import PackCodeView
from ui.common.form_parts import choose, combo
from ui.common.widgets import FormField, NoticeBar, card, form_grid, label
from ui.domains.injections.pack_codes.view_model import Line, PackCodesViewModel


def gtin_text(gtin: str) -> str:
    """A GTIN as printed under a pack's code, in groups that are easy to read aloud."""
    return f"{gtin[:1]} {gtin[1:7]} {gtin[7:13]} {gtin[13:]}" if len(gtin) == 14 else gtin


class PackCodesView(QWidget):
    """Every product of the formulary with the pack codes the service links to it."""

    COLUMNS = 2

    def __init__(self, view_model: PackCodesViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._lines: list[Line] = []
        #: The code just added, to choose once the list is read again.
        self._pending_choice: object = None
        self.notice = NoticeBar()
        self.summary = label("", "hint", wrap=True)
        self._build_table()
        self._build_adding()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(label(self.tr("Pack codes"), "heading"))
        layout.addWidget(self.notice)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.remove_button)
        layout.addLayout(row)
        layout.addWidget(self.adding)

        view_model.loaded.connect(self._show)
        view_model.added.connect(self._on_added)
        view_model.removed.connect(self._on_removed)
        view_model.field_errors_changed.connect(self._show_field_errors)
        view_model.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        view_model.busy_changed.connect(self._on_busy)
        self._show()

    def _build_table(self) -> None:
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setHorizontalHeaderLabels([self.tr("Product"), self.tr("Pack code (GTIN)")])
        self.table.setAccessibleName(self.tr("Products and their pack codes"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(120)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(1, 260)
        self.table.itemSelectionChanged.connect(self._on_chosen)
        self.remove_button = QPushButton(self.tr("&Remove the chosen code"))
        self.remove_button.setAccessibleName(self.tr("Remove the chosen pack code"))
        self.remove_button.clicked.connect(self.remove_chosen)

    def _build_adding(self) -> None:
        self.adding = card()
        self.product = combo(
            self.tr("Product"),
            [(name, pid) for pid, name in self._vm.products],
            self.tr("Choose the product"),
        )
        self.code = QLineEdit()
        self.code.setPlaceholderText(self.tr("Scan the pack here, or type its 14 digits"))
        self.code.setMaxLength(256)
        self.fields = {
            "product": FormField(self.tr("Product"), self.product),
            "code": FormField(self.tr("Pack code"), self.code),
        }
        self.how = label(
            self.tr(
                "Choose the product, then scan the square code on its pack into the pack code "
                "box, or type the 14 digits of its product number (GTIN). Choosing a row above "
                "chooses its product."
            ),
            "hint",
            wrap=True,
        )
        self.add_button = QPushButton(self.tr("&Add the code"))
        self.add_button.setAccessibleName(self.tr("Add the pack code to the product"))
        self.add_button.clicked.connect(self.submit)
        # A scanner ends what it types with Enter: the code is added as it is scanned.
        self.code.returnPressed.connect(self.submit)
        grid = form_grid(3)
        # The products' names are long: their box takes the most room.
        for column, stretch in enumerate((5, 4, 1)):
            grid.setColumnStretch(column, stretch)
        grid.addWidget(self.fields["product"], 0, 0)
        grid.addWidget(self.fields["code"], 0, 1)
        # Level with the boxes: under a label's height, as the fields' boxes are.
        button = QVBoxLayout()
        button.setSpacing(3)
        button.addWidget(label(" ", "fieldLabel"))
        button.addWidget(self.add_button)
        button.addStretch(1)
        grid.addLayout(button, 0, 2)
        inside = QVBoxLayout(self.adding)
        inside.setContentsMargins(12, 8, 12, 8)
        inside.addWidget(label(self.tr("Add a pack code"), "subheading"))
        inside.addWidget(self.how)
        inside.addLayout(grid)

    # ---------------------------------------------------------------- the list

    def _show(self) -> None:
        chosen = self._pending_choice or (code.id if (code := self.chosen()) else None)
        self._pending_choice = None
        # Chosen again only by its code: a row whose code has gone leaves none chosen (the
        # next code, now in that row, is never the one a second Remove takes).
        self.table.clearSelection()
        self._lines = self._vm.lines()
        self.table.setRowCount(len(self._lines))
        for row, line in enumerate(self._lines):
            shown = gtin_text(line.code.gtin) if line.code else self.tr("No pack code yet")
            for column, words in enumerate((line.product, shown)):
                item = QTableWidgetItem(words)
                if line.code is None and column == 1:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        if chosen is not None:
            self.choose(chosen)
        codes = len(self._vm.codes)
        without = sum(1 for line in self._lines if line.code is None)
        self.summary.setText(
            self.tr(
                "Pack codes in the list: {codes}; products with none yet: {without}. A pack "
                "scanned on the injection form fills in its product only when its code is here; "
                "otherwise the clinician chooses the product."
            ).format(codes=codes, without=without)
        )
        self._update_buttons()

    def chosen(self) -> PackCodeView | None:
        """The code of the chosen row, if it has one."""
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._lines):
            return None
        return self._lines[rows[0].row()].code

    def choose(self, code_id: object) -> None:
        """Choose the row of this code, and bring it into sight."""
        for row, line in enumerate(self._lines):
            if line.code is not None and line.code.id == code_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.table.model().index(row, 0))

    def _on_chosen(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows and rows[0].row() < len(self._lines):
            # The next code scanned goes to the product of the row chosen.
            choose(self.product, self._lines[rows[0].row()].product_id)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.chosen() is not None and not self._vm.busy)

    def _on_busy(self, busy: bool) -> None:
        self.add_button.setEnabled(not busy)
        self._update_buttons()

    # ---------------------------------------------------------------- changing

    def focus_code(self) -> None:
        """Ready for the first pack to be scanned."""
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        """Add the code in the box to the product chosen."""
        self._show_field_errors({})
        self.notice.hide_notice()
        product = self.product.currentData()
        self._vm.add(str(product) if product is not None else None, self.code.text())

    def remove_chosen(self) -> None:
        """Take the chosen row's code off the list."""
        code = self.chosen()
        if code is not None:
            self.notice.hide_notice()
            self._vm.remove(code)

    def clear_form(self) -> None:
        """Nothing typed stays (switching user, locking)."""
        self.code.clear()
        choose(self.product, None)
        self.notice.hide_notice()
        self._show_field_errors({})

    def _on_added(self, code: PackCodeView) -> None:
        self.code.clear()
        self.notice.show_notice(
            self.tr("Added: pack code {code} is {product}.").format(
                code=gtin_text(code.gtin), product=self._vm.product_name(code.product_id)
            ),
            "success",
        )
        self._pending_choice = code.id
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_removed(self, code: PackCodeView) -> None:
        self.notice.show_notice(
            self.tr("Removed: pack code {code} no longer names {product}.").format(
                code=gtin_text(code.gtin), product=self._vm.product_name(code.product_id)
            ),
            "success",
        )

    def _show_field_errors(self, messages: dict[str, str]) -> None:
        for name, field in self.fields.items():
            field.set_error(messages.get(name))
        if "code" in messages:
            self.code.selectAll()
            self.code.setFocus(Qt.FocusReason.OtherFocusReason)
