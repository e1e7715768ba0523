"""The shared month-range table: months chosen, answers for months since left, the CSV file."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from clinic_app.kernel.current_user import CurrentUser
from ui.common.month_table import (
    MonthTableViewModel,
    months_before,
    whom_columns,
    whom_headings,
    write_csv,
)


@dataclass(frozen=True)
class _Column:
    clinician_id: object
    name: str
    count: int


@dataclass(frozen=True)
class _Figures:
    first: date
    last: date
    everyone: bool
    overall: _Column
    clinicians: tuple[_Column, ...]


class _Runner:
    """Runs store work at once, on this thread (the table's logic is what is under test)."""

    def run_store(self, work, on_done, on_failed, supersede=None):  # type: ignore[no-untyped-def]
        try:
            result = work()
        except Exception as error:  # noqa: BLE001 - handed on as the runner would
            on_failed(error)
        else:
            on_done(result)


class _Session:
    user = object()


def _lay_out(figures: _Figures) -> tuple[list[str], list[list[str]]]:
    columns = whom_columns(figures)
    return whom_headings(figures, columns), [["Count"] + [str(c.count) for c in columns]]


def _model(read, today: date = date(2026, 12, 4)) -> MonthTableViewModel:  # type: ignore[no-untyped-def]
    return MonthTableViewModel(
        read,
        _lay_out,
        "test-audit",
        runner=_Runner(),  # type: ignore[arg-type]
        session=_Session(),  # type: ignore[arg-type]
        today=lambda: today,
    )


def _figures(first: date, last: date, everyone: bool = True) -> _Figures:
    return _Figures(
        first,
        last,
        everyone,
        _Column(None, "", 3),
        (_Column("a", "Clinician A", 1), _Column("b", "Clinician B", 2)),
    )


def test_months_before_crosses_a_year() -> None:
    assert months_before(date(2026, 2, 1), 2) == date(2025, 12, 1)
    assert months_before(date(2026, 12, 1), 11) == date(2026, 1, 1)


def test_the_first_twelve_months_end_with_this_one_and_none_still_to_come_is_chosen(
    qtbot: QtBot,
) -> None:
    asked: list[tuple[date, date]] = []

    def read(actor: CurrentUser, first: date, last: date) -> _Figures:
        asked.append((first, last))
        return _figures(first, last)

    model = _model(read)
    assert (model.first, model.last) == (date(2026, 1, 1), date(2026, 12, 1))
    model.choose(date(2027, 3, 15), date(2026, 6, 9))
    assert asked == [(date(2026, 6, 1), date(2026, 12, 1))]
    headings, rows = model.table()
    assert headings == [
        "Figure, Jun 2026 to Dec 2026",
        "The whole service",
        "Clinician A",
        "Clinician B",
    ]
    assert rows == [["Count", "3", "1", "2"]]


def test_an_answer_for_months_since_left_is_dropped(qtbot: QtBot) -> None:
    model = _model(lambda actor, first, last: _figures(date(2025, 1, 1), date(2025, 2, 1)))
    model.load()
    assert model.audit is None
    assert model.table() == ([], [])


def test_a_clinician_sees_one_column(qtbot: QtBot) -> None:
    model = _model(lambda actor, first, last: _figures(first, last, everyone=False))
    model.load()
    assert model.table()[0][1:] == ["The whole service"]


def test_the_csv_gets_its_ending_and_reads_back_in_a_spreadsheet_encoding(
    qtbot: QtBot, tmp_path: Path
) -> None:
    model = _model(lambda actor, first, last: _figures(first, last))
    model.load()
    saved = model.save_csv(tmp_path / "figures")
    assert saved == tmp_path / "figures.csv"
    assert saved.read_bytes().startswith(b"\xef\xbb\xbf")
    with saved.open(encoding="utf-8-sig", newline="") as file:
        assert list(csv.reader(file))[1] == ["Count", "3", "1", "2"]
    assert model.file_name() == "test-audit_2026-01_to_2026-12.csv"


def test_a_failed_save_says_so_and_leaves_the_file_saved_before_whole(
    qtbot: QtBot, tmp_path: Path
) -> None:
    earlier = tmp_path / "figures.csv"
    write_csv(earlier, ["Figure"], [["before"]])
    before = earlier.read_bytes()
    # A directory where the part file would go: the write fails before anything is replaced.
    (tmp_path / "figures.csv.part").mkdir()
    model = _model(lambda actor, first, last: _figures(first, last))
    model.load()
    problems: list[str] = []
    model.problem.connect(problems.append)
    assert model.save_csv(earlier) is None
    assert problems == ["The file could not be saved there. Choose another place."]
    assert earlier.read_bytes() == before


def test_nothing_is_saved_before_anything_is_read(qtbot: QtBot, tmp_path: Path) -> None:
    model = _model(lambda actor, first, last: _figures(first, last))
    assert model.save_csv(tmp_path / "x.csv") is None
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("months", [0, 1, 13, 25])
def test_months_before_is_a_first_of_month(months: int) -> None:
    assert months_before(date(2026, 7, 1), months).day == 1
