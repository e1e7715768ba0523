"""The task runner: work off the UI thread, results on it, stale results dropped, clean stop."""

from __future__ import annotations

import threading
import time

import pytest
from pytestqt.qtbot import QtBot

from clinic_app.kernel.errors import NotFound
from ui.common.tasks import TaskRunner


def test_result_arrives_on_the_ui_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    ui_thread = threading.current_thread()
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker"] = threading.current_thread()
        return 42

    def done(value: int) -> None:
        seen["value"] = value
        seen["delivered_on"] = threading.current_thread()

    with qtbot.waitSignal(runner.idle_changed, check_params_cb=lambda idle: idle):
        runner.run_store(work, on_done=done)

    assert seen["value"] == 42
    assert seen["worker"] is not ui_thread
    assert seen["delivered_on"] is ui_thread


def test_store_work_runs_one_job_at_a_time_in_order(runner: TaskRunner) -> None:
    order: list[int] = []
    running = threading.Semaphore(1)

    def job(number: int) -> None:
        assert running.acquire(blocking=False), "two store jobs ran at once"
        time.sleep(0.01)
        order.append(number)
        running.release()

    for number in range(5):
        runner.run_store(lambda n=number: job(n))
    runner.wait_idle()

    assert order == [0, 1, 2, 3, 4]


def test_errors_come_back_to_the_caller(runner: TaskRunner) -> None:
    failures: list[BaseException] = []

    def work() -> None:
        raise NotFound("patient.not_found")

    runner.run_store(work, on_failed=failures.append)
    runner.wait_idle()

    assert [type(error) for error in failures] == [NotFound]


def test_an_error_without_a_handler_is_reported_not_swallowed(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    def work() -> None:
        raise NotFound("patient.not_found")

    with qtbot.waitSignal(runner.unhandled_failure) as reported:
        runner.run_store(work)
    runner.wait_idle()

    assert isinstance(reported.args[0], NotFound)


def test_a_newer_search_supersedes_a_stale_one(runner: TaskRunner) -> None:
    release = threading.Event()
    delivered: list[str] = []

    def slow() -> str:
        release.wait(2)
        return "stale"

    runner.run_store(slow, on_done=delivered.append, supersede="search")
    runner.run_store(lambda: "fresh", on_done=delivered.append, supersede="search")
    release.set()
    runner.wait_idle()

    assert delivered == ["fresh"]


def test_queued_work_that_is_cancelled_never_runs(runner: TaskRunner) -> None:
    release = threading.Event()
    ran: list[str] = []
    runner.run_store(lambda: release.wait(2))
    queued = runner.run_store(lambda: ran.append("queued"))

    runner.cancel(queued)
    release.set()
    runner.wait_idle()

    assert ran == []


def test_long_jobs_report_progress_and_can_be_cancelled(runner: TaskRunner) -> None:
    fractions: list[float] = []
    results: list[str] = []

    def job(progress: object, cancelled: object) -> str:
        assert callable(progress)
        assert callable(cancelled)
        for step in range(1, 5):
            progress(step / 4)
        return "cancelled" if cancelled() else "finished"

    runner.run_long(job, on_progress=fractions.append, on_done=results.append)
    runner.wait_idle()

    assert fractions == [0.25, 0.5, 0.75, 1.0]
    assert results == ["finished"]


def test_io_work_runs_beside_store_work(runner: TaskRunner) -> None:
    release = threading.Event()
    io_done: list[str] = []
    runner.run_store(lambda: release.wait(2))
    runner.run_io(lambda: "pdf written", on_done=io_done.append)

    deadline = time.monotonic() + 2
    while not io_done and time.monotonic() < deadline:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
        time.sleep(0.005)
    release.set()
    runner.wait_idle()

    assert io_done == ["pdf written"]


def test_wait_idle_gives_up_after_its_timeout(runner: TaskRunner) -> None:
    release = threading.Event()
    runner.run_store(lambda: release.wait(2))

    with pytest.raises(TimeoutError):
        runner.wait_idle(timeout=0.05)
    release.set()
    runner.wait_idle()


def test_shutdown_stops_the_threads_and_refuses_new_work(qapp: object) -> None:
    local = TaskRunner()
    local.run_store(lambda: None)
    local.shutdown()

    assert local.closed
    assert local.is_idle()
    with pytest.raises(RuntimeError):
        local.run_store(lambda: None)
    names = {thread.name for thread in threading.enumerate()}
    assert not any(name.startswith("clinic-") for name in names)
