"""Which service methods read clinical content, and the reason each other one writes no entry.

Every public service method that opens a unit of work without writing an audit entry must be
named in :data:`NOT_AUDITED` with the reason; every other one writes its entry (directly or
through a private helper of its class). ``tests/core/kernel/test_read_audit.py`` walks the
source of every service and fails on a method in neither place, so a new read of clinical
content cannot go unaudited by being forgotten: its author must either audit it or write
down here why it needs no entry, for review.

:data:`CLINICAL_READS` lists the reads of clinical content, each with the action its entry
carries; the test checks each opens an audited read and, for one of each kind, that using it
as a clinician would writes that entry. Names are ``module:Class.method``.
"""

from __future__ import annotations

CLINICAL_READS: dict[str, str] = {
    "clinic_app.people.patients:PatientService.open": "patient.open",
    "clinic_app.people.referrals:ReferralService.for_patient": "referral.list",
    "clinic_app.records.timeline_service:TimelineService.for_patient": "timeline.view",
    "clinic_app.records.sections_record:SectionsRecordService.get": "<record type>.open",
    "clinic_app.records.sections_record:SectionsRecordService.for_patient": "<record type>.list",
    "clinic_app.records.sections_record:SectionsRecordService.printable": "<record type>.print",
    "clinic_app.records.attachments:AttachmentService.read": "attachment.read",
    "clinic_app.domains.assessments.service:AssessmentService.get": "assessment.open",
    "clinic_app.domains.contacts.service:ContactNoteService.get": "contact_note.open",
    "clinic_app.domains.contacts.service:ContactNoteService.for_patient": "contact_note.list",
    "clinic_app.domains.contacts.service:ContactNoteService.printable": "contact_note.print",
    "clinic_app.domains.contacts.service:ContactNoteService.questionnaires_due": (
        "contact_note.questionnaires_due"
    ),
    "clinic_app.domains.decisions.service:DecisionService.get": "sdm.open",
    "clinic_app.domains.experience.service:ExperienceService.for_patient": "fft.list",
    "clinic_app.domains.letters.service:LetterService.get": "letter.open",
    "clinic_app.domains.letters.service:LetterService.for_patient": "letter.list",
    "clinic_app.domains.letters.service:LetterService.gather": "letter.gather",
    "clinic_app.domains.letters.service:LetterService.printable": "letter.print",
    "clinic_app.domains.letters.service:LetterService.due": "letter.due",
    "clinic_app.domains.decisions.service:DecisionService.for_patient": "sdm.list",
    "clinic_app.domains.decisions.service:DecisionService.decision_for": "sdm.list_for",
    "clinic_app.domains.care_plans.service.plans:CarePlanService.get": "care_plan.open",
    "clinic_app.domains.care_plans.service.plans:CarePlanService.for_patient": "care_plan.list",
    "clinic_app.domains.care_plans.service.plans:CarePlanService.pifu_windows": (
        "care_plan.pifu_list"
    ),
    "clinic_app.domains.injections.service.records:InjectionService.get": "injection.open",
    "clinic_app.domains.injections.service.records:InjectionService.for_patient": (
        "injection.list"
    ),
    "clinic_app.domains.injections.service.records:InjectionService.checks": "injection.checks",
    "clinic_app.domains.shockwave.service.courses:ShockwaveService.get": "eswt.open",
    "clinic_app.domains.shockwave.service.courses:ShockwaveService.for_patient": "eswt.list",
    "clinic_app.domains.shockwave.service.courses:ShockwaveService.outcome_change": (
        "eswt.outcome_change"
    ),
    "clinic_app.domains.shockwave.service.courses:ShockwaveService.session_checks": ("eswt.checks"),
    "clinic_app.domains.imaging.service.images:ImagingService.studies": "imaging.list_studies",
    "clinic_app.domains.imaging.service.images:ImagingService.orphans": "image.list_orphans",
    "clinic_app.domains.imaging.service.images:ImagingService.image_file": "image.view",
    "clinic_app.domains.reports.service:ReportService.get": "report.open",
    "clinic_app.domains.reports.service:ReportService.for_study": "report.list_study",
    "clinic_app.domains.reports.service:ReportService.final_reports": "report.list_final",
    "clinic_app.domains.reports.service:ReportService.pending_reviews": "report.list_pending",
    "clinic_app.domains.reports.service:ReportService.returned": "report.list_returned",
    "clinic_app.domains.reports.service:ReportService.study_images": "report.images_view",
    "clinic_app.domains.reports.service:ReportService.measurements_offered": (
        "report.measurements_view"
    ),
    "clinic_app.domains.reports.service:ReportService.logbook": "report.logbook_view",
    "clinic_app.domains.reports.service:ReportService.printable": "report.print",
    "clinic_app.domains.red_flags.service:RedFlagService.screenings": "red_flag.screenings",
    "clinic_app.domains.red_flags.service:RedFlagService.unresolved": "red_flag.unresolved",
    "clinic_app.domains.red_flags.service:RedFlagService.actions": "red_flag.actions",
    "clinic_app.domains.red_flags.service:RedFlagService.awaiting_action": (
        "red_flag.awaiting_action"
    ),
    "clinic_app.domains.red_flags.service:RedFlagService.open_screening": (
        "red_flag.open_screening"
    ),
    "clinic_app.domains.red_flags.service:RedFlagService.safety_net_card": (
        "document.safety_net_card"
    ),
    "clinic_app.domains.red_flags.service:RedFlagService.summary_pdf": (
        "document.red_flag_summary"
    ),
    "clinic_app.domains.questionnaires.service:QuestionnaireService.history": (
        "questionnaire.history"
    ),
    "clinic_app.domains.questionnaires.service:QuestionnaireService.response": (
        "questionnaire.response_read"
    ),
    "clinic_app.domains.triage.service.worklist:TriageService.worklist": "triage.worklist",
    "clinic_app.domains.appointments.service.core:AppointmentService.get": "appointment.open",
    "clinic_app.domains.appointments.service.core:AppointmentService.for_patient": (
        "appointment.list"
    ),
    "clinic_app.domains.appointments.service.core:AppointmentService.day": "appointment.day_list",
    "clinic_app.domains.appointments.service.core:AppointmentService.site_day": (
        "appointment.day_list"
    ),
    "clinic_app.domains.appointments.service.core:AppointmentService.dna_check": (
        "appointment.dna_check"
    ),
    "clinic_app.domains.appointments.service.core:AppointmentService.contacts": "care_contact.list",
    "clinic_app.domains.appointments.service.core:AppointmentService.contact": "care_contact.open",
    "clinic_app.domains.appointments.service.core:AppointmentService.clashes": (
        "appointment.clashes"
    ),
}
"""Reads of clinical content: each writes an audit entry naming the patient where it has one."""

