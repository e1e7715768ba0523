"""One patient for the whole window: every patient action, on every page, acts for the banner's."""

from __future__ import annotations

import uuid

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.triage.views import WorklistItem
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import SUPERVISOR, WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow
from ui.common import formatting
from ui.common.screen import Placement, Screen
from ui.common.widgets import PatientBanner

OPENED_ONLY_WITH_AN_ITEM = {"report"}
"""Pages no menu opens: a report opens from imaging or a queue, never on its own."""


def open_record(qtbot: QtBot, window: MainWindow, patient_id: uuid.UUID) -> None:
    """Choose a patient in the search panel, as a person would, and wait for the record."""
    window.screen_by_id("search").view_model.choose_patient(patient_id)
    qtbot.waitUntil(
        lambda: window.context.patient is not None and window.context.patient.id == patient_id,
        timeout=WAIT_MS,
    )
    wait_idle(window)


def two_patients(clinic: Services, window: MainWindow) -> tuple[PatientSummary, WorklistItem]:
    """Patient A (any demo patient) and B's untriaged referral (on the worklist), A not B."""
    user = window.session.user
    assert user is not None
    referral = clinic.triage.worklist(user)[0]
    everyone = clinic.patients.search(user, "999", limit=60)
    first = next(p for p in everyone if p.id != referral.patient_id and p.nhs_number)
    return first, referral


def visible_patient_names(window: MainWindow) -> list[str]:
    """The names every banner on screen shows."""
    return [
        banner.name_label.text()
        for banner in window.findChildren(PatientBanner)
        if banner.isVisible()
    ]


def own_patient(screen: Screen) -> uuid.UUID | str | None:
    """Who a screen itself holds: its view model's patient, else its own (hidden) banner's."""
    view_model = getattr(screen, "view_model", None)
    if hasattr(view_model, "patient_id"):
        found: uuid.UUID | None = view_model.patient_id
        return found
    patient = getattr(view_model, "patient", None)
    if patient is not None:
        found = patient.id
        return found
    banner = getattr(screen, "banner", None)
    if isinstance(banner, PatientBanner):
        return banner.nhs_number_label.text()
    raise AssertionError(f"no way to tell whose {type(screen).__name__} it is")


def show_page(qtbot: QtBot, window: MainWindow, page_id: str, referral: WorklistItem) -> bool:
    """Open a page from its declaration; on the worklist, choose B's referral in the list.

    A page that needs the banner's patient is off while a list of patients is on show (as
    its menu item is): the patient's record is shown first, as a person would go back to it.
    """
    spec = window.specs[page_id]
    if spec.needs_patient and not spec.enabled(window.facts()):
        window.open_screen("patient")
        wait_idle(window)
    window.open_screen(page_id)
    screen = window.screen_by_id(page_id)
    if page_id in OPENED_ONLY_WITH_AN_ITEM:
        wait_idle(window)
        return window.showing(screen)
    qtbot.waitUntil(lambda: window.showing(screen), timeout=WAIT_MS)
    wait_idle(window)
    if page_id == "worklist":
        worklist = window.screen_by_id("worklist")
        qtbot.waitUntil(lambda: bool(worklist.view_model.items), timeout=WAIT_MS)
        worklist.view.select(referral.referral_id)
        assert worklist.view.panel.item is not None
        assert worklist.view.panel.item.patient_id == referral.patient_id
    return True


def _refused_on_a_list(qtbot: QtBot, window: MainWindow, page_id: str, action_id: str) -> None:
    """On a list of many patients, the row chosen (B) and the banner (A) differ: no action."""
    action = window.action(action_id)
    assert not action.isEnabled(), (page_id, action_id)
    action.trigger()
    window.open_screen(action_id)  # nor a direct call
    keys = action.shortcut()
    if not keys.isEmpty():
        combo = keys[0]
        qtbot.keyClick(window, combo.key(), combo.keyboardModifiers())
    wait_idle(window)
    assert window.showing(window.screen_by_id(page_id)), (page_id, action_id)


