"""Who may do what: every service action is checked against the signed-in user's role.

A hidden button is not a permission: services call ``require`` before they do anything.

Triage, assessment, red flags and questionnaires (issue 3):

- Everyone may see the triage worklist (``triage.worklist``): admin and booking teams run the
  single point of access and need to see what is waiting and what is near its target. The
  worklist shows who is waiting and the referrer's reason, as a referral view already does.
- Only clinicians and supervisors triage (``triage.decide``), return to referrer included.
  The service specifications word that outcome as "returned to the referrer with advice and
  guidance": advice is a clinical judgement, and a referral's clinical status is already
  kept from admin (``referral.update_status``). Trainees do not triage unsupervised, for the
  same reason they may not change a referral's status; sonographers triage no referrals.
- Trainees may assess, sign their own assessment, screen for red flags and record actions
  for a positive screen (sending a patient to the emergency department must never wait for
  someone else), but only a qualified clinician may override a positive screen
  (``red_flag.override``).
- Admin sees no clinical content: no assessment, screening or questionnaire action.
- Sync: the admin sets a device up with the server (``sync.manage``); everyone sees sync
  problems (``sync.view``); choosing between two clinical values kept in a conflict
  (``sync.resolve``) is for the clinical roles, since the values are clinical content.
- Objects a scanner pushes are received by the device itself (``image.receive``), recorded as
  the system's: no user is signed in to the scanner.
- The service's own settings (its waiting-time amounts) are changed by the admin / service
  lead (``settings.manage``): they are the service's contract with its commissioners, not
  a clinical judgement about one patient. Everyone may read them.
- Shared decisions: every clinical role records and signs the record of a conversation it had
  with a patient (``decision.record``, ``decision.sign``). Which decision aids are due for
  review, or are not offered because their file is broken, is for the service lead (admin) and
  supervisors (``decision_aids.review``); the aids hold no patient data.
- Injections: clinicians, supervisors and sonographers (POCUS practitioners give guided
  injections) record and sign the injections they give (``injection.record``,
  ``injection.sign``); whether they may give that drug into that target is their authority's
  question (a PGD names them, or a prescription), checked when they sign. A trainee in
  POCUS training does not inject. The register of patient group directions is the service
  lead's (admin: ``pgd.manage``): a PGD is the service's governance document, not a clinical
  judgement about one patient. So is the list of pack codes (``pack_code.manage``): which
  GTIN on a pack is which product of the formulary decides what a clinician's scan records.
- Shockwave therapy (ESWT): clinicians and supervisors record and sign courses and their
  sessions (``eswt.record``, ``eswt.sign``); sonographers and trainees do not give it. The
  register of ESWT devices and their service dates is the service lead's (admin:
  ``eswt_device.manage``), as the PGD register is.
- Personalised care and support plans: every clinical role makes and signs the plans it makes
  with a patient (``care_plan.record``, ``care_plan.sign``). The service's list of open PIFU
  windows and those about to lapse is for the service lead and supervisors
  (``pifu.oversight``); each clinician sees the windows of the plans they signed.
- Letters: clinicians and supervisors, who discharge and refer on, write and sign the letters
  to the GP, the patient and the next service (``letter.write``, ``letter.sign``). The list of
  letters due against the service's targets (``letters.due``) is for them and for the service
  lead, who answers for the turnaround; it names patients and dates, never a letter's words.
- Patient experience (the Friends and Family Test): anyone who may open the patient's record
  hands the device over for the patient to answer (``experience.record``), reception too, and
  may withdraw an answer at the patient's wish. Reading a patient's own answer and words
  (``experience.view``) is for the service lead (admin), who acts on the feedback: NHS England
  holds that patients must be able to give feedback freely, so the clinician treating them
  does not read it against their name. The figures count answers without names.
"""

from __future__ import annotations

from enum import StrEnum

from clinic_app.kernel.errors import PermissionDenied
from clinic_app.kernel.vocabulary import Role


