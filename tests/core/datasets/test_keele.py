"""The Keele MSK-HQ extract: one row per episode, baseline and follow-up, nothing else."""

from __future__ import annotations

from pathlib import Path

from clinic_app.server.exports.definition import data_set
from clinic_app.server.exports.keele import keele_rows
from clinic_app.server.exports.period import Month
from clinic_app.server.exports.write import write_extract
from tests.core.datasets.checks import check_folder
from tests.core.datasets.seed import SeededMonth


def test_an_episode_gives_its_baseline_and_latest_follow_up(
    seeded: SeededMonth, tmp_path: Path
) -> None:
    data = data_set("keele")
    month = next(m for m in seeded.months if m.holds(seeded.recorded_on))
    with seeded.services.context.store.engine.connect() as conn:
        write_extract(data, keele_rows(conn, month), tmp_path)

    [row] = check_folder("keele", tmp_path)["MSKHQ"]
    day = seeded.recorded_on.isoformat()
    assert row == {
        "MSKHQ_BASELINE_SCORE": "28",
        "MSKHQ_BASELINE_DATE": day,
        "MSKHQ_BASELINE_ACTIVITY_DAYS": "3",
        "MSKHQ_FOLLOW_UP_SCORE": "32",
        "MSKHQ_FOLLOW_UP_DATE": day,
        "MSKHQ_FOLLOW_UP_ACTIVITY_DAYS": "3",
    }


def test_a_month_with_no_scores_gives_the_headings_only(
    seeded: SeededMonth, tmp_path: Path
) -> None:
    data = data_set("keele")
    with seeded.services.context.store.engine.connect() as conn:
        write_extract(data, keele_rows(conn, Month.parse("2001-01")), tmp_path)

    assert check_folder("keele", tmp_path) == {"MSKHQ": []}


def test_it_carries_no_identifier_at_all() -> None:
    columns = data_set("keele").table("MSKHQ").columns

    assert all(column.startswith("MSKHQ_") for column in columns)
    assert not any("IDENTIFIER" in column or "NHS" in column for column in columns)