def _acts_for(
    qtbot: QtBot, window: MainWindow, action_id: str, patient: PatientSummary, page_id: str
) -> None:
    """The action is on, and the screen it opens holds ``patient``, the banner's, alone."""
    action = window.action(action_id)
    assert action.isEnabled(), (page_id, action_id)
    action.trigger()
    target = window.screen_by_id(action_id)
    qtbot.waitUntil(lambda: window.showing(target), timeout=WAIT_MS)
    wait_idle(window)
    nhs = formatting.nhs_number(patient.nhs_number)
    held = own_patient(target)
    assert held in {patient.id, nhs}, (page_id, action_id, held)
    assert window.context.patient is not None
    assert window.context.patient.id == patient.id
    assert window.banner.nhs_number_label.text() == nhs
    # One banner on screen, naming the patient: no page shows a second patient's banner.
    name = formatting.patient_name(patient.family_name, patient.given_name)
    assert visible_patient_names(window) == [name], (page_id, action_id)


def test_no_patient_action_on_any_page_reaches_anyone_but_the_banners_patient(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, SUPERVISOR)
    user = window.session.user
    assert user is not None
    first, referral = two_patients(clinic, window)
    assert visible_patient_names(window) == ["No patient open"]
    for spec in window.specs.values():
        if spec.needs_patient and spec.menu is not None:
            assert not window.action(spec.id).isEnabled(), spec.id

    open_record(qtbot, window, first.id)
    patient_actions = [
        spec.id
        for spec in window.specs.values()
        if spec.needs_patient and spec.menu is not None and spec.may_use(user)
    ]
    assert {"assessment", "red_flags", "referral", "questionnaire", "imaging"} <= set(
        patient_actions
    )
    pages = [spec.id for spec in window.specs.values() if spec.placement is not Placement.SIDE]
    walked: list[str] = []
    refused_on_lists: list[str] = []
    for page_id in pages:
        if not window.specs[page_id].may_use(user):
            continue
        if not show_page(qtbot, window, page_id, referral):
            assert page_id in OPENED_ONLY_WITH_AN_ITEM
            continue
        walked.append(page_id)
        for action_id in patient_actions:
            if window.specs[page_id].lists_patients:
                _refused_on_a_list(qtbot, window, page_id, action_id)
                refused_on_lists.append(action_id)
                continue
            _acts_for(qtbot, window, action_id, first, page_id)
            assert show_page(qtbot, window, page_id, referral)
        assert window.context.patient is not None
        assert window.context.patient.id == first.id
    assert {"worklist", "review", "patient", "assessment", "imaging"} <= set(walked)
    assert set(refused_on_lists) == set(patient_actions)


def test_a_body_chart_counts_only_for_the_patient_it_belongs_to(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    first, referral = two_patients(clinic, window)
    owner: list[uuid.UUID | None] = [referral.patient_id]
    window.context.provide_body_regions(lambda: ["left_knee"], lambda: owner[0])
    assert window.context.body_regions() == ()  # no patient open
    open_record(qtbot, window, first.id)
    assert window.context.body_regions() == ()  # the chart is B's, the banner A's
    owner[0] = first.id
    assert window.context.body_regions() == ("left_knee",)
    window.switch_user()
    wait_idle(window)
    assert window.context.body_regions() == ()


def test_a_patient_set_by_another_screen_is_followed_by_the_record_page(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    """A report opened from a queue sets its patient; news of the patient before never
    brings them back into the banner."""
    window = signed_in
    user = window.session.user
    assert user is not None
    first, second = clinic.patients.search(user, "999", limit=2)
    open_record(qtbot, window, first.id)
    # As the report screen does when a report of another patient is opened from a queue.
    window.context.set_patient(clinic.patients.open(user, second.id))
    wait_idle(window)
    record_page = window.screen_by_id("patient")
    assert record_page.view_model.record.id == second.id  # type: ignore[attr-defined]
    # Something saved for the first patient a moment ago is announced now.
    window.context.announce("contact.saved", first.id)
    wait_idle(window)
    assert window.context.patient is not None
    assert window.context.patient.id == second.id
    assert window.banner.nhs_number_label.text() == formatting.nhs_number(second.nhs_number)
