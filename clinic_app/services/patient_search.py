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

from clinic_app.clinical import nhs_number
from clinic_app.clinical.dates import read_date
from clinic_app.model import Patient, PatientAlert
from clinic_app.model.text import search_key

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
        .limit(bindparam("limit"))
    )


@cache
def _shape(kind: str) -> Select[Any]:
    """The statement of one query shape, built once per process."""
    if kind == "nhs":
        where = and_(Patient.nhs_number >= bindparam("lo"), Patient.nhs_number < bindparam("hi"))
        return _finish([_branch(0, where, (Patient.nhs_number,))], by_number=True)
    if kind == "dob":
        where = Patient.date_of_birth == bindparam("born")
        return _finish([_branch(0, where, _BY_FAMILY)], by_number=False)
    if kind == "one_word":
        family = _starts(Patient.family_key, "word")
        given_only = and_(_starts(Patient.given_key, "word"), ~family)
        return _finish(
            [_branch(0, family, _BY_FAMILY), _branch(1, given_only, _BY_GIVEN)], by_number=False
        )
    # Two or more words: "given family" first, then "family given" ("smith, john").
    given_first = and_(_starts(Patient.family_key, "last"), _starts(Patient.given_key, "before"))
    family_first = and_(_starts(Patient.family_key, "first"), _starts(Patient.given_key, "rest"))
    return _finish(
        [
            _branch(0, given_first, _BY_FAMILY),
            _branch(1, and_(family_first, ~given_first), _BY_FAMILY),
        ],
        by_number=False,
    )


def search_plan(query: str, limit: int) -> tuple[Select[Any], dict[str, Any]] | None:
    """The statement and parameters for a search box query.

    None when there is nothing to search: too short, or no letters or digits in it.
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
    keys = [key for key in (search_key(t) for t in _TOKEN_SPLIT.split(text)) if key]
    if not keys:
        return None
    if len(keys) == 1:
        return _shape("one_word"), {**params, **_prefix_params("word", keys[0])}
    return _shape("many_words"), {
        **params,
        **_prefix_params("last", keys[-1]),
        **_prefix_params("before", "".join(keys[:-1])),
        **_prefix_params("first", keys[0]),
        **_prefix_params("rest", "".join(keys[1:])),
    }
