"""View models against small fakes: debounced search, sign-in, drafts and form input."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from typing import Any

from pytestqt.qtbot import QtBot

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import AuthenticationFailed
from clinic_app.kernel.vocabulary import AlertKind, Role
from clinic_app.people.views import PatientSummary
from ui.common.drafts import FormDraft, is_blank
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.domains.people.register.view_model import empty_form, to_input
from ui.domains.people.search.view_model import SearchViewModel
from ui.shell.login.view_model import LoginViewModel

USER = CurrentUser(
    id=uuid.uuid4(), username="tester", display_name="Test User", role=Role.CLINICIAN
)


def _summary(family: str) -> PatientSummary:
    return PatientSummary(
        id=uuid.uuid4(),
        nhs_number="9990000018",
        family_name=family,
        given_name="Sam",
        date_of_birth=date(1970, 1, 1),
        age=55,
        sex_label="Female",
        postcode=None,
        alert_count=0,
    )


class FakePatients:
    """Answers searches; a search for "slow" waits until released."""

    def __init__(self) -> None:
        self.queries: list[str] = []
        self.release = threading.Event()

    def search(self, actor: CurrentUser, query: str, limit: int = 50) -> list[PatientSummary]:
        self.queries.append(query)
        if query == "slow":
            self.release.wait(2)
        return [_summary(query.capitalize())]


class FakeAuth:
    def login(self, username: str, password: str) -> CurrentUser:
        if password != "right":
            raise AuthenticationFailed("auth.failed")
        return USER

    def check_password(self, actor: CurrentUser, password: str) -> None:
        if password != "right":
            raise AuthenticationFailed("auth.failed")


class FakeDrafts:
    def __init__(self) -> None:
        self.kept: dict[tuple[uuid.UUID, str, str], dict[str, Any]] = {}

    def save(self, actor: CurrentUser, kind: str, key: str, payload: dict[str, Any]) -> None:
        self.kept[(actor.id, kind, key)] = payload

    def load(self, actor: CurrentUser, kind: str, key: str) -> dict[str, Any] | None:
        return self.kept.get((actor.id, kind, key))

    def discard(self, actor: CurrentUser, kind: str, key: str) -> None:
        self.kept.pop((actor.id, kind, key), None)


def _session() -> UserSession:
    session = UserSession()
    session.sign_in(USER)
    return session


def test_typing_fast_searches_once_for_the_last_text(qtbot: QtBot, runner: TaskRunner) -> None:
    patients = FakePatients()
    vm = SearchViewModel(patients, runner=runner, session=_session())

    with qtbot.waitSignal(vm.results_changed, timeout=2000):
        for text in ("s", "sm", "smi"):
            vm.set_query(text)
    runner.wait_idle()

    assert patients.queries == ["smi"]
    assert [p.family_name for p in vm.results] == ["Smi"]


def test_a_stale_answer_never_replaces_a_newer_one(qtbot: QtBot, runner: TaskRunner) -> None:
    patients = FakePatients()
    vm = SearchViewModel(patients, runner=runner, session=_session())
    vm.set_query("slow")
    vm.search_now()
    vm.set_query("jones")
    vm.search_now()
    patients.release.set()
    runner.wait_idle()

    assert vm.answered_query == "jones"
    assert [p.family_name for p in vm.results] == ["Jones"]


def test_clearing_the_box_clears_the_results_at_once(qtbot: QtBot, runner: TaskRunner) -> None:
    vm = SearchViewModel(FakePatients(), runner=runner, session=_session())
    vm.set_query("smith")
    vm.search_now()
    runner.wait_idle()

    vm.set_query("   ")

    assert vm.results == []
    assert runner.is_idle()


def test_sign_in_reports_the_user_or_the_words_for_the_failure(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    vm = LoginViewModel(FakeAuth(), runner)

    with qtbot.waitSignal(vm.failed) as failed:
        vm.sign_in("tester", "wrong")
    runner.wait_idle()
    assert failed.args == ["The user name or password is not right. Check them and try again."]

    with qtbot.waitSignal(vm.signed_in) as signed_in:
        vm.sign_in("tester", "right")
    runner.wait_idle()
    assert signed_in.args == [USER]
    # The screen takes no second sign-in until the window has opened the first.
    assert vm.busy
    vm.sign_in("tester", "right")
    assert runner.is_idle()
    vm.opened()
    assert not vm.busy


def test_unlock_checks_the_locked_users_password(qtbot: QtBot, runner: TaskRunner) -> None:
    vm = LoginViewModel(FakeAuth(), runner)
    vm.show_locked(USER)

    with qtbot.waitSignal(vm.unlocked):
        vm.unlock("right")
    runner.wait_idle()


def test_a_draft_is_saved_as_the_user_who_typed_it(qtbot: QtBot, runner: TaskRunner) -> None:
    store = FakeDrafts()
    session = _session()
    draft = FormDraft(store, runner, session, "patient_registration")
    draft.set_key("new")
    draft.update({"given_name": "Ada"})

    draft.save_now()
    session.sign_out()
    runner.wait_idle()

    assert store.kept == {(USER.id, "patient_registration", "new"): {"given_name": "Ada"}}


def test_an_emptied_form_discards_its_draft(qtbot: QtBot, runner: TaskRunner) -> None:
    store = FakeDrafts()
    store.kept[(USER.id, "patient_registration", "new")] = {"given_name": "Ada"}
    draft = FormDraft(
        store, runner, _session(), "patient_registration", ignore_for_blank=frozenset({"ethnicity"})
    )
    draft.set_key("new")
    draft.update(empty_form())

    draft.save_now()
    runner.wait_idle()

    assert store.kept == {}
    assert is_blank(empty_form(), frozenset({"ethnicity"}))


def test_form_values_become_patient_input() -> None:
    values = empty_form() | {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": "10/12/1975",
        "sex": "2",
        "interpreter_needed": False,
        "interpreter_language": "pl",
        "accessible_information_needs": ["large_print"],
        "alerts": [["allergy", "Penicillin"], ["clinical", "  "], ["nonsense", "x"]],
    }

    data = to_input(values)

    assert data.given_name == "Ada"
    assert data.ethnicity == "99"
    assert data.interpreter_language == ""  # only sent when an interpreter is needed
    assert data.accessible_information_needs == ("large_print",)
    assert data.alerts == ((AlertKind.ALLERGY, "Penicillin"),)
