"""Registering a patient: every problem shown beside its field, nothing saved until it is right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.nhs_number import synthetic_numbers
from tests.ui.conftest import WAIT_MS, search_for, type_into, wait_idle
from ui.app import MainWindow
from ui.common import formatting

# Far beyond the numbers the demo clinic hands out, so it is free to register.
FREE_NUMBER = next(synthetic_numbers(1, start=5000))
BAD_CHECK_DIGIT = FREE_NUMBER[:9] + str((int(FREE_NUMBER[9]) + 1) % 10)


def _submit_and_wait(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.mouseClick(window.screen_by_id("register").view.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.screen_by_id("register").view_model.busy, timeout=WAIT_MS)
    wait_idle(window)


def test_problems_are_shown_inline_and_nothing_is_saved_until_fixed(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, clinician: CurrentUser
) -> None:
    signed_in.open_screen("register")
    form = signed_in.screen_by_id("register").view
    assert form.nhs_number.hasFocus()

    type_into(qtbot, form.nhs_number, formatting.nhs_number(BAD_CHECK_DIGIT))
    # The check digit is judged as soon as all ten digits are typed.
    assert "last digit does not match" in (form.fields["nhs_number"].error() or "")
    type_into(qtbot, form.given_name, "Zebedee")
    type_into(qtbot, form.date_of_birth, "01/01/2090")
    form.sex.setCurrentIndex(form.sex.findData("2"))

    _submit_and_wait(qtbot, signed_in)

    shown = form.error_texts()
    assert set(shown) == {"nhs_number", "family_name", "date_of_birth"}
    assert shown["family_name"] == "Enter the family name."
    assert shown["date_of_birth"] == "The date of birth cannot be in the future. Check the year."
    assert shown["nhs_number"].startswith("This is not a valid NHS number")
    assert form.summary.isVisible()
    assert "There are problems with 3 answers" in form.summary.text()
    assert form.nhs_number.hasFocus()
    assert clinic.patients.search(clinician, "zebedee") == []
    assert signed_in.pages.currentWidget() is form

    form.nhs_number.clear()
    type_into(qtbot, form.nhs_number, FREE_NUMBER)
    assert form.fields["nhs_number"].error() is None
    type_into(qtbot, form.family_name, "Quartermaine")
    form.date_of_birth.clear()
    type_into(qtbot, form.date_of_birth, "12/03/1975")
    _submit_and_wait(qtbot, signed_in)

    assert form.error_texts() == {}
    assert signed_in.pages.currentWidget() is signed_in.screen_by_id("patient").view
    banner = signed_in.screen_by_id("patient").view.banner
    assert banner.name_label.text() == "QUARTERMAINE, Zebedee"
    assert banner.nhs_number_label.text() == formatting.nhs_number(FREE_NUMBER)
    assert banner.born_label.text().startswith("12-Mar-1975")
    assert signed_in.screen_by_id("patient").view.notice.text() == "Patient registered."
    # The form is empty again for the next patient.
    assert form.given_name.text() == ""

    results = search_for(qtbot, signed_in, "quarterm")
    assert [p.nhs_number for p in results] == [FREE_NUMBER]


def test_interpreter_language_only_when_an_interpreter_is_needed(
    qtbot: QtBot, signed_in: MainWindow
) -> None:
    signed_in.open_screen("register")
    form = signed_in.screen_by_id("register").view
    assert not form.interpreter_language.isEnabled()

    qtbot.mouseClick(form.interpreter_needed, Qt.MouseButton.LeftButton)
    assert form.interpreter_language.isEnabled()
    type_into(qtbot, form.given_name, "Ana")
    type_into(qtbot, form.family_name, "Nowak")
    type_into(qtbot, form.date_of_birth, "02/02/1962")
    form.sex.setCurrentIndex(form.sex.findData("2"))
    _submit_and_wait(qtbot, signed_in)

    assert form.error_texts() == {
        "interpreter_language": "Choose the language the patient needs an interpreter for."
    }
    signed_in.screen_by_id("register").view_model.clear_form()
    wait_idle(signed_in)


def test_duplicate_nhs_number_is_explained_beside_the_field(
    qtbot: QtBot, signed_in: MainWindow, seeded_patient: object
) -> None:
    signed_in.open_screen("register")
    form = signed_in.screen_by_id("register").view
    type_into(qtbot, form.nhs_number, getattr(seeded_patient, "nhs_number", ""))
    type_into(qtbot, form.given_name, "Sam")
    type_into(qtbot, form.family_name, "Repeat")
    type_into(qtbot, form.date_of_birth, "1980-01-01")
    form.sex.setCurrentIndex(form.sex.findData("1"))

    _submit_and_wait(qtbot, signed_in)

    assert form.error_texts() == {
        "nhs_number": "A patient with this NHS number is already registered. "
        "Search for them instead."
    }
    signed_in.screen_by_id("register").view_model.clear_form()
    wait_idle(signed_in)
