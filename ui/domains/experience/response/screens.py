"""The Friends and Family Test, declared: offered for the open patient, answered in their hands."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.kernel.security.permissions import Action
from clinic_app.people.views import PatientRecord
from ui.common.screen import ScreenSpec, ShellContext, under_banner
from ui.domains.experience.response.view import ExperienceView
from ui.domains.experience.response.view_model import ExperienceViewModel


class ExperienceScreen:
    """The banner's patient answers the Friends and Family Test on the clinic's device."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        services = context.services
        self.view_model = ExperienceViewModel(
            services.experience,
            services.auth,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = ExperienceView(self.view_model)
        self._page, self.banner = under_banner(self.view)
        self.view.patient_mode_changed.connect(self._on_patient_mode_changed)
        self.view_model.recorded.connect(self._on_recorded)

    @property
    def page(self) -> QWidget:
        return self._page

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """Offer the question for ``patient`` (the banner's), in its open episode."""
        if patient is None or self._context.session.user is None or self.view_model.patient_mode:
            return
        self.banner.show_record(patient)
        episode = patient.open_episode.id if patient.open_episode else None
        self.view_model.start(patient.id, episode)
        self._context.show(self)

    def save_now(self) -> None:
        """An answer is recorded when the patient sends it; nothing is kept half-answered."""

    def reset(self) -> None:
        self.banner.clear()
        self.view_model.reset()
        self.view.notice.hide_notice()

    def _on_recorded(self, _recorded: object) -> None:
        self._context.announce("experience.recorded", self.view_model.recorded_for)

    def _on_patient_mode_changed(self, on: bool) -> None:
        """While the patient holds the device, only the question is on the screen."""
        self._context.hand_over(on)


SCREENS = (
    ScreenSpec(
        id="experience",
        title="Friends and Famil&y Test",
        tip="Hand the device to the open patient to answer the Friends and Family Test",
        build=ExperienceScreen,
        menu="patient",
        order=20,
        who=Action.EXPERIENCE_RECORD,
        needs_patient=True,
    ),
)
