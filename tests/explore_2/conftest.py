"""The UI test fixtures (offscreen Qt, the demo clinic, the main window), for these tests."""

from tests.ui.conftest import (  # noqa: F401 - fixtures
    _error_words,
    clinic,
    clinician,
    make_window,
    runner,
    seeded_patient,
    signed_in,
    window,
)
