"""What the four-file example note can do: run in its own process by
``tests/core/records/test_adding_a_record_type.py`` (its table must not join the main run's).

It drafts, signs, refuses, reads, prints and shows on screen, all from the kernel's sections
record service and the UI's shared sections form.
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.base import Base
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, FormErrors
from clinic_app.kernel.security.permissions import Action
from clinic_app.records.registry import record_type
from clinic_app.records.sections_record import SectionsRecordService
from tests.support.example_record.record import EXAMPLE_NOTE
from tests.support.example_record.screens import SCREENS
from tests.support.merges import merged_by_sync
from tests.ui.conftest import CLINICIAN, wait_idle
from tests.ui.late_answers import Gate, settle
from ui.app import MainWindow

PASSWORD = demo_password(CLINICIAN)


@pytest.fixture
def notes(demo: Services) -> SectionsRecordService:
    """The example's service, wired as ``container.py`` wires one (one line), on its table."""
    Base.metadata.create_all(demo.context.store.engine, tables=[EXAMPLE_NOTE.table.__table__])
    service = SectionsRecordService(
        demo.context, demo.auth, EXAMPLE_NOTE, read=Action.ASSESSMENT_VIEW
    )
    demo.example_notes = service  # type: ignore[attr-defined]
    return service


@pytest.fixture
def user(demo: Services) -> CurrentUser:
    return demo.auth.login(CLINICIAN, PASSWORD)


def _two_patients(demo: Services, user: CurrentUser) -> tuple[uuid.UUID, uuid.UUID]:
    first, second = demo.patients.search(user, "999", limit=2)
    return first.id, second.id


def test_it_is_registered_and_drafts_sign_and_stay_signed(
    demo: Services, notes: SectionsRecordService, user: CurrentUser
) -> None:
    assert record_type("example_note") is EXAMPLE_NOTE
    patient, _other = _two_patients(demo, user)
    draft = notes.save_draft(user, patient, {"reason": "  Knee review  ", "discussion": ""})
    assert draft.content == {"reason": "Knee review"}
    assert draft.summary.startswith("Example note, draft")
    with pytest.raises(FormErrors) as missing:
        notes.sign(user, draft.id, PASSWORD)
    assert [(e.code, e.field) for e in missing.value.errors] == [
        ("record.required_to_sign", "discussion")
    ]
    notes.save_draft(user, patient, {"reason": "Knee review", "discussion": "Exercises"}, draft.id)
    signed = notes.sign(user, draft.id, PASSWORD)
    assert signed.is_signed
    assert signed.intact
    assert signed.attestation == "This note is a true record of the contact."
    with pytest.raises(Conflict) as after:
        notes.save_draft(user, patient, {"reason": "changed"}, draft.id)
    assert after.value.code == "record.signed"
    with demo.context.store.engine.begin() as connection:
        connection.execute(
            text("UPDATE example_note SET content = :c WHERE id = :i"),
            {"c": '{"reason": "forged", "discussion": "Exercises"}', "i": draft.id.hex},
        )
    assert not notes.get(user, draft.id).intact


def test_it_is_on_the_timeline_and_opens_from_there(
    qtbot: QtBot,
    signed_in: MainWindow,
    setting: tuple[Services, SectionsRecordService, CurrentUser],
) -> None:
    demo, notes, user = setting
    patient, other = _two_patients(demo, user)
    draft = notes.save_draft(user, patient, {"reason": "Neck pain", "discussion": "Posture"})
    (entry,) = demo.timeline.for_patient(user, patient).of_kind("example_note")
    assert (entry.record_id, entry.status, entry.can_continue) == (draft.id, "draft", True)
    assert entry.description.startswith("Example note, draft")
    assert demo.timeline.for_patient(user, other).of_kind("example_note") == ()
    notes.save_draft(user, other, {"reason": "Someone else's"})

    window = signed_in
    spec = SCREENS[0]
    window.specs[spec.id] = spec
    # Through the record: signing in lands on the day list, where patient actions are off.
    window.open_screen("patient", demo.patients.open(user, patient))
    window.open_screen(spec.id, entry)
    wait_idle(window)
    screen = window.screen_by_id(spec.id)
    assert screen.view_model.record.id == draft.id  # type: ignore[attr-defined]
    assert screen.view.values()["reason"] == "Neck pain"  # type: ignore[attr-defined]


def test_a_draft_never_moves_to_another_patient_and_bad_words_are_refused(
    demo: Services, notes: SectionsRecordService, user: CurrentUser
) -> None:
    patient, other = _two_patients(demo, user)
    draft = notes.save_draft(user, patient, {"reason": "Shoulder"})
    with pytest.raises(Conflict) as moved:
        notes.save_draft(user, other, {"reason": "Shoulder"}, draft.id)
    assert moved.value.code == "record.wrong_patient"
    with pytest.raises(FormErrors) as long:
        notes.save_draft(user, patient, {"reason": "x" * 501})
    assert [(e.code, e.field) for e in long.value.errors] == [("text.too_long", "reason")]
    assert [v.id for v in notes.for_patient(user, patient)] == [draft.id]
    assert notes.for_patient(user, other) == ()


def test_a_draft_under_a_merged_registration_is_the_survivors(
    demo: Services, notes: SectionsRecordService, user: CurrentUser, tmp_path: Path
) -> None:
    """Listed, continued and printed from the record a registration was merged into; an
    unmerged patient's draft is still refused there."""
    survivor, second = _two_patients(demo, user)
    draft = notes.save_draft(user, second, {"reason": "Shoulder"})
    with pytest.raises(Conflict):
        notes.save_draft(user, survivor, {"reason": "Shoulder pain"}, draft.id)
    merged_by_sync(demo, survivor=survivor, merged=second)

    assert [v.id for v in notes.for_patient(user, survivor)] == [draft.id]
    notes.save_draft(user, survivor, {"reason": "Shoulder pain"}, draft.id)
    pdf = tmp_path / "note.pdf"
    pdf.write_bytes(notes.printable(user, draft.id))
    words = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert demo.patients.open(user, survivor).family_name.upper() in words


