"""Demographic rules: age, date of birth, UK postcode and personal names."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from clinic_app.kernel.errors import ValidationError

MAX_AGE_YEARS = 130
NAME_MAX_LENGTH = 100

# General shape of a UK postcode: outward code (area letters, district digit, optional
# letter or digit) then the inward code (sector digit, two unit letters). GIR 0AA is the
# one historic code outside that shape. This checks shape only, not that the code exists.
_POSTCODE = re.compile(r"(?:[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}|GIR 0AA)")
_INWARD_LENGTH = 3

# Apostrophes typed straight or curly (autocorrect), hyphens, full stops and spaces.
_NAME_PUNCTUATION = frozenset(" -'.\u2019")


def age_on(date_of_birth: date, on_date: date) -> int:
    """Age in whole years on a given day.

    A person born on 29 February reaches each new year of age on 1 March in a common year.
    The Family Law Reform Act 1969, s9(1), fixes the moment a person attains an age as the
    start of the relevant anniversary of their birth; a common year has no 29 February, so
    the anniversary has not begun until 28 February is over.

    Args:
        date_of_birth: the person's date of birth.
        on_date: the day the age is wanted for (on or after ``date_of_birth``).

    Returns:
        Completed years of age.

    Raises:
        ValidationError: ``date_of_birth.future`` (field ``date_of_birth``) when
            ``on_date`` is before the date of birth.
    """
    if on_date < date_of_birth:
        raise ValidationError("date_of_birth.future", field="date_of_birth")
    # Comparing (month, day) pairs gives the 1 March rule without a special case:
    # (2, 28) < (2, 29) < (3, 1).
    birthday_not_reached = (on_date.month, on_date.day) < (
        date_of_birth.month,
        date_of_birth.day,
    )
    return on_date.year - date_of_birth.year - int(birthday_not_reached)


def format_age(years: int) -> str:
    """Show an age in the compact clinical form, e.g. ``"47y"``.

    Args:
        years: completed years of age (zero or more).

    Returns:
        The number of years followed by ``y``.

    Raises:
        ValidationError: ``age.negative`` for a negative number of years.
    """
    if years < 0:
        raise ValidationError("age.negative", years=years)
    return f"{years}y"


def validate_date_of_birth(date_of_birth: date, today: date) -> None:
    """Check a date of birth is plausible for a living patient.

    Args:
        date_of_birth: the date entered.
        today: the current date (passed in so the rule stays pure).

    Raises:
        ValidationError: with ``field="date_of_birth"``: ``date_of_birth.future`` when it
            is after ``today``; ``date_of_birth.too_old`` (param ``max_years``) when the
            person would be over 130 years old.
    """
    if date_of_birth > today:
        raise ValidationError("date_of_birth.future", field="date_of_birth")
    if age_on(date_of_birth, today) > MAX_AGE_YEARS:
        raise ValidationError(
            "date_of_birth.too_old", field="date_of_birth", max_years=MAX_AGE_YEARS
        )


def validate_postcode(text: str) -> str:
    """Normalise and check the shape of a UK postcode.

    Args:
        text: the postcode as typed, any case, with or without spaces.

    Returns:
        The postcode in upper case with one space before the inward code, e.g.
        ``"LS1 4AP"``.

    Raises:
        ValidationError: ``postcode.invalid`` (field ``postcode``) when it is empty or
            not shaped like a UK postcode.
    """
    compact = "".join(text.split()).upper()
    candidate = f"{compact[:-_INWARD_LENGTH]} {compact[-_INWARD_LENGTH:]}"
    if len(compact) <= _INWARD_LENGTH or not _POSTCODE.fullmatch(candidate):
        raise ValidationError("postcode.invalid", field="postcode")
    return candidate


def _is_name_character(char: str) -> bool:
    # Letters in any script, combining accents (decomposed input) and name punctuation.
    return (
        char.isalpha() or unicodedata.category(char).startswith("M") or (char in _NAME_PUNCTUATION)
    )


def tidy_name(text: str) -> str:
    """A name as it is kept: Unicode NFC, no surrounding whitespace, single inner spaces.

    An empty result is a name left empty (``name.empty`` in :func:`normalise_name`).

    Args:
        text: the name as typed or as stored.

    Returns:
        The tidied name, possibly empty.
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


def normalise_name(text: str, field: str) -> str:
    """Tidy and check a personal name (given name, family name, preferred name).

    Surrounding whitespace is removed and runs of inner whitespace become one space. Letters
    from any alphabet (including accented letters), spaces, hyphens, apostrophes and full
    stops are allowed.

    Args:
        text: the name as typed.
        field: the form field the name belongs to, reported with any error.

    Returns:
        The tidied name, in Unicode NFC form.

    Raises:
        ValidationError: with the given ``field``: ``name.empty``; ``name.too_long``
            (params ``length``, ``max_length``); ``name.characters`` when it holds
            anything other than the allowed characters, or no letter at all.
    """
    name = tidy_name(text)
    if not name:
        raise ValidationError("name.empty", field=field)
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            "name.too_long", field=field, length=len(name), max_length=NAME_MAX_LENGTH
        )
    if not all(_is_name_character(char) for char in name) or not any(
        char.isalpha() for char in name
    ):
        raise ValidationError("name.characters", field=field)
    return name
