"""The words for sync's error codes, the server's relayed ones among them."""

from __future__ import annotations

from clinic_app.kernel.errors import ClinicError
from clinic_app.sync.protocol import UNTRUSTED_CERTIFICATE
from ui.common.wording import MessageWords, WordTable, tr

# Everything that is not about one field.
_WORDS: dict[str, str] = {
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
    "sync.refused": (
        "The sync server refused this computer. Ask an admin to check it is approved."
    ),
    "sync.batch_key_reused": (
        "The sync server had already taken other changes sent under the same name as these, "
        "so it did not take them. Nothing here was lost; tell IT support."
    ),
    "sync.insecure_url": (
        "That server address starts with http://, which would send records unencrypted. Use "
        "the https:// address IT support gave you."
    ),
    "sync.bad_url": "That is not a server address. It starts with https:// and names a server.",
    "sync.ca_unreadable": (
        "The certificate authority file for the server is missing or is not one this laptop "
        "can read. Ask IT support for the .pem or .crt file."
    ),
    "sync.user_token_unknown": (
        "The server no longer knows your sign-in on this computer. Sign out, then sign in "
        "again while connected."
    ),
    "sync.scope_needs_user": (
        "The server gives records from other clinics only to someone signed in who may open "
        "records."
    ),
    "sync.bad_answer": (
        "The sync server gave an answer the app did not expect. Sync tries again later; if "
        "this keeps happening, tell IT support."
    ),
}

# Faults in the app or its shipped content: the calm generic message is their words.
_FAULTS = frozenset(
    {
        "file.bad_name",
        "sync.bad_message",
        "sync.unknown_field",
        "sync.unknown_table",
    }
)

# Why the server did not take a change (its codes for a refused change), as the sync
# screen lists it after the record and its fields.
_REFUSALS: dict[str, str] = {
    "sync.server_only": (
        "only the server changes this (users, sites and the service's settings): an "
        "administrator changes it there"
    ),
    "sync.not_allowed": "the role of the person who made it does not allow it",
    "sync.not_author": "only the record's author may do this",
    "sync.not_yours": "it names someone else as its author, signer or reviewer",
    "sync.own_record": "a record is never verified by its own author",
    "sync.not_removable": "it removed a record, and the app never removes this kind of record",
    "sync.adds_to_unsigned": (
        "it adds to a record that is not signed: an addendum is added only to a signed record"
    ),
    "sync.record_moved": (
        "it moved a record to another patient or author: a record stays with the patient "
        "and author it was made for"
    ),
    "sync.patient_not_held": (
        "it is about a patient this computer does not hold (another clinic's record, not "
        "opened here)"
    ),
    "sync.not_named_reviewer": "only the supervisor it was sent to may do this",
    "sync.step_refused": "the record had already moved on (for example, it was signed)",
    "sync.not_signable": (
        "it was sent as signed while something the app asks for before signing was still "
        "empty or unanswered"
    ),
    "sync.seal_broken": (
        "it was sent as signed, but what it says no longer matches what was signed (it was "
        "changed outside the app)"
    ),
    "sync.pack_code_listed": (
        "that pack code is already listed on the server (another computer added it first): "
        "the list there is the one kept"
    ),
    "sync.user_disabled": "the account of the person who made it is disabled",
    "sync.wrong_patient": "it links this patient's record to another patient's",
    "sync.step_columns": (
        "it changed a part of the record the step it took does not change (for example, a "
        "supervisor verifying a report changed what the trainee wrote, or an author signing "
        "alone recorded a supervisor's verdict)"
    ),
    "sync.merge_not_a_pair": (
        "it merged two records nobody had flagged as possibly the same person: only a "
        "possible duplicate is merged, from the list of possible duplicates"
    ),
    "sync.merge_dismissed": (
        "it merged two records someone has already said are two different people"
    ),
    "sync.nobody_named": (
        "it names nobody (or someone other than the person who did it) as who signed, "
        "verified, decided, merged or settled it"
    ),
    "sync.alert_kept": (
        "it took a red-flag alert off the patient's banner while the action for it is "
        "still outstanding: mark the action done instead"
    ),
}


def _unreachable(error: ClinicError) -> str:
    if error.params.get("reason") == UNTRUSTED_CERTIFICATE:
        return tr(
            "The sync server answered, but this computer does not trust its certificate, so "
            "nothing was sent. Your work is kept here. Tell IT support: the server's "
            "certificate may have expired or been replaced."
        )
    return tr("The sync server did not answer. Your work is kept here and syncs when it answers.")


# Words built from the error's parameters.
_BUILT: dict[str, MessageWords] = {"sync.unreachable": _unreachable}

WORDS = WordTable(__name__, messages=_WORDS | _REFUSALS, builders=_BUILT, faults=_FAULTS)
