"""Turns an error from the core into plain words for a person: the one place that wording lives.

The words themselves are kept in tables beside the code that raises them: the kernel's in
``ui.common.words``, each domain's in ``ui.domains.<domain>.words``, registered by the shell
at start-up (``register_words``). Each code is worded by one table only.

Field errors are shown next to their field; everything else as a calm, non-modal message.
Logs get the exception type, code and stack frames only: never the message text, which may
carry what a user typed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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
from clinic_app.kernel.logs import describe_for_log as describe_for_log  # noqa: PLC0414 - re-exported
from ui.common import words as common_words
from ui.common.wording import FieldWords, MessageWords, WordTable
from ui.common.wording import tr as _tr

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WordBook:
    """Word tables merged into one lookup, each code worded by exactly one table."""

    tables: tuple[WordTable, ...]
    messages: Mapping[str, str]
    builders: Mapping[str, MessageWords]
    fields: Mapping[str, FieldWords]
    for_field: Mapping[tuple[str, str], str]
    faults: frozenset[str]
    codes: frozenset[str]
    """Every code a table words (a fault's words are the generic ones)."""


def merge_words(tables: Iterable[WordTable]) -> WordBook:
    """One lookup from ``tables``.

    Raises:
        ValueError: two tables share a name, or word the same code (or the same code for the
            same field); the message names the codes and the tables.
    """
    merged = tuple(tables)
    names = [table.name for table in merged]
    if len(set(names)) != len(names):
        raise ValueError(f"word tables registered twice: {sorted(names)}")
    owner: dict[str, str] = {}
    pair_owner: dict[tuple[str, str], str] = {}
    clashes: list[str] = []
    for table in merged:
        for code in sorted(table.codes()):
            if code in owner:
                clashes.append(f"{code} (in {owner[code]} and {table.name})")
            owner.setdefault(code, table.name)
        for pair in table.for_field:
            if pair in pair_owner:
                clashes.append(f"{pair[0]} for {pair[1]} (in {pair_owner[pair]} and {table.name})")
            pair_owner.setdefault(pair, table.name)
    if clashes:
        raise ValueError("codes worded by two tables: " + ", ".join(clashes))
    return WordBook(
        tables=merged,
        messages={code: words for t in merged for code, words in t.messages.items()},
        builders={code: words for t in merged for code, words in t.builders.items()},
        fields={code: words for t in merged for code, words in t.fields.items()},
        for_field={pair: words for t in merged for pair, words in t.for_field.items()},
        faults=frozenset(code for t in merged for code in t.faults),
        codes=frozenset(owner),
    )


_book = merge_words([common_words.WORDS])


def register_words(*tables: WordTable) -> None:
    """Add word tables to the lookup; a table already registered is left as it is.

    Raises:
        ValueError: a table words a code another table words already (nothing is added),
            or another table of the same name is registered.
    """
    global _book  # noqa: PLW0603 - the one lookup every error is worded from
    known = {table.name: table for table in _book.tables}
    added = [table for table in tables if known.get(table.name) is not table]
    if added:
        _book = merge_words([*_book.tables, *added])


def registered_words() -> WordBook:
    """The word tables registered so far, merged."""
    return _book


def fault_codes() -> frozenset[str]:
    """Codes that mean a fault in the app or its shipped content: shown as the generic message."""
    return _book.faults


_GENERIC = (
    "Something went wrong and that action was not completed. Your other work is safe. "
    "Try again; if it happens again, tell IT support."
)

# Calm fallbacks by kind of error, for codes no table has words for yet.
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
    """True when a registered table words ``code`` (a fault's words are the generic ones)."""
    return code in _book.codes


def field_message(error: ValidationError, label: str | None = None) -> str:
    """Words for an error that belongs next to one field.

    Args:
        error: the validation error (or conflict) raised for that field.
        label: the field's label as shown on the form, e.g. "Family name".
    """
    book = _book
    specific = book.for_field.get((error.code, error.field or ""))
    if specific is not None:
        return _tr(specific)
    words = book.fields.get(error.code)
    if words is not None:
        return words(error, label)
    if error.code in book.builders:
        return book.builders[error.code](error)
    if error.code in book.messages:
        return _tr(book.messages[error.code])
    return _tr("Check this answer.")


def _form_headline(error: FormErrors) -> str:
    count = len(error.errors)
    if count == 1:
        return _tr("There is a problem with 1 answer. It is marked beside the question.")
    return _tr(
        "There are problems with {count} answers. Each is marked beside its question."
    ).format(count=count)


def _by_kind(error: ClinicError) -> str:
    for kind, code in _BY_KIND:
        if isinstance(error, kind) and code in _book.messages:
            return _tr(_book.messages[code])
    for kind, words in _KIND_WORDS:
        if isinstance(error, kind):
            return _tr(words)
    return generic_message()


def message_for(error: BaseException) -> str:
    """Words for an error shown as a message rather than next to a field."""
    if isinstance(error, FormErrors):
        return _form_headline(error)
    book = _book
    if not isinstance(error, ClinicError) or error.code in book.faults:
        return generic_message()
    if error.code in book.builders:
        return book.builders[error.code](error)
    if error.code in book.messages:
        return _tr(book.messages[error.code])
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


def log_unexpected(error: BaseException, where: str = "background task") -> None:
    """Log an error the core did not raise on purpose: type and frames, no message text."""
    _log.error("Unexpected error in %s:\n%s", where, describe_for_log(error))


def explain(error: BaseException) -> str:
    """Words for a failed action; an unexpected error is logged first (never swallowed)."""
    if not is_expected(error):
        log_unexpected(error)
    return message_for(error)
