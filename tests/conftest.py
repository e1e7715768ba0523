"""Shared test set-up: a private HOME, an in-memory keychain, and fresh demo stores."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

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

from clinic_app.bootstrap import create_clinic  # noqa: E402
from clinic_app.container import Services  # noqa: E402
from clinic_app.demo import seed_demo  # noqa: E402
from tests.support.memory_keyring import MemoryKeyring  # noqa: E402

keyring.set_keyring(MemoryKeyring())


@pytest.fixture(autouse=True)
def _fresh_keychain() -> None:
    """Every test starts with an empty in-memory keychain."""
    keyring.set_keyring(MemoryKeyring())


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """Where a test's store file goes."""
    return tmp_path / "clinic.db"


@pytest.fixture
def services(store_path: Path) -> Iterator[Services]:
    """A new, empty encrypted store with its services."""
    built = create_clinic(store_path)
    yield built
    built.close()


@pytest.fixture
def demo(services: Services) -> Services:
    """The services of a store seeded with a small demo clinic (60 patients).

    Without the demo's images (compressing them would slow every test that starts here);
    tests that need them add them with ``clinic_app.demo_imaging.add_demo_imaging``.
    """
    seed_demo(services, patients=60, imaging=False)
    return services


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the seeds and figures the heavy suites recorded, whatever the outcome."""
    from tests.support.summary import SUMMARY_LINES

    if SUMMARY_LINES:
        terminalreporter.section("seeds and figures")
        for line in SUMMARY_LINES:
            terminalreporter.write_line(line)
