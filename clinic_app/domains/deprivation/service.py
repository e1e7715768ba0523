"""Importing the published lookup files into the reference tables, each file all or nothing.

A file is read as a stream, a batch of rows at a time, inside one transaction that first
empties its table: a problem anywhere (a malformed row, a postcode listed twice) rolls the
whole file back, and the data imported before stays as it was. Readers see the old rows until
the new ones are committed (PostgreSQL), or wait for the commit (SQLite).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from clinic_app.domains.deprivation.model import (
    DeprivationImport,
    DeprivationLsoa,
    DeprivationPostcode,
)
from clinic_app.domains.deprivation.rules import (
    imd_columns,
    imd_row,
    postcode_columns,
    postcode_row,
)
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import ValidationError

#: Rows sent to the database at once: large enough to be quick, small enough for memory.
BATCH = 5000

Progress = Callable[[int], None]
"""Told how many rows have been read so far, after each batch."""


@dataclass(frozen=True)
class ImportResult:
    """What one file put in its table.

    Attributes:
        kind: ``postcodes`` or ``imd``.
        rows: rows imported.
        edition: the postcode file's LSOA columns ("lsoa11 lsoa21"), or the index's edition
            ("IoD2019"; "" when its columns do not say).
        lsoa_vintage: the census of the index's LSOAs ("2011", "2021"); "" for postcodes.
    """

    kind: str
    rows: int
    edition: str
    lsoa_vintage: str = ""


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Each row of a CSV file with the line it ends on (the header is line 1)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            for row in reader:
                yield reader.line_num, row
        except UnicodeDecodeError as error:
            raise ValidationError("deprivation.not_text", line=reader.line_num + 1) from error
        except csv.Error as error:
            raise ValidationError("deprivation.not_csv", line=reader.line_num) from error


def _header(rows: Iterator[tuple[int, list[str]]]) -> list[str]:
    for _line, row in rows:
        return row
    raise ValidationError("deprivation.empty_file", line=1)


def _duplicate(
    conn: Connection, column: Any, batch: Sequence[tuple[int, dict[str, Any]]], key: str
) -> ValidationError:
    """The first row of a refused batch whose key is already in the table or earlier in it."""
    stored = set(conn.scalars(select(column).where(column.in_([v[key] for _, v in batch]))))
    seen: set[str] = set()
    for line, values in batch:
        if values[key] in stored or values[key] in seen:
            return ValidationError("deprivation.listed_twice", line=line, value=values[key])
        seen.add(values[key])
    return ValidationError("deprivation.listed_twice", line=batch[0][0], value="")


def _flush(
    conn: Connection, table: Any, key_column: Any, key: str, batch: list[tuple[int, dict[str, Any]]]
) -> None:
    if not batch:
        return
    savepoint = conn.begin_nested()
    try:
        conn.execute(insert(table), [values for _, values in batch])
    except IntegrityError:
        savepoint.rollback()
        raise _duplicate(conn, key_column, batch, key) from None
    savepoint.commit()
    batch.clear()


def _note(conn: Connection, kind: str, path: Path, *, edition: str, rows: int, by: str) -> None:
    conn.execute(delete(DeprivationImport).where(DeprivationImport.kind == kind))
    conn.execute(
        insert(DeprivationImport).values(
            kind=kind,
            file_name=path.name[:255],
            edition=edition,
            rows=rows,
            imported_at=utcnow(),
            imported_by=by[:64],
        )
    )


@dataclass(frozen=True)
class _Target:
    """A table one kind of file fills, and how its rows are read."""

    kind: str
    table: Any
    key: str
    parse: Callable[[list[str]], Callable[[list[str], int], dict[str, Any]]]


def _replace(
    engine: Engine, path: Path, target: _Target, *, by: str, progress: Progress | None, size: int
) -> tuple[int, Any]:
    """Empty the target's table and fill it from ``path``, in one transaction."""
    rows = _rows(path)
    header = _header(rows)
    read = target.parse(header)
    key_column = target.table.c[target.key]
    count = 0
    batch: list[tuple[int, dict[str, Any]]] = []
    with engine.begin() as conn:
        conn.execute(delete(target.table))
        for line, row in rows:
            if not any(cell.strip() for cell in row):
                continue
            batch.append((line, read(row, line)))
            count += 1
            if len(batch) >= size:
                _flush(conn, target.table, key_column, target.key, batch)
                if progress is not None:
                    progress(count)
        _flush(conn, target.table, key_column, target.key, batch)
        edition = getattr(read, "edition", "")
        _note(conn, target.kind, path, edition=edition, rows=count, by=by)
    if progress is not None and count % size:
        progress(count)
    return count, read


class _PostcodeReader:
    def __init__(self, header: list[str]) -> None:
        self.columns = postcode_columns(header)
        self.edition = self.columns.edition

    def __call__(self, row: list[str], line: int) -> dict[str, Any]:
        postcode, lsoa11, lsoa21 = postcode_row(self.columns, row, line)
        return {"postcode": postcode, "lsoa11": lsoa11, "lsoa21": lsoa21}


class _ImdReader:
    def __init__(self, header: list[str]) -> None:
        self.columns = imd_columns(header)
        self.edition = self.columns.edition

    def __call__(self, row: list[str], line: int) -> dict[str, Any]:
        code, decile, rank = imd_row(self.columns, row, line)
        return {
            "lsoa_code": code,
            "lsoa_vintage": self.columns.lsoa_vintage,
            "decile": decile,
            "imd_rank": rank,
        }


_POSTCODES = _Target("postcodes", DeprivationPostcode.__table__, "postcode", _PostcodeReader)
_IMD = _Target("imd", DeprivationLsoa.__table__, "lsoa_code", _ImdReader)


def import_postcodes(
    engine: Engine,
    path: Path,
    *,
    by: str = "",
    progress: Progress | None = None,
    batch_size: int = BATCH,
) -> ImportResult:
    """Replace the postcode table with an ONS postcode lookup (ONSPD or NSPL, CSV).

    Args:
        engine: the store's engine (SQLite or PostgreSQL).
        path: the published CSV file, as published.
        by: who imported it, for the record of imports.
        progress: told the rows read so far after each batch.
        batch_size: rows per insert.

    Raises:
        ValidationError: a ``deprivation.*`` code with the ``line`` it was found on; nothing
            in the store changed.
    """
    count, read = _replace(engine, path, _POSTCODES, by=by, progress=progress, size=batch_size)
    return ImportResult("postcodes", count, read.edition)


def import_imd(
    engine: Engine,
    path: Path,
    *,
    by: str = "",
    progress: Progress | None = None,
    batch_size: int = BATCH,
) -> ImportResult:
    """Replace the LSOA table with the English Indices of Deprivation (File 7 CSV).

    Arguments and refusals as :func:`import_postcodes`.
    """
    count, read = _replace(engine, path, _IMD, by=by, progress=progress, size=batch_size)
    return ImportResult("imd", count, read.edition, read.columns.lsoa_vintage)


def imports(engine: Engine) -> list[ImportResult]:
    """What the tables were last filled from, postcodes first."""
    with engine.connect() as conn:
        found = conn.execute(
            select(
                DeprivationImport.kind, DeprivationImport.rows, DeprivationImport.edition
            ).order_by(DeprivationImport.kind.desc())
        ).all()
    return [ImportResult(kind, rows, edition) for kind, rows, edition in found]
