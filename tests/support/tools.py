"""Programs a test needs from the machine: missing, they fail a test in CI and skip it elsewhere."""

from __future__ import annotations

import shutil
from typing import NoReturn

import pytest

from tests.support.postgres import running_in_ci


def unavailable(message: str) -> NoReturn:
    """Stops the test for want of a program: a failure in CI (which installs it), else a skip."""
    if running_in_ci():
        pytest.fail(message)
    pytest.skip(message)


def required_program(name: str) -> str:
    """The full path of ``name`` on PATH; see ``unavailable`` when it is not installed."""
    found = shutil.which(name)
    if found is None:
        unavailable(f"{name} is not installed (installers/test.sh installs it with apt-get)")
    return found
