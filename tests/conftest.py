"""Shared test set-up: a private HOME, an in-memory keychain, and fresh demo stores."""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

# Before anything reads them: tests never touch a real profile, keychain or display.
_HOME = Path(tempfile.mkdtemp(prefix="onestop-test-home-"))
for _name, _sub in (
    ("HOME", ""),
    ("XDG_DATA_HOME", "data"),
    ("XDG_CONFIG_HOME", "config"),
    ("XDG_CACHE_HOME", "cache"),
    ("XDG_STATE_HOME", "state"),
    ("XDG_RUNTIME_DIR", "runtime"),
):
    (_HOME / _sub).mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ[_name] = str(_HOME / _sub)
os.environ["QT_QPA_PLATFORM"] = "offscreen"
# Command-line actions name their operator; tests that check the refusal unset it.
os.environ["ONESTOP_OPERATOR"] = "test.operator"
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")

import keyring  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

# Property tests check rules, not speed: on a busy two-core machine one example can take longer
# than Hypothesis's 200 ms default and fail for no fault of the code. Speed lives in tests/bench.
settings.register_profile("clinic", deadline=None)
settings.load_profile("clinic")

from clinic_app.bootstrap import create_clinic, open_clinic  # noqa: E402
from clinic_app.container import Services  # noqa: E402
from clinic_app.demo import seed_demo  # noqa: E402
from clinic_app.kernel.security import keychain, passwords  # noqa: E402
from tests.support.memory_keyring import MemoryKeyring  # noqa: E402

keyring.set_keyring(MemoryKeyring())

# scrypt is deliberately slow (about 0.1 s and 32 MiB a call on a laptop core, more on a busy
# CI machine), and the tests sign the same demo users in with the same stored hashes (copies of
# one template store) hundreds of times. The derivation is a pure function of its arguments, so
# within this test process each (password, salt, cost) is worked out once and remembered: every
# answer is the one scrypt gives; a new salt or a wrong password is derived afresh.
passwords._derive = functools.lru_cache(maxsize=4096)(passwords._derive)


@pytest.fixture(autouse=True)
def _fresh_keychain() -> None:
    """Every test starts with an empty in-memory keychain."""
    keyring.set_keyring(MemoryKeyring())


def _windows_on_screen() -> set[int]:
    """The main windows shown now (none where no test has loaded the UI)."""
    if "ui.shell.window" not in sys.modules:
        return set()
    from PySide6.QtWidgets import QApplication

    from ui.shell.window import ShellWindow

    if QApplication.instance() is None:
        return set()
    return {
        id(widget)
        for widget in QApplication.topLevelWidgets()
        if isinstance(widget, ShellWindow) and widget.isVisible()
    }


@pytest.fixture(autouse=True)
def _no_window_left_on_screen() -> Iterator[None]:
    """A test that leaves a main window on screen fails, not the tests after it.

    A window left shown keeps its timers and filters running in every later test of the
    process, and they fail for a fault that is not theirs.
    """
    before = _windows_on_screen()
    yield
    left = _windows_on_screen() - before
    assert not left, f"the test left {len(left)} main window(s) on screen"


def _application_kind() -> str | None:
    """The kind of Qt application object this process has (None: none, or Qt not loaded)."""
    if "PySide6.QtCore" not in sys.modules:
        return None
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance()
    return None if app is None else type(app).__name__


@pytest.fixture(autouse=True)
def _windows_can_still_be_made() -> Iterator[None]:
    """A test that leaves this process a Qt application that cannot show windows fails.

    A process has one application object for good: a bare QGuiApplication (drawing an image
    needs no more) made by a test that ran first left every later window test in the process
    erroring at its start.
    """
    yield
    kind = _application_kind()
    assert kind in (None, "QApplication"), f"the test left a {kind}: no window can be made now"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """Where a test's store file goes."""
    return tmp_path / "clinic.db"


@dataclass(frozen=True)
class _StoreTemplate:
    """A store file made once by ``create_clinic`` (and seeded), with the keys it was made with."""

    path: Path
    store_key: str
    audit_key: str
    made_on: date


