"""The UI's fixtures, for the example's screen check."""

from tests.ui.conftest import (  # noqa: F401 - fixtures are found by name
    _error_words,
    clinic,
    make_window,
    runner,
    signed_in,
    window,
)
