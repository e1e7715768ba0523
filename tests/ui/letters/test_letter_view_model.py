"""The letter's view model: drafted from the record, edited, refused, signed, printed."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.current_user import CurrentUser
from tests.ui.conftest import CLINICIAN, WAIT_MS
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.domains.letters.letter.view_model import LetterViewModel


def _model(clinic: Services, runner: TaskRunner, user: CurrentUser) -> LetterViewModel:
    session = UserSession()
    session.sign_in(user)
    return LetterViewModel(clinic.letters, runner=runner, session=session, autosave_ms=10)


def test_a_letter_is_drafted_edited_and_signed(
    qtbot: QtBot, clinic: Services, runner: TaskRunner, clinician: CurrentUser
) -> None:
    (patient,) = clinic.patients.search(clinician, "999", limit=1)
    vm = _model(clinic, runner, clinician)

    with qtbot.waitSignal(vm.letter_changed, timeout=WAIT_MS):
        vm.draft(patient.id, "gp_clinic")
    assert vm.letter is not None
    assert vm.may_write

    with qtbot.waitSignal(vm.saved, timeout=WAIT_MS):
        vm.section_edited("person_completing_record", " ")
    marked: list[dict[str, str]] = []
    vm.field_errors_changed.connect(marked.append)
    with qtbot.waitSignal(vm.sign_failed, timeout=WAIT_MS):
        vm.sign(demo_password(CLINICIAN))
    assert "must say something" in marked[-1]["person_completing_record"]
    qtbot.waitUntil(runner.is_idle, timeout=WAIT_MS)

    vm.section_edited("person_completing_record", "A Clinician")
    with qtbot.waitSignal(vm.signed, timeout=WAIT_MS):
        vm.sign(demo_password(CLINICIAN))
    assert vm.letter.signed
    assert not vm.may_write

    with qtbot.waitSignal(vm.printed, timeout=WAIT_MS) as printed:
        vm.print_letter()
    assert printed.args[0].startswith(b"%PDF")
    qtbot.waitUntil(runner.is_idle, timeout=WAIT_MS)


def test_a_letter_of_another_patient_is_not_shown(
    qtbot: QtBot, clinic: Services, runner: TaskRunner, clinician: CurrentUser
) -> None:
    first, second = clinic.patients.search(clinician, "999", limit=2)
    letter = clinic.letters.draft(clinician, first.id, "patient")
    vm = _model(clinic, runner, clinician)

    with qtbot.waitSignal(vm.problem, timeout=WAIT_MS) as problem:
        vm.open(second.id, letter.id)
    assert vm.letter is None
    assert "could not be found" in problem.args[0]
    qtbot.waitUntil(runner.is_idle, timeout=WAIT_MS)


def test_the_same_letter_asked_for_again_goes_on_with_its_draft(
    qtbot: QtBot, clinic: Services, runner: TaskRunner, clinician: CurrentUser
) -> None:
    first, second = clinic.patients.search(clinician, "999", limit=2)
    vm = _model(clinic, runner, clinician)
    with qtbot.waitSignal(vm.letter_changed, timeout=WAIT_MS):
        vm.draft(first.id, "patient")
    assert vm.letter is not None
    started, key = vm.letter.id, vm.letter.sections[-1].key
    typed = "Typed before leaving for another patient"
    with qtbot.waitSignal(vm.saved, timeout=WAIT_MS):
        vm.section_edited(key, typed)

    # Another patient's letter, then the first patient's letter of the same kind again.
    with qtbot.waitSignal(vm.letter_changed, timeout=WAIT_MS):
        vm.draft(second.id, "patient")
    with qtbot.waitSignal(vm.letter_changed, timeout=WAIT_MS):
        vm.draft(first.id, "patient")

    assert vm.letter is not None
    assert vm.letter.id == started
    assert {section.key: section.text for section in vm.letter.sections}[key] == typed
    drafts = [
        letter
        for letter in clinic.letters.for_patient(clinician, first.id)
        if letter.kind == "patient" and not letter.signed
    ]
    assert [letter.id for letter in drafts] == [started]
    qtbot.waitUntil(runner.is_idle, timeout=WAIT_MS)
