"""A demo clinic whose decision service offers the small test aid, and people to use it."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinic_app.container import Services
from clinic_app.domains.decisions.content import AidCatalogue, decision_aids
from tests.support.demo_clinic import Clinic, demo_clinic

GOOD_AIDS = Path(__file__).parent / "aids" / "good"
AID = "sample_aid"


def sample_catalogue() -> AidCatalogue:
    """The catalogue of the tests' one small aid (read afresh: nothing is cached)."""
    return decision_aids(GOOD_AIDS)


@pytest.fixture
def clinic(demo: Services) -> Clinic:
    demo.decisions.aids = sample_catalogue
    return demo_clinic(demo)
