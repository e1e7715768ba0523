"""What the main window needs from the core's services container, as Protocols."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from clinic_app.domains.imaging.views import SendOutcome
from clinic_app.domains.questionnaires.views import HistoryEntry
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import StoreStatus
from ui.common.drafts import DraftStore, ReferenceLists
from ui.domains.appointments.booking.view_model import AppointmentBook
from ui.domains.appointments.day.view_model import DayKeeper
from ui.domains.appointments.sessions.view_model import SessionKeeper
from ui.domains.assessments.assessment.view_model import AssessmentRecorder
from ui.domains.imaging.dicom_settings.view_model import DicomSettingsStore, Listeners
from ui.domains.imaging.images.view_model import ImageRecords, PacsControls, TeachingCopies
from ui.domains.imaging.orphans.view_model import OrphanImages
from ui.domains.people.record.view_model import PatientRecords
from ui.domains.people.referral.view_model import ReferralRecorder
from ui.domains.people.register.view_model import PatientRegistrar
from ui.domains.people.search.view_model import PatientFinder
from ui.domains.questionnaires.questionnaire.view_model import QuestionnaireRecorder
from ui.domains.red_flags.screening.view_model import RedFlagScreening
from ui.domains.reports.logbook.view_model import LogbookSource, TraineeSource
from ui.domains.reports.report.view_model import ReportDesk
from ui.domains.sync.sync.view_model import SyncControls
from ui.domains.triage.targets.view_model import SettingsStore
from ui.domains.triage.worklist.view_model import TriageRecorder
from ui.shell.login.view_model import Authenticator

if TYPE_CHECKING:
    # Types only: the scheduler module brings SQLAlchemy, which sign-in must not wait for.
    from clinic_app.sync.scheduler import SyncState


class PatientServices(PatientFinder, PatientRecords, PatientRegistrar, Protocol):
    """Everything the screens ask of the patient service."""


class StatusSource(Protocol):
    """The status service, for the status bar."""

    def current(self, actor: CurrentUser) -> StoreStatus: ...


class ClinicSettings(Protocol):
    """Settings the window reads."""

    idle_lock_seconds: int


class QuestionnaireServices(QuestionnaireRecorder, Protocol):
    """The questionnaire service, as the window uses it."""

    def next_timepoint(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        questionnaire_id: str,
        *,
        episode_id: uuid.UUID | None = None,
    ) -> str: ...

    def history(
        self, actor: CurrentUser, patient_id: uuid.UUID, questionnaire_id: str
    ) -> Sequence[HistoryEntry]: ...


class RedFlagServices(RedFlagScreening, Protocol):
    """The red-flag service, as the window uses it."""

    def safety_net_card(
        self, actor: CurrentUser, patient_id: uuid.UUID, screen_id: str = "cauda_equina"
    ) -> bytes: ...


class SyncRunner(SyncControls, Protocol):
    """The sync service, as the window uses it: the screen's part, and running it."""

    def start(self, on_state: Callable[[SyncState], None] | None = None) -> bool: ...

    def stop(self) -> None: ...

    def keep_open(self, patients: Iterable[uuid.UUID]) -> None: ...


class ReportServices(ReportDesk, LogbookSource, Protocol):
    """The report service: the report screens' part and the logbook's."""


class UserServices(TraineeSource, Protocol):
    """The user service, as the logbook lists a supervisor's trainees."""


class ImagingServices(ImageRecords, OrphanImages, Protocol):
    """The imaging service, as the imaging screen and the orphan queue use it."""


class PacsSender(PacsControls, Protocol):
    """The PACS service: the screen's part, and the sender the window starts and stops."""

    def watch(self, on_outcome: Callable[[SendOutcome], None]) -> None: ...

    def start(self, interval: float = 60.0) -> None: ...

    def stop(self, timeout: float = 10.0) -> None: ...


class ScannerListeners(Listeners, Protocol):
    """The DICOM listeners, which the window starts after sign-in and stops on closing."""

    def stop(self) -> None: ...
    def watch(self, on_arrival: Callable[[], None] | None) -> None: ...


class AppointmentServices(DayKeeper, AppointmentBook, SessionKeeper, Protocol):
    """The appointment service: the day lists', the booking screen's and the sessions' parts."""


class ClinicServices(Protocol):
    """What the window needs from the services container built by ``clinic_app.bootstrap``."""

    @property
    def auth(self) -> Authenticator: ...
    @property
    def patients(self) -> PatientServices: ...
    @property
    def referrals(self) -> ReferralRecorder: ...
    @property
    def drafts(self) -> DraftStore: ...
    @property
    def reference(self) -> ReferenceLists: ...
    @property
    def status(self) -> StatusSource: ...
    @property
    def questionnaires(self) -> QuestionnaireServices: ...
    @property
    def triage(self) -> TriageRecorder: ...
    @property
    def assessments(self) -> AssessmentRecorder: ...
    @property
    def appointments(self) -> AppointmentServices: ...
    @property
    def red_flags(self) -> RedFlagServices: ...
    @property
    def settings(self) -> SettingsStore: ...
    @property
    def sync(self) -> SyncRunner: ...
    @property
    def imaging(self) -> ImagingServices: ...
    @property
    def pacs(self) -> PacsSender: ...
    @property
    def dicom_settings(self) -> DicomSettingsStore: ...
    @property
    def scanners(self) -> ScannerListeners: ...
    @property
    def teaching(self) -> TeachingCopies: ...
    @property
    def reports(self) -> ReportServices: ...
    @property
    def users(self) -> UserServices: ...
    @property
    def config(self) -> ClinicSettings: ...
    def close(self) -> None: ...
