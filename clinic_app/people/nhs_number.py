"""NHS number rules: Modulus 11 check digit, display format and the 999 test range."""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator
from itertools import islice

from clinic_app.kernel.errors import ValidationError

FIELD = "nhs_number"
LENGTH = 10
TEST_RANGE_PREFIX = "999"

# Weights for the first nine digits; the check digit itself carries weight 1, so a valid
# number is one whose weighted sum over all ten digits is divisible by 11.
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_MODULUS = 11

# Digits, optionally split into groups by spaces or hyphens (typed, pasted or scanned).
_GROUPED_DIGITS = re.compile(r"[0-9]+(?:[\s-]+[0-9]+)*")
_SEPARATORS = re.compile(r"[\s-]+")
_ASCII_DIGITS = re.compile(r"[0-9]*")
_QUERY_MIN_DIGITS = 3


def _error(code: str, **params: object) -> ValidationError:
    return ValidationError(f"nhs_number.{code}", field=FIELD, **params)


def _digits_of(text: str) -> str:
    """Strip surrounding whitespace and separators between groups; raise if anything else."""
    if len(text) == LENGTH and text.isascii() and text.isdigit():
        return text  # already the ten digits, as stored and synced
    stripped = text.strip()
    if not stripped:
        raise _error("empty")
    if not _GROUPED_DIGITS.fullmatch(stripped):
        raise _error("not_digits")
    digits = _SEPARATORS.sub("", stripped)
    if len(digits) != LENGTH:
        raise _error("length", length=len(digits), expected=LENGTH)
    return digits


def check_digit(first_nine: str) -> int | None:
    """Compute the Modulus 11 check digit for the first nine digits of an NHS number.

    Args:
        first_nine: exactly nine ASCII digits.

    Returns:
        The check digit (0-9), or ``None`` when the remainder gives 10: no NHS number is
        issued with those nine digits.

    Raises:
        ValidationError: ``nhs_number.not_digits`` or ``nhs_number.length`` when
            ``first_nine`` is not nine ASCII digits.
    """
    if not _ASCII_DIGITS.fullmatch(first_nine):
        raise _error("not_digits")
    if len(first_nine) != len(_WEIGHTS):
        raise _error("length", length=len(first_nine), expected=len(_WEIGHTS))
    return _check_for(first_nine)


def _check_for(first_nine: str) -> int | None:
    # Nine digits (checked by every caller), weighted: a server checks thousands a push.
    total: int = sum(map(operator.mul, map(int, first_nine), _WEIGHTS))
    check = _MODULUS - total % _MODULUS
    if check == _MODULUS:
        return 0
    if check == 10:
        return None
    return check


def normalise(text: str) -> str:
    """Turn typed input into the ten digits of a valid NHS number.

    Spaces and hyphens between digit groups and whitespace around the number are accepted
    ("943 476 5919", "943-476-5919", " 9434765919 ").

    Args:
        text: the number as typed.

    Returns:
        The ten digits with no separators.

    Raises:
        ValidationError: with ``field="nhs_number"`` and one of the codes
            ``nhs_number.empty``, ``nhs_number.not_digits``, ``nhs_number.length``
            (params ``length``, ``expected``), ``nhs_number.repeated_digit``,
            ``nhs_number.unusable_check`` (the first nine digits give remainder 10) or
            ``nhs_number.check_digit``.
    """
    digits = _digits_of(text)
    # Every ten-fold repetition of one digit passes the arithmetic (its check digit is
    # the digit itself), yet none is a real number: reject it on its own.
    if len(set(digits)) == 1:
        raise _error("repeated_digit")
    expected = check_digit(digits[:9])
    if expected is None:
        raise _error("unusable_check")
    if int(digits[9]) != expected:
        raise _error("check_digit")
    return digits


def is_valid(text: str) -> bool:
    """Tell whether ``text`` is a valid NHS number (separators allowed).

    Args:
        text: the number as typed.

    Returns:
        True when :func:`normalise` accepts it.
    """
    try:
        normalise(text)
    except ValidationError:
        return False
    return True


def format_nhs_number(digits: str) -> str:
    """Show an NHS number grouped 3 3 4, e.g. ``"943 476 5919"``.

    The check digit is not verified, so a stored value can always be shown as it is.

    Args:
        digits: ten digits, optionally already grouped with spaces or hyphens.

    Returns:
        The digits grouped 3 3 4 with single spaces.

    Raises:
        ValidationError: ``nhs_number.empty``, ``nhs_number.not_digits`` or
            ``nhs_number.length`` when ``digits`` is not ten digits.
    """
    plain = _digits_of(digits)
    return f"{plain[:3]} {plain[3:6]} {plain[6:]}"


def is_test_range(digits: str) -> bool:
    """Tell whether a number lies in the 999 range kept for testing and training.

    Args:
        digits: ten digits, optionally grouped with spaces or hyphens.

    Returns:
        True for ten digits starting with 999; False for anything else, including
        text that is not an NHS number at all.
    """
    try:
        plain = _digits_of(digits)
    except ValidationError:
        return False
    return plain.startswith(TEST_RANGE_PREFIX)


def _all_test_range_numbers() -> Iterator[str]:
    for serial in range(10 ** (LENGTH - 1 - len(TEST_RANGE_PREFIX))):
        first_nine = f"{TEST_RANGE_PREFIX}{serial:06d}"
        check = _check_for(first_nine)
        if check is None:
            continue
        number = f"{first_nine}{check}"
        if len(set(number)) > 1:
            yield number


def synthetic_numbers(count: int, start: int = 0) -> Iterator[str]:
    """Yield distinct valid NHS numbers from the 999 test range, always in the same order.

    Numbers whose first nine digits give remainder 10 are skipped, so every number yielded
    is valid. ``synthetic_numbers(n, start=k)`` gives the numbers at positions
    ``k .. k + n - 1`` of that fixed sequence, so consecutive batches never overlap.

    Args:
        count: how many numbers to yield (zero or more).
        start: how many numbers of the sequence to skip first (zero or more).

    Returns:
        An iterator of ten-digit strings.

    Raises:
        ValidationError: ``nhs_number.synthetic_arguments`` for a negative ``count`` or
            ``start``; ``nhs_number.test_range_exhausted`` (raised while iterating) when
            the test range has fewer numbers than asked for.
    """
    if count < 0 or start < 0:
        raise ValidationError("nhs_number.synthetic_arguments", count=count, start=start)
    return _synthetic_batch(count, start)


def _synthetic_batch(count: int, start: int) -> Iterator[str]:
    produced = 0
    for number in islice(_all_test_range_numbers(), start, start + count):
        produced += 1
        yield number
    if produced < count:
        raise ValidationError(
            "nhs_number.test_range_exhausted", count=count, start=start, available=produced
        )


def looks_like_nhs_number_query(text: str) -> str | None:
    """Recognise a search box entry that is (the start of) an NHS number.

    Used for search-as-you-type: a partly typed number is still worth matching.

    Args:
        text: what the user typed in the search box.

    Returns:
        The digits (spaces and hyphens removed) when they are 3 to 10 ASCII digits,
        otherwise ``None``.
    """
    digits = _SEPARATORS.sub("", text)
    if _QUERY_MIN_DIGITS <= len(digits) <= LENGTH and _ASCII_DIGITS.fullmatch(digits):
        return digits
    return None
