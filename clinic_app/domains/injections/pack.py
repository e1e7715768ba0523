"""Reading a medicine pack's GS1 DataMatrix as a USB barcode scanner types it.

A pack's code is a GS1 element string: the product's GTIN (AI 01), expiry (17, YYMMDD, day
"00" meaning the month's last day), batch (10) and serial number (21), in any order. Fixed-length
fields need nothing after them; a batch or serial that is not last ends with FNC1, which a
scanner sends as the group separator (ASCII 29), as a visible character it is set to send
instead, or, typed through some keyboards, as nothing at all. Element strings and their
Application Identifiers are read with biip; this module decides where the fields end.

When the separators are lost, a batch followed by a serial can be read in more than one way.
The reading that holds all four fields a medicine pack carries (GTIN, expiry, batch, serial:
the Falsified Medicines Directive's unique identifier) with the fewest element strings is taken
and flagged as inferred; when two such readings remain the fields they disagree on are left
empty and the reading says so (``pack.ambiguous``). Nothing of the scanned text is logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from biip import BiipException, ParseConfig
from biip.checksums import gs1_standard_check_digit
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_element_strings import GS1ElementString
from biip.symbology import GS1Symbology, SymbologyIdentifier

from clinic_app.kernel.errors import ValidationError

MAX_LENGTH = 256
"""Longest text read. A pack's code is well under 100 characters; longer text is refused
before any parsing, so a paste of a whole document costs nothing."""

GROUP_SEPARATOR = "\x1d"

# Characters a scanner may send for FNC1 instead of ASCII 29: ones a GS1 batch or serial can
# never contain (outside GS1's character set 82), so reading them as a separator is never
# wrong. U+2194 is how Windows types Alt+029 in the OEM code page; U+241D is the symbol for the
# group separator; U+00E8 is how some decoders render FNC1.
VISIBLE_SEPARATORS = "^~|@`{}[]\\$\u2194\u241d\u00e8"

GTIN_AI = "01"
EXPIRY_AI = "17"
BATCH_AI = "10"
SERIAL_AI = "21"
MEDICINE_PACK_AIS = frozenset({GTIN_AI, EXPIRY_AI, BATCH_AI, SERIAL_AI})
"""What every medicine pack's code carries (GTIN, expiry, batch, serial)."""

# After a separator that was lost only these may begin the next element: the fields a
# medicine pack carries and the other dates GS1 allows on one. Anything else found inside a
# batch or serial is part of it.
_AFTER_LOST_SEPARATOR = ("01", "10", "11", "15", "16", "17", "21")

# Bare GTINs (an EAN-13, UPC-A, GTIN-8 or ITF-14 symbol scanned instead of the DataMatrix).
_GTIN_LENGTHS = (8, 12, 13, 14)
_GTIN_DIGITS = 14
_MAX_AI_LENGTH = 4
_MAX_VALUE_LENGTH = 90
# Bounds on the search for where lost separators were, so no input can make it slow.
_MAX_STEPS = 50_000
_MAX_READINGS = 32

_CONFIG = ParseConfig(gs1_element_strings_verify_date=False)
_DIGITS = re.compile(r"[0-9]+")
_HRI_PAIR = re.compile(r"\(([0-9]{2,4})\)([^()]*)")
_SEPARATOR_RUN = re.compile(
    "[" + re.escape(GROUP_SEPARATOR + VISIBLE_SEPARATORS) + "]+",
)
# Whitespace, but not ASCII 28-31: Python counts the group separator as whitespace.
_WHITESPACE = re.compile(r"[^\S\x1c-\x1f]+")

EMPTY = "pack.empty"
TOO_LONG = "pack.too_long"
UNREADABLE = "pack.unreadable"
AMBIGUOUS = "pack.ambiguous"
NO_GTIN = "pack.no_gtin"
BAD_CHECK_DIGIT = "pack.bad_check_digit"
EXPIRY_UNREADABLE = "pack.expiry_unreadable"


