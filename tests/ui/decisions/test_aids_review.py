"""The service lead's list of decision aids: due for review, and files not offered and why."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.decisions.content import decision_aids
from clinic_app.domains.decisions.views import DecisionInput
from tests.support import pictures
from tests.ui.conftest import sign_in, wait_idle
from ui.app import MainWindow
from ui.common.theme import apply_theme
from ui.domains.decisions.review.screens import AidsReviewScreen
from ui.domains.decisions.review.view_model import AidCatalogueSource

AIDS = Path(__file__).parents[2] / "core" / "decisions" / "aids"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two good aids (one past its review date) and two broken files."""
    made = tmp_path / "aids"
    made.mkdir()
    shutil.copy(AIDS / "good" / "sample_aid.json", made)
    old = json.loads((AIDS / "good" / "sample_aid.json").read_text(encoding="utf-8"))
    old |= {"id": "old_aid", "title": "An old aid", "written": "2020-01-10"}
    old["review_by"] = "2022-01-10"
    (made / "old_aid.json").write_text(json.dumps(old), encoding="utf-8")
    for broken in ("number_over_100.json", "unknown_source.json"):
        shutil.copy(AIDS / "broken" / broken, made)
    return made


def test_the_service_lead_sees_aids_due_and_files_refused(
    qtbot: QtBot,
    clinic: Services,
    window: MainWindow,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    source: AidCatalogueSource = clinic.decisions  # the Protocol is the service's shape
    assert source is clinic.decisions
    catalogue = decision_aids(folder)
    monkeypatch.setattr(clinic.decisions, "aids", lambda: catalogue)
    window.resize(1366, 768)
    sign_in(qtbot, window, "admin")
    action = window.action("decision_aids_review")
    assert action.isEnabled()
    action.trigger()
    wait_idle(window)
    screen = window.screen_by_id("decision_aids_review")
    assert isinstance(screen, AidsReviewScreen)
    view = screen.view
    assert window.showing(screen)
    due = [view.due.item(row, 0).text() for row in range(view.due.rowCount())]
    assert due == ["old_aid"]
    assert view.due.item(0, 2).text() == "10-Jan-2022"
    refused_files = {view.refused.item(row, 0).text() for row in range(view.refused.rowCount())}
    assert refused_files == {"number_over_100.json", "unknown_source.json"}
    reasons = [view.refused.item(row, 2).text() for row in range(view.refused.rowCount())]
    assert "A number names a source that is not in the aid's list of sources." in reasons
    places = {view.refused.item(row, 1).text() for row in range(view.refused.rowCount())}
    assert "option 1, benefit or risk 1, source" in places
    # The exact check stays at hand for whoever mends the file.
    tips = [view.refused.item(row, 2).toolTip() for row in range(view.refused.rowCount())]
    assert any("not in sources" in tip for tip in tips)
    assert "2 aids offered; 1 due for review" in view.summary.text()
    assert "2 files not offered" in view.summary.text()
    pictures.keep(window, "decision_aids_review.png")


def test_clinicians_do_not_get_the_review_list(window: MainWindow, qtbot: QtBot) -> None:
    sign_in(qtbot, window, "clinician")
    assert not window.action("decision_aids_review").isEnabled()


def test_the_service_lead_sees_the_month_s_figures_per_clinician(
    qtbot: QtBot,
    clinic: Services,
    window: MainWindow,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalogue = decision_aids(folder)
    monkeypatch.setattr(clinic.decisions, "aids", lambda: catalogue)
    clinician = clinic.auth.login("clinician", demo_password("clinician"))
    patient = clinic.patients.search(clinician, "999", limit=1)[0].id
    for choice, scores in (("injection", (9, 9, 9)), ("not_now", (9, 8, 9))):
        started = clinic.decisions.start(clinician, patient, "sample_aid")
        clinic.decisions.save(
            clinician,
            started.id,
            patient,
            DecisionInput(decision_maker="patient", choice=choice, collaborate=scores),
        )
        clinic.decisions.sign(clinician, started.id, patient, demo_password("clinician"))
    window.resize(1366, 768)
    sign_in(qtbot, window, "admin")
    window.action("decision_aids_review").trigger()
    wait_idle(window)
    view = window.screen_by_id("decision_aids_review").view

    rows = [
        [view.figures.item(row, column).text() for column in range(5)]
        for row in range(view.figures.rowCount())
    ]
    assert rows == [
        [clinician.display_name, "2", "1 (50%)", "none recorded", "too few to rate (2 responses)"],
        ["The whole service", "2", "1 (50%)", "none recorded", "too few to rate (2 responses)"],
    ]
    # Never a month still to come; the month before holds none of these.
    shown = view.month_label.text()
    qtbot.mouseClick(view.later_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert view.month_label.text() == shown
    qtbot.mouseClick(view.earlier_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert view.month_label.text() != shown
    assert view.figures.item(view.figures.rowCount() - 1, 1).text() == "0"
    pictures.keep(window, "decision_aids_figures.png")
