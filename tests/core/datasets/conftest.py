"""A clinic month seeded through the services, for the data set extracts."""

from __future__ import annotations

import pytest

from clinic_app.container import Services
from tests.core.datasets.seed import SeededMonth, seed_month


@pytest.fixture
def seeded(services: Services) -> SeededMonth:
    return seed_month(services)