@dataclass(frozen=True)
class PackReading:
    """What a scan of a medicine pack's code says.

    Attributes:
        gtin: the product's GTIN as 14 digits, its check digit verified; ``None`` when the
            code has none or its check digit is wrong.
        batch: the batch (lot) number, as printed.
        expiry: the expiry date; a GS1 day "00" is the last day of that month.
        serial: the pack's serial number.
        problems: codes for what could not be read, in this order when several apply:
            ``pack.empty``, ``pack.too_long``, ``pack.unreadable`` (not a GS1 code, or cut
            short), ``pack.ambiguous`` (separators lost and batch and serial can be split in
            more than one way; those left ``None``), ``pack.no_gtin``,
            ``pack.bad_check_digit``, ``pack.expiry_unreadable``.
        separators_inferred: the scanner sent no separator where one was needed and the
            fields were split by the medicine-pack rule; show them to be checked against
            the pack.
    """

    gtin: str | None = None
    batch: str | None = None
    expiry: date | None = None
    serial: str | None = None
    problems: tuple[str, ...] = ()
    separators_inferred: bool = False

    @property
    def ok(self) -> bool:
        """True when the code was read with no problem."""
        return not self.problems


@dataclass(frozen=True)
class _Element:
    ai: str
    value: str
    as_date: date | None = None


@dataclass(frozen=True)
class _Reading:
    elements: tuple[_Element, ...]
    lost_separators: int

    def ais(self) -> frozenset[str]:
        return frozenset(element.ai for element in self.elements)


class _TooComplex(Exception):
    """The search for lost separators ran past its bounds."""


def read_pack(text: str) -> PackReading:
    """Read the text a barcode scanner typed from a medicine pack's GS1 code.

    Accepts the symbology prefix ("]d2" for GS1 DataMatrix, also "]C1", "]Q3", "]e0") or
    none; separators as ASCII 29, as one of :data:`VISIBLE_SEPARATORS`, or lost; whitespace
    around the text; and the printed form typed by hand, "(01)...(17)...(10)...(21)...".
    A bare GTIN (the pack's linear barcode) gives the GTIN alone.

    Args:
        text: what the scanner (or a person) typed.

    Returns:
        The fields read and the problems found. Bad input never raises: it is reported in
        ``problems``.
    """
    if len(text) > MAX_LENGTH:
        return PackReading(problems=(TOO_LONG,))
    stripped = text.strip()
    if not stripped:
        return PackReading(problems=(EMPTY,))
    body = _without_symbology_identifier(stripped)
    if body is None:
        return PackReading(problems=(UNREADABLE,))
    body = _WHITESPACE.sub("", body)
    if body.startswith("("):
        return _from_printed_form(body)
    may_be_bare = not stripped.startswith("]") or _has_gtin_symbology(stripped)
    return _from_scanned(body, may_be_bare=may_be_bare)


def looks_like_pack(text: str) -> bool:
    """Tell a scanned pack code from text typed into a field.

    True when the text starts with a GS1 symbology prefix, or reads as a code carrying a GTIN
    (whether or not its check digit is right), so the field can hand it to :func:`read_pack`
    and show what was read and what was not.

    Args:
        text: the field's text.

    Returns:
        Whether the text is best treated as a pack scan.
    """
    if len(text) > MAX_LENGTH:
        return False
    stripped = text.strip()
    if stripped.startswith("]") and _has_gs1_symbology(stripped):
        return True
    reading = read_pack(stripped)
    return reading.gtin is not None or BAD_CHECK_DIGIT in reading.problems


def is_gtin(text: str) -> bool:
    """True for 14 digits whose last is the GS1 check digit of the first 13 (mod 10)."""
    return (
        len(text) == _GTIN_DIGITS
        and _DIGITS.fullmatch(text) is not None
        and (_check_digit_ok(text))
    )


def gtin_entered(text: str) -> str:
    """The GTIN in what a person typed or a scanner sent into a pack-code field.

    Accepts the 14 digits typed (spaces allowed between them), a pack's whole GS1 code as a
    scanner types it, or its linear barcode (an EAN-13 is given its leading zero).

    Args:
        text: the field's text.

    Returns:
        The GTIN as 14 digits, its check digit verified.

    Raises:
        ValidationError: ``pack_code.bad_check_digit`` when the digits do not add up,
            ``pack_code.not_a_code`` for anything else (both on the field ``code``).
    """
    typed = _WHITESPACE.sub("", text.strip())
    if len(typed) == _GTIN_DIGITS and _DIGITS.fullmatch(typed):
        if _check_digit_ok(typed):
            return typed
        raise ValidationError("pack_code.bad_check_digit", field="code")
    reading = read_pack(text)
    if reading.gtin is not None:
        return reading.gtin
    if BAD_CHECK_DIGIT in reading.problems:
        raise ValidationError("pack_code.bad_check_digit", field="code")
    raise ValidationError("pack_code.not_a_code", field="code")


