"""The scan logbook as trainees and supervisors see it: counts, concordance, and saved files."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput
from tests.ui.conftest import WAIT_MS
from ui.common import theme
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.domains.reports.logbook.view import LogbookView
from ui.domains.reports.logbook.view_model import LogbookViewModel, default_period

PASSWORD = "correct horse battery"
TIA_ROWS = [
    ("Knee", "Present at the scan", "2"),
    ("Knee", "Reviewed the images afterwards", "1"),
    ("Shoulder", "Watching live, remotely", "1"),
    ("Shoulder", "Reviewed the images afterwards", "1"),
    ("Total", "", "5"),
]
TIA_SUMMARY = (
    "5 verified scans · concordance 60.0% (agreed 3, minor discordance 1, major discordance 1)"
    " · 1 returned for changes"
)


def _user(services: Services, name: str, role: Role, supervisor: str | None = None) -> CurrentUser:
    services.users.add(
        SYSTEM,
        username=name,
        display_name=name.title(),
        role=role,
        password=PASSWORD,
        supervisor=supervisor,
    )
    return services.auth.login(name, PASSWORD)


def _verified_scan(
    services: Services,
    trainee: CurrentUser,
    supervisor: CurrentUser,
    scan: tuple[str, str, str, str, bool],
) -> None:
    nhs, region, mode, agreement, returned_first = scan
    patient = services.patients.register(
        trainee,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace" + "abcdefghij"[int(nhs[-2])],
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number=nhs,
        ),
    )
    frame = np.random.default_rng(1).integers(0, 90, (48, 64, 3), dtype=np.uint8)
    image = services.imaging.capture_still(
        trainee, patient.id, frame, body_part=region.upper(), laterality="R"
    )
    assert image.study_id is not None
    reports = services.reports
    report = reports.start(trainee, image.study_id)
    content = {
        "history": "Pain for 4 months.",
        "findings": "Small effusion.",
        "impression": "In keeping with early degeneration.",
        "body_region": region,
        "key_images": [str(image.id)],
    }
    reports.save(trainee, report.id, content)
    reports.submit(trainee, report.id)
    if returned_first:
        reports.return_to_trainee(supervisor, report.id, "Add the history.")
        reports.submit(trainee, report.id)
    reports.verify(supervisor, report.id, PASSWORD, supervision_mode=mode, agreement=agreement)


@dataclass
class People:
    supervisor: CurrentUser
    other_supervisor: CurrentUser
    trainee: CurrentUser
    new_trainee: CurrentUser
    other_trainee: CurrentUser
    clinician: CurrentUser


@pytest.fixture
def people(services: Services) -> People:
    """Sam supervises Tia (five verified scans, one returned first) and Ben (none yet)."""
    sam = _user(services, "sam", Role.SUPERVISOR)
    olu = _user(services, "olu", Role.SUPERVISOR)
    cast = People(
        supervisor=sam,
        other_supervisor=olu,
        trainee=_user(services, "tia", Role.TRAINEE, supervisor="sam"),
        new_trainee=_user(services, "ben", Role.TRAINEE, supervisor="sam"),
        other_trainee=_user(services, "uma", Role.TRAINEE, supervisor="olu"),
        clinician=_user(services, "cal", Role.CLINICIAN),
    )
    for scan in (
        ("9990000018", "Knee", "present", "agree", False),
        ("9990000026", "Knee", "present", "agree", True),
        ("9990000034", "Shoulder", "retrospective", "minor", False),
        ("9990000042", "Shoulder", "remote_live", "major", False),
        ("9990000050", "Knee", "retrospective", "agree", False),
    ):
        _verified_scan(services, cast.trainee, sam, scan)
    return cast


def _open(
    qtbot: QtBot,
    runner: TaskRunner,
    services: Services,
    user: CurrentUser,
    session: UserSession | None = None,
) -> tuple[LogbookView, LogbookViewModel]:
    """The screen as ``user`` opens it, with the first trainee's logbook read (if any)."""
    theme.apply_theme(QApplication.instance())  # type: ignore[arg-type]
    session = session or UserSession()
    session.sign_in(user)
    vm = LogbookViewModel(
        services.reports,
        services.users,
        runner=runner,
        session=session,
        service_name=lambda: "Riverside MSK",
    )
    view = LogbookView(vm)
    qtbot.addWidget(view)
    view.resize(1000, 640)
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(vm.trainees_loaded, timeout=WAIT_MS):
        vm.load()
    runner.wait_idle(WAIT_MS / 1000)
    QApplication.processEvents()
    return view, vm


def _names(view: LogbookView) -> list[str]:
    return [view.trainee.itemText(index) for index in range(view.trainee.count())]


