"""A verified scan report is found again: from its study and from the record's timeline."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.people.views import PatientSummary
from tests.support import pictures
from tests.ui.conftest import WAIT_MS, wait_idle
from tests.ui.records import submitted_by_trainee
from ui.app import MainWindow


def test_report_this_study_opens_the_verified_report_read_only_with_print(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    """After verification, the study's report is the final one, to read and print."""
    supervisor = clinic.auth.login("supervisor", demo_password("supervisor"))
    draft = submitted_by_trainee(clinic, seeded_patient)
    clinic.reports.verify(
        supervisor,
        draft.id,
        demo_password("supervisor"),
        supervision_mode="present",
        agreement="agree",
    )

    window = signed_in  # the clinician, who wrote none of it
    window.screen_by_id("search").view_model.choose_patient(seeded_patient.id)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(lambda: record.view_model.timeline is not None, timeout=WAIT_MS)
    wait_idle(window)
    window.action("imaging").trigger()
    imaging = window.screen_by_id("imaging").view
    qtbot.waitUntil(lambda: imaging.studies.topLevelItemCount() == 1, timeout=WAIT_MS)
    imaging.report_button.click()
    screen = window.screen_by_id("report")
    qtbot.waitUntil(lambda: screen.view_model.report is not None, timeout=WAIT_MS)
    wait_idle(window)
    page = screen.view
    assert screen.view_model.report.id == draft.id
    assert page.state.text().startswith("Verified by")
    assert not page.marking.isVisible()
    assert page.fields["findings"].isReadOnly()
    assert not page.save_button.isVisible()
    assert not page.submit_button.isVisible()
    assert page.print_button.isVisible()
    assert page.print_button.isEnabled()
    assert [r.id for r in clinic.reports.for_study(supervisor, draft.study_id)] == [draft.id]
    pictures.keep(window, "timeline-verified-report.png")

    # The same report from the record's timeline.
    screen.reset()
    window.open_screen("patient")
    wait_idle(window)
    timeline = record.view.timeline
    qtbot.waitUntil(lambda: timeline.select_entry(draft.id), timeout=WAIT_MS)
    assert timeline.current_entry() is not None
    assert timeline.current_entry().status == "verified"
    qtbot.mouseClick(timeline.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: screen.view_model.report is not None and screen.view_model.report.id == draft.id,
        timeout=WAIT_MS,
    )
    assert window.pages.currentWidget() is screen.page
    wait_idle(window)
