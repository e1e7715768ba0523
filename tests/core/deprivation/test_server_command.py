"""``onestop-server deprivation import``: the files in, or a line named and nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinic_app.domains.deprivation.figures import imd_decile
from clinic_app.kernel.store import open_url_store
from clinic_app.server.cli import main
from tests.core.deprivation.extracts import iod, nspl


def _decile(url: str, postcode: str) -> int | None:
    store = open_url_store(url)
    try:
        with store.sessions() as session:
            return imd_decile(session, postcode)
    finally:
        store.close()


def test_the_server_imports_both_files_and_says_how_many_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    postcodes = nspl(tmp_path / "NSPL.csv", [("LS1 4AP", "E01033010"), ("LS6 2AB", "E01011333")])
    index = iod(tmp_path / "File_7.csv", [("E01033010", 2), ("E01011333", 9)])

    code = main(
        ["deprivation", "import", "--db", url, "--postcodes", str(postcodes), "--imd", str(index)]
    )

    out = capsys.readouterr().out
    assert code == 0
    assert "Imported 2 postcodes rows from NSPL.csv (lsoa11)." in out
    assert "Imported 2 deprivation index rows from File_7.csv (IoD2019)." in out
    assert _decile(url, "ls6 2ab") == 9
    assert main(["deprivation", "status", "--db", url]) == 0
    assert "imd: 2 rows IoD2019" in capsys.readouterr().out


def test_a_malformed_file_is_named_with_its_line_and_the_old_data_stays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    good = iod(tmp_path / "good.csv", [("E01033010", 2)])
    postcodes = nspl(tmp_path / "NSPL.csv", [("LS1 4AP", "E01033010")])
    assert (
        main(
            [
                "deprivation",
                "import",
                "--db",
                url,
                "--postcodes",
                str(postcodes),
                "--imd",
                str(good),
            ]
        )
        == 0
    )
    bad = iod(tmp_path / "File_7.csv", [("E01033010", 3), ("E01011333", "ten")])
    capsys.readouterr()

    code = main(["deprivation", "import", "--db", url, "--imd", str(bad)])

    assert code == 2
    assert capsys.readouterr().err.strip() == (
        "File_7.csv, line 3: the decile 'ten' is not a whole number from 1 to 10."
    )
    assert _decile(url, "LS1 4AP") == 2


def test_the_import_needs_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deprivation", "import", "--db", f"sqlite:///{tmp_path / 's.db'}"]) == 2
    assert "--postcodes" in capsys.readouterr().err