def _shot(view: LogbookView, name: str) -> None:
    if folder := os.environ.get("ONESTOP_SHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        QApplication.processEvents()
        view.grab().save(str(Path(folder) / name))


def test_a_trainee_sees_their_own_scans_by_region_and_supervision(
    qtbot: QtBot, runner: TaskRunner, services: Services, people: People
) -> None:
    view, vm = _open(qtbot, runner, services, people.trainee)
    _shot(view, "26-logbook.png")

    assert _names(view) == ["Tia"]
    assert not view.trainee.isEnabled()
    first, last = default_period(date.today())
    assert view.start.date().toPython() == first
    assert view.end.date().toPython() == last
    assert view.end.text() == last.strftime("%d-%b-%Y")
    assert view.table.isVisibleTo(view)
    assert view.table_texts() == TIA_ROWS
    assert view.summary.text() == TIA_SUMMARY
    assert view.title.text().startswith("Tia · ")
    assert not view.empty.isVisibleTo(view)
    assert view.csv_button.isEnabled()
    assert view.pdf_button.isEnabled()
    assert vm.book is not None
    assert vm.book.trainee_id == people.trainee.id


def test_a_supervisor_chooses_among_their_own_trainees(
    qtbot: QtBot, runner: TaskRunner, services: Services, people: People
) -> None:
    view, vm = _open(qtbot, runner, services, people.supervisor)

    # Uma is another supervisor's trainee: not offered.
    assert _names(view) == ["Ben", "Tia"]
    assert view.trainee.isEnabled()
    assert view.empty.text() == "No verified scans in this period."
    assert view.empty.isVisibleTo(view)
    assert not view.table.isVisibleTo(view)
    assert view.summary.text() == "0 verified scans · concordance — · 0 returned for changes"

    with qtbot.waitSignal(vm.logbook_loaded, timeout=WAIT_MS):
        view.trainee.setCurrentIndex(1)
    runner.wait_idle(WAIT_MS / 1000)
    assert view.table_texts() == TIA_ROWS
    assert view.summary.text() == TIA_SUMMARY
    assert not view.empty.isVisibleTo(view)


def test_choosing_an_earlier_period_shows_no_scans_and_a_backwards_period_is_refused(
    qtbot: QtBot, runner: TaskRunner, services: Services, people: People
) -> None:
    view, vm = _open(qtbot, runner, services, people.trainee)
    today = date.today()
    view.start.setDate(QDate.fromString("01-01-2020", "dd-MM-yyyy"))
    view.end.setDate(QDate(today.year - 1, 1, 1))
    with qtbot.waitSignal(vm.logbook_loaded, timeout=WAIT_MS):
        qtbot.mouseClick(view.show_button, Qt.MouseButton.LeftButton)
    runner.wait_idle(WAIT_MS / 1000)
    assert view.empty.text() == "No verified scans in this period."
    assert "concordance —" in view.summary.text()
    assert view.title.text() == f"Tia · 01-Jan-2020 to 01-Jan-{today.year - 1}"

    view.start.setDate(QDate(today.year, today.month, today.day))
    with qtbot.waitSignal(vm.problem, timeout=WAIT_MS):
        view.end.setDate(QDate(today.year - 1, 1, 1))  # the reload follows a short pause
    assert "must start on or before" in view.notice.text()
    runner.wait_idle(WAIT_MS / 1000)


def test_another_supervisor_is_refused_a_trainee_who_is_not_theirs(
    qtbot: QtBot, runner: TaskRunner, services: Services, people: People
) -> None:
    view, vm = _open(qtbot, runner, services, people.other_supervisor)
    assert _names(view) == ["Uma"]
    with qtbot.waitSignal(vm.problem, timeout=WAIT_MS):
        vm.show(people.trainee.id, *default_period(date.today()))
    runner.wait_idle(WAIT_MS / 1000)
    assert view.notice.text() == "You can see the logbooks of your own trainees only."
    assert vm.book is None
    assert not view.csv_button.isEnabled()


def test_someone_who_supervises_nobody_is_told_so(
    qtbot: QtBot, runner: TaskRunner, services: Services, people: People
) -> None:
    view, vm = _open(qtbot, runner, services, people.clinician)
    assert _names(view) == []
    assert not view.trainee.isEnabled()
    assert "Nobody has named you as their supervisor" in view.empty.text()
    assert not view.show_button.isEnabled()
    assert not view.csv_button.isEnabled()
    assert vm.book is None


def test_the_logbook_is_saved_as_csv_and_pdf_where_the_person_chooses(
    qtbot: QtBot, runner: TaskRunner, services: Services, people: People, tmp_path: Path
) -> None:
    view, vm = _open(qtbot, runner, services, people.trainee)
    folder = tmp_path / "portfolio"
    folder.mkdir()
    asked: list[tuple[str, str]] = []

    def choose(suggested: str, file_filter: str) -> str:
        asked.append((suggested, file_filter))
        return str(folder / Path(suggested).stem)  # no suffix typed: the screen adds it

    view.choose_file = choose
    with qtbot.waitSignal(vm.exported, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(view.csv_button, Qt.MouseButton.LeftButton)
    runner.wait_idle(WAIT_MS / 1000)
    first, last = default_period(date.today())
    name = f"logbook-Tia-{first:%Y-%m-%d}-to-{last:%Y-%m-%d}"
    assert asked[0] == (f"{name}.csv", "Spreadsheet (CSV) files (*.csv)")
    csv_path = folder / f"{name}.csv"
    assert saved.args == [str(csv_path)]
    assert view.notice.text() == f"Saved {name}.csv in {folder}."
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")  # so Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    scans = {
        (row["Body region"], row["Supervision"]): row["Count"]
        for row in rows
        if row["Measure"] == "Verified scans"
    }
    assert scans == {(region, mode): count for region, mode, count in TIA_ROWS[:-1]}
    totals = {row["Measure"]: row["Count"] for row in rows if not row["Body region"]}
    assert totals["Total verified"] == "5"
    assert totals["Returned for changes"] == "1"
    assert {row["Trainee"] for row in rows} == {"Tia"}
    assert {(row["Period start"], row["Period end"]) for row in rows} == {
        (first.isoformat(), last.isoformat())
    }

    with qtbot.waitSignal(vm.exported, timeout=WAIT_MS * 2):
        qtbot.mouseClick(view.pdf_button, Qt.MouseButton.LeftButton)
    runner.wait_idle(WAIT_MS / 1000)
    pdf_path = folder / f"{name}.pdf"
    assert pdf_path.read_bytes().startswith(b"%PDF")
    assert view.notice.text() == f"Saved {name}.pdf in {folder}."
    # Written in one piece: no partial file is left beside them.
    assert sorted(p.name for p in folder.iterdir()) == [f"{name}.csv", f"{name}.pdf"]


def test_a_file_that_cannot_be_written_is_explained_and_leaves_nothing_behind(
    qtbot: QtBot, runner: TaskRunner, services: Services, people: People, tmp_path: Path
) -> None:
    view, vm = _open(qtbot, runner, services, people.trainee)
    view.choose_file = lambda _name, _filter: str(tmp_path / "missing" / "logbook.csv")
    with qtbot.waitSignal(vm.problem, timeout=WAIT_MS):
        qtbot.mouseClick(view.csv_button, Qt.MouseButton.LeftButton)
    runner.wait_idle(WAIT_MS / 1000)
    assert view.notice.text().startswith("The file could not be saved")
    assert not (tmp_path / "missing").exists()
    assert view.csv_button.isEnabled()  # the table stays, to try again elsewhere

    view.choose_file = lambda _name, _filter: ""  # cancelled: nothing happens
    qtbot.mouseClick(view.pdf_button, Qt.MouseButton.LeftButton)
    assert runner.is_idle()


def test_a_cancelled_period_change_reads_only_the_last_choice(
    qtbot: QtBot, runner: TaskRunner, services: Services, people: People
) -> None:
    view, vm = _open(qtbot, runner, services, people.trainee)
    today = date.today()
    # Several quick changes, as typing a date makes: one read, for the last one.
    for days in (400, 300, 200):
        earlier = today - timedelta(days=days)
        view.start.setDate(QDate(earlier.year, earlier.month, earlier.day))
    with qtbot.waitSignal(vm.logbook_loaded, timeout=WAIT_MS) as loaded:
        pass
    runner.wait_idle(WAIT_MS / 1000)
    assert vm.period == (today - timedelta(days=200), today)
    assert loaded.args[0].verified == 5
    assert not vm.busy


def test_the_next_person_to_sign_in_never_sees_the_last_ones_logbook(
    qtbot: QtBot, runner: TaskRunner, services: Services, people: People
) -> None:
    session = UserSession()
    view, vm = _open(qtbot, runner, services, people.supervisor, session)
    with qtbot.waitSignal(vm.logbook_loaded, timeout=WAIT_MS):
        view.trainee.setCurrentIndex(1)
    runner.wait_idle(WAIT_MS / 1000)
    assert view.table_texts() == TIA_ROWS

    # The supervisor signs out and a clinician signs in before a fresh read has answered.
    vm.show(people.trainee.id, *default_period(date.today()))
    session.sign_in(people.clinician)
    vm.load()
    runner.wait_idle(WAIT_MS / 1000)
    QApplication.processEvents()
    assert vm.book is None
    assert not vm.busy
    assert _names(view) == []
    assert not view.table.isVisibleTo(view)
    assert not view.summary.isVisibleTo(view)
    assert "Nobody has named you as their supervisor" in view.empty.text()
