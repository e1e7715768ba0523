"""The DICOM listeners and the PACS, declared."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.imaging.dicom_settings.view import DicomSettingsView
from ui.domains.imaging.dicom_settings.view_model import DicomSettingsViewModel


class DicomSettingsScreen:
    """Where scanners reach this app, and the PACS it sends to (admins and leads change them)."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        services = context.services
        self.view_model = DicomSettingsViewModel(
            services.dicom_settings,
            services.scanners,
            runner=context.runner,
            session=context.session,
            # Looked up when used: with a store still opening, the service is not there yet.
            can_change=lambda user: services.settings.can_manage(user),  # noqa: PLW0108
            parent=context.owner,
        )
        self.view = DicomSettingsView(self.view_model)
        # Shown full width; its natural width must not set every page's minimum.
        self.view.setMinimumWidth(560)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view_model.load()

    def save_now(self) -> None:
        """Settings change only when saved on purpose."""

    def reset(self) -> None:
        """It is read afresh each time it is opened."""


SCREENS = (
    ScreenSpec(
        id="dicom_settings",
        title="&DICOM and PACS",
        tip="Where scanners reach this app, and the PACS it sends studies to",
        build=DicomSettingsScreen,
        menu="service",
        group=1,
        order=1,
        placement=Placement.WIDE,
    ),
)
