"""Finding a patient as you type, and opening the record."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, search_for
from ui.app import MainWindow
from ui.common import formatting


def _ids(results: list[PatientSummary]) -> set[object]:
    return {patient.id for patient in results}


def test_surname_fragment_finds_the_patient(
    qtbot: QtBot, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    fragment = seeded_patient.family_name[:3].lower()

    results = search_for(qtbot, signed_in, fragment)

    assert seeded_patient.id in _ids(results)
    assert all(
        p.family_name.lower().startswith(fragment) or p.given_name.lower().startswith(fragment)
        for p in results
    )
    table = signed_in.screen_by_id("search").view.model
    names = [table.index(row, 0).data() for row in range(table.rowCount())]
    expected = formatting.patient_name(seeded_patient.family_name, seeded_patient.given_name)
    assert expected in names


@pytest.mark.parametrize("spaced", [True, False], ids=["with-spaces", "without-spaces"])
def test_nhs_number_finds_the_patient(
    qtbot: QtBot, signed_in: MainWindow, seeded_patient: PatientSummary, spaced: bool
) -> None:
    number = seeded_patient.nhs_number or ""
    typed = formatting.nhs_number(number) if spaced else number

    results = search_for(qtbot, signed_in, typed)

    assert [p.id for p in results] == [seeded_patient.id]
    table = signed_in.screen_by_id("search").view.model
    assert table.index(0, 1).data() == formatting.nhs_number(number)
    assert " " in table.index(0, 1).data()


def test_date_of_birth_finds_the_patient(
    qtbot: QtBot, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    typed = seeded_patient.date_of_birth.strftime("%d/%m/%Y")

    results = search_for(qtbot, signed_in, typed)

    assert seeded_patient.id in _ids(results)
    assert all(p.date_of_birth == seeded_patient.date_of_birth for p in results)


def test_no_match_says_what_to_try(qtbot: QtBot, signed_in: MainWindow) -> None:
    assert search_for(qtbot, signed_in, "zzqx") == []
    assert "No patients found" in signed_in.screen_by_id("search").view.hint.text()


def test_only_the_latest_query_is_shown(qtbot: QtBot, signed_in: MainWindow) -> None:
    box = signed_in.screen_by_id("search").view.search_box
    box.setFocus()
    # Typed fast: every keystroke restarts the pause, and only the last text is answered.
    qtbot.keyClicks(box, "999")
    qtbot.keyClicks(box, "000")
    qtbot.waitUntil(
        lambda: (
            signed_in.screen_by_id("search").view_model.answered_query == "999000"
            and signed_in.runner.is_idle()
        ),
        timeout=WAIT_MS,
    )
    assert all(
        (p.nhs_number or "").startswith("999000")
        for p in signed_in.screen_by_id("search").view_model.results
    )


def test_enter_on_a_result_opens_the_record(
    qtbot: QtBot, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    search_for(qtbot, signed_in, seeded_patient.nhs_number or "")
    view = signed_in.screen_by_id("search").view

    qtbot.keyClick(view.search_box, Qt.Key.Key_Down)
    assert view.table.hasFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: signed_in.pages.currentWidget() is signed_in.screen_by_id("patient").view,
        timeout=WAIT_MS,
    )
    signed_in.runner.wait_idle()

    banner = signed_in.screen_by_id("patient").view.banner
    assert banner.name_label.text() == formatting.patient_name(
        seeded_patient.family_name, seeded_patient.given_name
    )
    assert banner.nhs_number_label.text() == formatting.nhs_number(seeded_patient.nhs_number)
    assert banner.born_label.text() == formatting.born(
        seeded_patient.date_of_birth, seeded_patient.age
    )
    assert banner.sex_label.text() == seeded_patient.sex_label


def test_double_click_opens_the_record(
    qtbot: QtBot, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    search_for(qtbot, signed_in, seeded_patient.nhs_number or "")
    table = signed_in.screen_by_id("search").view.table
    cell = table.visualRect(table.model().index(0, 0)).center()

    # QTest needs the first click of a double click sent on its own.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)

    qtbot.waitUntil(
        lambda: signed_in.screen_by_id("patient").view_model.record is not None, timeout=WAIT_MS
    )
    signed_in.runner.wait_idle()
    assert signed_in.screen_by_id("patient").view_model.record is not None
    assert signed_in.screen_by_id("patient").view_model.record.id == seeded_patient.id
    assert signed_in.pages.currentWidget() is signed_in.screen_by_id("patient").view