# ---------------------------------------------------------------- the text as typed


def _symbology(text: str) -> GS1Symbology | None:
    try:
        return SymbologyIdentifier.extract(text).gs1_symbology
    except (BiipException, ValueError, IndexError):
        return None


def _has_gs1_symbology(text: str) -> bool:
    symbology = _symbology(text)
    return symbology is not None and symbology in GS1Symbology.with_gs1_messages()


def _has_gtin_symbology(text: str) -> bool:
    symbology = _symbology(text)
    return symbology is not None and symbology in GS1Symbology.with_gtin()


def _without_symbology_identifier(text: str) -> str | None:
    """The text after a GS1 symbology prefix; ``None`` for a prefix of anything else.

    A "]" that begins no known prefix is left in place: a scanner set to send "]" for FNC1
    may send one before the first field.
    """
    if not text.startswith("]"):
        return text
    try:
        identifier = SymbologyIdentifier.extract(text)
    except (BiipException, ValueError, IndexError):
        return text
    symbology = identifier.gs1_symbology
    if symbology is None or not (
        symbology in GS1Symbology.with_gs1_messages() or symbology in GS1Symbology.with_gtin()
    ):
        return None
    return text[len(identifier) :]


def _from_scanned(body: str, *, may_be_bare: bool) -> PackReading:
    """Element strings, or the GTIN alone when the linear barcode was scanned instead."""
    bare = may_be_bare and _is_bare_gtin(body)
    if bare and _check_digit_ok(body):
        return PackReading(gtin=body.zfill(_GTIN_DIGITS))
    reading = _from_element_strings(body)
    if bare and UNREADABLE in reading.problems:
        return PackReading(problems=(BAD_CHECK_DIGIT,))
    return reading


def _is_bare_gtin(body: str) -> bool:
    return len(body) in _GTIN_LENGTHS and _DIGITS.fullmatch(body) is not None


def _check_digit_ok(digits: str) -> bool:
    return gs1_standard_check_digit(digits[:-1]) == int(digits[-1])


def _from_printed_form(body: str) -> PackReading:
    """The form printed under the code, "(01)...(17)...", typed by hand."""
    elements: list[_Element] = []
    position = 0
    for match in _HRI_PAIR.finditer(body):
        if match.start() != position:
            return PackReading(problems=(UNREADABLE,))
        position = match.end()
        ai = _ai_at(match.group(1))
        if ai is None or ai.ai != match.group(1) or ai.ai in {e.ai for e in elements}:
            return PackReading(problems=(UNREADABLE,))
        element = _element(ai.ai, match.group(2), strict=True)
        if element is None:
            return PackReading(problems=(UNREADABLE,))
        elements.append(element)
    if position != len(body) or not elements:
        return PackReading(problems=(UNREADABLE,))
    return _as_pack(_Reading(tuple(elements), lost_separators=0))


# ---------------------------------------------------------------- where the fields end


@lru_cache(maxsize=256)
def _ai_at(text: str) -> GS1ApplicationIdentifier | None:
    try:
        return GS1ApplicationIdentifier.extract(text)
    except (BiipException, ValueError):
        return None


@lru_cache(maxsize=4096)
def _element(ai: str, value: str, *, strict: bool) -> _Element | None:
    """One element string checked by biip; ``None`` when its value does not fit its AI.

    In a strict place (where the element begins after a separator that was sent, or after a
    fixed-length field) an expiry that is six digits but no date is kept, to be reported;
    after a lost separator only a real date is taken as one.
    """
    identifier = _ai_at(ai)
    if identifier is None or not value or not re.fullmatch(identifier.pattern, ai + value):
        if strict and ai == EXPIRY_AI and len(value) == 6 and _DIGITS.fullmatch(value):
            return _Element(ai, value)
        return None
    try:
        parsed = GS1ElementString.parse(ai + value, config=_CONFIG)
    except (BiipException, ValueError):
        return None
    if ai == EXPIRY_AI and parsed.date is None and not strict:
        return None
    return _Element(ai, parsed.value, parsed.date)


