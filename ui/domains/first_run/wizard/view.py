"""The first-run window: its declared pages in a stack, the view model's state on show."""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QScrollArea, QStackedWidget, QVBoxLayout, QWidget

from ui.domains.first_run.wizard.pages import PAGES, KeychainPage, WizardPage
from ui.domains.first_run.wizard.view_model import FirstRunViewModel, Page


class FirstRunWindow(QWidget):
    """Shown instead of the sign-in window while this computer has no clinic data.

    Closing it while a store is half made removes that store first, then closes.
    """

    def __init__(self, view_model: FirstRunViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunWindow")
        self.setWindowTitle(self.tr("OneStop MSK — set up this computer"))
        self.vm = view_model
        self.stack = QStackedWidget()
        self.pages: dict[Page, WizardPage] = {}
        for spec in PAGES:
            page = spec.build(view_model)
            self.pages[spec.page] = page
            self.stack.addWidget(page)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.stack)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self._closing = False
        keychain = self.pages[Page.KEYCHAIN]
        assert isinstance(keychain, KeychainPage)
        keychain.close_button.clicked.connect(self.close)

        view_model.page_changed.connect(self._on_vm_page_changed)
        view_model.busy_changed.connect(self._on_vm_busy_changed)
        view_model.failed.connect(self._on_vm_failed)
        view_model.fields_failed.connect(self._on_vm_fields_failed)
        view_model.closed_down.connect(self._on_vm_closed_down)
        self._on_vm_page_changed(view_model.page.value)
        self._on_vm_busy_changed(view_model.busy)

    def page(self) -> WizardPage:
        """The page on show."""
        return self.pages[self.vm.page]

    def _on_vm_page_changed(self, page: str) -> None:
        shown = self.pages[Page(page)]
        self.stack.setCurrentWidget(shown)
        shown.show_message("")
        shown.entered()

    def _on_vm_busy_changed(self, busy: bool) -> None:
        for page in self.pages.values():
            page.set_busy(busy)

    def _on_vm_failed(self, message: str) -> None:
        self.page().show_message(message)

    def _on_vm_fields_failed(self, by_field: object) -> None:
        assert isinstance(by_field, dict)
        self.page().show_field_errors(by_field)

    def _on_vm_closed_down(self) -> None:
        self._closing = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remove a half-made store before closing (the window stays up meanwhile)."""
        if self._closing or not self.vm.has_work_to_lose():
            event.accept()
            return
        event.ignore()
        self.vm.give_up(to=None)
