"""Turns an error from the core into plain words for a person: the one place that wording lives.

Field errors are shown next to their field; everything else as a calm, non-modal message.
Logs get the exception type, code and stack frames only: never the message text, which may
carry what a user typed.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping

from PySide6.QtCore import QCoreApplication

from clinic_app.kernel.errors import (
    AuthenticationFailed,
    ClinicError,
    Conflict,
    ExternalServiceError,
    FormErrors,
    KeychainError,
    NotFound,
    PermissionDenied,
    StoreError,
    ValidationError,
)

_log = logging.getLogger(__name__)

_CONTEXT = "ClinicErrors"
_CHAIN_LIMIT = 5


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def _subject(label: str | None, fallback: str) -> str:
    """Lower-case a field label for use inside a sentence, keeping acronyms ("NHS number")."""
    if not label:
        return _tr(fallback)
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _limit(params: Mapping[str, object]) -> object:
    for key in ("max_length", "max", "limit", "maximum"):
        if key in params:
            return params[key]
    return None


def _too_long(error: ValidationError, label: str | None) -> str:
    subject = _subject(label, "this answer")
    limit = _limit(error.params)
    if limit is None:
        return _tr("The {subject} is too long. Shorten it and try again.").format(subject=subject)
    return _tr("The {subject} must be {limit} characters or fewer.").format(
        subject=subject, limit=limit
    )


def _nhs_length(error: ValidationError, label: str | None) -> str:
    length = error.params.get("length")
    if isinstance(length, int):
        return _tr(
            "An NHS number has 10 digits; this one has {length}. Check it against the "
            "referral letter or the patient's NHS letter."
        ).format(length=length)
    return _tr("An NHS number has 10 digits. Check it against the referral letter.")


def _too_old(error: ValidationError, label: str | None) -> str:
    years = error.params.get("max_age") or error.params.get("years")
    if years is None:
        return _tr("That date of birth is too long ago. Check the year.")
    return _tr("The date of birth must be within the last {years} years. Check the year.").format(
        years=years
    )


# Field errors: the label of the field they belong to is passed in, so one code can serve
# "given name" and "family name" alike.
_FIELD_WORDS: dict[str, Callable[[ValidationError, str | None], str]] = {
    "nhs_number.empty": lambda e, label: _tr("Enter the NHS number, or leave the field blank."),
    "nhs_number.not_digits": lambda e, label: _tr(
        "An NHS number is made of digits only, for example 999 000 0018. Spaces are fine."
    ),
    "nhs_number.length": _nhs_length,
    "nhs_number.check_digit": lambda e, label: _tr(
        "This is not a valid NHS number: the last digit does not match the others. "
        "Check each digit."
    ),
    "nhs_number.unusable_check": lambda e, label: _tr(
        "This is not a valid NHS number: no number is issued with these first nine digits. "
        "Check each digit."
    ),
    "nhs_number.repeated_digit": lambda e, label: _tr(
        "This is not a real NHS number. Enter the patient's own number, or leave it blank."
    ),
    "name.empty": lambda e, label: _tr("Enter the {subject}.").format(
        subject=_subject(label, "name")
    ),
    "name.too_long": _too_long,
    "name.characters": lambda e, label: _tr(
        "The {subject} can only have letters, spaces, hyphens and apostrophes."
    ).format(subject=_subject(label, "name")),
    "date.invalid": lambda e, label: _tr(
        "Enter a real date as day/month/year, for example 12/03/1975."
    ),
    "date.required": lambda e, label: _tr("Enter the {subject}.").format(
        subject=_subject(label, "date")
    ),
    "date.too_early": lambda e, label: _tr("That date is too long ago. Check the year."),
    "date_of_birth.future": lambda e, label: _tr(
        "The date of birth cannot be in the future. Check the year."
    ),
    "date_of_birth.too_old": _too_old,
    "date.future": lambda e, label: _tr("The {subject} cannot be in the future.").format(
        subject=_subject(label, "date")
    ),
    "postcode.invalid": lambda e, label: _tr("Enter a full UK postcode, for example LS1 4AP."),
    "email.invalid": lambda e, label: _tr(
        "Enter an email address like name@example.com, or leave it blank."
    ),
    "phone.invalid": lambda e, label: _tr(
        "Enter a UK telephone number, for example 01632 960001 or 07700 900982."
    ),
    "code.required": lambda e, label: _tr("Choose the {subject}.").format(
        subject=_subject(label, "answer")
    ),
    "code.unknown": lambda e, label: _tr("Choose the {subject} from the list.").format(
        subject=_subject(label, "answer")
    ),
    "interpreter_language.required": lambda e, label: _tr(
        "Choose the language the patient needs an interpreter for."
    ),
    "text.empty": lambda e, label: _tr("Enter the {subject}.").format(
        subject=_subject(label, "details")
    ),
    "text.too_long": _too_long,
    "gp_practice.unknown": lambda e, label: _tr(
        "Choose the GP practice from the list, or leave it blank if it is not known."
    ),
    "triage.reason_required": lambda e, label: _tr(
        "Enter the reason for returning the referral to the referrer."
    ),
    "red_flags.override_reason_required": lambda e, label: _tr(
        "Write why you are overriding this red flag: your clinical reasoning."
    ),
    "red_flags.override_reason_too_short": lambda e, label: _tr(
        "Say a little more about why: the reason must be at least {n} characters."
    ).format(n=e.params.get("minimum", e.params.get("min_length", 20))),
    "red_flags.action_not_accepted": lambda e, label: _tr(
        "That action does not answer this red flag. Choose one of the actions offered."
    ),
    "assessment.pain_out_of_range": lambda e, label: _tr("Pain scores go from 0 to 10."),
    "assessment.required_to_sign": lambda e, label: _tr(
        "Fill this in before signing the assessment."
    ),
    "assessment.medicine_name_required": lambda e, label: _tr("Enter the medicine's name."),
    "assessment.unknown_diagnosis": lambda e, label: _tr(
        "That is not in the list. Pick one from the list, or write the diagnosis in words."
    ),
    "service_rules.out_of_range": lambda e, label: _tr(
        "Use a whole number from {minimum} to {maximum}."
    ).format(minimum=e.params.get("minimum", ""), maximum=e.params.get("maximum", "")),
    "service_rules.not_a_whole_number": lambda e, label: _tr("Use a whole number of days."),
    "service_rules.not_yes_or_no": lambda e, label: _tr("Choose on or off."),
    "service_rules.unknown_rule": lambda e, label: _tr(
        "This target is no longer in the app's list; reopen the settings."
    ),
    "patient.duplicate_nhs_number": lambda e, label: _tr(
        "A patient with this NHS number is already registered. Search for them instead."
    ),
    "username.empty": lambda e, label: _tr("Enter your user name."),
    "password.empty": lambda e, label: _tr("Enter your password."),
    "email.required_for_contact": lambda e, label: _tr(
        "Enter an email address, or choose another way to contact the patient."
    ),
}


def _locked_out(error: ClinicError) -> str:
    seconds = error.params.get("seconds")
    if not isinstance(seconds, int) or seconds <= 60:
        wait = _tr("a minute")
    else:
        wait = _tr("{minutes} minutes").format(minutes=(seconds + 59) // 60)
    return _tr(
        "Sign-in is paused for this user after several wrong passwords. Wait {wait} and try "
        "again, or ask an admin to reset the password."
    ).format(wait=wait)


def _clip_too_long(error: ClinicError) -> str:
    limit = error.params.get("max_frames")
    if isinstance(limit, int):
        return _tr(
            "This clip is too long to keep: the most the app keeps at this picture size is "
            "{limit} frames. Shorten the clip on the scanner or phone and import it again."
        ).format(limit=limit)
    return _tr("This clip is too long to keep. Shorten it and import it again.")


def _passphrase_too_short(error: ClinicError) -> str:
    minimum = error.params.get("minimum")
    if isinstance(minimum, int):
        return _tr("The passphrase must be at least {minimum} characters.").format(minimum=minimum)
    return _tr("The passphrase is too short. Choose a longer one.")


# General messages that need the error's parameters.
_GENERAL_BUILDERS: dict[str, Callable[[ClinicError], str]] = {
    "auth.locked_out": _locked_out,
    "video.too_long": _clip_too_long,
    "backup.passphrase_too_short": _passphrase_too_short,
}

# Images, clips, the scanners and the PACS.
_IMAGING_WORDS: dict[str, str] = {
    "dicom.unreadable": (
        "This file could not be read as a DICOM image: it may be damaged or cut short. "
        "Nothing was kept. Export it from the scanner again."
    ),
    "dicom.no_pixels": (
        "This DICOM file has no image in it (it may be a report or a list). Nothing was kept."
    ),
    "dicom.unknown_transfer_syntax": (
        "This DICOM file is compressed in a way the app cannot read. Nothing was kept. "
        "Export it from the scanner uncompressed, or as JPEG-LS."
    ),
    "dicom.wrong_patient": (
        "This image names a different patient from the record that is open. Nothing was "
        "kept. Check whose scan it is before importing it."
    ),
    "dicom.no_nhs_number": (
        "This patient has no NHS number, so their images cannot be labelled safely. Add the "
        "NHS number to the record first."
    ),
    "dicom.bad_body_part": "Choose the body part scanned.",
    "dicom.bad_laterality": "Choose the side scanned.",
    "dicom.bad_ae_title": (
        "An AE title is 1 to 16 letters, digits, spaces or symbols, without a backslash."
    ),
    "dicom.bad_port": "Enter a port number from 1 to 65535.",
    "dicom.same_port": "The worklist needs a different port from the one images arrive on.",
    "dicom.bad_pacs_method": "Choose how to send to the PACS.",
    "dicom.bad_host": "Enter a computer name or address, without spaces.",
    "dicom.bad_url": "Enter the full address, starting with https:// or http://.",
    "dicom.url_needed": "Sending by DICOMweb needs the PACS's DICOMweb address.",
    "image.unreadable": (
        "This picture could not be read. Only PNG and JPEG pictures can be imported; "
        "nothing was kept."
    ),
    "image.unknown_kind": (
        "The app imports DICOM files, PNG or JPEG pictures and MP4 clips. This file is none "
        "of these, so nothing was kept."
    ),
    "image.not_found": "That image could not be found. It may have been assigned elsewhere.",
    "image.study_not_found": "That study could not be found. Open the patient's imaging again.",
    "image.already_assigned": (
        "Someone has already assigned this image to a patient. The list has been refreshed."
    ),
    "image.bad_annotation": "That mark could not be kept. Draw it again on the image.",
    "file.not_here": (
        "This image has not reached this computer yet. It arrives with the next sync; try "
        "again in a few minutes."
    ),
    "file.empty": "The file is empty. Nothing was kept.",
    "file.too_large": "The file is too large to keep (the limit is 2 GB). Nothing was kept.",
    "video.unreadable": (
        "This clip could not be read: it may be damaged, cut short, or not an MP4. Nothing "
        "was kept."
    ),
    "video.no_video": "This file has no video in it. Nothing was kept.",
    "video.bad_timing": (
        "This clip's frame rate could not be worked out, so it could not be played back "
        "truthfully. Nothing was kept."
    ),
    "pacs.not_configured": (
        "No PACS is set up for the service yet. An admin sets it under Service, DICOM and PACS."
    ),
    "pacs.educational": (
        "This study is marked educational, and educational studies never go to the PACS."
    ),
    "pacs.already_archived": "This study is already archived in the PACS.",
    "pacs.already_sent": (
        "This study has already been sent to the PACS, so it cannot be made educational."
    ),
    "pacs.no_images": "This study has no images to send.",
    "dicom.not_a_clip": "A clip needs at least one frame. Record it again.",
    "dicom.not_a_still": "That was not a single picture. Capture it again.",
    "dicom.not_rgb": "The video frame was not in a form the app can keep. Capture it again.",
    "dicom.bad_frame_time": "The clip's frame rate could not be kept. Record it again.",
    "dicom.bad_sex": "The patient's recorded sex could not be written into the image.",
    "dicom.unknown_setting": "That setting is not one the app knows.",
    "pacs.bad_purpose": "Choose clinical or educational.",
    "pacs.no_dicomweb": "Sending by DICOMweb needs the PACS's DICOMweb address.",
    "pacs.refused": (
        "The PACS refused some of the images. The study stays queued; ask PACS support to "
        "check why it is refusing them."
    ),
    "pacs.not_confirmed": (
        "The PACS took the images but does not yet list them all. The app asks again later."
    ),
    "pacs.withdrawn": "This study was made educational, so it was not sent to the PACS.",
    "pacs.unreachable": (
        "The PACS did not answer. The study stays queued, and the app tries again by itself."
    ),
}

# Where a shared code needs words of its own for one field.
_FIELD_SPECIFIC: dict[tuple[str, str], str] = {
    ("code.required", "sex"): "Choose the patient's sex as they state it.",
    ("code.required", "ethnicity"): "Choose the patient's ethnicity, or Not known.",
    ("code.required", "interpreter_language"): (
        "Choose the language the patient needs an interpreter for."
    ),
    ("code.unknown", "interpreter_language"): (
        "Choose the language the patient needs an interpreter for from the list."
    ),
    ("code.required", "source"): "Choose who referred the patient.",
    ("code.required", "specialty"): "Choose the specialty the referral is for.",
    ("date.required", "received_on"): "Enter the date the referral was received.",
    ("date.future", "received_on"): "The date received cannot be in the future.",
    ("date.required", "date_of_birth"): "Enter the date of birth, for example 12/03/1975.",
}

# Everything that is not about one field.
_GENERAL_WORDS: dict[str, str] = {
    "referral.already_triaged": (
        "This referral has already been triaged, perhaps on another device. The worklist has "
        "been refreshed."
    ),
    "red_flag.already_resolved": "An action has already been recorded for this red flag.",
    "record.immutable": (
        "This record is signed and cannot be changed. Add an addendum to it instead."
    ),
    "assessment.signed": (
        "This assessment is signed and cannot be changed. Add an addendum to it instead."
    ),
    "assessment.not_author": "Only the clinician who started this draft can change or sign it.",
    "red_flags.no_card": "There is no safety-net card for this screen.",
    "auth.failed": "The user name or password is not right. Check them and try again.",
    "auth.needs_online_first": (
        "You have not signed in on this computer while it was connected to the service. "
        "Connect to the network and sign in once; after that you can sign in here offline."
    ),
    "auth.disabled": (
        "This account is switched off. Ask your service lead or an admin to turn it back on."
    ),
    "permission.denied": (
        "Your role does not allow this. Ask your supervisor or service lead if you need it."
    ),
    "permission.role_changed": (
        "Your role has changed since you signed in. Switch user and sign in again to carry on."
    ),
    "patient.not_found": (
        "This patient's record could not be found. It may have been merged; search again."
    ),
    "patient.duplicate_nhs_number": (
        "A patient with this NHS number is already registered. Search for them instead."
    ),
    "conflict.stale": (
        "This record was changed elsewhere since you opened it. Open it again to see the "
        "latest version, then make your change."
    ),
    "store.wrong_key": (
        "The clinic's data cannot be opened with the key held on this computer. "
        "Contact IT support, and do not delete any files."
    ),
    "store.key_missing": (
        "The key that opens the clinic's data is missing from this computer's keychain. "
        "Contact IT support, and do not delete any files."
    ),
    "store.missing": "The clinic's data was not found on this computer. Contact IT support.",
    "draft.too_large": (
        "This form is too long to keep as a draft. Save it, or shorten the longest answers."
    ),
    "draft.not_json": "The draft of this form could not be kept. Save the form when you can.",
    "keychain.insecure_backend": (
        "This computer's keychain is not safe enough to hold the clinic's key. Contact IT support."
    ),
    "keychain.unavailable": (
        "The computer's keychain could not be reached. Sign out of the computer and back in; "
        "if that does not help, contact IT support."
    ),
}

# Scan reports and their review.
_REPORT_WORDS: dict[str, str] = {
    "report.not_found": "That report could not be found. Open the study again.",
    "report.not_author": "Only the person who wrote this report can change it.",
    "report.not_editable": (
        "This report cannot be changed now: it is with the supervisor, or signed. A signed "
        "report is changed by adding an addendum."
    ),
    "report.no_supervisor": (
        "You have no named supervisor, so the report cannot be sent for review. Ask your "
        "service lead to name your supervisor."
    ),
    "report.not_submitted": "This report is not waiting for review. The list has been refreshed.",
    "report.own_report": "Nobody can verify their own report.",
    "report.not_named_supervisor": ("Only the trainee's named supervisor can review this report."),
    "report.not_your_trainee": "You can see the logbooks of your own trainees only.",
    "report.choose_mode": "Choose how you supervised this scan.",
    "report.choose_agreement": "Choose whether you agree with the trainee's report.",
    "report.required": "Write this before the report is signed or sent for review.",
    "report.not_signed": "Only a signed report can have an addendum. Change the draft instead.",
    "report.already_amended": (
        "This version already has an addendum. Add to the latest version instead."
    ),
    "report.image_not_in_study": "A key image must be one of this study's images.",
    "report.bad_measurement": (
        "A measurement could not be kept. Measure again on a calibrated image."
    ),
    "report.findings_empty": "Write the findings before the report is signed.",
    "report.impression_empty": "Write the impression before the report is signed.",
    "report.no_key_images": "Choose at least one key image for the report.",
    "report.addendum_empty": "Write the addendum before signing it.",
    "report.observer_too_long": (
        "A name on this report is too long for the PACS. Shorten it in the user's details."
    ),
    "user.not_found": "That person could not be found.",
}

# Questionnaires, their licensed wording packs, and triage.
_QUESTIONNAIRE_WORDS: dict[str, str] = {
    "questionnaire.answer_out_of_range": (
        "That answer is outside what the questionnaire allows. Choose one of the answers offered."
    ),
    "questionnaire.incomplete": "Some questions are not answered yet. Answer them all to save.",
    "questionnaire.unknown_item": (
        "These answers do not match this questionnaire. Start the questionnaire again."
    ),
    "questionnaire.wrong_questionnaire": (
        "These answers belong to a different questionnaire. Start the questionnaire again."
    ),
    "wording_pack.invalid": (
        "This wording pack is not laid out as the app expects. Ask its supplier for a fresh copy."
    ),
    "wording_pack.not_json": (
        "This file is not a wording pack. Choose the .json file you were sent."
    ),
    "wording_pack.not_utf8": (
        "This file is not a wording pack. Choose the .json file you were sent."
    ),
    "wording_pack.unreadable": "The wording pack could not be read. Check the file and try again.",
    "wording_pack.no_folder": (
        "There is nowhere on this computer to keep wording packs. Contact IT support."
    ),
    "wording_pack.not_needed": "This questionnaire has its wording in the app; no pack is needed.",
    "wording_pack.unknown_questionnaire": (
        "This wording pack is for a questionnaire the app does not have."
    ),
    "wording_pack.wrong_questionnaire": "This wording pack is for a different questionnaire.",
    "wording_pack.wrong_version": (
        "This wording pack is for another version of the questionnaire. Ask its supplier for "
        "the pack that matches."
    ),
    "wording_pack.missing_items": (
        "This wording pack leaves out some of the questionnaire's questions. Ask its supplier "
        "for the pack that matches."
    ),
    "wording_pack.extra_items": (
        "This wording pack has questions the questionnaire does not. Ask its supplier for the "
        "pack that matches."
    ),
    "wording_pack.missing_options": (
        "This wording pack leaves out some answers. Ask its supplier for the pack that matches."
    ),
    "wording_pack.extra_options": (
        "This wording pack has answers the questionnaire does not. Ask its supplier for the "
        "pack that matches."
    ),
    "wording_pack.range_labels_on_options_item": (
        "This wording pack does not match how the questions are answered. Ask its supplier "
        "for the pack that matches."
    ),
    "triage.not_a_date": "Enter a real date as day/month/year, for example 12/03/2025.",
    "triage.before_received": "This date cannot be before the referral was received.",
    "triage.outcome_required": "Choose the outcome of triage.",
    "triage.outcome_without_date": "Enter the date the referral was triaged.",
    "triage.unknown_priority": "Choose the priority from the list.",
    "referral.not_found": "That referral could not be found. Refresh the worklist.",
}

# Records, red flags, people and files kept with the record.
_RECORD_WORDS: dict[str, str] = {
    "age.negative": "The date of birth is after today. Check the year.",
    "assessment.bad_code": "Choose the answer from the list.",
    "assessment.bad_medicine": "This medicine could not be kept. Check its name and dose.",
    "assessment.not_found": "That assessment could not be found. Open the patient's record again.",
    "assessment.not_signed": (
        "Only a signed assessment can have an addendum. Change the draft instead."
    ),
    "assessment.wrong_patient": (
        "This assessment belongs to another patient. Open that patient's record to change it."
    ),
    "episode.not_found": "That episode of care could not be found. Open the record again.",
    "red_flag.screening_not_found": (
        "That red-flag screen could not be found. Open the patient's record again."
    ),
    "red_flags.bad_age": (
        "The patient's age is outside what the red-flag screens cover. Check the date of birth."
    ),
    "red_flags.bad_answer": "Choose one of the answers offered for this question.",
    "red_flags.nothing_to_resolve": "This screen found no red flag, so there is nothing to act on.",
    "red_flags.unknown_action": "Choose one of the actions offered.",
    "red_flags.unknown_region": "Choose the body regions from the list.",
    "attachment.not_found": (
        "That file could not be found in the record. Open the patient's record again."
    ),
    "file.no_name": "The file has no name. Give it one and try again.",
    "file.hash_mismatch": (
        "A file did not arrive whole during sync. Nothing was lost; sync tries again by itself."
    ),
    "file.incomplete": (
        "A file did not arrive whole during sync. Nothing was lost; sync tries again by itself."
    ),
    "file.wrong_offset": (
        "A file did not arrive whole during sync. Nothing was lost; sync tries again by itself."
    ),
    "file.missing_here": (
        "A file the service needs is missing from this computer. Sync carries on with the "
        "rest; tell IT support."
    ),
    "site.unknown": "Choose the site from the list.",
    "user.exists": "Someone already has that user name. Choose another.",
    "user.username_invalid": ("User names use only letters, digits, dots, hyphens or underscores."),
    "user.supervisor_role": (
        "The person named as supervisor does not have the supervisor role. Choose another."
    ),
    "user.cannot_disable_self": "You cannot switch off your own account. Ask another admin.",
    "user.managed_centrally": (
        "This computer syncs with the service's server, so users are managed there. Ask an "
        "admin of the server."
    ),
    "password.too_short": "The password must be at least 10 characters. A few words work well.",
    "password.same_as_username": "The password must not be the user name.",
}

# The store, its backups, the keychain and sync.
_STORE_WORDS: dict[str, str] = {
    "store.exists": (
        "There is already clinic data in that place, and it was not replaced. Contact IT support."
    ),
    "store.unreadable": (
        "The clinic's data could not be read. Contact IT support, and do not delete any files."
    ),
    "keychain.key_exists": (
        "The keychain already holds a key for this clinic's data. Contact IT support, and do "
        "not delete any files."
    ),
    "backup.exists": "A file with that name is already there. Choose another name.",
    "backup.failed": "The backup could not be made. The clinic's data is unchanged.",
    "backup.missing": "The backup file was not found. Check where it was saved.",
    "backup.wrong_passphrase": "That passphrase does not open this backup. Check it and try again.",
    "backup.damaged": "This backup is damaged and was not restored. Use another backup.",
    "restore.failed": "The backup could not be restored. Nothing was changed.",
    "demo.store_not_empty": "The demonstration clinic can only be set up in empty clinic data.",
    "sync.not_set_up": "This computer is not set up to sync yet. An admin sets it up.",
    "sync.unreachable": (
        "The sync server did not answer. Your work is kept here and syncs when it answers."
    ),
    "sync.refused": (
        "The sync server refused this computer. Ask an admin to check it is approved."
    ),
    "sync.bad_answer": (
        "The sync server gave an answer the app did not expect. Sync tries again later; if "
        "this keeps happening, tell IT support."
    ),
}

_GENERAL_WORDS.update(_IMAGING_WORDS)
_GENERAL_WORDS.update(_REPORT_WORDS)
_GENERAL_WORDS.update(_QUESTIONNAIRE_WORDS)
_GENERAL_WORDS.update(_RECORD_WORDS)
_GENERAL_WORDS.update(_STORE_WORDS)

# Codes that mean a fault in the app or in its shipped content, never something a person
# did: the honest words for them are the calm generic message (the fault is logged).
FAULT_CODES = frozenset(
    {
        "assessment.bad_medicine_flag",
        "assessment.not_a_list",
        "assessment.not_text",
        "assessment.unknown_field",
        "content.invalid",
        "content.unknown_list",
        "content.unknown_questionnaire",
        "content.unknown_screen",
        "file.bad_name",
        "form.invalid",
        "nhs_number.synthetic_arguments",
        "nhs_number.test_range_exhausted",
        "questionnaire.invalid_definition",
        "questionnaire.no_minimal_important_change",
        "red_flags.bad_setting",
        "red_flags.unknown_question",
        "report.addendum_needs_predecessor",
        "report.bad_frame",
        "report.bad_kos_title",
        "report.bad_rejection_reason",
        "report.bad_uid",
        "report.observer_incomplete",
        "report.role_not_coded",
        "report.verified_needs_complete",
        "report.verified_needs_time",
        "service_rules.unknown_unit",
        "store.hard_delete",
        "store.no_actor",
        "sync.bad_message",
        "sync.unknown_field",
        "sync.unknown_table",
        "working_days.not_a_date",
    }
)

_GENERIC = (
    "Something went wrong and that action was not completed. Your other work is safe. "
    "Try again; if it happens again, tell IT support."
)

# Calm fallbacks by kind of error, for codes this module has no words for yet.
_BY_KIND: tuple[tuple[type[ClinicError], str], ...] = (
    (AuthenticationFailed, "auth.failed"),
    (PermissionDenied, "permission.denied"),
)
_KIND_WORDS: tuple[tuple[type[ClinicError], str], ...] = (
    (NotFound, "That record could not be found. Search for it again."),
    (Conflict, "That record was changed elsewhere. Open it again and retry."),
    (
        StoreError,
        "The clinic's data could not be reached. Try again; if it keeps happening, "
        "contact IT support.",
    ),
    (
        KeychainError,
        "The computer's keychain could not be used. Contact IT support.",
    ),
    (
        ExternalServiceError,
        "A system outside this app did not answer. Your work here is safe; try again later.",
    ),
)


def generic_message() -> str:
    """The calm sentence shown for an error nobody expected."""
    return _tr(_GENERIC)


def has_words(code: str) -> bool:
    """True when this module has words of its own for ``code`` (a fault's are the generic ones)."""
    return (
        code in _FIELD_WORDS
        or code in _GENERAL_WORDS
        or code in _GENERAL_BUILDERS
        or code in FAULT_CODES
    )


def field_message(error: ValidationError, label: str | None = None) -> str:
    """Words for an error that belongs next to one field.

    Args:
        error: the validation error (or conflict) raised for that field.
        label: the field's label as shown on the form, e.g. "Family name".
    """
    specific = _FIELD_SPECIFIC.get((error.code, error.field or ""))
    if specific is not None:
        return _tr(specific)
    words = _FIELD_WORDS.get(error.code)
    if words is not None:
        return words(error, label)
    if error.code in _GENERAL_BUILDERS:
        return _GENERAL_BUILDERS[error.code](error)
    if error.code in _GENERAL_WORDS:
        return _tr(_GENERAL_WORDS[error.code])
    return _tr("Check this answer.")


def _form_headline(error: FormErrors) -> str:
    count = len(error.errors)
    if count == 1:
        return _tr("There is a problem with 1 answer. It is marked below.")
    return _tr("There are problems with {count} answers. They are marked below.").format(
        count=count
    )


def _by_kind(error: ClinicError) -> str:
    for kind, code in _BY_KIND:
        if isinstance(error, kind):
            return _tr(_GENERAL_WORDS[code])
    for kind, words in _KIND_WORDS:
        if isinstance(error, kind):
            return _tr(words)
    return generic_message()


def message_for(error: BaseException) -> str:
    """Words for an error shown as a message rather than next to a field."""
    if isinstance(error, FormErrors):
        return _form_headline(error)
    if not isinstance(error, ClinicError) or error.code in FAULT_CODES:
        return generic_message()
    if error.code in _GENERAL_BUILDERS:
        return _GENERAL_BUILDERS[error.code](error)
    if error.code in _GENERAL_WORDS:
        return _tr(_GENERAL_WORDS[error.code])
    if isinstance(error, ValidationError):
        return field_message(error)
    return _by_kind(error)


def field_errors(error: BaseException) -> list[ValidationError]:
    """The errors in ``error`` that name a field (empty for anything else)."""
    if isinstance(error, FormErrors):
        return [item for item in error.errors if item.field]
    if isinstance(error, ValidationError) and error.field:
        return [error]
    if isinstance(error, Conflict):
        field = error.params.get("field")
        if isinstance(field, str):
            return [ValidationError(error.code, field=field)]
    return []


def errors_by_field(error: BaseException) -> dict[str, ValidationError]:
    """The errors in ``error`` that name a field, keyed by the field (the last one wins)."""
    return {item.field: item for item in field_errors(error) if item.field}


def field_messages(error: BaseException) -> dict[str, str]:
    """Words for each field an error names, keyed by the field (for a form to show)."""
    return {field: field_message(item) for field, item in errors_by_field(error).items()}


def is_expected(error: BaseException) -> bool:
    """True for errors the core raises on purpose; anything else is a bug worth logging."""
    return isinstance(error, ClinicError)


def describe_for_log(error: BaseException) -> str:
    """Type, code and stack frames of an error and its causes, without any message text.

    Exception messages can quote what a user typed (a name, an NHS number), so they are left
    out; the frames say where it happened, which is what a developer needs.
    """
    parts: list[str] = []
    current: BaseException | None = error
    seen: set[int] = set()
    while current is not None and id(current) not in seen and len(seen) < _CHAIN_LIMIT:
        seen.add(id(current))
        kind = f"{type(current).__module__}.{type(current).__qualname__}"
        code = f" [{current.code}]" if isinstance(current, ClinicError) else ""
        parts.append(f"{kind}{code}")
        for frame in traceback.extract_tb(current.__traceback__):
            parts.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
        current = current.__cause__ or current.__context__
        if current is not None:
            parts.append("caused by:")
    return "\n".join(parts)


def log_unexpected(error: BaseException, where: str = "background task") -> None:
    """Log an error the core did not raise on purpose: type and frames, no message text."""
    _log.error("Unexpected error in %s:\n%s", where, describe_for_log(error))


def explain(error: BaseException) -> str:
    """Words for a failed action; an unexpected error is logged first (never swallowed)."""
    if not is_expected(error):
        log_unexpected(error)
    return message_for(error)