class Action(StrEnum):
    """Every action a service performs on behalf of a user."""

    PATIENT_SEARCH = "patient.search"
    PATIENT_OPEN = "patient.open"
    PATIENT_REGISTER = "patient.register"
    PATIENT_EDIT = "patient.edit"
    PATIENT_MERGE = "patient.merge"
    REFERRAL_CREATE = "referral.create"
    REFERRAL_VIEW = "referral.view"
    REFERRAL_UPDATE_STATUS = "referral.update_status"
    DRAFT_KEEP = "draft.keep"
    STATUS_VIEW = "status.view"
    USER_MANAGE = "user.manage"
    USER_LIST = "user.list"
    AUDIT_VERIFY = "audit.verify"
    STORE_BACKUP = "store.backup"
    DEMO_SEED = "demo.seed"
    TRIAGE_WORKLIST = "triage.worklist"
    TRIAGE_DECIDE = "triage.decide"
    ASSESSMENT_VIEW = "assessment.view"
    ASSESSMENT_WRITE = "assessment.write"
    ASSESSMENT_SIGN = "assessment.sign"
    RED_FLAG_SCREEN = "red_flag.screen"
    RED_FLAG_OVERRIDE = "red_flag.override"
    QUESTIONNAIRE_RECORD = "questionnaire.record"
    QUESTIONNAIRE_VIEW = "questionnaire.view"
    WORDING_PACK_IMPORT = "wording_pack.import"
    SETTINGS_MANAGE = "settings.manage"
    SYNC_MANAGE = "sync.manage"
    SYNC_VIEW = "sync.view"
    SYNC_RESOLVE = "sync.resolve"
    ATTACHMENT_ADD = "attachment.add"
    ATTACHMENT_VIEW = "attachment.view"
    IMAGE_CAPTURE = "image.capture"
    IMAGE_VIEW = "image.view"
    IMAGE_RECEIVE = "image.receive"
    IMAGE_ARCHIVE = "image.archive"
    REPORT_VIEW = "report.view"
    REPORT_WRITE = "report.write"
    REPORT_SIGN = "report.sign"
    REPORT_VERIFY = "report.verify"
    APPOINTMENT_VIEW = "appointment.view"
    APPOINTMENT_BOOK = "appointment.book"
    APPOINTMENT_ARRIVE = "appointment.arrive"
    CONTACT_RECORD = "contact.record"
    CLINIC_TEMPLATE_MANAGE = "clinic_template.manage"
    CONTACT_NOTE_WRITE = "contact_note.write"
    CONTACT_NOTE_SIGN = "contact_note.sign"
    DECISION_RECORD = "decision.record"
    DECISION_SIGN = "decision.sign"
    DECISION_AIDS_REVIEW = "decision_aids.review"
    INJECTION_RECORD = "injection.record"
    INJECTION_SIGN = "injection.sign"
    PGD_MANAGE = "pgd.manage"
    PACK_CODE_MANAGE = "pack_code.manage"
    ESWT_RECORD = "eswt.record"
    ESWT_SIGN = "eswt.sign"
    ESWT_DEVICE_MANAGE = "eswt_device.manage"
    CARE_PLAN_RECORD = "care_plan.record"
    CARE_PLAN_SIGN = "care_plan.sign"
    PIFU_OVERSIGHT = "pifu.oversight"
    LETTER_WRITE = "letter.write"
    LETTER_SIGN = "letter.sign"
    LETTERS_DUE = "letters.due"
    FIGURES_SERVICE = "figures.service"
    FIGURES_OWN = "figures.own"
    EXPERIENCE_RECORD = "experience.record"
    EXPERIENCE_VIEW = "experience.view"


_CLINICAL_WORK = frozenset(
    {
        Action.PATIENT_SEARCH,
        Action.PATIENT_OPEN,
        Action.PATIENT_REGISTER,
        Action.PATIENT_EDIT,
        Action.REFERRAL_CREATE,
        Action.REFERRAL_VIEW,
        Action.REFERRAL_UPDATE_STATUS,
        Action.DRAFT_KEEP,
        Action.STATUS_VIEW,
        Action.TRIAGE_WORKLIST,
        Action.ASSESSMENT_VIEW,
        Action.ASSESSMENT_WRITE,
        Action.ASSESSMENT_SIGN,
        Action.RED_FLAG_SCREEN,
        Action.RED_FLAG_OVERRIDE,
        Action.QUESTIONNAIRE_RECORD,
        Action.QUESTIONNAIRE_VIEW,
        Action.SYNC_VIEW,
        Action.SYNC_RESOLVE,
        Action.ATTACHMENT_ADD,
        Action.ATTACHMENT_VIEW,
        Action.IMAGE_CAPTURE,
        Action.IMAGE_VIEW,
        Action.IMAGE_ARCHIVE,
        Action.REPORT_VIEW,
        Action.REPORT_WRITE,
        # The clinic day: clinicians book their own follow-ups, see the patient in and out,
        # record a non-attendance and write the contact's note.
        Action.APPOINTMENT_VIEW,
        Action.APPOINTMENT_BOOK,
        Action.APPOINTMENT_ARRIVE,
        Action.CONTACT_RECORD,
        Action.CONTACT_NOTE_WRITE,
        Action.CONTACT_NOTE_SIGN,
        # Shared decisions with decision aids: recorded and signed by whoever has the
        # conversation with the patient.
        Action.DECISION_RECORD,
        Action.DECISION_SIGN,
        # Personalised care and support plans: made and signed with the patient.
        Action.CARE_PLAN_RECORD,
        Action.CARE_PLAN_SIGN,
        # Their own figures (waits, outcomes, decisions) beside the service's.
        Action.FIGURES_OWN,
        # The Friends and Family Test, handed to the patient to answer.
        Action.EXPERIENCE_RECORD,
    }
)

