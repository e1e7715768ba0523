"""The words for people's error codes: patients and their details, referrals, users and sign-in."""

from __future__ import annotations

from clinic_app.kernel.errors import ClinicError, ValidationError
from ui.common.wording import FieldWords, MessageWords, WordTable, subject, too_long, tr


def _nhs_length(error: ValidationError, label: str | None) -> str:
    length = error.params.get("length")
    if isinstance(length, int):
        return tr(
            "An NHS number has 10 digits; this one has {length}. Check it against the "
            "referral letter or the patient's NHS letter."
        ).format(length=length)
    return tr("An NHS number has 10 digits. Check it against the referral letter.")


def _too_old(error: ValidationError, label: str | None) -> str:
    years = error.params.get("max_age") or error.params.get("years")
    if years is None:
        return tr("That date of birth is too long ago. Check the year.")
    return tr("The date of birth must be within the last {years} years. Check the year.").format(
        years=years
    )


def _locked_out(error: ClinicError) -> str:
    seconds = error.params.get("seconds")
    if not isinstance(seconds, int) or seconds <= 60:
        wait = tr("a minute")
    else:
        wait = tr("{minutes} minutes").format(minutes=(seconds + 59) // 60)
    return tr(
        "Sign-in is paused for this user after several wrong passwords. Wait {wait} and try "
        "again, or ask an admin to reset the password."
    ).format(wait=wait)


# Field errors: the label of the field they belong to is passed in.
_FIELD_WORDS: dict[str, FieldWords] = {
    "nhs_number.empty": lambda e, label: tr("Enter the NHS number, or leave the field blank."),
    "nhs_number.not_digits": lambda e, label: tr(
        "An NHS number is made of digits only, for example 999 000 0018. Spaces are fine."
    ),
    "nhs_number.length": _nhs_length,
    "nhs_number.check_digit": lambda e, label: tr(
        "This is not a valid NHS number: the last digit does not match the others. "
        "Check each digit."
    ),
    "nhs_number.unusable_check": lambda e, label: tr(
        "This is not a valid NHS number: no number is issued with these first nine digits. "
        "Check each digit."
    ),
    "nhs_number.repeated_digit": lambda e, label: tr(
        "This is not a real NHS number. Enter the patient's own number, or leave it blank."
    ),
    "name.empty": lambda e, label: tr("Enter the {subject}.").format(
        subject=subject(label, "name")
    ),
    "name.too_long": too_long,
    "name.characters": lambda e, label: tr(
        "The {subject} can only have letters, spaces, hyphens and apostrophes."
    ).format(subject=subject(label, "name")),
    "date.too_early": lambda e, label: tr("That date is too long ago. Check the year."),
    "date_of_birth.future": lambda e, label: tr(
        "The date of birth cannot be in the future. Check the year."
    ),
    "date_of_birth.too_old": _too_old,
    "date.future": lambda e, label: tr("The {subject} cannot be in the future.").format(
        subject=subject(label, "date")
    ),
    "postcode.invalid": lambda e, label: tr("Enter a full UK postcode, for example LS1 4AP."),
    "interpreter_language.required": lambda e, label: tr(
        "Choose the language the patient needs an interpreter for."
    ),
    "gp_practice.unknown": lambda e, label: tr(
        "Choose the GP practice from the list, or leave it blank if it is not known."
    ),
    "patient.duplicate_nhs_number": lambda e, label: tr(
        "A patient with this NHS number is already registered. Search for them instead."
    ),
    "merge.survivor_not_in_pair": lambda e, label: tr("Choose which of the two records to keep."),
    "email.required_for_contact": lambda e, label: tr(
        "Enter an email address, or choose another way to contact the patient."
    ),
}

# Messages that need the error's parameters.
_BUILT: dict[str, MessageWords] = {
    "auth.locked_out": _locked_out,
}

# Everything that is not about one field.
_WORDS: dict[str, str] = {
    # The access trail (Service menu, administrators).
    "audit.patient_not_here": (
        "No patient with that NHS number is on this computer. Open the record once (or ask "
        "the server's administrator to run 'onestop-server audit patient')."
    ),
    "audit.registered_twice": (
        "That NHS number is on two registrations that have not been merged. Ask a supervisor "
        "to look at the possible duplicate first, then ask again."
    ),
    "audit.export_exists": (
        "A file with that name is already there. Nothing was overwritten: choose a new name."
    ),
    "auth.failed": "The user name or password is not right. Check them and try again.",
    "auth.needs_online_first": (
        "You have not signed in on this computer while it was connected to the service. "
        "Connect to the network and sign in once; after that you can sign in here offline."
    ),
    "patient.not_found": (
        "This patient's record could not be found. It may have been merged; search again."
    ),
    "patient.duplicate_nhs_number": (
        "A patient with this NHS number is already registered. Search for them instead."
    ),
    "draft.too_large": (
        "This form is too long to keep as a draft. Save it, or shorten the longest answers."
    ),
    "draft.not_json": "The draft of this form could not be kept. Save the form when you can.",
    "user.not_found": "That person could not be found.",
    "sync.sign_in_online_first": (
        "To bring a record from the server, sign out and sign in again while this computer "
        "is connected, so the server knows it is you."
    ),
    "age.negative": "The date of birth is after today. Check the year.",
    "episode.not_found": "That episode of care could not be found. Open the record again.",
    "episode.already_closed": (
        "That episode of care is already closed. Open the record again to see where it stands."
    ),
    "episode.already_open": (
        "That episode of care is already open. Open the record again to see where it stands."
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
    "sync.not_set_up": "This computer is not set up to sync yet. An admin sets it up.",
    "sync.resolve_needs_sign_in": (
        "The service takes your choice only from someone who has signed in on this computer "
        "while it was connected. Sign out, connect to the network, sign in again, and choose."
    ),
    "duplicate.not_found": (
        "That possible duplicate could not be found. Open the list again to see where it stands."
    ),
    "duplicate.already_resolved": (
        "Someone has already merged these records or said they are not the same person. "
        "Open the list again to see where it stands."
    ),
    "duplicate.not_on_server": (
        "This computer found these records, but the service's server has not confirmed them "
        "yet. Sync, then merge."
    ),
    "merge.already_merged": (
        "One of these records has been merged into another since the list was shown. Open "
        "the list again."
    ),
}

# Where a shared code needs words of its own for one field.
_FOR_FIELD: dict[tuple[str, str], str] = {
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

# Faults in the app or its shipped content: the calm generic message is their words.
_FAULTS = frozenset(
    {
        "form.invalid",
        "nhs_number.synthetic_arguments",
        "nhs_number.test_range_exhausted",
    }
)

WORDS = WordTable(
    __name__,
    messages=_WORDS,
    builders=_BUILT,
    fields=_FIELD_WORDS,
    for_field=_FOR_FIELD,
    faults=_FAULTS,
)
