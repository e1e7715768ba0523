"""Reading the published lookup files: their columns, and each row checked: pure, no store.

Postcode files: the ONS Postcode Directory (ONSPD) and the National Statistics Postcode Lookup
(NSPL), as CSV. Both name the postcode ``pcds`` (upper case, one space before the inward
code); older extracts also carry ``pcd`` (7 characters) and newer ones ``pcd7``/``pcd8``.
The LSOA columns are ``lsoa11``/``lsoa21`` (``lsoa11cd``/``lsoa21cd`` from 2025).

The index: the English Indices of Deprivation's File 7 CSV ("All IoD scores, ranks, deciles
and population denominators"), or File 1 saved as CSV: the LSOA code is the column
"LSOA code (2011)" (IoD2019, on 2011 LSOAs) or "LSOA code (2021)" (IoD2025), and the decile
"Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)".

Every problem is a ``ValidationError`` naming the line (the header is line 1) and what is
wrong, so the person importing can find it in the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from clinic_app.kernel.errors import ValidationError

#: The shapes of a UK postcode, outward then inward code (BS 7666), with GIR 0AA.
_POSTCODE = re.compile(r"^(GIR 0AA|[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2})$")
_INWARD = 3

#: An English LSOA code: E01 and six digits (the index covers England only).
_ENGLISH_LSOA = re.compile(r"^E01[0-9]{6}$")
#: Any area code the postcode lookups carry in an LSOA column: letters and digits only
#: (E01.../W01... LSOAs, S01... data zones, 95... Northern Ireland areas, pseudo codes).
_AREA_CODE = re.compile(r"^[A-Z0-9]{1,10}$")

POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8")
"""The postcode column, in the order preferred."""
LSOA11_COLUMNS = ("lsoa11", "lsoa11cd")
LSOA21_COLUMNS = ("lsoa21", "lsoa21cd")

IMD_LSOA_COLUMNS = {"LSOA code (2011)": "2011", "LSOA code (2021)": "2021"}
"""The index's LSOA column, and the census its LSOAs come from."""
IMD_DECILE_PREFIX = "Index of Multiple Deprivation (IMD) Decile"
IMD_RANK_PREFIX = "Index of Multiple Deprivation (IMD) Rank"
#: The year in the local authority column names the edition (File 7's own columns).
IMD_EDITIONS = {
    "Local Authority District code (2013)": "IoD2015",
    "Local Authority District code (2019)": "IoD2019",
    "Local Authority District code (2024)": "IoD2025",
}


def normalise_postcode(text: str | None) -> str | None:
    """A postcode as the tables key it (upper case, one space before the inward code).

    Returns None for anything not shaped like a UK postcode (blank, too short, stray marks).
    """
    if text is None:
        return None
    compact = "".join(text.split()).upper()
    if len(compact) <= _INWARD:
        return None
    candidate = f"{compact[:-_INWARD]} {compact[-_INWARD:]}"
    return candidate if _POSTCODE.fullmatch(candidate) else None


def _clean(header: Sequence[str]) -> list[str]:
    return [name.strip().lstrip("\ufeff") for name in header]


def _first(header: list[str], names: Sequence[str], *, case_blind: bool = True) -> int | None:
    folded = [name.casefold() for name in header] if case_blind else header
    for name in names:
        wanted = name.casefold() if case_blind else name
        if wanted in folded:
            return folded.index(wanted)
    return None


@dataclass(frozen=True)
class PostcodeColumns:
    """Where the postcode and the LSOAs are in a postcode file's rows."""

    width: int
    postcode: int
    lsoa11: int | None
    lsoa21: int | None

    @property
    def edition(self) -> str:
        """Which LSOA columns the file has, e.g. "lsoa11 lsoa21"."""
        names = [n for n, i in (("lsoa11", self.lsoa11), ("lsoa21", self.lsoa21)) if i is not None]
        return " ".join(names)


