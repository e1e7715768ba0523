"""The report page's form is built from the scan report's declared sections."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.support.records import TECHNIQUE, scan_report_with
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.domains.reports.report.view import ReportPage
from ui.domains.reports.report.view_model import ReportViewModel


def _page(qtbot: QtBot, runner: TaskRunner) -> ReportPage:
    vm = ReportViewModel(None, runner=runner, session=UserSession())  # type: ignore[arg-type]
    page = ReportPage(vm)
    qtbot.addWidget(page)
    return page


def test_the_form_has_a_field_per_written_section_in_order(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    page = _page(qtbot, runner)
    assert list(page.fields) == [
        "history",
        "request",
        "findings",
        "impression",
        "recommendations",
        "addendum",
    ]
    assert page.fields["history"].accessibleName() == "Clinical history"
    with scan_report_with(TECHNIQUE, after="request"):
        page = _page(qtbot, runner)
    assert list(page.fields)[:4] == ["history", "request", "technique", "findings"]
    assert page.fields["technique"].accessibleName() == "Technique"
    page.fields["technique"].setPlainText("Linear probe, 12 MHz")
    assert page.values()["technique"] == "Linear probe, 12 MHz"