_SETTINGS = "service settings or wording, no patient"
_WRITE = "a write: the row itself records who made it and when, and it travels by sync"

NOT_AUDITED: dict[str, str] = {
    "clinic_app.domains.appointments.service.core:AppointmentService.prepare": (
        "runs the day lists' queries for the nil id before anyone signs in, to have them "
        "compiled; matches no row, returns nothing"
    ),
    "clinic_app.domains.assessments.service:AssessmentService.on_file": (
        "dates and states of the latest draft and signed assessment, no content; opening "
        "one is audited (assessment.open)"
    ),
    "clinic_app.domains.assessments.service:AssessmentService.attestation_for": _SETTINGS,
    "clinic_app.domains.reports.service:ReportService.attestation_for": _SETTINGS,
    "clinic_app.records.sections_record:SectionsRecordService.attestation_for": _SETTINGS,
    "clinic_app.domains.contacts.service:ContactNoteService.attestation_for": _SETTINGS,
    "clinic_app.domains.decisions.service:DecisionService.attestation_for": _SETTINGS,
    "clinic_app.domains.care_plans.service.plans:CarePlanService.attestation_for": _SETTINGS,
    "clinic_app.domains.care_plans.service.plans:CarePlanService.rules": _SETTINGS,
    "clinic_app.domains.injections.service.records:InjectionService.attestation_for": _SETTINGS,
    "clinic_app.domains.shockwave.service.courses:ShockwaveService.attestation_for": _SETTINGS,
    "clinic_app.domains.letters.service:LetterService.targets": _SETTINGS,
    "clinic_app.domains.decisions.service:DecisionService.figures": (
        "counts of shared decisions per clinician and month, no patient"
    ),
    "clinic_app.domains.injections.service.records:InjectionService.audit": (
        "counts and rates of signed injections per clinician over months, no patient"
    ),
    "clinic_app.figures.service:FiguresService.figures": (
        "counts and rates of a measure over months, broken down; no patient is named"
    ),
    "clinic_app.domains.shockwave.service.courses:ShockwaveService.audit": (
        "counts and mean score changes of closed shockwave courses per indication, no patient"
    ),
    "clinic_app.domains.imaging.service.settings:DicomSettingsService.current": _SETTINGS,
    "clinic_app.domains.triage.service.targets:SettingsService.waiting_times": _SETTINGS,
    "clinic_app.domains.triage.service.targets:SettingsService.changed_waiting_times": (_SETTINGS),
    "clinic_app.people.patients:PatientService.practices": "GP practices, no patient",
    "clinic_app.domains.questionnaires.service:QuestionnaireService.questionnaire_of": (
        "which questionnaire a response answers, no answers or score; the history it opens "
        "is audited (questionnaire.history)"
    ),
    "clinic_app.people.users:UserService.list": "staff accounts, no patient",
    "clinic_app.domains.shockwave.service.devices:EswtDeviceService.list": (
        "the register of shockwave devices and their service dates, no patient"
    ),
    "clinic_app.domains.injections.service.pgds:PgdService.list": (
        "the register of patient group directions: the service's governance, no patient"
    ),
    "clinic_app.domains.injections.service.pack_codes:PackCodeService.list": (
        "which pack code is which product of the formulary, no patient"
    ),
    "clinic_app.people.patients:PatientService.search": (
        "names to choose from; opening the chosen record is audited (patient.open)"
    ),
    "clinic_app.domains.imaging.service.images:ImagingService.worklist": (
        "the day's planned scans served to the scanner (DICOM worklist), with no user; "
        "planning each was audited"
    ),
    "clinic_app.domains.imaging.service.images:ImagingService.held_already": (
        "the receiver's duplicate check, with no user: whether an object with this UID is "
        "held and is the same; nothing is shown, and keeping the object is audited"
    ),
    "clinic_app.domains.imaging.service.images:ImagingService.marks": (
        "drawn on an image only while it is shown; showing it is audited (image.view)"
    ),
    "clinic_app.domains.imaging.service.pacs:PacsService.sends": (
        "sending state per study id, no patient or clinical content"
    ),
    "clinic_app.domains.questionnaires.service:QuestionnaireService.next_timepoint": (
        "baseline or follow-up, worked out from dates; no answers are shown"
    ),
    "clinic_app.domains.red_flags.service:RedFlagService.screens_for": (
        "which screens to offer, from the patient's age; no answers are shown"
    ),
    "clinic_app.people.audit_log:AuditLogService.find_patient": (
        "the id for the NHS number an admin typed; the trail asked for next is audited"
    ),
    "clinic_app.people.drafts:DraftService.load": "the user's own unsaved form, not a record",
    "clinic_app.people.sync_service:SyncService.status": "counts of changes waiting",
    "clinic_app.people.sync_service:SyncService.issues": (
        "sync problems naming the record kind and whose it is, for the person fixing them"
    ),
    "clinic_app.people.sync_service:SyncService.server_for_conflicts": "the server's address",
    "clinic_app.people.sync_service:SyncService.describe_conflicts": (
        "sync conflicts for the person resolving them; resolving is audited"
    ),
    "clinic_app.domains.imaging.service.images:ImagingService.plan_capture": _WRITE,
    "clinic_app.domains.reports.service:ReportService.save": _WRITE,
    "clinic_app.people.drafts:DraftService.save": _WRITE,
    "clinic_app.domains.appointments.service.core:AppointmentService.clinicians": (
        "staff who can be booked and their sites, no patient"
    ),
    "clinic_app.domains.appointments.service.core:AppointmentService.sites": (
        "the service's sites, no patient"
    ),
    "clinic_app.domains.appointments.service.core:AppointmentService.sessions": (
        "clinicians' regular sessions, no patient"
    ),
    "clinic_app.domains.appointments.service.core:AppointmentService.slots": (
        "times free or taken in a clinician's sessions, no patient named"
    ),
    "clinic_app.domains.appointments.service.core:AppointmentService.preferred_mechanism": (
        "how the patient in the banner prefers to be seen, offered on the booking form; "
        "their record's opening was audited (patient.open)"
    ),
    "clinic_app.domains.appointments.service.core:AppointmentService.check_booking": (
        "warnings before booking (the times of clashing appointments, no patient named); "
        "the booking itself is audited (appointment.book)"
    ),
    "clinic_app.people.drafts:DraftService.discard": _WRITE,
}
"""Service methods that open a unit of work and write no audit entry, each with the reason."""
