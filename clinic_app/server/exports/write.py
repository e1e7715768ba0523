"""Writing an extract: one CSV per table, every value checked against its field first."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from clinic_app.kernel.errors import ClinicError, Conflict
from clinic_app.server.exports.definition import DataSet, Table

Row = Mapping[str, str]


@dataclass(frozen=True)
class Written:
    """One file written: its path and how many rows it holds (the header aside)."""

    path: Path
    rows: int


def check_rows(table: Table, rows: Sequence[Row]) -> None:
    """Refuse a row that holds other columns than the table's or a value its field refuses.

    The problem names the table, field and row number only, never the value (it may be
    about a patient).

    Raises:
        ClinicError: ``export.value_refused`` (params ``table``, ``field``, ``row``,
            ``problem``) or ``export.unknown_column`` (params ``table``, ``column``).
    """
    for number, row in enumerate(rows, start=1):
        extra = set(row) - set(table.columns)
        if extra:
            raise ClinicError("export.unknown_column", table=table.name, column=min(extra))
        for item in table.fields:
            problem = item.problem(row.get(item.name, ""))
            if problem is not None:
                raise ClinicError(
                    "export.value_refused",
                    table=table.name,
                    field=item.name,
                    row=number,
                    problem=problem,
                )


def table_csv(table: Table, rows: Sequence[Row]) -> str:
    """The table as CSV text: the field names as headings, then one line per row."""
    check_rows(table, rows)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in table.columns])
    return text.getvalue()


def write_extract(data: DataSet, rows: Mapping[str, Sequence[Row]], folder: Path) -> list[Written]:
    """Write every table of ``data`` (a table with no rows gets its headings only).

    Every table is checked before any file is written; files are new, readable by this
    account only, and never written over.

    Raises:
        ClinicError: as ``check_rows``.
        Conflict: ``export.file_exists`` (param ``file``) when a file is already there.
    """
    texts = [(table, table_csv(table, rows.get(table.id, ()))) for table in data.tables]
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    targets = [folder / f"{table.name}.csv" for table, _ in texts]
    for target in targets:
        if target.exists():
            raise Conflict("export.file_exists", file=target.name)
    written = []
    for (table, text), target in zip(texts, targets, strict=True):
        handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        written.append(Written(target, len(rows.get(table.id, ()))))
    return written
