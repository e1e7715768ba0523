"""A shared decision recorded under a registration merged into the record, from the survivor."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from clinic_app.container import Services
from clinic_app.domains.decisions.content import decision_aids
from clinic_app.domains.decisions.views import DecisionInput
from clinic_app.people.model import Patient
from clinic_app.people.text import search_key
from clinic_app.people.views import PatientSummary
from tests.support.merges import merged_by_sync
from tests.ui.conftest import WAIT_MS, type_into, wait_idle
from tests.ui.late_answers import open_record, settle
from tests.ui.records import second_registration
from ui.app import MainWindow
from ui.domains.decisions.consultation.screens import DecisionScreen

AIDS = Path(__file__).parents[2] / "core" / "decisions" / "aids" / "good"


@pytest.fixture(autouse=True)
def _test_aids(clinic: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """The service offers the tests' small aid instead of the shipped ones."""
    catalogue = decision_aids(AIDS)
    monkeypatch.setattr(clinic.decisions, "aids", lambda: catalogue)


def _summary(clinic: Services, patient: uuid.UUID) -> PatientSummary:
    with clinic.context.store.sessions() as session:
        row = session.get(Patient, patient)
        assert row is not None
        return PatientSummary(
            row.id, row.nhs_number, row.family_name, row.given_name, row.date_of_birth, 0, "",
            row.postcode, 0,
        )  # fmt: skip


def test_a_decision_begun_under_the_merged_registration_opens_from_the_survivors_timeline(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, tmp_path: Path
) -> None:
    window = signed_in
    user = window.session.require_user()
    first = clinic.patients.search(user, "999", limit=1)[0].id
    # A shared decision was begun under the first registration; that registration is then
    # merged into a second one of the same person, whose record names her Whitfield.
    draft = clinic.decisions.start(user, first, "sample_aid")
    clinic.decisions.save(user, draft.id, first, DecisionInput(questions="Can I keep swimming?"))
    stale = _summary(clinic, first).family_name
    survivor = second_registration(clinic, _summary(clinic, first))
    with clinic.context.store.engine.begin() as conn:
        conn.execute(
            update(Patient.__table__)
            .where(Patient.__table__.c.id == survivor)
            .values(family_name="Whitfield", family_key=search_key("Whitfield"))
        )
    merged_by_sync(clinic, survivor, first)

    open_record(qtbot, window, survivor)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(lambda: record.view_model.timeline is not None, timeout=WAIT_MS)
    entry = next(
        e
        for e in record.view_model.timeline.entries
        if e.patient_id == first and e.screen_id == "decision"
    )
    record.view_model.open_entry(entry)
    settle(qtbot, window)

    # The conversation is shown, the surviving record in the banner ...
    screen = window.screen_by_id("decision")
    assert isinstance(screen, DecisionScreen)
    assert window.showing(screen), record.view.notice.text()
    assert window.context.patient is not None
    assert window.context.patient.id == survivor
    vm = screen.view_model
    assert vm.record is not None
    assert vm.record.id == draft.id
    page = screen.view.page
    assert page is not None
    assert page.questions.toPlainText() == "Can I keep swimming?"
    # ... and what is said next is saved to that same record, said of the surviving record.
    changed: list[tuple[str, object]] = []
    window.context.record_changed.connect(lambda kind, patient: changed.append((kind, patient)))
    with qtbot.waitSignal(vm.saved, timeout=WAIT_MS):
        page.questions.moveCursor(QTextCursor.MoveOperation.End)
        type_into(qtbot, page.questions, " Will it hurt?")
        vm.save_now()
    wait_idle(window)
    kept = clinic.decisions.get(user, draft.id, survivor)
    assert kept.questions == "Can I keep swimming? Will it hurt?"
    assert [r.id for r in clinic.decisions.for_patient(user, survivor)] == [draft.id]
    assert ("decision.saved", survivor) in changed

    # Printed to take home, it names her as the surviving record does.
    delivery = screen.pdf_delivery
    delivery.choose_path = lambda _title, suggested: str(tmp_path / Path(suggested).name)
    delivery.has_printer = lambda: False
    opened: list[Path] = []
    delivery.open_file = opened.append
    qtbot.mouseClick(screen.view.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT_MS)
    wait_idle(window)
    [pdf] = opened
    words = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "WHITFIELD" in words
    assert stale.upper() not in words