def _from_element_strings(body: str) -> PackReading:
    """Element strings as a scanner sends them, with separators sent, shown or lost."""
    segments = [part for part in _SEPARATOR_RUN.split(body) if part]
    if not segments:
        return PackReading(problems=(EMPTY,))
    try:
        readings = _readings(segments)
    except _TooComplex:
        return PackReading(problems=(UNREADABLE,))
    if not readings:
        return PackReading(problems=(UNREADABLE,))
    return _chosen(readings, separators_sent=len(segments) > 1)


def _readings(segments: list[str]) -> list[_Reading]:
    """Every way to split the segments (text between separators) into element strings."""
    found: list[_Reading] = []
    steps = [0]

    def walk(
        index: int,
        position: int,
        elements: tuple[_Element, ...],
        lost: int,
        *,
        after_lost: bool,
    ) -> None:
        steps[0] += 1
        if steps[0] > _MAX_STEPS or len(found) > _MAX_READINGS:
            raise _TooComplex
        segment = segments[index]
        if position == len(segment):
            if index + 1 == len(segments):
                found.append(_Reading(elements, lost))
            else:
                walk(index + 1, 0, elements, lost, after_lost=False)
            return
        rest = segment[position:]
        identifier = _ai_at(rest[:_MAX_AI_LENGTH])
        if identifier is None or identifier.ai in {e.ai for e in elements}:
            return
        ai = identifier.ai
        if after_lost and ai not in _AFTER_LOST_SEPARATOR:
            return
        longest = min(len(rest) - len(ai), _MAX_VALUE_LENGTH)
        for length in range(1, longest + 1):
            steps[0] += 1
            end = len(ai) + length
            follows = rest[end:]
            implied = bool(follows) and identifier.separator_required
            if implied and not follows.startswith(_AFTER_LOST_SEPARATOR):
                continue
            element = _element(ai, rest[len(ai) : end], strict=not after_lost)
            if element is None:
                continue
            walk(
                index,
                position + end,
                (*elements, element),
                lost + implied,
                after_lost=implied,
            )

    walk(0, 0, (), 0, after_lost=False)
    return found


def _chosen(readings: list[_Reading], *, separators_sent: bool) -> PackReading:
    strict = [reading for reading in readings if reading.lost_separators == 0]
    if strict and separators_sent:
        return _as_pack(strict[0])
    complete = [r for r in readings if r.ais() >= MEDICINE_PACK_AIS]
    if complete:
        candidates = complete
    elif strict:
        return _as_pack(strict[0])
    else:
        candidates = readings
    fewest = min(len(r.elements) for r in candidates)
    candidates = [r for r in candidates if len(r.elements) == fewest]
    packs = [_as_pack(reading) for reading in candidates]
    inferred = any(reading.lost_separators for reading in candidates)
    if len(packs) == 1:
        return replace(packs[0], separators_inferred=inferred)
    return _agreed(packs)


def _agreed(packs: list[PackReading]) -> PackReading:
    """What every candidate reading agrees on; the rest left empty."""
    first = packs[0]

    def same(value: object, values: list[object]) -> bool:
        return all(other == value for other in values)

    shared = tuple(code for code in first.problems if all(code in p.problems for p in packs))
    return PackReading(
        gtin=first.gtin if same(first.gtin, [p.gtin for p in packs]) else None,
        batch=first.batch if same(first.batch, [p.batch for p in packs]) else None,
        expiry=first.expiry if same(first.expiry, [p.expiry for p in packs]) else None,
        serial=first.serial if same(first.serial, [p.serial for p in packs]) else None,
        problems=(AMBIGUOUS, *shared),
        separators_inferred=True,
    )


def _as_pack(reading: _Reading) -> PackReading:
    fields = {element.ai: element for element in reading.elements}
    problems: list[str] = []
    gtin: str | None = None
    if GTIN_AI not in fields:
        problems.append(NO_GTIN)
    elif _check_digit_ok(fields[GTIN_AI].value):
        gtin = fields[GTIN_AI].value
    else:
        problems.append(BAD_CHECK_DIGIT)
    expiry = fields[EXPIRY_AI].as_date if EXPIRY_AI in fields else None
    if EXPIRY_AI in fields and expiry is None:
        problems.append(EXPIRY_UNREADABLE)
    batch = fields.get(BATCH_AI)
    serial = fields.get(SERIAL_AI)
    return PackReading(
        gtin=gtin,
        batch=batch.value if batch else None,
        expiry=expiry,
        serial=serial.value if serial else None,
        problems=tuple(problems),
    )