def test_its_printout_names_the_patient_on_every_page(
    demo: Services, notes: SectionsRecordService, user: CurrentUser, tmp_path: Path
) -> None:
    patient, _other = _two_patients(demo, user)
    record = demo.patients.open(user, patient)
    long_words = "\n".join(f"Line {n} of a long discussion." for n in range(120))
    draft = notes.save_draft(user, patient, {"reason": "Back pain", "discussion": long_words})
    pdf = tmp_path / "note.pdf"
    pdf.write_bytes(notes.printable(user, draft.id))
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) >= 2
    for page in pages:
        assert record.family_name.upper() in page
        assert "DRAFT - not signed" in page
    assert "No plan recorded." in pages[-1]
    assert "Reason for contact" in pages[0]


@pytest.fixture
def setting(
    demo: Services, notes: SectionsRecordService, user: CurrentUser
) -> tuple[Services, SectionsRecordService, CurrentUser]:
    return demo, notes, user


def test_its_declared_screen_is_the_shared_form(
    qtbot: QtBot,
    signed_in: MainWindow,
    setting: tuple[Services, SectionsRecordService, CurrentUser],
    tmp_path: Path,
) -> None:
    window = signed_in
    demo, notes, user = setting
    patient, other = _two_patients(demo, user)
    spec = SCREENS[0]
    window.specs[spec.id] = spec
    record = demo.patients.open(user, patient)
    window.open_screen("patient", record)
    window.open_screen(spec.id)
    wait_idle(window)
    screen = window.screen_by_id(spec.id)
    view = screen.view  # type: ignore[attr-defined]
    assert window.showing(screen)
    qtbot.keyClicks(view.boxes["reason"], "Hip pain")
    qtbot.keyClicks(view.boxes["discussion"], "Walking plan agreed")
    screen.save_now()
    wait_idle(window)
    [saved] = notes.for_patient(user, patient)
    assert dict(saved.content) == {"reason": "Hip pain", "discussion": "Walking plan agreed"}

    # Opening it again continues the draft; another patient starts empty.
    window.context.set_patient(demo.patients.open(user, other))
    window.open_screen(spec.id)
    wait_idle(window)
    assert view.values() == {"reason": "", "discussion": "", "plan": ""}
    window.context.set_patient(record)
    window.open_screen(spec.id)
    wait_idle(window)
    assert view.values()["reason"] == "Hip pain"

    view.password.setText(PASSWORD)
    view.sign_button.click()
    qtbot.waitUntil(lambda: screen.view_model.is_signed, timeout=5000)
    assert view.boxes["reason"].isReadOnly()
    chosen: list[str] = []

    def choose(_title: str, suggested: str) -> str:
        chosen.append(Path(suggested).name)
        return str(tmp_path / Path(suggested).name)

    opened: list[Path] = []
    delivery = screen.pdf_delivery  # type: ignore[attr-defined]
    delivery.choose_path = choose
    delivery.has_printer = lambda: False
    delivery.open_file = opened.append
    view.print_button.click()
    wait_idle(window)
    [name] = chosen
    assert name.startswith(f"{record.family_name.upper()}_{record.nhs_number}_example-note_")
    assert (tmp_path / name).read_bytes().startswith(b"%PDF")
    assert opened == [tmp_path / name]
    window.grab().save(str(tmp_path / "example_note.png"))


@pytest.mark.parametrize("password", [PASSWORD, "not my password"])
def test_a_sign_behind_a_save_when_the_patient_changes_is_finished_and_said(
    qtbot: QtBot,
    signed_in: MainWindow,
    setting: tuple[Services, SectionsRecordService, CurrentUser],
    monkeypatch: pytest.MonkeyPatch,
    password: str,
) -> None:
    """Signed as asked after the save it waited for, for its own patient, and said so."""
    window = signed_in
    demo, notes, user = setting
    patient, other = _two_patients(demo, user)
    spec = SCREENS[0]
    window.specs[spec.id] = spec
    record = demo.patients.open(user, patient)
    window.open_screen("patient", record)
    window.open_screen(spec.id)
    wait_idle(window)
    screen = window.screen_by_id(spec.id)
    view = screen.view  # type: ignore[attr-defined]
    gate = Gate(monkeypatch, notes, "save_draft")
    qtbot.keyClicks(view.boxes["reason"], "Hip pain")
    qtbot.keyClicks(view.boxes["discussion"], "Walking plan agreed")
    screen.save_now()
    gate.wait_entered(qtbot)
    view.password.setText(password)
    view.sign_button.click()

    window.context.set_patient(demo.patients.open(user, other))
    gate.release()
    settle(qtbot, window)

    [kept] = notes.for_patient(user, patient)
    assert notes.for_patient(user, other) == ()
    name = f"{record.family_name.upper()}, {record.given_name}"
    if password == PASSWORD:
        assert kept.is_signed
        assert dict(kept.content) == {"reason": "Hip pain", "discussion": "Walking plan agreed"}
        assert window.notice.text() == f"The example note for {name} was signed."
    else:
        assert not kept.is_signed
        said = window.notice.text()
        assert said.startswith(f"The example note for {name} was not signed: ")
        assert said.endswith("It is kept as a draft: open it from their record to sign it.")
