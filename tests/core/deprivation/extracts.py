"""Small extracts of the published files, written by the tests in the published shapes.

The column names are the published ones: the 2011-Census NSPL (``pcd,pcd2,pcds,...,lsoa11``),
the ONS Postcode Directory with both censuses' LSOAs, and the English Indices of Deprivation
2019 File 7 CSV. The rows are made up for the tests; the real files are never shipped.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

NSPL_2011_HEADER = [
    "pcd",
    "pcd2",
    "pcds",
    "dointr",
    "doterm",
    "usertype",
    "oseast1m",
    "osnrth1m",
    "osgrdind",
    "oa11",
    "cty",
    "ced",
    "laua",
    "ward",
    "hlthau",
    "nhser",
    "ctry",
    "rgn",
    "pcon",
    "eer",
    "teclec",
    "ttwa",
    "pct",
    "nuts",
    "park",
    "lsoa11",
    "msoa11",
    "wz11",
    "ccg",
    "bua11",
    "buasd11",
    "ru11ind",
    "oac11",
    "lat",
    "long",
    "lep1",
    "lep2",
    "pfa",
    "imd",
    "calncv",
    "stp",
]

ONSPD_HEADER = [
    "pcd",
    "pcd2",
    "pcds",
    "dointr",
    "doterm",
    "oscty",
    "ced",
    "oslaua",
    "osward",
    "parish",
    "usertype",
    "oseast1m",
    "osnrth1m",
    "osgrdind",
    "oshlthau",
    "nhser",
    "ctry",
    "rgn",
    "streg",
    "pcon",
    "eer",
    "teclec",
    "ttwa",
    "pct",
    "itl",
    "statsward",
    "oa01",
    "casward",
    "park",
    "lsoa01",
    "msoa01",
    "ur01ind",
    "oac01",
    "oa11",
    "lsoa11",
    "msoa11",
    "wz11",
    "sicbl",
    "bua11",
    "buasd11",
    "ru11ind",
    "oac11",
    "lat",
    "long",
    "lep1",
    "lep2",
    "pfa",
    "imd",
    "calncv",
    "icb",
    "oa21",
    "lsoa21",
    "msoa21",
]

IOD2019_HEADER = [
    "LSOA code (2011)",
    "LSOA name (2011)",
    "Local Authority District code (2019)",
    "Local Authority District name (2019)",
    "Index of Multiple Deprivation (IMD) Score",
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
    "Income Score (rate)",
]

IOD2025_HEADER = [
    "LSOA code (2021)",
    "LSOA name (2021)",
    "Local Authority District code (2024)",
    "Local Authority District name (2024)",
    "Index of Multiple Deprivation (IMD) Score",
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
]


def _write(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def nspl(path: Path, rows: Sequence[tuple[str, str]], header: Sequence[str] = ()) -> Path:
    """A 2011-Census NSPL extract: (postcode as ``pcds``, lsoa11) per row."""
    columns = list(header or NSPL_2011_HEADER)
    out = []
    for postcode, lsoa in rows:
        row: list[object] = ["X"] * len(columns)
        compact = postcode.replace(" ", "")
        row[columns.index("pcd")] = f"{compact[:-3]:<4}{compact[-3:]}"
        row[columns.index("pcd2")] = f"{compact[:-3]:<5}{compact[-3:]}"
        row[columns.index("pcds")] = postcode
        row[columns.index("doterm")] = ""
        if "lsoa11" in columns:
            row[columns.index("lsoa11")] = lsoa
        out.append(row)
    return _write(path, columns, out)


def onspd(path: Path, rows: Sequence[tuple[str, str, str]]) -> Path:
    """An ONSPD extract: (pcds, lsoa11, lsoa21) per row."""
    out = []
    for postcode, lsoa11, lsoa21 in rows:
        row: list[object] = ["X"] * len(ONSPD_HEADER)
        row[ONSPD_HEADER.index("pcds")] = postcode
        row[ONSPD_HEADER.index("lsoa11")] = lsoa11
        row[ONSPD_HEADER.index("lsoa21")] = lsoa21
        out.append(row)
    return _write(path, ONSPD_HEADER, out)


def iod(
    path: Path, rows: Sequence[tuple[str, object]], header: Sequence[str] = IOD2019_HEADER
) -> Path:
    """An index extract in File 7's columns: (LSOA code, decile) per row."""
    out = []
    for rank, (code, decile) in enumerate(rows, start=1):
        row: list[object] = [code, f"Area {rank}", "E08000035", "Leeds", 12.5, rank * 100, decile]
        out.append(row + [0.1] * (len(header) - len(row)))
    return _write(path, header, out)
