"""The register of shockwave devices, declared."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.kernel.security.permissions import Action
from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.shockwave.devices.view import DevicesView
from ui.domains.shockwave.devices.view_model import DevicesViewModel


class DevicesScreen:
    """The devices, their kind and their service (kept by the service lead)."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = DevicesViewModel(
            context.services.eswt_devices,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = DevicesView(self.view_model)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view.start_new()
        self.view_model.load()

    def save_now(self) -> None:
        """A device changes only when saved on purpose: a half-typed one is not kept."""

    def reset(self) -> None:
        """It is read afresh each time it is opened."""
        self.view_model.reset()


SCREENS = (
    ScreenSpec(
        id="eswt_devices",
        # K, as in the shockwave course: S and D are taken in the same menu.
        title="Shockwave de&vices",
        tip="The shockwave devices, radial or focused, and when each was last serviced",
        build=DevicesScreen,
        menu="service",
        group=1,
        order=1,
        who=Action.ESWT_DEVICE_MANAGE,
        placement=Placement.WIDE,
    ),
)
