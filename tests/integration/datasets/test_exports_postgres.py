"""The month's extracts on a real PostgreSQL server: the same rows and formats as on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clinic_app.container import Services
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.store import Store, open_url_store
from clinic_app.kernel.uow import AppConfig, Context
from clinic_app.server.cli import main
from clinic_app.server.exports.csds import csds_rows
from clinic_app.server.exports.definition import data_set
from clinic_app.server.exports.write import write_extract
from tests.core.datasets.checks import check_folder
from tests.core.datasets.seed import MARKER, NHS_NUMBERS, seed_month, with_tool_concept

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_services(postgres_url: str) -> Iterator[Services]:
    store: Store = open_url_store(postgres_url)
    yield Services.build(Context(store=store, device_id=uuid7(), config=AppConfig()))
    store.close()


def test_the_command_writes_the_seeded_months_from_postgresql(
    pg_services: Services, postgres_url: str, tmp_path: Path
) -> None:
    seeded = seed_month(pg_services)
    tables: dict[str, list[dict[str, str]]] = {}
    for month in seeded.months:
        for name in ("csds", "keele"):
            out = tmp_path / name / month.label
            args = ["export", name, "--month", month.label, "--db", postgres_url]
            assert main([*args, "--out", str(out), "--operator", "lee.lead"]) == 0
            for table_id, rows in check_folder(name, out).items():
                tables.setdefault(table_id, []).extend(rows)

    assert sorted({row["NHS NUMBER"] for row in tables["CYP001"]}) == sorted(NHS_NUMBERS)
    assert len({row["SERVICE REQUEST IDENTIFIER"] for row in tables["CYP101"]}) == 2
    assert sorted(row["ATTENDANCE STATUS"] for row in tables["CYP201"]) == ["3", "5"]
    assert len(tables["CYP607"]) == len(tables["CYP105"]) == 1
    assert tables["CYP609"] == []  # no confirmed concept for the MSK-HQ ships
    assert [row["MSKHQ_FOLLOW_UP_SCORE"] for row in tables["MSKHQ"]] == ["32"]
    for written in tmp_path.rglob("*.csv"):
        assert MARKER not in written.read_text(encoding="utf-8")


def test_scores_with_a_concept_are_sent_from_postgresql(
    pg_services: Services, tmp_path: Path
) -> None:
    seeded = seed_month(pg_services)
    data = with_tool_concept(data_set("csds"))
    scores = []
    with pg_services.context.store.engine.connect() as conn:
        for month in seeded.months:
            write_extract(data, csds_rows(conn, data, month), tmp_path / month.label)
            scores += check_folder("csds", tmp_path / month.label)["CYP609"]

    assert sorted(row["PERSON SCORE"] for row in scores) == ["28", "32"]
