"""How a table of words for error codes is written: its shape, and the helpers its words use."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication

from clinic_app.kernel.errors import ClinicError, ValidationError

__all__ = ["FieldWords", "MessageWords", "WordTable", "subject", "too_long", "tr"]

CONTEXT = "ClinicErrors"
"""The translation context of every word for an error, whichever table holds it."""

FieldWords = Callable[[ValidationError, str | None], str]
"""Words for an error next to its field, given the error and the field's label."""

MessageWords = Callable[[ClinicError], str]
"""Words for an error shown as a message, built from the error's parameters."""


def tr(text: str) -> str:
    """``text`` in the user's language (the error words' translation context)."""
    return QCoreApplication.translate(CONTEXT, text)


def subject(label: str | None, fallback: str) -> str:
    """Lower-case a field label for use inside a sentence, keeping acronyms ("NHS number")."""
    if not label:
        return tr(fallback)
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _limit(params: Mapping[str, object]) -> object:
    for key in ("max_length", "max", "limit", "maximum"):
        if key in params:
            return params[key]
    return None


def too_long(error: ValidationError, label: str | None) -> str:
    """Words for an answer longer than its field allows, quoting the limit when it is known."""
    what = subject(label, "this answer")
    limit = _limit(error.params)
    if limit is None:
        return tr("The {subject} is too long. Shorten it and try again.").format(subject=what)
    return tr("The {subject} must be {limit} characters or fewer.").format(
        subject=what, limit=limit
    )


@dataclass(frozen=True)
class WordTable:
    """One part of the app's words for error codes: a domain's, or the kernel's.

    Each code is worded by exactly one table, the one whose core package raises it.

    Attributes:
        name: the module that holds the table, e.g. ``ui.domains.imaging.words``.
        messages: a code's sentence (translated when shown).
        builders: a code's words built from the error's parameters.
        fields: a code's words next to its field, given the field's label.
        for_field: words of its own for one field, keyed by (code, field); they refine a
            code another table may word.
        faults: codes that mean a fault in the app or its shipped content, never something a
            person did: their honest words are the calm generic message.
    """

    name: str
    messages: Mapping[str, str] = field(default_factory=dict)
    builders: Mapping[str, MessageWords] = field(default_factory=dict)
    fields: Mapping[str, FieldWords] = field(default_factory=dict)
    for_field: Mapping[tuple[str, str], str] = field(default_factory=dict)
    faults: frozenset[str] = frozenset()

    def codes(self) -> frozenset[str]:
        """Every code this table words (its refinements for one field aside)."""
        return frozenset({*self.messages, *self.builders, *self.fields, *self.faults})