def postcode_columns(header: Sequence[str]) -> PostcodeColumns:
    """Find the columns of a postcode file from its header row.

    Raises:
        ValidationError: ``deprivation.missing_column`` (line 1, the ``column`` wanted) when
            there is no postcode column or no LSOA column.
    """
    names = _clean(header)
    postcode = _first(names, POSTCODE_COLUMNS)
    if postcode is None:
        raise ValidationError("deprivation.missing_column", line=1, column="pcds")
    lsoa11 = _first(names, LSOA11_COLUMNS)
    lsoa21 = _first(names, LSOA21_COLUMNS)
    if lsoa11 is None and lsoa21 is None:
        raise ValidationError("deprivation.missing_column", line=1, column="lsoa11 or lsoa21")
    return PostcodeColumns(len(names), postcode, lsoa11, lsoa21)


def _width(row: Sequence[str], width: int, line: int) -> None:
    if len(row) != width:
        raise ValidationError("deprivation.wrong_width", line=line, found=len(row), expected=width)


def _area(row: Sequence[str], index: int | None, line: int) -> str | None:
    if index is None:
        return None
    value = row[index].strip().upper()
    if not value:
        return None
    if not _AREA_CODE.fullmatch(value):
        raise ValidationError("deprivation.bad_area_code", line=line, value=value[:20])
    return value


def postcode_row(
    columns: PostcodeColumns, row: Sequence[str], line: int
) -> tuple[str, str | None, str | None]:
    """One row of a postcode file as (postcode, lsoa11, lsoa21).

    Raises:
        ValidationError: ``deprivation.wrong_width``, ``deprivation.bad_postcode`` or
            ``deprivation.bad_area_code``, each with its ``line``.
    """
    _width(row, columns.width, line)
    postcode = normalise_postcode(row[columns.postcode])
    if postcode is None:
        raise ValidationError(
            "deprivation.bad_postcode", line=line, value=row[columns.postcode].strip()[:20]
        )
    return postcode, _area(row, columns.lsoa11, line), _area(row, columns.lsoa21, line)


@dataclass(frozen=True)
class ImdColumns:
    """Where the LSOA, the decile and the rank are in the index's rows, and which edition."""

    width: int
    lsoa: int
    decile: int
    rank: int | None
    lsoa_vintage: str
    edition: str


def imd_columns(header: Sequence[str]) -> ImdColumns:
    """Find the columns of the index file from its header row.

    Raises:
        ValidationError: ``deprivation.missing_column`` (line 1) without an LSOA code or an
            IMD decile column.
    """
    names = _clean(header)
    lsoa = next((i for i, name in enumerate(names) if name in IMD_LSOA_COLUMNS), None)
    if lsoa is None:
        raise ValidationError("deprivation.missing_column", line=1, column="LSOA code (2011)")
    decile = next((i for i, n in enumerate(names) if n.startswith(IMD_DECILE_PREFIX)), None)
    if decile is None:
        raise ValidationError("deprivation.missing_column", line=1, column=IMD_DECILE_PREFIX)
    rank = next((i for i, n in enumerate(names) if n.startswith(IMD_RANK_PREFIX)), None)
    edition = next((IMD_EDITIONS[n] for n in names if n in IMD_EDITIONS), "")
    return ImdColumns(len(names), lsoa, decile, rank, IMD_LSOA_COLUMNS[names[lsoa]], edition)


def _whole(text: str) -> int | None:
    value = text.strip()
    return int(value) if value.isdigit() else None


def imd_row(columns: ImdColumns, row: Sequence[str], line: int) -> tuple[str, int, int | None]:
    """One row of the index as (LSOA code, decile 1..10, rank or None).

    Raises:
        ValidationError: ``deprivation.wrong_width``, ``deprivation.bad_lsoa``,
            ``deprivation.bad_decile`` or ``deprivation.bad_rank``, each with its ``line``.
    """
    _width(row, columns.width, line)
    code = row[columns.lsoa].strip().upper()
    if not _ENGLISH_LSOA.fullmatch(code):
        raise ValidationError("deprivation.bad_lsoa", line=line, value=code[:20])
    decile = _whole(row[columns.decile])
    if decile is None or not 1 <= decile <= 10:
        raise ValidationError(
            "deprivation.bad_decile", line=line, value=row[columns.decile].strip()[:20]
        )
    rank = None
    if columns.rank is not None and row[columns.rank].strip():
        rank = _whole(row[columns.rank])
        if rank is None or rank < 1:
            raise ValidationError(
                "deprivation.bad_rank", line=line, value=row[columns.rank].strip()[:20]
            )
    return code, decile, rank
