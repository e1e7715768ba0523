"""The orphan queue's state: what waits, the image on show, finding the patient, assigning."""

from __future__ import annotations

import uuid
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.imaging.views import InstanceView
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientSummary
from ui.common import errors
from ui.common.epoch import Epoch
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


class OrphanImages(Protocol):
    """The part of the imaging service this screen uses."""

    def orphans(self, actor: CurrentUser) -> list[InstanceView]: ...

    def image_file(self, actor: CurrentUser, instance_id: uuid.UUID) -> bytes: ...

    def assign(
        self, actor: CurrentUser, instance_id: uuid.UUID, patient_id: uuid.UUID
    ) -> InstanceView: ...


class PatientLookup(Protocol):
    """Finding the patient an image belongs to."""

    def search(self, actor: CurrentUser, query: str, limit: int = 50) -> list[PatientSummary]: ...


class OrphansViewModel(QObject):
    """Lists orphans; a person finds the patient and assigns, never the app by a guess."""

    orphans_loaded = Signal(object)
    image_loaded = Signal(object)
    patients_found = Signal(object)
    assigned = Signal(object)
    problem = Signal(str)

    def __init__(
        self,
        imaging: OrphanImages,
        patients: PatientLookup,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._imaging = imaging
        self._patients = patients
        self._runner = runner
        self._session = session
        self.orphans: list[InstanceView] = []
        #: Raised by :meth:`clear`: a queue, image or search asked for by the last user is
        #: never shown to the next.
        self._epoch = Epoch()

    def load(self) -> None:
        """Read the queue."""
        actor = self._session.user
        if actor is None:
            return
        imaging = self._imaging
        self._runner.run_store(
            lambda: imaging.orphans(actor),
            on_done=self._epoch.guard(self._on_loaded),
            on_failed=self._epoch.guard(self._on_failed),
            supersede="orphans",
        )

    def clear(self) -> None:
        """Forget the queue and any search (switching user): the next user reads it afresh."""
        self._epoch.advance()
        self.orphans = []
        self.orphans_loaded.emit(self.orphans)
        self.patients_found.emit([])

    def _on_loaded(self, orphans: object) -> None:
        self.orphans = list(orphans) if isinstance(orphans, list) else []
        self.orphans_loaded.emit(self.orphans)

    def open_image(self, instance: InstanceView) -> None:
        """Fetch an orphan's file to look at before deciding whose it is."""
        actor = self._session.user
        if actor is None:
            return
        imaging = self._imaging
        self._runner.run_store(
            lambda: (instance, imaging.image_file(actor, instance.id)),
            on_done=self._epoch.guard(self.image_loaded.emit),
            on_failed=self._epoch.guard(self._on_failed),
            supersede="orphan.image",
        )

    def find(self, query: str) -> None:
        """Search for the patient by name, NHS number or date of birth."""
        actor = self._session.user
        if actor is None or not query.strip():
            self.patients_found.emit([])
            return
        patients = self._patients
        self._runner.run_store(
            lambda: patients.search(actor, query, limit=8),
            on_done=self._epoch.guard(self.patients_found.emit),
            on_failed=self._epoch.guard(self._on_failed),
            supersede="orphan.find",
        )

    def assign(self, instance_id: uuid.UUID, patient_id: uuid.UUID) -> None:
        """Put the orphan in the patient's record (the person has confirmed the match)."""
        actor = self._session.user
        if actor is None:
            return
        imaging = self._imaging

        def done(view: InstanceView) -> None:
            self.assigned.emit(view)
            self.load()

        self._runner.run_store(
            lambda: imaging.assign(actor, instance_id, patient_id),
            on_done=done,
            on_failed=self._on_failed,
        )

    def _on_failed(self, error: BaseException) -> None:
        self.problem.emit(errors.explain(error))
