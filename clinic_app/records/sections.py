"""A record's sections, declared once: the form, the PDF, the DICOM SR and letters iterate them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sized
from dataclasses import dataclass
from enum import StrEnum

from clinic_app.kernel.errors import FormErrors, ValidationError


class SectionKind(StrEnum):
    """What a section holds: words a person writes, or structured data with its own widget."""

    TEXT = "text"
    STRUCTURED = "structured"


@dataclass(frozen=True)
class Concept:
    """A coded concept (value, coding scheme, meaning), as a DICOM SR names a heading."""

    value: str
    scheme: str
    meaning: str


@dataclass(frozen=True)
class Section:
    """One part of a record.

    Attributes:
        key: where its value is kept in the record's content.
        label: its heading, on screen and in print.
        kind: text (trimmed words) or structured (its own widget and checks).
        max_length: the longest text it accepts (None: the record type's own checks).
        required: must be filled in before the record is signed (or submitted for review).
        prints: shown on the printed record.
        empty_words: printed under the heading when it is empty; None leaves an empty section
            out of the print altogether.
        amendment: holds an addendum's words: only a version that adds to another has it.
        sr_heading: the SR's section heading (CID 7001) and the concept of the narrative item
            it holds (CID 7002); None keeps it out of the SR's own sections.
        letter: quoted in a letter (to the GP, to the patient) once the record is final.
    """

    key: str
    label: str
    kind: SectionKind = SectionKind.TEXT
    max_length: int | None = None
    required: bool = False
    prints: bool = True
    empty_words: str | None = None
    amendment: bool = False
    sr_heading: tuple[Concept, Concept] | None = None
    letter: bool = False


def text_sections(sections: Iterable[Section]) -> tuple[Section, ...]:
    """The sections a person writes words in, in their declared order."""
    return tuple(section for section in sections if section.kind is SectionKind.TEXT)


def is_empty(value: object) -> bool:
    """True for what fills nothing in: None, blank text, an empty list or mapping.

    A number or a yes/no is an answer whatever its value: 0 (no pain) and False (not guided)
    fill a section in.
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, bool | int | float):
        return False
    if isinstance(value, Sized):
        return len(value) == 0
    return False


def missing_sections(sections: Iterable[Section], content: Mapping[str, object]) -> tuple[str, ...]:
    """Keys of the required sections that are still empty in ``content`` (see :func:`is_empty`)."""
    return tuple(s.key for s in sections if s.required and is_empty(content.get(s.key)))


def require_sections(sections: Iterable[Section], content: Mapping[str, object], code: str) -> None:
    """Refuse content whose required sections are not all filled in.

    Raises:
        FormErrors: one ValidationError ``code`` per empty required section (its field).
    """
    missing = missing_sections(sections, content)
    if missing:
        raise FormErrors([ValidationError(code, field=key) for key in missing])
