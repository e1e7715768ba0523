"""How a search box query becomes one SELECT, built once per query shape.

Four shapes: an NHS number prefix, a date of birth, one name word, two or more name words.
Each shape's statement is built once with bound parameters, so typing only binds new values
and reuses the compiled SQL. Matching ids are chosen and ordered from covering indexes (each
branch walks one index in order, so LIMIT stops early), and only the rows shown are then
read and their alerts counted.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, literal, select, union_all
from sqlalchemy.orm import QueryableAttribute

from clinic_app.kernel.dates import read_date
from clinic_app.people import nhs_number
from clinic_app.people.model import Patient, PatientAlert
from clinic_app.people.text import search_key

MIN_QUERY = 2
"""Fewer characters than this match too many patients to be worth showing."""

_TOKEN_SPLIT = re.compile(r"[\s,]+")
_TOP = "\U0010ffff"  # sorts after every character a search key can hold
_BY_FAMILY = (Patient.family_key, Patient.given_key, Patient.date_of_birth)
_BY_GIVEN = (Patient.given_key, Patient.family_key, Patient.date_of_birth)


def _starts(column: QueryableAttribute[str], name: str) -> ColumnElement[bool]:
    """``column`` starts with the bound prefix ``name``: a range, so the index is used."""
    return and_(column >= bindparam(f"{name}_lo"), column < bindparam(f"{name}_hi"))


def _prefix_params(name: str, key: str) -> dict[str, str]:
    return {f"{name}_lo": key, f"{name}_hi": key + _TOP}


def _branch(branch: int, where: ColumnElement[bool], order: tuple[Any, ...]) -> Select[Any]:
    return cast(
        "Select[Any]",
        select(
            Patient.id.label("id"),
            literal(branch).label("branch"),
            Patient.family_key.label("family_key"),
            Patient.given_key.label("given_key"),
            Patient.date_of_birth.label("date_of_birth"),
        )
        .where(where, Patient.deleted.is_(False))
        .order_by(*order)
        .limit(bindparam("limit")),
    )


def _finish(branches: list[Select[Any]], *, by_number: bool) -> Select[Any]:
    parts = [branch.subquery().select() for branch in branches]
    chosen = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    alerts = (
        select(func.count(PatientAlert.id))
        .where(
            PatientAlert.patient_id == Patient.id,
            PatientAlert.active.is_(True),
            PatientAlert.deleted.is_(False),
        )
        .scalar_subquery()
    )
    order: tuple[Any, ...] = (chosen.c.branch,)
    if by_number:
        order += (Patient.nhs_number,)
    else:
        order += (chosen.c.family_key, chosen.c.given_key, chosen.c.date_of_birth)
    return (
        select(
            Patient.id,
            Patient.nhs_number,
            Patient.family_name,
            Patient.given_name,
            Patient.date_of_birth,
            Patient.sex,
            Patient.postcode,
            alerts,
        )
        .join(chosen, chosen.c.id == Patient.id)
        .order_by(*order)
    )


MAX_WORDS = 4
"""Words beyond this are joined onto the last one (names rarely have more parts)."""


@cache
def _shape(kind: str, branches: int = 1) -> Select[Any]:
    """The statement of one query shape, built once per process."""
    if kind == "nhs":
        where = and_(Patient.nhs_number >= bindparam("lo"), Patient.nhs_number < bindparam("hi"))
        return _finish([_branch(0, where, (Patient.nhs_number,))], by_number=True)
    if kind == "dob":
        where = Patient.date_of_birth == bindparam("born")
        return _finish([_branch(0, where, _BY_FAMILY)], by_number=False)
    if kind == "one_word":
        return _finish(
            [
                _branch(0, _starts(Patient.family_key, "word"), _BY_FAMILY),
                _branch(1, _starts(Patient.given_key, "word"), _BY_GIVEN),
            ],
            by_number=False,
        )
    # Names of several words: each branch is one reading of where the family name is.
    return _finish(
        [
            _branch(
                n,
                and_(_starts(Patient.family_key, f"f{n}"), _starts(Patient.given_key, f"g{n}")),
                _BY_FAMILY,
            )
            for n in range(branches)
        ],
        by_number=False,
    )


def name_readings(query: str) -> list[tuple[str, str]]:
    """Ways to read a name query as (family name, given names), as folded search keys.

    "smith, john" is family then given, as written. Without a comma the family name may be
    one word or several at either end: "maria de souza", "de souza maria", "de souza",
    "o brien". The whole query as a family name comes first.
    """
    if "," in query:
        family_part, given_part = query.split(",", 1)
        family = "".join(_keys(family_part))
        given = "".join(_keys(given_part))
        return [(family, given)] if family or given else []
    keys = _keys(query)
    if len(keys) > MAX_WORDS:
        keys = [*keys[: MAX_WORDS - 1], "".join(keys[MAX_WORDS - 1 :])]
    readings = [("".join(keys), "")]
    for split in range(1, len(keys)):
        readings.append(("".join(keys[split:]), "".join(keys[:split])))
        readings.append(("".join(keys[:split]), "".join(keys[split:])))
    return readings


def _keys(text: str) -> list[str]:
    return [key for key in (search_key(t) for t in _TOKEN_SPLIT.split(text)) if key]


def search_plan(query: str, limit: int) -> tuple[Select[Any], dict[str, Any]] | None:
    """The statement and parameters for a search box query.

    None when there is nothing to search: too short, or no letters or digits in it. A
    patient may match more than one branch of a name search: callers keep the first row
    of each patient (rows come in branch order) and then apply ``limit``.
    """
    text = query.strip()
    if len(text) < MIN_QUERY:
        return None
    params: dict[str, Any] = {"limit": limit}
    born = read_date(text)
    if born is not None:
        return _shape("dob"), {**params, "born": born}
    digits = nhs_number.looks_like_nhs_number_query(text)
    if digits is not None:
        return _shape("nhs"), {**params, "lo": digits, "hi": digits + ":"}
    keys = _keys(text)
    if not keys:
        return None
    if len(keys) == 1 and "," not in text:
        return _shape("one_word"), {**params, **_prefix_params("word", keys[0])}
    readings = name_readings(text)
    for n, (family, given) in enumerate(readings):
        params |= _prefix_params(f"f{n}", family) | _prefix_params(f"g{n}", given)
    return _shape("names", len(readings)), params
