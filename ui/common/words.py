"""Words for the kernel's codes: permissions, the store, backups, the keychain, shared fields."""

from __future__ import annotations

from clinic_app.kernel.errors import ClinicError
from ui.common.wording import FieldWords, MessageWords, WordTable, subject, too_long, tr


def _passphrase_too_short(error: ClinicError) -> str:
    minimum = error.params.get("minimum")
    if isinstance(minimum, int):
        return tr("The passphrase must be at least {minimum} characters.").format(minimum=minimum)
    return tr("The passphrase is too short. Choose a longer one.")


# Field errors: the label of the field they belong to is passed in.
_FIELD_WORDS: dict[str, FieldWords] = {
    "date.invalid": lambda e, label: tr(
        "Enter a real date as day/month/year, for example 12/03/1975."
    ),
    "date.required": lambda e, label: tr("Enter the {subject}.").format(
        subject=subject(label, "date")
    ),
    "email.invalid": lambda e, label: tr(
        "Enter an email address like name@example.com, or leave it blank."
    ),
    "phone.invalid": lambda e, label: tr(
        "Enter a UK telephone number, for example 01632 960001 or 07700 900982."
    ),
    "code.required": lambda e, label: tr("Choose the {subject}.").format(
        subject=subject(label, "answer")
    ),
    "code.unknown": lambda e, label: tr("Choose the {subject} from the list.").format(
        subject=subject(label, "answer")
    ),
    "text.empty": lambda e, label: tr("Enter the {subject}.").format(
        subject=subject(label, "details")
    ),
    "text.too_long": too_long,
    "record.not_text": lambda e, label: tr("Type words in the {subject}.").format(
        subject=subject(label, "box")
    ),
    "record.required_to_sign": lambda e, label: tr("Fill in the {subject} before signing.").format(
        subject=subject(label, "part")
    ),
    "username.empty": lambda e, label: tr("Enter your user name."),
    "password.empty": lambda e, label: tr("Enter your password."),
}

# Messages that need the error's parameters.
_BUILT: dict[str, MessageWords] = {
    "backup.passphrase_too_short": _passphrase_too_short,
}

# Everything that is not about one field.
_WORDS: dict[str, str] = {
    "file.not_here": (
        "This image has not reached this computer yet. It arrives with the next sync; try "
        "again in a few minutes."
    ),
    "file.empty": "The file is empty. Nothing was kept.",
    "file.too_large": "The file is too large to keep (the limit is 2 GB). Nothing was kept.",
    "record.not_found": (
        "This record could not be found. It may have been removed; open the patient's record again."
    ),
    "record.wrong_patient": (
        "This record belongs to another patient, so nothing was saved. Open the patient's "
        "record again and start from there."
    ),
    "record.signed": "This record is signed and cannot be changed.",
    "record.not_author": "Only the person who started this draft can change or sign it.",
    "record.immutable": (
        "This record is signed and cannot be changed. Add an addendum to it instead."
    ),
    "auth.no_user_token": (
        "The server answers this only to someone signed in while connected. Sign out, then "
        "sign in again while connected."
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
    "keychain.insecure_backend": (
        "This computer's keychain is not safe enough to hold the clinic's key. Contact IT support."
    ),
    "keychain.unavailable": (
        "The computer's keychain could not be reached. Sign out of the computer and back in; "
        "if that does not help, contact IT support."
    ),
    "attachment.not_found": (
        "That file could not be found in the record. Open the patient's record again."
    ),
    "file.no_name": "The file has no name. Give it one and try again.",
    "password.too_short": "The password must be at least 10 characters. A few words work well.",
    "password.same_as_username": "The password must not be the user name.",
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
    "backup.empty": "This backup file is empty: it holds no data. Use another backup.",
    "backup.incomplete": "This backup file is incomplete: the copy was cut short. Use another.",
    "backup.no_passphrase": "Type the backup's passphrase to open it.",
    "store.empty": (
        "The clinic's data file on this computer is empty, so the app did not open it and did "
        "not replace it. Contact IT support to restore it from a backup."
    ),
    "restore.failed": "The backup could not be restored. Nothing was changed.",
    "demo.store_not_empty": "The demonstration clinic can only be set up in empty clinic data.",
}

# Faults in the app or its shipped content: the calm generic message is their words.
_FAULTS = frozenset(
    {
        "content.invalid",
        "content.unknown_list",
        "store.hard_delete",
        "store.no_actor",
    }
)

WORDS = WordTable(__name__, messages=_WORDS, builders=_BUILT, fields=_FIELD_WORDS, faults=_FAULTS)
