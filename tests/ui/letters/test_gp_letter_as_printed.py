"""Letters to the GP as the GP reads them."""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.people.model import Patient
from clinic_app.people.views import PatientSummary
from tests.support.merges import merged_by_sync, renamed
from tests.ui.conftest import CLINICIAN, WAIT_MS, type_into, wait_idle
from tests.ui.decisions.printed import words_of
from tests.ui.letters.helpers import open_letter, patients_with_episodes, printing_to
from tests.ui.records import second_registration
from ui.app import MainWindow
from ui.domains.letters.letter.screens import LetterScreen

PASSWORD = demo_password(CLINICIAN)
FIRST = "Right knee osteoarthritis"
CORRECTED = "Correction: MRI shows a medial meniscal tear, not osteoarthritis; diagnosis changed."


def test_a_gp_letter_quotes_the_signed_addendum_with_the_diagnosis_it_corrects(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, tmp_path: Path
) -> None:
    """The clinician signs an assessment ("Right knee osteoarthritis"), then the MRI comes back
    and they add a signed addendum correcting the diagnosis. The GP clinic letter drafted
    afterwards quotes the assessment as signed and never the addendum: the printed letter
    tells the GP the superseded diagnosis, with nothing to say it was corrected.
    """
    window = signed_in
    user = window.session.require_user()
    patient = clinic.patients.search(user, "999", limit=1)[0].id
    draft = clinic.assessments.save_draft(
        user,
        patient,
        {"presenting_complaint": "Right knee pain for 6 months", "diagnosis_text": FIRST},
    )
    signed = clinic.assessments.sign(user, draft.id, PASSWORD)
    clinic.assessments.add_addendum(user, signed.id, CORRECTED, PASSWORD)

    screen = open_letter(window, clinic, patient)
    view = screen.view
    view.kind.setCurrentIndex(view.kind.findData("gp_clinic"))
    with qtbot.waitSignal(screen.view_model.letter_changed, timeout=WAIT_MS):
        qtbot.mouseClick(view.draft_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    letter = screen.view_model.letter
    assert letter is not None
    drafted = "\n".join(section.text for section in letter.sections)
    assert FIRST in drafted  # the signed assessment is quoted
    printed = printing_to(screen, tmp_path)
    with qtbot.waitSignal(screen.view_model.printed, timeout=WAIT_MS):
        qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    words = words_of(printed[0])
    assert "meniscal tear" in words, "the GP is told the diagnosis the addendum corrected"


def test_a_patient_letter_begun_before_a_merge_is_addressed_as_the_surviving_record(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, tmp_path: Path
) -> None:
    """A letter to the patient was begun under one registration; that registration is then
    merged into her other one, whose record names her WHITFIELD at 2 Mill Lane, Leeds. The
    service says a draft is drawn "naming the patient as the surviving record does", and the
    page band does say WHITFIELD, but the address block the letter is posted by (the window of
    the envelope) still reads the old registration's name and address, fixed when the draft
    was made: the letter goes to "Muhammad Murray" at the old address.
    """
    window = signed_in
    user = window.session.require_user()
    ((first, _episode),) = patients_with_episodes(clinic, 1)
    stale = clinic.patients.open(user, first)
    draft = clinic.letters.draft(user, first, "patient")
    assert stale.family_name in draft.recipient
    survivor = second_registration(clinic, _summary(clinic, first))  # 2 Mill Lane, Leeds
    renamed(clinic, survivor, "Whitfield")
    merged_by_sync(clinic, survivor, first)

    window.open_screen("patient", clinic.patients.open(user, survivor))
    wait_idle(window)
    window.open_screen("letter", draft.id)
    wait_idle(window)
    screen = window.screen_by_id("letter")
    assert isinstance(screen, LetterScreen)
    assert screen.view_model.letter is not None
    assert screen.view_model.letter.id == draft.id
    printed = printing_to(screen, tmp_path)
    with qtbot.waitSignal(screen.view_model.printed, timeout=WAIT_MS):
        qtbot.mouseClick(screen.view.print_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    words = words_of(printed[0])
    assert "WHITFIELD, " in words  # the page band: the surviving record
    heading = words.split("Your letter from the MSK service", 2)[2].split("Dear", 1)[0]
    assert "Whitfield" in heading, heading
    assert "2 Mill Lane" in heading, heading


def _summary(clinic: Services, patient: uuid.UUID) -> PatientSummary:
    with clinic.context.store.sessions() as session:
        row = session.get(Patient, patient)
        assert row is not None
        return PatientSummary(
            row.id,
            row.nhs_number,
            row.family_name,
            row.given_name,
            row.date_of_birth,
            0,
            "",
            row.postcode,
            0,
        )


def test_an_onward_referral_redrafted_for_another_provider_goes_to_that_provider(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, tmp_path: Path
) -> None:
    """The clinician drafts the onward referral to "Spire Leeds Hospital"; the patient then
    says she would rather go to Harrogate. The clinician types "Harrogate District Hospital"
    as the provider and presses Draft again. The screen silently reopens the first draft
    (same kind, same episode) and ignores the provider just typed: the letter, whose
    addressee cannot be edited, is printed addressed to Spire Leeds Hospital, so the
    patient's referral and clinical details go to a provider she did not choose.
    """
    window = signed_in
    user = window.session.require_user()
    patient = clinic.patients.search(user, "999", limit=1)[0].id
    screen = open_letter(window, clinic, patient)
    view = screen.view
    view.kind.setCurrentIndex(view.kind.findData("onward_referral"))
    type_into(qtbot, view.provider, "Spire Leeds Hospital")
    with qtbot.waitSignal(screen.view_model.letter_changed, timeout=WAIT_MS):
        qtbot.mouseClick(view.draft_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    first = screen.view_model.letter
    assert first is not None
    assert "Spire" in first.recipient

    view.provider.clear()
    type_into(qtbot, view.provider, "Harrogate District Hospital")
    with qtbot.waitSignal(screen.view_model.letter_changed, timeout=WAIT_MS):
        qtbot.mouseClick(view.draft_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    letter = screen.view_model.letter
    assert letter is not None
    printed = printing_to(screen, tmp_path)
    with qtbot.waitSignal(screen.view_model.printed, timeout=WAIT_MS):
        qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    words = words_of(printed[0])
    assert "Harrogate District Hospital" in words, (letter.recipient, words[:600])
    assert "Spire" not in words


def test_a_letter_to_a_patient_with_no_gp_carries_no_staff_warning(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, tmp_path: Path
) -> None:
    """A letter to the patient herself, for a patient with no GP practice on record: under her
    own name and address, in red bold, it says "No GP practice is recorded for this patient."
    That flag is the staff's warning for a GP letter with nowhere to go; on the patient's
    letter it sits in the address block (in an envelope window) and talks about her in the
    third person. Her letter already asks her, in its own words, to tell the clinic who her
    GP is.
    """
    from clinic_app.people.views import PatientInput

    window = signed_in
    user = window.session.require_user()
    patient = clinic.patients.register(
        user,
        PatientInput(
            given_name="Anna",
            family_name="Kowalska",
            date_of_birth="1961-03-02",
            sex="2",
            address="14 Long Road, Leeds",
            postcode="LS6 2AB",
        ),
    )
    screen = open_letter(window, clinic, patient.id)
    view = screen.view
    view.kind.setCurrentIndex(view.kind.findData("patient"))
    with qtbot.waitSignal(screen.view_model.letter_changed, timeout=WAIT_MS):
        qtbot.mouseClick(view.draft_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    printed = printing_to(screen, tmp_path)
    with qtbot.waitSignal(screen.view_model.printed, timeout=WAIT_MS):
        qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    words = words_of(printed[0])
    assert "Dear Anna," in words
    assert "Please tell us who your GP is." in words
    assert "recorded for this patient" not in words
