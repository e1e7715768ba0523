"""The access trail's state: find the patient, record the question, ask the server, export."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.kernel.current_user import CurrentUser
from ui.common import errors
from ui.common.epoch import Epoch
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

if TYPE_CHECKING:
    # Types only: the service module brings SQLAlchemy, which building the window must not.
    from clinic_app.people.audit_log import PatientTrail


class AuditLog(Protocol):
    """The part of the audit log service this screen uses."""

    def find_patient(self, actor: CurrentUser, nhs_number: str) -> uuid.UUID: ...

    def ask(self, actor: CurrentUser, patient_id: uuid.UUID) -> tuple[PatientTrail, Any]: ...

    def from_server(
        self, link: Any, actor: CurrentUser, patient_id: uuid.UUID
    ) -> PatientTrail | None: ...

    def export(
        self, actor: CurrentUser, patient_id: uuid.UUID, trail: PatientTrail, path: Path
    ) -> None: ...


class AccessTrailViewModel(QObject):
    """One question at a time: the lines shown belong to the NHS number last asked about."""

    loaded = Signal(object)
    exported = Signal(str)
    problem = Signal(str)

    def __init__(
        self,
        audit_log: AuditLog,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._log = audit_log
        self._runner = runner
        self._session = session
        self.patient_id: uuid.UUID | None = None
        self.trail: PatientTrail | None = None
        #: Raised by each question and reset: an answer to an earlier one is dropped.
        self._epoch = Epoch()

    def ask(self, nhs_number: str) -> None:
        """Find the patient, record the question and read this device's lines; then the server."""
        actor = self._session.user
        if actor is None:
            return
        self._epoch.advance()
        self.patient_id, self.trail = None, None
        self.loaded.emit(None)  # nothing of the last answer stays while this one is asked
        log = self._log
        guard = self._epoch.guard

        def local() -> tuple[uuid.UUID, PatientTrail, Any]:
            patient = log.find_patient(actor, nhs_number)
            trail, link = log.ask(actor, patient)
            return patient, trail, link

        def on_local(found: tuple[uuid.UUID, PatientTrail, Any]) -> None:
            patient, trail, link = found
            self._runner.run_io(
                lambda: log.from_server(link, actor, patient),
                on_done=guard(lambda remote: self._show(patient, remote or trail)),
                on_failed=guard(lambda _error: self._show(patient, trail)),
                supersede="audit-trail-server",
            )

        self._runner.run_store(
            local,
            on_done=guard(on_local),
            on_failed=guard(self._on_failed),
            supersede="audit-trail",
        )

    def _show(self, patient: uuid.UUID, trail: PatientTrail) -> None:
        self.patient_id, self.trail = patient, trail
        self.loaded.emit(trail)

    def export(self, path: Path) -> None:
        """Write what is shown as CSV for a subject access request."""
        actor = self._session.user
        patient, trail = self.patient_id, self.trail
        if actor is None or patient is None or trail is None:
            return
        self._runner.run_store(
            lambda: self._log.export(actor, patient, trail, path),
            on_done=lambda _none: self.exported.emit(str(path)),
            on_failed=self._on_failed,
        )

    def reset(self) -> None:
        """Forget the last answer (another user signs in, or the screen is left)."""
        self._epoch.advance()
        self.patient_id, self.trail = None, None
        self.loaded.emit(None)

    def _on_failed(self, error: BaseException) -> None:
        self.problem.emit(errors.explain(error))
