"""The demo clinic, two of its patients with episodes, and the people who act."""

from __future__ import annotations

import pytest

from clinic_app.container import Services
from tests.support.demo_clinic import Clinic, demo_clinic


@pytest.fixture
def clinic(demo: Services) -> Clinic:
    return demo_clinic(demo)
