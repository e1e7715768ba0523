"""``onestop-server deprivation``: import the published postcode and deprivation files.

``deprivation import --postcodes FILE --imd FILE`` fills the reference tables the figures
break down by deprivation from: the ONS postcode lookup (ONSPD or NSPL, CSV) and the English
Indices of Deprivation (File 7, CSV), each as published. Either file may be given alone. Each
replaces its table whole, or not at all: a malformed file is named with its line and problem,
and the data imported before stays. ``deprivation status`` says what is imported.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from clinic_app.domains.deprivation import service
from clinic_app.kernel.errors import ValidationError
from clinic_app.server.database import open_server_store

#: Words for the import's refusals (the server's commands word every code they may print).
WORDS = {
    "deprivation.missing_column": (
        "{file}, line 1: the file has no column {column}. Is it the published file?"
    ),
    "deprivation.wrong_width": (
        "{file}, line {line}: the row has {found} values where the header names {expected}."
    ),
    "deprivation.bad_postcode": "{file}, line {line}: '{value}' is not a postcode.",
    "deprivation.bad_area_code": "{file}, line {line}: '{value}' is not an area code.",
    "deprivation.bad_lsoa": "{file}, line {line}: '{value}' is not an English LSOA code.",
    "deprivation.bad_decile": (
        "{file}, line {line}: the decile '{value}' is not a whole number from 1 to 10."
    ),
    "deprivation.bad_rank": "{file}, line {line}: the rank '{value}' is not a whole number.",
    "deprivation.listed_twice": "{file}, line {line}: {value} is listed a second time.",
    "deprivation.empty_file": "{file} is empty: it has no header line.",
    "deprivation.not_text": "{file}, line {line}: the file is not text (UTF-8).",
    "deprivation.not_csv": "{file}, line {line}: the line is not well-formed CSV.",
}


def _say(text: str, *, error: bool = False) -> None:
    (sys.stderr if error else sys.stdout).write(text + "\n")


#: How often the import says how far it has got (rows).
REPORT_EVERY = 100_000


def progress_printer(label: str) -> Callable[[int], None]:
    """A progress callback that prints a line every ``REPORT_EVERY`` rows."""
    last = [0]

    def show(rows: int) -> None:
        if rows // REPORT_EVERY > last[0] // REPORT_EVERY:
            _say(f"  {label}: {rows:,} rows read", error=True)
        last[0] = rows

    return show


def _import(args: argparse.Namespace) -> int:
    if args.postcodes is None and args.imd is None:
        _say("Give --postcodes FILE, --imd FILE, or both.", error=True)
        return 2
    store = open_server_store(args.db)
    try:
        for path, run, label in (
            (args.postcodes, service.import_postcodes, "postcodes"),
            (args.imd, service.import_imd, "deprivation index"),
        ):
            if path is None:
                continue
            try:
                result = run(store.engine, path, by=args.operator, progress=progress_printer(label))
            except ValidationError as error:
                error.params.setdefault("file", path.name)
                raise
            edition = f" ({result.edition})" if result.edition else ""
            _say(f"Imported {result.rows:,} {label} rows from {path.name}{edition}.")
    finally:
        store.close()
    return 0


def _status(args: argparse.Namespace) -> int:
    store = open_server_store(args.db)
    try:
        found = service.imports(store.engine)
    finally:
        store.close()
    if not found:
        _say("Nothing imported yet: the figures show deprivation as not known.")
    for result in found:
        _say(f"{result.kind}: {result.rows:,} rows {result.edition}".rstrip())
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``deprivation import`` and ``deprivation status``."""
    command = commands.add_parser(
        "deprivation", help="import the ONS postcode lookup and the deprivation index"
    )
    command.add_argument("action", choices=["import", "status"])
    command.add_argument("--db", required=True, help="database URL")
    command.add_argument("--postcodes", type=Path, help="ONSPD or NSPL CSV, as published")
    command.add_argument("--imd", type=Path, help="English Indices of Deprivation File 7 CSV")
    command.set_defaults(
        run=lambda args: _import(args) if args.action == "import" else _status(args)
    )
