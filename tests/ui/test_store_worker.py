"""Store work runs on the store worker only; the I/O pool draws, decodes and talks to servers."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
from pydicom.dataset import Dataset
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.imaging.service.encoding import DicomFile, Picture
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.store_guard import StoreRefusedOnThisThread, refuse_if_kept_off
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.domains.imaging.images.view_model import ImagingViewModel
from ui.domains.reports.report.view_model import ReportViewModel
from ui.domains.sync.sync.view_model import SyncViewModel


class RecordingDesk:
    """The report service's printing half, noting which thread each call ran on."""

    def __init__(self) -> None:
        self.threads: dict[str, str] = {}
        self.printed: Any = None

    def printable(self, actor: CurrentUser, report_id: uuid.UUID) -> Any:
        self.threads["printable"] = threading.current_thread().name
        self.printed = SimpleNamespace(report_id=report_id)
        return self.printed

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
    view_model.report = SimpleNamespace(id=uuid.uuid4(), patient_id=uuid.uuid4())

    with qtbot.waitSignal(view_model.pdf_ready) as ready:
        view_model.print_pdf()
    runner.wait_idle()

    printed, pdf = ready.args
    assert pdf.startswith(b"%PDF")
    assert printed is desk.printed  # the PDF travels with the report it shows
    assert desk.threads["printable"].startswith("clinic-store")
    assert desk.threads["render_pdf"].startswith("clinic-io")


# ---------------------------------------------------------------- the guard, in the app


def test_the_store_refuses_a_service_call_from_the_io_pool(
    qtbot: QtBot, runner: TaskRunner, services: Services
) -> None:
    failures: list[BaseException] = []
    listed: list[object] = []

    runner.run_io(
        lambda: services.users.list(SYSTEM), on_done=listed.append, on_failed=failures.append
    )
    runner.wait_idle()
    runner.run_store(lambda: services.users.list(SYSTEM), on_done=listed.append)
    runner.wait_idle()

    (refused,) = failures
    assert isinstance(refused, StoreRefusedOnThisThread)
    assert "clinic-io" in str(refused)
    assert len(listed) == 1  # the same call on the store worker is answered


class StoreRecorder:
    """Notes the thread of each call; the ones that stand for store work check the guard."""

    def __init__(self) -> None:
        self.threads: dict[str, list[str]] = {}

    def note(self, call: str, *, store: bool) -> None:
        self.threads.setdefault(call, []).append(threading.current_thread().name)
        if store:
            refuse_if_kept_off()

    def ran_on(self, prefix: str, *calls: str) -> bool:
        return all(
            self.threads.get(call) and all(name.startswith(prefix) for name in self.threads[call])
            for call in calls
        )