# The admin / service lead books and registers (admin and booking teams take referrals in),
# manages users and the store, but changing a referral's clinical status is for clinicians.
_ADMIN_WORK = frozenset(
    {
        Action.PATIENT_SEARCH,
        Action.PATIENT_OPEN,
        Action.PATIENT_REGISTER,
        Action.PATIENT_EDIT,
        Action.REFERRAL_CREATE,
        Action.REFERRAL_VIEW,
        Action.DRAFT_KEEP,
        Action.STATUS_VIEW,
        Action.USER_MANAGE,
        Action.USER_LIST,
        Action.AUDIT_VERIFY,
        Action.STORE_BACKUP,
        Action.DEMO_SEED,
        Action.WORDING_PACK_IMPORT,
        Action.TRIAGE_WORKLIST,
        Action.SETTINGS_MANAGE,
        Action.SYNC_MANAGE,
        Action.SYNC_VIEW,
        # Possible duplicates are merged by the service's leads, never by any clinician.
        Action.PATIENT_MERGE,
        Action.IMAGE_RECEIVE,
        # The PACS queue runs on as the system (an admin's role) once a clinician asks.
        Action.IMAGE_ARCHIVE,
        # Reception books, rebooks and cancels, keeps the clinicians' regular sessions and
        # marks arrivals; seeing a patient, or recording that they did not come, is clinical.
        Action.APPOINTMENT_VIEW,
        Action.APPOINTMENT_BOOK,
        Action.APPOINTMENT_ARRIVE,
        Action.CLINIC_TEMPLATE_MANAGE,
        # Which decision aids are due for review or not offered, and why: the service's
        # content, not a patient's record.
        Action.DECISION_AIDS_REVIEW,
        # The register of patient group directions: the service's governance.
        Action.PGD_MANAGE,
        # Which pack code (GTIN) is which product of the formulary.
        Action.PACK_CODE_MANAGE,
        # The register of shockwave devices and their service dates.
        Action.ESWT_DEVICE_MANAGE,
        # Which patients' PIFU windows are open or about to lapse, across the service.
        Action.PIFU_OVERSIGHT,
        # The letters due against the service's turnaround targets.
        Action.LETTERS_DUE,
        # The whole service's figures, by site, clinician and the patients' characteristics.
        Action.FIGURES_SERVICE,
        # The Friends and Family Test: handed over at reception, and read to act on it.
        Action.EXPERIENCE_RECORD,
        Action.EXPERIENCE_VIEW,
    }
)

# Giving an injection: not for a trainee in POCUS training.
_INJECTING = frozenset({Action.INJECTION_RECORD, Action.INJECTION_SIGN})
# Giving shockwave therapy: physiotherapists and their supervisors.
_SHOCKWAVE = frozenset({Action.ESWT_RECORD, Action.ESWT_SIGN})
# Discharging and referring on, with the letters that go with them.
_LETTERS = frozenset({Action.LETTER_WRITE, Action.LETTER_SIGN, Action.LETTERS_DUE})

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.CLINICIAN: _CLINICAL_WORK
    | _INJECTING
    | _SHOCKWAVE
    | _LETTERS
    | {Action.TRIAGE_DECIDE, Action.REPORT_SIGN},
    Role.SONOGRAPHER: _CLINICAL_WORK | _INJECTING | {Action.REPORT_SIGN},
    # A trainee's scan reports are verified by their supervisor, never signed alone.
    Role.TRAINEE: _CLINICAL_WORK - {Action.REFERRAL_UPDATE_STATUS, Action.RED_FLAG_OVERRIDE},
    Role.SUPERVISOR: _CLINICAL_WORK
    | _INJECTING
    | _SHOCKWAVE
    | _LETTERS
    | {
        Action.USER_LIST,
        Action.TRIAGE_DECIDE,
        Action.REPORT_SIGN,
        Action.REPORT_VERIFY,
        Action.PATIENT_MERGE,
        Action.CLINIC_TEMPLATE_MANAGE,
        Action.DECISION_AIDS_REVIEW,
        Action.PIFU_OVERSIGHT,
    },
    Role.ADMIN: _ADMIN_WORK,
}


def allows(role: Role, action: Action) -> bool:
    """True if ``role`` may perform ``action``."""
    return action in PERMISSIONS.get(role, frozenset())


def require(role: Role, action: Action) -> None:
    """Raise PermissionDenied unless ``role`` may perform ``action``.

    Raises:
        PermissionDenied: ``permission.denied`` with the action and role.
    """
    if not allows(role, action):
        raise PermissionDenied("permission.denied", action=action.value, role=role.value)
