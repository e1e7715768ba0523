"""The container of every service of one open store."""

from __future__ import annotations

from dataclasses import dataclass

from clinic_app import schema  # noqa: F401 - every table registered before any is used
from clinic_app.choices import ReferenceService
from clinic_app.domains.appointments.service import AppointmentService
from clinic_app.domains.assessments.service import AssessmentService
from clinic_app.domains.care_plans.service.plans import CarePlanService
from clinic_app.domains.contacts.service import ContactNoteService
from clinic_app.domains.decisions.service import DecisionService
from clinic_app.domains.experience.service import ExperienceService
from clinic_app.domains.imaging.service.images import ImagingService
from clinic_app.domains.imaging.service.pacs import PacsService
from clinic_app.domains.imaging.service.scanners import ScannerLink
from clinic_app.domains.imaging.service.settings import DicomSettingsService
from clinic_app.domains.imaging.service.teaching import TeachingService
from clinic_app.domains.injections.service.pack_codes import PackCodeService
from clinic_app.domains.injections.service.pgds import PgdService
from clinic_app.domains.injections.service.records import InjectionService
from clinic_app.domains.letters.service import LetterService
from clinic_app.domains.questionnaires.service import QuestionnaireService
from clinic_app.domains.red_flags.service import RedFlagService
from clinic_app.domains.reports.service import ReportService
from clinic_app.domains.shockwave.service.courses import ShockwaveService
from clinic_app.domains.shockwave.service.devices import EswtDeviceService
from clinic_app.domains.triage.service.targets import SettingsService
from clinic_app.domains.triage.service.worklist import TriageService
from clinic_app.figures.service import FiguresService
from clinic_app.kernel.audit_trail import AuditService
from clinic_app.kernel.store_admin import StoreAdminService
from clinic_app.kernel.uow import AppConfig, Context
from clinic_app.people.audit_log import AuditLogService
from clinic_app.people.auth import AuthService
from clinic_app.people.drafts import DraftService
from clinic_app.people.episodes import EpisodeService
from clinic_app.people.merge import DuplicateService
from clinic_app.people.patients import PatientService
from clinic_app.people.referrals import ReferralService
from clinic_app.people.status import StatusService
from clinic_app.people.sync_service import SyncService
from clinic_app.people.users import UserService
from clinic_app.records.attachments import AttachmentService
from clinic_app.records.timeline_service import TimelineService


@dataclass
class Services:
    """Every service of one open store; built by ``clinic_app.bootstrap``."""

    context: Context
    auth: AuthService
    patients: PatientService
    referrals: ReferralService
    drafts: DraftService
    reference: ReferenceService
    status: StatusService
    users: UserService
    audit: AuditService
    audit_log: AuditLogService
    store: StoreAdminService
    triage: TriageService
    red_flags: RedFlagService
    questionnaires: QuestionnaireService
    assessments: AssessmentService
    settings: SettingsService
    sync: SyncService
    attachments: AttachmentService
    imaging: ImagingService
    dicom_settings: DicomSettingsService
    pacs: PacsService
    scanners: ScannerLink
    teaching: TeachingService
    reports: ReportService
    episodes: EpisodeService
    duplicates: DuplicateService
    timeline: TimelineService
    appointments: AppointmentService
    contact_notes: ContactNoteService
    decisions: DecisionService
    pgds: PgdService
    pack_codes: PackCodeService
    injections: InjectionService
    eswt_devices: EswtDeviceService
    shockwave: ShockwaveService
    care_plans: CarePlanService
    letters: LetterService
    figures: FiguresService
    experience: ExperienceService

    @classmethod
    def build(cls, context: Context) -> Services:
        """Wire every service to one context."""
        sync = SyncService(context)
        auth = AuthService(context, sync)
        imaging = ImagingService(context)
        dicom_settings = DicomSettingsService(context)
        reports = ReportService(context, auth)
        red_flags = RedFlagService(context)
        questionnaires = QuestionnaireService(context)
        return cls(
            context=context,
            auth=auth,
            patients=PatientService(context, sync),
            referrals=ReferralService(context),
            drafts=DraftService(context),
            reference=ReferenceService(),
            status=StatusService(context, sync),
            users=UserService(context, sync),
            audit=AuditService(context),
            audit_log=AuditLogService(context, sync),
            store=StoreAdminService(context),
            triage=TriageService(context),
            red_flags=red_flags,
            questionnaires=questionnaires,
            assessments=AssessmentService(context, auth),
            settings=SettingsService(context),
            sync=sync,
            attachments=AttachmentService(context),
            imaging=imaging,
            dicom_settings=dicom_settings,
            pacs=PacsService(context),
            scanners=ScannerLink(imaging, dicom_settings),
            teaching=TeachingService(context),
            reports=reports,
            episodes=EpisodeService(context),
            duplicates=DuplicateService(context),
            timeline=TimelineService(context),
            appointments=AppointmentService(context),
            contact_notes=ContactNoteService(context, auth),
            decisions=DecisionService(context, auth),
            pgds=PgdService(context),
            pack_codes=PackCodeService(context),
            injections=InjectionService(context, auth),
            eswt_devices=EswtDeviceService(context),
            shockwave=ShockwaveService(context, auth),
            care_plans=CarePlanService(context, auth),
            letters=LetterService(context, auth, reports, red_flags, questionnaires),
            figures=FiguresService(context),
            experience=ExperienceService(context),
        )

    @property
    def config(self) -> AppConfig:
        """The settings in force."""
        return self.context.config

    def prepare_first_reads(self) -> None:
        """Ready the queries of the first page a user lands on, before anyone signs in.

        Run once the store is open, while the sign-in screen waits for a password; it reads
        nothing about any patient.
        """
        self.appointments.prepare()

    def close(self) -> None:
        """Stop background sync and close the store's connections."""
        self.sync.stop()
        self.pacs.stop()
        self.scanners.stop()
        self.context.store.close()
