"""An INR, a time measured or a review date typed so the injection form cannot read it yet is kept
for that patient and that clinician through opening another patient, and comes back with its
problem shown; never on another patient's injection, never over what the record holds."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import WAIT_MS, type_into, wait_idle
from tests.ui.injections.helpers import add_pgd, fill_knee_injection, open_injection, patients
from ui.app import MainWindow
from ui.domains.injections.injection.screens import InjectionScreen
from ui.domains.injections.injection.view import InjectionForm


def _error_of(form: InjectionForm, key: str) -> str:
    field = form.fields[key]
    return field.error_label.text() if field.error_label.isVisibleTo(form) else ""


def _settle(window: MainWindow, screen: InjectionScreen) -> None:
    screen.save_now()
    wait_idle(window)


def test_unreadable_inr_and_review_date_come_back_for_their_patient_only(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    a, b = patients(clinic, window)
    pgd = add_pgd(clinic, window)
    screen = open_injection(window, clinic, a)
    form = screen.view
    fill_knee_injection(qtbot, form, pgd)
    card = form.anticoagulation_card
    type_into(qtbot, card.inr, "about 2")
    type_into(qtbot, card.inr_day, "yesterday")
    type_into(qtbot, card.inr_time, "09:30")
    form.review.clear()
    type_into(qtbot, form.review, "in six weeks")
    _settle(window, screen)
    assert _error_of(form, "inr_value")
    assert _error_of(form, "review_date")

    screen = open_injection(window, clinic, b)
    assert card.inr.text() == ""
    assert form.review.text() == ""
    assert not _error_of(form, "inr_value")

    screen = open_injection(window, clinic, a)
    qtbot.waitUntil(lambda: card.inr.text() == "about 2", timeout=WAIT_MS)
    assert (card.inr_day.text(), card.inr_time.text()) == ("yesterday", "09:30")
    assert form.review.text() == "in six weeks"
    assert _error_of(form, "inr_value")
    assert _error_of(form, "review_date")
    record = screen.view_model.record
    assert record is not None
    assert record.fields.inr_value is None
    assert form.approach.text() == "superolateral"

    # The INR typed again so it reads: kept in the record, and the rest stays kept.
    card.inr.clear()
    type_into(qtbot, card.inr, "2.5")
    _settle(window, screen)
    assert set(screen.kept.texts) == {"inr_measured_at", "review_date"}
    screen = open_injection(window, clinic, b)
    screen = open_injection(window, clinic, a)
    qtbot.waitUntil(lambda: form.review.text() == "in six weeks", timeout=WAIT_MS)
    assert card.inr.text() == "2.5"
