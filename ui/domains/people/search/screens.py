"""The search panel, declared: beside every page while someone works."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.people.search.view import SearchView
from ui.domains.people.search.view_model import SearchViewModel


class SearchScreen:
    """Find a patient by name, NHS number or date of birth; choosing one opens the record."""

    def __init__(self, context: ShellContext) -> None:
        self.view_model = SearchViewModel(
            context.services.patients,
            runner=context.runner,
            session=context.session,
            server=context.services.sync,
            parent=context.owner,
        )
        self.view = SearchView(self.view_model)
        self.view_model.patient_chosen.connect(
            lambda patient_id: context.open("patient", patient_id)
        )

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self.view.focus_search()

    def save_now(self) -> None:
        """Nothing typed here is kept."""

    def reset(self) -> None:
        self.view_model.clear()
        self.view.reset()


SCREENS = (
    ScreenSpec(
        id="search",
        title="&Find a patient",
        tip="Search for a patient",
        build=SearchScreen,
        menu="patient",
        order=0,
        shortcut="Ctrl+F",
        lists_patients=True,
        placement=Placement.SIDE,
        eager=True,
    ),
)
