"""The pack codes, declared (service lead)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.kernel.security.permissions import Action
from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.injections.pack_codes.view import PackCodesView
from ui.domains.injections.pack_codes.view_model import PackCodesViewModel


class PackCodesScreen:
    """Which pack code (GTIN) is which product: a scanned pack fills its product from here."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = PackCodesViewModel(
            context.services.pack_codes,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = PackCodesView(self.view_model)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view_model.load()
        self.view.focus_code()

    def save_now(self) -> None:
        """A code is kept only when the service lead adds it: nothing is kept half-typed."""

    def reset(self) -> None:
        self.view_model.reset()
        self.view.clear_form()


SCREENS = (
    ScreenSpec(
        id="pack_codes",
        title="Pack &codes",
        tip="Which medicine pack's code is which product, so a scanned pack fills its product",
        build=PackCodesScreen,
        menu="service",
        group=1,
        order=6,
        who=Action.PACK_CODE_MANAGE,
        placement=Placement.WIDE,
    ),
)
