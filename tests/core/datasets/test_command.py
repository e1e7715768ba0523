"""``onestop-server export``: files written for a month, refusals in words, runs audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from clinic_app.kernel.audit_entry import ServiceAuditEntry
from clinic_app.server.audit_cli import OPERATOR_VARIABLE
from clinic_app.server.cli import main
from tests.core.datasets.checks import check_folder, definition
from tests.core.datasets.seed import STAND_IN_CONCEPT


@pytest.fixture
def server_db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'server.db'}"


def _export(db: str, *args: str) -> int:
    return main(["export", *args, "--db", db, "--operator", "lee.lead"])


@pytest.mark.parametrize("name", ["csds", "keele"])
def test_an_empty_month_writes_every_table_with_its_headings(
    name: str, server_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"

    assert _export(server_db, name, "--month", "2027-01", "--out", str(out)) == 0

    tables = check_folder(name, out)
    assert set(tables) == {table["id"] for table in definition(name)["tables"]}
    assert all(rows == [] for rows in tables.values())
    said = capsys.readouterr().out
    assert "0 row(s)" in said
    assert "still to be confirmed" in said


def test_each_run_is_on_the_servers_audit_trail(server_db: str, tmp_path: Path) -> None:
    assert _export(server_db, "csds", "--month", "2027-01", "--out", str(tmp_path / "a")) == 0

    engine = create_engine(server_db)
    try:
        with engine.connect() as conn:
            entries = conn.execute(
                select(ServiceAuditEntry.action, ServiceAuditEntry.operator)
            ).all()
    finally:
        engine.dispose()
    assert [tuple(entry) for entry in entries] == [("server.export.csds", "lee.lead")]


def test_refusals_are_worded(
    server_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = str(tmp_path / "out")
    assert _export(server_db, "csds", "--month", "January", "--out", out) == 2
    assert "Give the month as year and month" in capsys.readouterr().err

    assert _export(server_db, "csds", "--month", "2027-01", "--out", out) == 0
    assert _export(server_db, "csds", "--month", "2027-01", "--out", out) == 2
    assert "already in that folder; nothing was written" in capsys.readouterr().err

    monkeypatch.delenv(OPERATOR_VARIABLE)
    unnamed = tmp_path / "unnamed"
    args = ["export", "csds", "--month", "2027-01", "--db", server_db, "--out", str(unnamed)]
    assert main(args) == 2
    assert "Name yourself for the audit trail" in capsys.readouterr().err
    assert not unnamed.exists()


def test_a_codes_file_fills_a_field_still_to_confirm_or_is_refused(
    server_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad, broken = tmp_path / "good.json", tmp_path / "bad.json", tmp_path / "broken.json"
    good.write_text(json.dumps({"assessment_tool": {"msk_hq": STAND_IN_CONCEPT}}), "utf-8")
    bad.write_text(json.dumps({"assessment_tool": {"msk_hq": "12345"}}), "utf-8")
    broken.write_text("{not json", "utf-8")
    month = ["csds", "--month", "2027-01"]

    assert _export(server_db, *month, "--codes", str(good), "--out", str(tmp_path / "a")) == 0
    assert _export(server_db, *month, "--codes", str(bad), "--out", str(tmp_path / "b")) == 2
    assert "mapping assessment_tool, value msk_hq" in capsys.readouterr().err
    assert _export(server_db, *month, "--codes", str(broken), "--out", str(tmp_path / "c")) == 2
    assert "could not be read as JSON" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()
    assert not (tmp_path / "c").exists()
