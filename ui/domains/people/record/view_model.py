"""Loads one patient's record for display; each opening is audited by the service."""

from __future__ import annotations

import uuid
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientRecord
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


class PatientRecords(Protocol):
    """The part of the patient service this screen uses."""

    def open(self, actor: CurrentUser, patient_id: uuid.UUID) -> PatientRecord: ...


class PatientViewModel(QObject):
    """The open patient, and the commands the record screen offers."""

    record_loaded = Signal(object)
    cleared = Signal()
    failed = Signal(str)
    busy_changed = Signal(bool)
    new_referral_requested = Signal(object)

    def __init__(
        self,
        patients: PatientRecords,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._patients = patients
        self._runner = runner
        self._session = session
        self._record: PatientRecord | None = None
        self._busy = False

    @property
    def record(self) -> PatientRecord | None:
        return self._record

    @property
    def busy(self) -> bool:
        return self._busy

    def open_patient(self, patient_id: uuid.UUID) -> None:
        """Load the record of ``patient_id``; emits ``record_loaded`` or ``failed``."""
        actor = self._session.require_user()
        if self._record is not None and self._record.id != patient_id:
            # Never leave another patient's banner up while this one loads.
            self.clear()
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._patients.open(actor, patient_id),
            on_done=self._on_record_opened,
            on_failed=self._on_open_failed,
            supersede="patient-open",
        )

    def show_record(self, record: PatientRecord) -> None:
        """Show a record the caller already has (for example one just registered)."""
        self._record = record
        self.record_loaded.emit(record)

    def reload(self) -> None:
        """Load the open record again (after a referral was added)."""
        if self._record is not None:
            self.open_patient(self._record.id)

    def request_new_referral(self) -> None:
        if self._record is not None:
            self.new_referral_requested.emit(self._record)

    def clear(self) -> None:
        """Forget the open patient (on sign-out)."""
        self._record = None
        self.cleared.emit()

    def _on_record_opened(self, record: PatientRecord) -> None:
        self._set_busy(False)
        self.show_record(record)

    def _on_open_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.failed.emit(errors.explain(error))

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
