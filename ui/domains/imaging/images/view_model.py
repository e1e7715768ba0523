"""The imaging screen's state: the patient's studies, the image on show, capturing and sending."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.imaging.service.encoding import (
    CapturePlan,
    DicomFile,
    EncodedImage,
    Picture,
)
from clinic_app.domains.imaging.views import (
    InstanceView,
    PlannedScan,
    SendView,
    StudyView,
)
from clinic_app.kernel.current_user import CurrentUser
from ui.common import errors
from ui.common.epoch import Epoch
from ui.common.session import UserSession
from ui.common.tasks import Cancelled, Progress, TaskRunner

if TYPE_CHECKING:
    # Types only: numpy and pydicom load with the first image, not at sign-in.
    import numpy as np

    from clinic_app.domains.imaging.dicom.measure import Annotation

T = TypeVar("T")

#: An image as it is shown: the instance, its DICOM bytes, and the marks drawn on it.
LoadedImage = tuple[InstanceView, bytes, "list[Annotation]"]

#: Where a step of a job runs.
STORE, IO = "store", "io"


class ImageRecords(Protocol):
    """The part of the imaging service this screen uses."""

    def studies(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[StudyView]: ...

    def image_file(self, actor: CurrentUser, instance_id: uuid.UUID) -> bytes: ...

    def marks(self, actor: CurrentUser, instance_id: uuid.UUID) -> list[Annotation]: ...

    def save_marks(
        self, actor: CurrentUser, instance_id: uuid.UUID, marks: list[Annotation]
    ) -> None: ...

    def plan_capture(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        *,
        body_part: str,
        laterality: str,
        burned_in: bool = True,
    ) -> CapturePlan: ...

    def encode(self, plan: CapturePlan, picture: Picture) -> EncodedImage: ...

    def keep(self, actor: CurrentUser, image: EncodedImage) -> InstanceView: ...

    def read_file(
        self, data: bytes, *, cancelled: Callable[[], bool] | None = None
    ) -> Picture | DicomFile: ...

    def keep_dicom(
        self, actor: CurrentUser, file: DicomFile, *, patient_id: uuid.UUID | None = None
    ) -> InstanceView: ...

    def plan_scan(self, actor: CurrentUser, patient_id: uuid.UUID) -> PlannedScan: ...


class PacsControls(Protocol):
    """The part of the PACS service this screen uses."""

    def send_study(self, actor: CurrentUser, study_id: uuid.UUID) -> SendView: ...

    def set_purpose(self, actor: CurrentUser, study_id: uuid.UUID, purpose: str) -> None: ...


class TeachingCopies(Protocol):
    """Making de-identified copies of a study for teaching."""

    def originals(self, actor: CurrentUser, study_id: uuid.UUID) -> Any: ...

    def de_identify(self, originals: Any) -> Any: ...


class ImagingViewModel(QObject):
    """Loads and changes the open patient's imaging; all store work off the UI thread."""

    studies_loaded = Signal(object)
    #: (instance, DICOM bytes, marks) of the image to show.
    image_loaded = Signal(object)
    captured = Signal(object)
    #: A teaching copy is ready to be saved (after the person has been warned if need be).
    teaching_copy_ready = Signal(object)
    notice = Signal(str)
    problem = Signal(str)
    field_error = Signal(str, str)
    busy_changed = Signal(bool)

    def __init__(
        self,
        imaging: ImageRecords,
        pacs: PacsControls,
        teaching: TeachingCopies,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._imaging = imaging
        self._pacs = pacs
        self._teaching = teaching
        self._runner = runner
        self._session = session
        self.patient_id: uuid.UUID | None = None
        self.studies: list[StudyView] = []
        self.shown: InstanceView | None = None
        #: The study to select once the studies are read (opened from a timeline entry).
        self.focus_study_id: uuid.UUID | None = None
        self._busy = 0
        #: Raised when the patient changes: answers asked for the one before are dropped.
        self._epoch = Epoch()

    # ------------------------------------------------------------ loading

    def start(self, patient_id: uuid.UUID, *, study_id: uuid.UUID | None = None) -> None:
        """Show this patient's imaging (``study_id``: the study to show selected)."""
        self.focus_study_id = study_id
        if patient_id != self.patient_id:
            self._epoch.advance()
            self.shown = None
        self.patient_id = patient_id
        self.reload()

    def reload(self) -> None:
        """Read the studies again (after a capture, a send, or sync)."""
        actor, patient_id = self._session.user, self.patient_id
        if actor is None or patient_id is None:
            return
        imaging = self._imaging
        self._runner.run_store(
            lambda: imaging.studies(actor, patient_id),
            on_done=self._epoch.guard(self._on_studies),
            on_failed=self._on_failed,
            supersede="imaging.studies",
        )

    def _on_studies(self, studies: object) -> None:
        self.studies = list(studies) if isinstance(studies, list) else []
        self.studies_loaded.emit(self.studies)

    def open_image(self, instance: InstanceView) -> None:
        """Fetch an image and its marks to show."""
        actor = self._session.user
        if actor is None:
            return
        imaging = self._imaging

        def load() -> LoadedImage:
            return (
                instance,
                imaging.image_file(actor, instance.id),
                imaging.marks(actor, instance.id),
            )

        self.shown = instance
        self._runner.run_store(
            load,
            on_done=self._epoch.guard(self.image_loaded.emit),
            on_failed=self._on_failed,
            supersede="image",
        )

    # ------------------------------------------------------------ capturing and importing

    def _checked_place(self, body_part: str, laterality: str) -> bool:
        """Every image says what was scanned and on which side (MSK anatomy is paired)."""
        if body_part and laterality:
            return True
        if not body_part and not laterality:
            words = self.tr("Choose the body part and the side scanned, then capture again.")
        elif not body_part:
            words = self.tr("Choose the body part scanned, then capture again.")
        else:
            words = self.tr("Choose the side scanned, then capture again.")
        self.field_error.emit("place", words)
        return False

    def capture_still(
        self, frame: np.ndarray, body_part: str, laterality: str, burned_in: bool
    ) -> None:
        """Keep the frame on show in the patient's study."""
        actor, patient_id = self._session.user, self.patient_id
        if actor is None or patient_id is None or not self._checked_place(body_part, laterality):
            return
        self._begin()
        self._keep_picture(
            actor,
            patient_id,
            Picture(frame),
            body_part=body_part,
            laterality=laterality,
            burned_in=burned_in,
            then=self._captured_for_this_patient(),
        )

    def capture_clip(
        self,
        frames: np.ndarray,
        frame_time_ms: float,
        body_part: str,
        laterality: str,
        burned_in: bool,
    ) -> None:
        """Keep a recorded clip (compressing it takes a while: it runs in the background)."""
        actor, patient_id = self._session.user, self.patient_id
        if actor is None or patient_id is None or not self._checked_place(body_part, laterality):
            return
        self._begin()
        self._keep_picture(
            actor,
            patient_id,
            Picture(frames, frame_time_ms),
            body_part=body_part,
            laterality=laterality,
            burned_in=burned_in,
            then=self._captured_for_this_patient(),
        )

    def import_path(self, path: str, body_part: str, laterality: str) -> None:
        """Import a DICOM, PNG, JPEG or MP4 file into the patient's record.

        The file is read (and a picture or clip decoded) on the I/O pool; DICOM is then kept
        as it came on the store worker, and pixels go on as a capture does.
        """
        actor, patient_id = self._session.user, self.patient_id
        if actor is None or patient_id is None:
            return
        imaging = self._imaging
        captured = self._captured_for_this_patient()

        def read(_progress: Progress, cancelled: Cancelled) -> Picture | DicomFile:
            # Cancelled (the app closing, say), a clip's decoder is stopped at once.
            return imaging.read_file(Path(path).read_bytes(), cancelled=cancelled)

        def found(what: Picture | DicomFile) -> None:
            if isinstance(what, DicomFile):
                self._step(
                    STORE,
                    lambda: imaging.keep_dicom(actor, what, patient_id=patient_id),
                    self._last(captured),
                )
            else:
                self._keep_picture(
                    actor,
                    patient_id,
                    what,
                    body_part=body_part,
                    laterality=laterality,
                    burned_in=True,
                    then=captured,
                )

        self._begin()
        self._runner.run_long(read, on_done=found, on_failed=self._step_failed)

    def _keep_picture(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        picture: Picture,
        *,
        body_part: str,
        laterality: str,
        burned_in: bool,
        then: Callable[[InstanceView], None],
    ) -> None:
        """Plan where it goes (store), make the DICOM (I/O pool), keep it (store).

        It is kept for ``patient_id`` whatever happens on screen meanwhile; ``then`` is told.
        """
        imaging = self._imaging

        def keep(image: Any) -> None:
            self._step(STORE, lambda: imaging.keep(actor, image), self._last(then))

        def encode(plan: Any) -> None:
            self._step(IO, lambda: imaging.encode(plan, picture), keep)

        self._step(
            STORE,
            lambda: imaging.plan_capture(
                actor, patient_id, body_part=body_part, laterality=laterality, burned_in=burned_in
            ),
            encode,
        )

    def _captured_for_this_patient(self) -> Callable[[InstanceView], None]:
        """What to do with an image kept: shown if the patient is still this one, else said.

        Made when the capture starts: an image of one patient kept after the screen moved to
        another never joins that patient's strip or viewer.
        """
        return self._epoch.guard_or(self._on_captured, self._on_kept_for_the_patient_before)

    def _on_captured(self, instance: InstanceView) -> None:
        self.captured.emit(instance)
        self.reload()

    def _on_kept_for_the_patient_before(self, _instance: InstanceView) -> None:
        self.notice.emit(
            self.tr(
                "The image captured before the patient changed was kept in that patient's "
                "record, not this one."
            )
        )

    # ------------------------------------------------------------ the study

    def send_to_pacs(self, study_id: uuid.UUID) -> None:
        """Queue the study for the PACS; it is marked archived when the PACS confirms it."""
        actor = self._session.user
        if actor is None:
            return
        pacs = self._pacs

        def done(_view: object) -> None:
            self.notice.emit(
                self.tr(
                    "Queued for the PACS. It is marked archived once the PACS confirms it "
                    "holds every image; until then the app keeps trying."
                )
            )
            self.reload()

        self._run(lambda: pacs.send_study(actor, study_id), done)

    def set_educational(self, study_id: uuid.UUID, educational: bool) -> None:
        """Mark a study educational (never sent to the PACS) or clinical."""
        actor = self._session.user
        if actor is None:
            return
        pacs = self._pacs
        purpose = "educational" if educational else "clinical"
        self._run(lambda: pacs.set_purpose(actor, study_id, purpose), lambda _r: self.reload())

    def teaching_copy(self, study_id: uuid.UUID) -> None:
        """De-identify the study's images for teaching (the record is not changed)."""
        actor = self._session.user
        if actor is None:
            return
        teaching = self._teaching

        def de_identify(originals: Any) -> None:
            self._step(
                IO,
                lambda: teaching.de_identify(originals),
                self._last(self.teaching_copy_ready.emit),
            )

        # The files are read (and the reading audited) on the store worker; de-identifying
        # them takes a while and runs on the I/O pool.
        self._begin()
        self._step(STORE, lambda: teaching.originals(actor, study_id), de_identify)

    def plan_scan(self) -> None:
        """Put the patient on today's scanner worklist."""
        actor, patient_id = self._session.user, self.patient_id
        if actor is None or patient_id is None:
            return
        imaging = self._imaging

        def done(planned: PlannedScan) -> None:
            self.notice.emit(
                self.tr(
                    "On today's worklist as {accession}. Pick the patient on the scanner; "
                    "its images arrive in this record."
                ).format(accession=planned.accession)
            )
            self.reload()

        self._run(lambda: imaging.plan_scan(actor, patient_id), done)

    def save_marks(self, instance_id: uuid.UUID, marks: list[Annotation]) -> None:
        """Keep what was drawn on the image on show."""
        actor = self._session.user
        if actor is None:
            return
        imaging = self._imaging
        self._runner.run_store(
            lambda: imaging.save_marks(actor, instance_id, marks),
            on_failed=self._on_failed,
            supersede=f"marks.{instance_id}",
        )

    # ------------------------------------------------------------ plumbing

    def _run(self, work: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        """One service call on the store worker, shown as busy until it is done."""
        self._begin()
        self._step(STORE, work, self._last(on_done))

    def _begin(self) -> None:
        """Show busy until the job's last step is done, or one of its steps fails."""
        self._busy += 1
        self.busy_changed.emit(True)

    def _step(self, where: str, work: Callable[[], Any], then: Callable[[Any], None]) -> None:
        """Run one step of a job begun with _begin; ``then`` gets its result on the UI thread.

        Store work goes to the store worker, and only there; decoding, compressing and
        de-identifying go to the I/O pool, leaving the store worker free meanwhile.
        """
        run = self._runner.run_io if where == IO else self._runner.run_store
        run(work, on_done=then, on_failed=self._step_failed)

    def _step_failed(self, error: BaseException) -> None:
        self._settle()
        self._on_failed(error)

    def _last(self, on_done: Callable[[Any], None]) -> Callable[[Any], None]:
        """``on_done`` as the end of a job: busy is settled first."""

        def finished(result: Any) -> None:
            self._settle()
            on_done(result)

        return finished

    def _settle(self) -> None:
        self._busy = max(self._busy - 1, 0)
        if not self._busy:
            self.busy_changed.emit(False)

    def _on_failed(self, error: BaseException) -> None:
        self.problem.emit(errors.explain(error))

    def clear(self) -> None:
        """Forget the patient (switch user)."""
        self._epoch.advance()
        self.patient_id = None
        self.studies = []
        self.shown = None