class _StoreTemplates:
    """Builds each kind of store once per test process; every test opens its own copy.

    Making a store (schema migrations, keys) and seeding the demo clinic (password hashes, 60
    patients) cost the same every time and give the same store every time (the demo is
    deterministic for its seed and the day), so they are done once and the file copied: the
    test gets a real store file of its own at its own path, its keys in its own keychain, opened
    with ``open_clinic`` as the app opens a store. A template from another day is made again.
    """

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._made: dict[str, _StoreTemplate] = {}

    def _make(self, kind: str) -> _StoreTemplate:
        path = self._folder / kind / "clinic.db"
        if path.parent.exists():
            shutil.rmtree(path.parent)
        path.parent.mkdir(parents=True)
        keys = MemoryKeyring()
        previous = keyring.get_keyring()
        keyring.set_keyring(keys)
        try:
            made_on = date.today()
            built = create_clinic(path)
            try:
                if kind == "demo":
                    # No appointments: the clinic day's tests book the days they need.
                    seed_demo(built, patients=60, imaging=False, clinic_day=False)
            finally:
                built.close()
            store_key = keychain.store_key(path)
            assert store_key is not None
            return _StoreTemplate(path, store_key, keychain.audit_key(path), made_on)
        finally:
            keyring.set_keyring(previous)

    def copy(self, kind: str, store_path: Path) -> Services:
        """A store of this kind at ``store_path`` (which must not exist yet), opened."""
        template = self._made.get(kind)
        if template is None or template.made_on != date.today():
            template = self._made[kind] = self._make(kind)
        if store_path.exists():
            raise FileExistsError(store_path)
        store_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template.path, store_path)
        store_path.chmod(0o600)
        keyring.set_password(
            keychain.SERVICE, keychain.store_key_name(store_path), template.store_key
        )
        keychain.set_audit_key(store_path, template.audit_key)
        return open_clinic(store_path)


@pytest.fixture(scope="session")
def _store_templates(tmp_path_factory: pytest.TempPathFactory) -> _StoreTemplates:
    return _StoreTemplates(tmp_path_factory.mktemp("store-templates"))


#: The open stores (by id of their services) that were copied from the seeded demo template.
_DEMO_COPIES: set[int] = set()


@pytest.fixture
def services(
    store_path: Path, request: pytest.FixtureRequest, _store_templates: _StoreTemplates
) -> Iterator[Services]:
    """A new, empty encrypted store with its services (the demo clinic's, for ``demo``)."""
    kind = "demo" if "demo" in request.fixturenames else "empty"
    built = _store_templates.copy(kind, store_path)
    if kind == "demo":
        _DEMO_COPIES.add(id(built))
    yield built
    _DEMO_COPIES.discard(id(built))
    built.close()


@pytest.fixture
def demo(services: Services) -> Services:
    """The services of a store seeded with a small demo clinic (60 patients).

    Without the demo's images (compressing them would slow every test that starts here);
    tests that need them add them with ``clinic_app.demo_imaging.add_demo_imaging``. The
    store is normally a copy of one seeded once (see ``_StoreTemplates``); one asked for
    after ``services`` was made empty is seeded here.
    """
    if id(services) not in _DEMO_COPIES:
        seed_demo(services, patients=60, imaging=False, clinic_day=False)
    return services


#: How many of ``SUMMARY_LINES`` were put into a report already (in this process).
_SENT = [0]
#: The lines the run's reports carried, in the order they arrived (in the main process).
_SHOWN: list[str] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Each report carries the summary lines its test added (a worker's reach the main run)."""
    from tests.support.summary import REPORT_KEY, SUMMARY_LINES

    report = yield
    for line in SUMMARY_LINES[_SENT[0] :]:
        report.user_properties.append((REPORT_KEY, line))
    _SENT[0] = len(SUMMARY_LINES)
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    from tests.support.summary import REPORT_KEY

    _SHOWN.extend(str(value) for key, value in report.user_properties if key == REPORT_KEY)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the seeds and figures the heavy suites recorded, whatever the outcome."""
    if _SHOWN:
        terminalreporter.section("seeds and figures")
        for line in _SHOWN:
            terminalreporter.write_line(line)
