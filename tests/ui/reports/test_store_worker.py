"""Store work runs on the store worker; the I/O pool only draws, never reads the store."""

from __future__ import annotations

import threading
import uuid
from types import SimpleNamespace
from typing import Any

from pytestqt.qtbot import QtBot

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.vocabulary import Role
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.domains.reports.report.view_model import ReportViewModel


class RecordingDesk:
    """The report service's printing half, noting which thread each call ran on."""

    def __init__(self) -> None:
        self.threads: dict[str, str] = {}

    def printable(self, actor: CurrentUser, report_id: uuid.UUID) -> Any:
        self.threads["printable"] = threading.current_thread().name
        return SimpleNamespace(report_id=report_id)

    def render_pdf(self, printable: Any) -> bytes:
        self.threads["render_pdf"] = threading.current_thread().name
        return b"%PDF-1.4 " + str(printable.report_id).encode()


def test_printing_a_report_reads_on_the_store_worker_and_draws_on_the_io_pool(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    desk = RecordingDesk()
    session = UserSession()
    session.sign_in(
        CurrentUser(id=uuid.uuid4(), username="cal", display_name="Cal", role=Role.CLINICIAN)
    )
    view_model = ReportViewModel(desk, runner=runner, session=session)  # type: ignore[arg-type]
    view_model.report = SimpleNamespace(id=uuid.uuid4())

    with qtbot.waitSignal(view_model.pdf_ready) as ready:
        view_model.print_pdf()
    runner.wait_idle()

    assert ready.args[0].startswith(b"%PDF")
    assert desk.threads["printable"].startswith("clinic-store")
    assert desk.threads["render_pdf"].startswith("clinic-io")
