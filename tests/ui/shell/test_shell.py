"""The shell: screens declare themselves; menus, shortcuts and enabling follow the declarations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

import ui.domains
from clinic_app.bootstrap import open_clinic
from clinic_app.container import Services
from clinic_app.demo import DEMO_USERS
from clinic_app.domains.assessments.model import Assessment
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, sign_in, type_into, wait_idle
from ui.app import MainWindow, WindowState
from ui.common.screen import Screen, ScreenSpec
from ui.runtime import DefaultSettings, start_deferred
from ui.shell import registry
from ui.shell.actions import MENUS

ROLES = [name for name, *_ in DEMO_USERS]


def _may(spec: ScreenSpec, user: CurrentUser) -> bool:
    # Read from the declaration's parts, not from ScreenSpec.enabled, so the test checks it.
    if spec.who is None:
        return True
    if isinstance(spec.who, Action):
        return allows(user.role, spec.who)
    return spec.who(user)


def _menu_of(window: MainWindow, action: QAction) -> str | None:
    for menu_id, _title in MENUS:
        menu = window.menuBar().findChild(QMenu, f"{menu_id}_menu")
        if menu is not None and action in menu.actions():
            return menu_id
    return None


def _open_patient(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> None:
    window.screen_by_id("search").view_model.choose_patient(patient.id)
    qtbot.waitUntil(lambda: window.context.patient is not None, timeout=WAIT_MS)
    wait_idle(window)


def test_every_screen_area_with_screens_is_found_by_the_registry() -> None:
    root = Path(ui.domains.__path__[0])
    folders = [area for domain in root.iterdir() if domain.is_dir() for area in domain.iterdir()]
    with_views = {f"{a.parent.name}.{a.name}" for a in folders if (a / "view.py").is_file()}
    declaring = {f"{a.parent.name}.{a.name}" for a in folders if (a / "screens.py").is_file()}
    # A window shown before anyone signs in (the first-run set-up) is no shell screen: it
    # declares its pages in pages.py, which the shell's registry must not pick up.
    own_pages = {f"{a.parent.name}.{a.name}" for a in folders if (a / "pages.py").is_file()}
    assert with_views <= declaring | own_pages, (
        f"areas with views but no declarations: {with_views - declaring - own_pages}"
    )
    assert not declaring & own_pages
    assert registry.areas() == sorted(f"ui.domains.{name}" for name in declaring)
    found = {spec.id for spec in registry.discover()}
    assert {"search", "patient", "logbook", "review", "report", "imaging"} <= found


def test_every_declared_screen_has_its_menu_item_and_shortcut(window: MainWindow) -> None:
    for spec in window.specs.values():
        if spec.menu is None:
            continue
        action = window.action(spec.id)
        assert _menu_of(window, action) == spec.menu, spec.id
        assert action.shortcut() == QKeySequence(spec.shortcut), spec.id
        assert action.text().replace("&", "") == spec.title.replace("&", ""), spec.id


@pytest.mark.parametrize("role", ROLES)
def test_enabled_states_follow_the_declarations_for_each_role(
    qtbot: QtBot, window: MainWindow, seeded_patient: PatientSummary, role: str
) -> None:
    for spec in window.specs.values():
        if spec.menu is not None:
            assert not window.action(spec.id).isEnabled(), f"{spec.id} on before sign-in"
    sign_in(qtbot, window, role)
    assert window.state is WindowState.WORKING
    user = window.session.require_user()

    def check(patient_open: bool) -> None:
        for spec in window.specs.values():
            if spec.menu is None:
                continue
            expected = _may(spec, user) and (patient_open or not spec.needs_patient)
            assert window.action(spec.id).isEnabled() is expected, (role, spec.id, patient_open)

    check(patient_open=False)
    if allows(user.role, Action.PATIENT_OPEN):
        _open_patient(qtbot, window, seeded_patient)
        check(patient_open=True)
    window.lock()
    for spec in window.specs.values():
        if spec.menu is not None:
            assert not window.action(spec.id).isEnabled(), f"{spec.id} on while locked"
    assert window.action("switch_user").isEnabled()
    assert not window.action("lock").isEnabled()


def test_logbook_is_for_trainees_and_supervisors(
    qtbot: QtBot, make_window: Callable[..., MainWindow]
) -> None:
    for role, expected in (("trainee", True), ("supervisor", True), ("clinician", False)):
        window = make_window()
        sign_in(qtbot, window, role)
        assert window.action("logbook").isEnabled() is expected, role
        window.switch_user()


class _Calls:
    def __init__(self) -> None:
        self.saved: list[str] = []
        self.reset: list[str] = []

    def watch(self, screen_id: str, screen: Screen) -> None:
        save, reset = screen.save_now, screen.reset

        def save_now() -> None:
            self.saved.append(screen_id)
            save()

        def forget() -> None:
            self.reset.append(screen_id)
            reset()

        screen.save_now = save_now  # type: ignore[method-assign]
        screen.reset = forget  # type: ignore[method-assign]

    def clear(self) -> None:
        self.saved.clear()
        self.reset.clear()


def test_lock_switch_user_and_quit_save_and_reset_every_built_screen(
    qtbot: QtBot, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    _open_patient(qtbot, window, seeded_patient)
    for screen_id in window.specs:
        window.screen_by_id(screen_id)
    wait_idle(window)
    every = sorted(window.built_screens())
    assert every == sorted(window.specs)
    calls = _Calls()
    for screen_id, screen in window.built_screens().items():
        calls.watch(screen_id, screen)

    window.lock()
    assert sorted(calls.saved) == every
    assert calls.reset == []

    calls.clear()
    window.switch_user()
    assert sorted(calls.saved) == every
    assert sorted(calls.reset) == every
    assert window.context.patient is None

    sign_in(qtbot, window, "clinician")
    calls.clear()
    window.action("quit").trigger()
    assert sorted(calls.saved) == every
    assert calls.reset == []


def test_started_as_onestop_run_every_action_is_on_as_declared(
    qtbot: QtBot, clinic: Services
) -> None:
    """Defect: after the deferred start, the logbook stayed off whoever signed in."""
    path = clinic.context.store.path
    _app, window, services = start_deferred(
        lambda: open_clinic(path), DefaultSettings(idle_lock_seconds=0)
    )
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.workspace_built, timeout=WAIT_MS)
        for role in ("trainee", "supervisor"):
            sign_in(qtbot, window, role)
            assert window.state is WindowState.WORKING
            user = window.session.require_user()
            for spec in window.specs.values():
                if spec.menu is not None:
                    expected = _may(spec, user) and not spec.needs_patient
                    assert window.action(spec.id).isEnabled() is expected, (role, spec.id)
            assert window.action("logbook").isEnabled(), role
            window.switch_user()
    finally:
        window.shutdown()
        opened = services.opened()
        if opened is not None:
            opened.close()


def test_an_assessment_typed_just_before_quitting_is_kept(
    qtbot: QtBot, signed_in: MainWindow, seeded_patient: PatientSummary, clinic: Services
) -> None:
    """Defect: quitting within the autosave pause lost what was typed."""
    window = signed_in
    _open_patient(qtbot, window, seeded_patient)
    window.open_screen("assessment")
    wait_idle(window)
    view = window.screen_by_id("assessment").view  # type: ignore[attr-defined]
    type_into(qtbot, view.texts["presenting_complaint"], "Typed just before quitting")
    window.action("quit").trigger()
    reopened = open_clinic(clinic.context.store.path)
    try:
        with reopened.context.store.sessions() as session:
            kept = [row.content for row in session.scalars(select(Assessment)).all()]
    finally:
        reopened.close()
    assert [content.get("presenting_complaint") for content in kept] == [
        "Typed just before quitting"
    ]


def test_building_a_screen_never_flashes_a_window_of_its_own(signed_in: MainWindow) -> None:
    """Screens are built on first use, while the window is up: nothing may steal its focus."""
    window = signed_in
    shown: list[str] = []

    class Spy(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt
            if (
                event.type() is QEvent.Type.Show
                and isinstance(watched, QWidget)
                and watched.isWindow()
                and watched is not window
            ):
                shown.append(type(watched).__name__)
            return False

    spy = Spy()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(spy)
    try:
        for screen_id in window.specs:
            window.screen_by_id(screen_id)
        QApplication.processEvents()
    finally:
        app.removeEventFilter(spy)
    wait_idle(window)
    assert shown == []
