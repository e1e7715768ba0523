"""The example note's screen, declared (file 4 of 4): the shared sections form."""

from __future__ import annotations

from clinic_app.kernel.security.permissions import Action
from ui.common.screen import ScreenSpec
from ui.common.sections_form import sections_screen

SCREENS = (
    ScreenSpec(
        id="example_note",
        title="E&xample note",
        tip="Write a short note about a contact with the open patient",
        build=sections_screen("example_notes"),
        menu="patient",
        order=20,
        who=Action.ASSESSMENT_WRITE,
        needs_patient=True,
        form=True,
    ),
)
