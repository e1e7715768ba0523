"""C-FIND matching and answers as PS3.4 C.2.2.2 describes them, for the Modality Worklist.

Every key in a query is either universal (empty: anything matches), a single value, a list
of UIDs, a wildcard (``*`` any run of characters, ``?`` one character), a date or time range
(``A-B``, ``A-``, ``-B``) or a sequence (an item matches when all its keys match one item of
the candidate's sequence). Person names match without regard to case, component by
component (``FAMILY^GIVEN``), which is what scanners and most worklist servers do.

An answer carries every key the query asked for, and only those: the candidate's value, or
an empty one when it is not known (a Type 2 key comes back empty, never left out).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence

#: Value representations whose keys may hold wildcards (PS3.4 C.2.2.2.4).
_WILDCARD_VRS = frozenset({"AE", "CS", "LO", "LT", "PN", "SH", "ST", "UC", "UR", "UT"})
_RANGE_VRS = frozenset({"DA", "TM", "DT"})
#: Attributes that describe the query, not something to match.
_NOT_KEYS = frozenset({0x00080005, 0x00080052})  # Specific Character Set, Q/R Level


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, MultiValue | list | tuple):
        return "\\".join(str(part) for part in value)
    return str(value)


def _is_empty(element: DataElement) -> bool:
    if element.VR == "SQ":
        return len(element.value or []) == 0
    return _text(element.value).strip() == ""


def _wildcard(pattern: str, value: str, *, fold: bool = False) -> bool:
    """``*`` and ``?`` as PS3.4 C.2.2.2.4 means them; every other character is itself."""
    if fold:
        pattern, value = pattern.casefold(), value.casefold()
    parts = ("." if char == "?" else ".*" if char == "*" else re.escape(char) for char in pattern)
    return re.fullmatch("".join(parts), value, flags=re.DOTALL) is not None


def _single(pattern: str, value: str, *, fold: bool = False) -> bool:
    pattern, value = pattern.strip(), value.strip()
    if "*" in pattern or "?" in pattern:
        return _wildcard(pattern, value, fold=fold)
    if fold:
        return pattern.casefold() == value.casefold()
    return pattern == value


def _alphabetic(name: str) -> str:
    """A person name's alphabetic group (before any ``=`` ideographic or phonetic group)."""
    return name.split("=", 1)[0]


def _person_name(pattern: str, value: str) -> bool:
    """Case-insensitive; a component left out or empty in the query matches any."""
    wanted, held = _alphabetic(pattern).strip(), _alphabetic(value).strip()
    if _single(wanted, held, fold=True):
        return True
    held_parts = held.split("^")
    for index, part in enumerate(wanted.split("^")):
        if not part.strip():
            continue
        have = held_parts[index] if index < len(held_parts) else ""
        if not _single(part, have, fold=True):
            return False
    return True


def _padded(value: str, vr: str, *, upper: bool) -> str:
    """A date, time or date-time made comparable as text, filled out at either end.

    A time given to the hour or minute covers all of it at the top of a range (``-1030``
    includes 10:30:59); at the bottom it starts at its first moment.
    """
    value = value.strip()
    if vr == "DA":
        return value
    if vr == "TM":
        whole, _, fraction = value.replace(":", "").partition(".")
        filler = "235959" if upper else "000000"
        whole = whole + filler[len(whole) :]
        fraction = (fraction + ("9" if upper else "0") * 6)[:6]
        return f"{whole}.{fraction}"
    # DT: YYYYMMDDHHMMSS.FFFFFF; an offset is not compared (the worklist's times are local).
    whole, _, fraction = value.split("+", 1)[0].partition(".")
    filler = "99991231235959" if upper else "00000101000000"
    whole = whole + filler[len(whole) :]
    fraction = (fraction + ("9" if upper else "0") * 6)[:6]
    return f"{whole}.{fraction}"


def _range(pattern: str, value: str, vr: str) -> bool:
    """Range matching (C.2.2.2.5); a value with no ``-`` matches to its own precision."""
    pattern, value = pattern.strip(), value.strip()
    if not value:
        return False
    held = _padded(value, vr, upper=False)
    low, dash, high = pattern.partition("-")
    if not dash:
        low = high = pattern
    if low and held < _padded(low, vr, upper=False):
        return False
    return not (high and held > _padded(high, vr, upper=True))


def _value_matches(key: DataElement, held: DataElement) -> bool:
    pattern, value = _text(key.value), _text(held.value)
    if key.VR == "UI":
        # A list of UIDs matches any one of them (C.2.2.2.2).
        return value.strip() in {uid.strip() for uid in pattern.split("\\")}
    if key.VR == "PN":
        return _person_name(pattern, value)
    if key.VR in _RANGE_VRS:
        return _range(pattern, value, key.VR)
    if key.VR in _WILDCARD_VRS:
        return _single(pattern, value)
    return pattern.strip() == value.strip()


def _element_matches(key: DataElement, held: DataElement | None) -> bool:
    if _is_empty(key):
        return True
    if held is None or _is_empty(held):
        # "*" matches a run of no characters too (C.2.2.2.4); nothing else matches nothing.
        pattern = _text(key.value).strip()
        return key.VR in _WILDCARD_VRS and set(pattern) == {"*"}
    if key.VR == "SQ":
        return all(
            any(_item_matches(query_item, item) for item in held.value) for query_item in key.value
        )
    return _value_matches(key, held)


def _held(candidate: Dataset, key: DataElement) -> DataElement | None:
    """The candidate's element for a key, if it has one."""
    found: DataElement | None = candidate.get(key.tag)
    return found


def _item_matches(query: Dataset, candidate: Dataset) -> bool:
    return all(
        _element_matches(key, _held(candidate, key))
        for key in query
        if int(key.tag) not in _NOT_KEYS
    )


def matches(query: Dataset, candidate: Dataset) -> bool:
    """True when ``candidate`` matches every key of ``query`` (PS3.4 C.2.2.2)."""
    return _item_matches(query, candidate)


def _answer_item(query: Dataset, candidate: Dataset) -> Dataset:
    answer = Dataset()
    for key in query:
        if int(key.tag) in _NOT_KEYS:
            continue
        held = _held(candidate, key)
        if key.VR == "SQ":
            items = list(held.value) if held is not None and held.VR == "SQ" else []
            wanted = list(key.value or [])
            if wanted and any(len(item) for item in wanted):
                # Only the items that matched, each with the keys asked for in it.
                shape = wanted[0]
                chosen = [item for item in items if any(_item_matches(q, item) for q in wanted)]
                answer.add_new(key.tag, "SQ", Sequence([_answer_item(shape, i) for i in chosen]))
            else:
                # An empty sequence key asks for the whole sequence.
                answer.add_new(key.tag, "SQ", Sequence(items))
        elif held is not None:
            answer.add(DataElement(key.tag, held.VR, held.value))
        else:
            answer.add_new(key.tag, key.VR, None)
    return answer


def answer_for(query: Dataset, candidate: Dataset, character_set: str = "ISO_IR 192") -> Dataset:
    """What is sent back for a matching candidate: exactly the keys asked for."""
    answer = _answer_item(query, candidate)
    answer.SpecificCharacterSet = character_set
    return answer


def matching(query: Dataset, candidates: Iterable[Dataset]) -> Iterable[Dataset]:
    """The answers for every candidate that matches the query."""
    for candidate in candidates:
        if matches(query, candidate):
            yield answer_for(query, candidate)
