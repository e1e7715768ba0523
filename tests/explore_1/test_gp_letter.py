"""Letters to the GP as the GP reads them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.explore_1.helpers import words_of
from tests.ui.conftest import CLINICIAN, WAIT_MS, wait_idle
from tests.ui.letters.helpers import open_letter, printing_to
from ui.app import MainWindow

PASSWORD = demo_password(CLINICIAN)
FIRST = "Right knee osteoarthritis"
CORRECTED = "Correction: MRI shows a medial meniscal tear, not osteoarthritis; diagnosis changed."


def test_a_gp_letter_quotes_a_diagnosis_its_signed_addendum_corrected(
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