class RecordingImaging(StoreRecorder):
    """The imaging and teaching services' steps, recorded."""

    def studies(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[Any]:
        self.note("studies", store=True)
        return []

    def plan_capture(self, actor: CurrentUser, patient_id: uuid.UUID, **place: Any) -> Any:
        self.note("plan_capture", store=True)
        return SimpleNamespace(patient_id=patient_id, **place)

    def encode(self, plan: Any, picture: Picture) -> Any:
        self.note("encode", store=False)
        return SimpleNamespace(plan=plan, frames=len(picture.pixels))

    def keep(self, actor: CurrentUser, image: Any) -> Any:
        self.note("keep", store=True)
        return SimpleNamespace(id=uuid.uuid4(), frames=image.frames)

    def read_file(self, data: bytes, cancelled: object = None) -> Picture | DicomFile:
        self.note("read_file", store=False)
        if data.startswith(b"DICM"):
            return DicomFile(data, Dataset())
        return Picture(np.zeros((4, 4, 3), np.uint8), source="imported")

    def keep_dicom(
        self, actor: CurrentUser, file: DicomFile, *, patient_id: uuid.UUID | None = None
    ) -> Any:
        self.note("keep_dicom", store=True)
        return SimpleNamespace(id=uuid.uuid4(), frames=1)

    def originals(self, actor: CurrentUser, study_id: uuid.UUID) -> Any:
        self.note("originals", store=True)
        return (b"one", b"two")

    def de_identify(self, originals: Any) -> Any:
        self.note("de_identify", store=False)
        return SimpleNamespace(files=originals, pixels_may_identify=False)


def _signed_in() -> UserSession:
    session = UserSession()
    session.sign_in(
        CurrentUser(id=uuid.uuid4(), username="sam", display_name="Sam", role=Role.SONOGRAPHER)
    )
    return session


def test_imaging_keeps_captures_imports_and_teaching_copies_on_the_store_worker(
    qtbot: QtBot, runner: TaskRunner, tmp_path: Path
) -> None:
    imaging = RecordingImaging()
    view_model = ImagingViewModel(
        imaging,  # type: ignore[arg-type]
        SimpleNamespace(),  # type: ignore[arg-type]
        imaging,  # type: ignore[arg-type]
        runner=runner,
        session=_signed_in(),
    )
    view_model.patient_id = uuid.uuid4()
    problems: list[str] = []
    view_model.problem.connect(problems.append)
    picture, dicom = tmp_path / "knee.png", tmp_path / "knee.dcm"
    picture.write_bytes(b"\x89PNG not really")
    dicom.write_bytes(b"DICM not really")
    frames = np.zeros((3, 4, 4, 3), np.uint8)

    for start in (
        lambda: view_model.capture_still(frames[0], "KNEE", "R", True),
        lambda: view_model.capture_clip(frames, 40.0, "KNEE", "R", True),
        lambda: view_model.import_path(str(picture), "KNEE", "R"),
        lambda: view_model.import_path(str(dicom), "KNEE", "R"),
    ):
        with qtbot.waitSignal(view_model.captured):
            start()
        runner.wait_idle()
    with qtbot.waitSignal(view_model.teaching_copy_ready) as ready:
        view_model.teaching_copy(uuid.uuid4())
    runner.wait_idle()

    assert problems == []
    assert ready.args[0].files == (b"one", b"two")
    assert len(imaging.threads["keep"]) == 3
    assert imaging.ran_on("clinic-store", "plan_capture", "keep", "keep_dicom", "originals")
    assert imaging.ran_on("clinic-store", "studies")
    assert imaging.ran_on("clinic-io", "encode", "read_file", "de_identify")
    assert not view_model._busy


class RecordingSync(StoreRecorder):
    """The sync service's steps, and the status source, recorded."""

    def current(self, actor: CurrentUser) -> Any:
        self.note("current", store=True)
        return SimpleNamespace()

    def configured(self) -> bool:
        self.note("configured", store=True)
        return True

    def server_url(self) -> str | None:
        self.note("server_url", store=True)
        return "https://sync.example"

    def issues(self, actor: CurrentUser) -> list[Any]:
        self.note("issues", store=True)
        return []

    def server_for_conflicts(self, actor: CurrentUser) -> Any:
        self.note("server_for_conflicts", store=True)
        return "server"

    def fetch_conflicts(self, server: Any) -> list[Any]:
        self.note("fetch_conflicts", store=False)
        return [{"id": "c1"}]

    def describe_conflicts(self, actor: CurrentUser, found: list[Any]) -> list[Any]:
        self.note("describe_conflicts", store=True)
        return [SimpleNamespace(id=item["id"]) for item in found]

    def server_for_choice(self, actor: CurrentUser, conflict: Any) -> Any:
        self.note("server_for_choice", store=True)
        return "server"

    def send_choice(self, server: Any, actor: CurrentUser, conflict: Any, value: Any) -> None:
        self.note("send_choice", store=False)

    def mark_resolved(self, conflict: Any) -> None:
        self.note("mark_resolved", store=True)

    def wake(self) -> None:
        pass


def test_sync_conflicts_read_and_write_the_store_on_the_store_worker_and_ask_the_server_on_the_pool(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    sync = RecordingSync()
    view_model = SyncViewModel(sync, sync, runner=runner, session=_signed_in())  # type: ignore[arg-type]
    problems: list[str] = []
    view_model.problem.connect(problems.append)
    view_model.conflicts_unavailable.connect(problems.append)

    with qtbot.waitSignal(view_model.conflicts_loaded) as loaded:
        view_model.load()
    runner.wait_idle()
    (conflict,) = loaded.args[0]
    with qtbot.waitSignal(view_model.resolved):
        view_model.choose(conflict, "kept")
    runner.wait_idle()

    assert problems == []
    assert sync.ran_on(
        "clinic-store",
        "current",
        "issues",
        "server_for_conflicts",
        "describe_conflicts",
        "server_for_choice",
        "mark_resolved",
    )
    assert sync.ran_on("clinic-io", "fetch_conflicts", "send_choice")


def test_a_newer_conflicts_load_drops_an_older_one_at_whichever_step_it_is(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    sync = RecordingSync()
    view_model = SyncViewModel(sync, sync, runner=runner, session=_signed_in())  # type: ignore[arg-type]
    loads: list[object] = []
    view_model.conflicts_loaded.connect(loads.append)

    view_model.load()
    view_model.load()
    runner.wait_idle()

    # Both loads read the local status; only one list of conflicts reaches the screen.
    assert len(sync.threads["issues"]) == 2
    assert len(loads) == 1
