"""A Friends and Family Test response's sections, statuses and the checks of an answer: pure."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from clinic_app.kernel.errors import FormErrors, ValidationError
from clinic_app.records.sections import Section, SectionKind


class Status(StrEnum):
    """Where a response is: counted, or withdrawn at the patient's wish (kept, not counted)."""

    RECORDED = "recorded"
    WITHDRAWN = "withdrawn"


class AnsweredBy(StrEnum):
    """Who gave the answer: the patient holding the device, or with someone's help.

    NHS England's guidance lets carers, volunteers or staff help someone who needs it, taking
    care that the answer is the patient's own.
    """

    PATIENT = "patient"
    WITH_HELP = "with_help"


ANSWER = "answer"
COMMENT = "comment"

#: Its parts: the answer to the question (required) and the patient's own words (optional,
#: never printed in a letter and never in an export: free text stays in the service).
SECTIONS: tuple[Section, ...] = (
    Section(ANSWER, "Overall experience", SectionKind.STRUCTURED, required=True),
    Section(COMMENT, "In the patient's words", prints=False, empty_words="Nothing written."),
)


def check_answered_by(answered_by: object) -> None:
    """Check who is said to have given the answer is one of :class:`AnsweredBy`.

    Raises:
        ValidationError: ``code.unknown`` (field ``answered_by``).
    """
    if answered_by not in set(AnsweredBy):
        raise ValidationError("code.unknown", field="answered_by")


def checked_answer(answer: object, comment: object, codes: Collection[str], longest: int) -> str:
    """The comment as kept (spaces tidied), once the answer is one of ``codes``.

    Raises:
        FormErrors: ``experience.no_answer`` or ``experience.unknown_answer`` (field
            ``answer``); ``record.not_text`` or ``text.too_long`` (field ``comment``).
    """
    problems: list[ValidationError] = []
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        problems.append(ValidationError("experience.no_answer", field=ANSWER))
    elif answer not in codes:
        problems.append(ValidationError("experience.unknown_answer", field=ANSWER))
    words = ""
    if comment is not None and not isinstance(comment, str):
        problems.append(ValidationError("record.not_text", field=COMMENT))
    elif comment:
        # Line breaks are the patient's; runs of spaces within a line are not.
        words = "\n".join(" ".join(line.split()) for line in comment.strip().splitlines())
        if len(words) > longest:
            problems.append(ValidationError("text.too_long", field=COMMENT, max_length=longest))
    if problems:
        raise FormErrors(problems)
    return words
