"""A shared decision the patient later changed their mind about, printed again."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.decisions.views import DecisionInput
from tests.ui.conftest import wait_idle
from tests.ui.decisions.printed import catch_pdfs, click_and_wait_pdf, words_of
from tests.ui.injections.helpers import PASSWORD, sign_decision
from ui.app import MainWindow
from ui.domains.decisions.consultation.screens import DecisionScreen


def test_a_replaced_decision_prints_saying_it_was_replaced(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, tmp_path: Path
) -> None:
    """The patient chose the steroid injection (signed), then changed her mind: the clinician
    pressed "change of mind" and signed her new choice, looking after it herself. Opened from
    her timeline, the first record still prints a take-home summary that says "What you chose:
    the injection ... Your clinician will arrange the next step", with nothing to say it was
    replaced: the patient is handed a decision she has withdrawn, and the clinic's own paper
    contradicts itself (the screen does not say it was replaced either).
    """
    window = signed_in
    user = window.session.require_user()
    patient = clinic.patients.search(user, "999", limit=1)[0].id
    first = sign_decision(clinic, window, patient)  # chose the injection
    redo = clinic.decisions.change_of_mind(user, first, patient)
    clinic.decisions.save(
        user,
        redo.id,
        patient,
        DecisionInput(
            options_discussed=("self_management", "injection", "not_now"),
            choice="self_management",
            choice_words="I will keep up the exercises instead.",
            teach_back=True,
            decision_maker="patient",
        ),
    )
    clinic.decisions.sign(user, redo.id, patient, PASSWORD)
    assert clinic.decisions.get(user, first, patient).superseded_by == redo.id

    window.open_screen("patient", clinic.patients.open(user, patient))
    wait_idle(window)
    entry = next(
        e for e in clinic.timeline.for_patient(user, patient).of_kind("sdm") if e.item_id == first
    )
    window.open_screen("decision", entry)
    wait_idle(window)
    screen = window.screen_by_id("decision")
    assert isinstance(screen, DecisionScreen)
    assert screen.view_model.record is not None
    assert screen.view_model.record.id == first
    opened = catch_pdfs(screen, tmp_path)
    pdf = click_and_wait_pdf(qtbot, window, screen.view.print_button, opened)
    words = words_of(pdf)
    assert "What you chose" in words
    assert "replaced" in words.lower() or "changed your mind" in words.lower(), words[:700]
