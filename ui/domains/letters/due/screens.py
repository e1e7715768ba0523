"""The letters due, declared (Service menu): a clinician's own, the service lead's everyone's."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.domains.letters.views import DueLetter
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.letters.due.view import LettersDuePage
from ui.domains.letters.due.view_model import LettersDueViewModel


def sees_everyone(user: CurrentUser) -> bool:
    """The service lead (who keeps the service's settings) sees every clinician's letters."""
    return allows(user.role, Action.SETTINGS_MANAGE)


class LettersDueScreen:
    """Discharges and onward referrals whose letter is not signed; a row opens its letter."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = LettersDueViewModel(
            context.services.letters,
            runner=context.runner,
            session=context.session,
            sees_everyone=sees_everyone,
            writes_letters=lambda user: allows(user.role, Action.LETTER_WRITE),
            parent=context.owner,
        )
        self.view = LettersDuePage(self.view_model)
        self.view.open_requested.connect(self._open_letter)
        context.record_changed.connect(self._on_record_changed)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view_model.load()
        self.view.table.setFocus()

    def save_now(self) -> None:
        """Nothing is typed here."""

    def reset(self) -> None:
        self.view_model.reset()

    def _open_letter(self, item: DueLetter) -> None:
        """Open the row's patient (the banner then names them), then the letter for it."""

        def show(record: PatientRecord) -> None:
            self._context.set_patient(record)
            self._context.open("patient", record)
            # The letter screen drafts the letter the row waits for (or continues its draft).
            self._context.open("letter", item)

        self._context.open_listed_patient(item.patient_id, show)

    def _on_record_changed(self, kind: str, _patient_id: object) -> None:
        # A letter signed elsewhere leaves the list; a sync round may bring discharges.
        if kind in ("letter.signed", "sync.received") and self._context.is_showing(self):
            self.view_model.load()


SCREENS = (
    ScreenSpec(
        id="letters_due",
        title="Letters d&ue",
        tip="Discharges and onward referrals whose letter is not signed, against the targets",
        build=LettersDueScreen,
        menu="service",
        group=1,
        order=8,
        who=Action.LETTERS_DUE,
        placement=Placement.WIDE,
        lists_patients=True,
    ),
)
