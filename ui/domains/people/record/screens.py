"""The patient record, declared: opened from search, registration and the other screens."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from clinic_app.people.views import PatientRecord
from ui.common.screen import ScreenSpec, ShellContext
from ui.domains.people.record.view import PatientView
from ui.domains.people.record.view_model import PatientViewModel

_SAID = {
    "patient.registered": "Patient registered.",
    "referral.saved": "Referral saved.",
    "episode.changed": "Episode updated.",
}
"""Changes the record says out loud when they come back to it."""

_FROM_ELSEWHERE = frozenset(
    {"sync.received", "images.received", "report.reviewed", "patient.merged"}
)
"""Changes announced with no patient that may be the open one's: the record reads itself
again (a colleague's note a sync brought, a scan pushed, a report verified from the queue,
a record merged into another)."""


class PatientScreen:
    """One patient's record; opening it makes that patient the window's open patient."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = PatientViewModel(
            context.services.patients,
            timelines=context.services.timeline,
            episodes=context.services.episodes,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = PatientView(self.view_model)
        self.view_model.record_loaded.connect(context.set_patient)
        self.view_model.cleared.connect(lambda: context.set_patient(None))
        self.view_model.failed.connect(lambda _message: context.show(self))
        self.view_model.new_referral_requested.connect(lambda _record: context.open("referral"))
        # The entry itself is the item: its screen reads which record (``item_id``) to open.
        self.view_model.entry_open_requested.connect(
            lambda entry: context.open(entry.screen_id, entry)
        )
        self.view_model.episode_changed.connect(
            lambda episode: (
                context.announce("episode.changed", self.view_model.record.id)
                if self.view_model.record is not None
                else None
            )
        )
        #: A change made elsewhere arrived while the patient held the device.
        self._read_when_back = False
        context.record_changed.connect(self._on_record_changed)
        context.patient_changed.connect(self._on_patient_changed)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """Open the record with id ``item``, show the record ``item``, or show the open one."""
        if isinstance(item, uuid.UUID):
            # A patient chosen (the search): whichever patient was asked for last opens,
            # this one or a list's row chosen after it, whichever answer comes first.
            self.view_model.open_patient(item, chosen=self._context.choose_patient)
        elif isinstance(item, PatientRecord):
            self.view_model.show_record(item)
        # Focus stays where it was (usually the search results), so arrow keys keep browsing.
        self._context.show(self)

    def show_notice(self, text: str, kind: str) -> None:
        self.view.show_notice(text, kind)

    def save_now(self) -> None:
        """Nothing typed here is kept."""

    def reset(self) -> None:
        self.view_model.clear()

    def _on_patient_changed(self, patient: PatientRecord | None) -> None:
        # Another screen made someone else the window's patient (a report opened from the
        # review queue): the record page follows, so that nothing it reloads later can
        # bring the patient before back into the banner.
        record = self.view_model.record
        if record is None and patient is not None:
            # Nothing was open here yet: the record page shows the banner's patient, never
            # an empty page behind a named banner.
            self.view_model.show_record(patient)
            return
        if record is None or (patient is not None and patient.id == record.id):
            return
        if patient is None:
            self.view_model.clear()
        else:
            self.view_model.show_record(patient)

    def _on_record_changed(self, kind: str, patient_id: uuid.UUID | None) -> None:
        if self._context.handed_over:
            # The patient holds the device: the record is read again once it is handed back
            # (a merge read now would change the banner's patient under their answers).
            self._read_when_back = True
            return
        if kind == "handed.back":
            if not self._read_when_back:
                return
            self._read_when_back = False
            kind = "sync.received"
        record = self.view_model.record
        banner = self._context.patient
        if record is None or banner is None or banner.id != record.id:
            return
        # A change naming no patient may be this one's: read the record again (a merged
        # record opens as the record it was merged into, and the banner follows).
        if patient_id != record.id and not (patient_id is None and kind in _FROM_ELSEWHERE):
            return
        self.view_model.reload()
        if kind in _SAID:
            self.view.show_notice(QCoreApplication.translate("Screens", _SAID[kind]), "success")


SCREENS = (
    ScreenSpec(
        id="patient",
        title="Patient record",
        tip="The open patient's record",
        build=PatientScreen,
        # Built with the workspace: every record opened passes through it.
        eager=True,
    ),
)
