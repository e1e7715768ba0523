"""Ultrasound imaging, declared: built when first opened (it brings QtMultimedia and numpy)."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from clinic_app.kernel.security.permissions import Action
from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext, under_banner
from ui.domains.imaging.images.view_model import ImagingViewModel


class ImagingScreen:
    """The open patient's imaging: live capture, studies, the viewer, the PACS."""

    def __init__(self, context: ShellContext) -> None:
        from ui.domains.imaging.images.view import ImagingView  # noqa: PLC0415 - heavy, see above

        self._context = context
        services = context.services
        self.view_model = ImagingViewModel(
            services.imaging,
            services.pacs,
            services.teaching,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = ImagingView(self.view_model)
        self._page, self.banner = under_banner(self.view)
        # Shown full width; its natural width must not set every page's minimum.
        self._page.setMinimumWidth(560)
        self.view.report_requested.connect(lambda study_id: context.open("report", study_id))
        self.view_model.captured.connect(lambda _view: self._announce("images.captured"))
        context.record_changed.connect(self._on_record_changed)

    @property
    def page(self) -> QWidget:
        return self._page

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        if patient is None:
            return
        self.banner.show_record(patient)
        # A study named (a timeline entry of one, or its id from a report): shown selected.
        self.view_model.start(patient.id, study_id=_study_named(item))
        self._context.show(self)
        self.view.studies.setFocus(Qt.FocusReason.OtherFocusReason)

    def save_now(self) -> None:
        self.view.save_marks_now()

    def reset(self) -> None:
        self.view_model.clear()
        self.view.reset()
        self.banner.clear()

    def _announce(self, kind: str) -> None:
        self._context.announce(kind, self.view_model.patient_id)

    def _on_record_changed(self, kind: str, _patient_id: object) -> None:
        # What the PACS did with a study, and what a scanner pushed since the screen read
        # the patient's studies, shows on this screen while it is up (this patient's only).
        watched = ("images.sent", "images.received", "sync.received")
        if kind in watched and self._context.is_showing(self):
            self.view_model.reload()


def _study_named(item: object) -> uuid.UUID | None:
    """The study a timeline entry or an id names, if any."""
    if isinstance(item, uuid.UUID):
        return item
    if getattr(item, "kind", None) == "imaging_study":
        found = getattr(item, "item_id", None)
        return found if isinstance(found, uuid.UUID) else None
    return None


SCREENS = (
    ScreenSpec(
        id="imaging",
        title="&Imaging (ultrasound)",
        tip="Capture, import and view the open patient's scans, and send them to PACS",
        build=ImagingScreen,
        menu="patient",
        order=7,
        shortcut="Ctrl+I",
        who=Action.IMAGE_CAPTURE,
        needs_patient=True,
        placement=Placement.WIDE,
    ),
)
