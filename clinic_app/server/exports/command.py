"""``onestop-server export csds|keele --month CCYY-MM``: a month's extract, one CSV a table."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from clinic_app.kernel.errors import ClinicError
from clinic_app.server.database import open_server_store
from clinic_app.server.exports.period import Month

WORDS = {
    "export.bad_month": "Give the month as year and month, e.g. --month 2027-01.",
    "export.file_exists": (
        "{file} is already in that folder; nothing was written. Choose another --out folder."
    ),
    "export.value_refused": (
        "Nothing was written: a value for {field} in {table} (row {row}) does not fit the data "
        "set ({problem}). Correct the record, or the data set's definition, and run it again."
    ),
    "export.unknown_column": "Nothing was written: {table} would hold a column {column} it "
    "does not define.",
    "export.bad_local_code": (
        "The codes file gives a code the data set cannot take (mapping {mapping}, value "
        "{value}): name only the data set's own mappings and values, each with a code that fits "
        "its field. Nothing was written."
    ),
    "export.codes_unreadable": "The codes file could not be read as JSON. Nothing was written.",
}


def _local_codes(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ClinicError("export.codes_unreadable") from error


def _export(args: argparse.Namespace) -> int:
    # Only this command needs every domain's tables: loaded here, not at every start.
    from clinic_app.server.exports.csds import csds_rows  # noqa: PLC0415
    from clinic_app.server.exports.definition import data_set  # noqa: PLC0415
    from clinic_app.server.exports.keele import keele_rows  # noqa: PLC0415
    from clinic_app.server.exports.write import write_extract  # noqa: PLC0415

    month = Month.parse(args.month)
    data = data_set(args.action)
    if args.codes is not None:
        data = data.with_local_codes(_local_codes(args.codes))
    folder: Path = args.out or Path(f"{args.action}-{month.label}")
    store = open_server_store(args.db)
    try:
        with store.engine.connect() as conn:
            rows = (
                csds_rows(conn, data, month) if args.action == "csds" else keele_rows(conn, month)
            )
    finally:
        store.close()
    for done in write_extract(data, rows, folder):
        sys.stdout.write(f"{done.path}: {done.rows} row(s)\n")
    unconfirmed = sum(1 for table in data.tables for item in table.fields if item.verify)
    sys.stdout.write(
        f"{data.title} {data.version}, {month.label}. {unconfirmed} field(s) are still to be "
        "confirmed against the specification: see resources/datasets/README.md.\n"
    )
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``export``; its runs are chained on the audit trail with the operator's name."""
    export = commands.add_parser("export", help="a month's national or research data set")
    export.add_argument("action", choices=["csds", "keele"], help="which data set")
    export.add_argument("--month", required=True, help="the month, CCYY-MM")
    export.add_argument("--out", type=Path, help="folder for the files (default csds-CCYY-MM)")
    export.add_argument(
        "--codes",
        type=Path,
        help="a JSON file of the service's own codes for fields still to confirm "
        '(e.g. {"assessment_tool": {"msk_hq": "CONCEPT_ID"}})',
    )
    export.add_argument("--db", required=True, help="database URL")
    export.set_defaults(run=_export)
