"""An extract's files checked against the shipped definitions, independently of the exporter.

The formats are read here from the JSON as the data dictionary writes them, and the NHS
number's check digit is worked out here, so a fault in the exporter's own checks shows.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Any

from clinic_app.kernel.reference import code_list

_SIZED = re.compile(r"^(an|n)(\.\.)?([0-9]+)$")


def definition(name: str) -> dict[str, Any]:
    """The shipped JSON of a data set, as written."""
    text = (resources.files("resources") / "datasets" / f"{name}.json").read_text("utf-8")
    return dict(json.loads(text))


def allowed_codes(data: dict[str, Any], list_name: str) -> set[str]:
    """The codes a named list of the data set allows."""
    spec = data["code_lists"][list_name]
    if "reference" in spec:
        return {entry.code for entry in code_list(spec["reference"]).codes}
    return set(spec["codes"])


def nhs_check_digit_holds(number: str) -> bool:
    """Modulus 11 over the first nine digits, weights 10 down to 2; 11 gives 0, 10 is invalid."""
    if not re.fullmatch(r"[0-9]{10}", number):
        return False
    remainder = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True)) % 11
    check = 11 - remainder
    if check == 11:
        check = 0
    return check != 10 and check == int(number[9])


def _fits(form: str, value: str) -> bool:  # noqa: PLR0911 - one answer per format
    sized = _SIZED.fullmatch(form)
    if sized:
        kind, up_to, size = sized.group(1), bool(sized.group(2)), int(sized.group(3))
        if kind == "n" and not value.isdigit():
            return False
        return len(value) <= size if up_to else len(value) == size
    if form in {"date", "time"}:
        shape = r"[0-9]{4}-[0-9]{2}-[0-9]{2}" if form == "date" else r"[0-9]{2}:[0-9]{2}:[0-9]{2}"
        if re.fullmatch(shape, value) is None:
            return False
        (date if form == "date" else time).fromisoformat(value)  # raises for 2027-02-30
        return True
    if form == "nhs_number":
        return nhs_check_digit_holds(value)
    if form == "snomed":
        return re.fullmatch(r"[1-9][0-9]{5,17}", value) is not None
    if form == "postcode":
        return re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}", value) is not None
    raise AssertionError(f"a format the test does not know: {form}")


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A written file's headings and rows."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        headings = next(reader)
        return headings, [dict(zip(headings, line, strict=True)) for line in reader]


def check_folder(name: str, folder: Path) -> dict[str, list[dict[str, str]]]:
    """Every file of the data set in ``folder``: headings as defined, every value as defined.

    Returns:
        The rows of each table, by table id.
    """
    data = definition(name)
    tables = {}
    for table in data["tables"]:
        headings, rows = read_table(folder / f"{table['name']}.csv")
        assert headings == [item["name"] for item in table["fields"]], table["name"]
        for number, row in enumerate(rows, start=1):
            for item in table["fields"]:
                value = row[item["name"]]
                where = f"{table['name']} row {number} {item['name']}"
                if value == "":
                    assert not item.get("required"), f"{where}: required but empty"
                    continue
                assert _fits(item["format"], value), f"{where}: {value!r} is not {item['format']}"
                if "codes" in item:
                    assert value in allowed_codes(data, item["codes"]), f"{where}: {value!r}"
                if "range" in item:
                    low, high = item["range"]
                    assert low <= int(value) <= high, f"{where}: {value!r}"
        tables[table["id"]] = rows
    return tables
