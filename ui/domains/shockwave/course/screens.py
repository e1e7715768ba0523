"""The shockwave (ESWT) course, declared."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from clinic_app.kernel.security.permissions import Action
from clinic_app.people.views import PatientRecord
from ui.common import formatting
from ui.common.kept_text import KeptText
from ui.common.screen import Placement, ScreenSpec, ShellContext, record_holder, under_banner
from ui.domains.shockwave.course.view import CourseForm
from ui.domains.shockwave.course.view_model import CourseViewModel


def course_to_open(item: object) -> uuid.UUID | None:
    """The course ``item`` names (its id or a timeline entry), or None."""
    if isinstance(item, uuid.UUID):
        return item
    found = getattr(item, "item_id", None)
    return found if isinstance(found, uuid.UUID) else None


#: The decision aid offered when no shared decision about shockwave therapy is recorded.
SHOCKWAVE_AID = "shockwave_therapy"


class ShockwaveScreen:
    """A shockwave course of the banner's patient: its sessions given and signed, then closed."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self._patient: PatientRecord | None = None
        #: Names of the patients this screen has shown, for a word about a sign answered after
        #: the patient changed.
        #: The patients opened here in this sign-in, by id: what a late sign names. Emptied
        #: when someone signs in, so a sign asked for by the user before says nothing.
        self._names: dict[uuid.UUID, str] = {}
        context.signed_in.connect(lambda _user: self._names.clear())
        services = context.services
        self.view_model = CourseViewModel(
            services.shockwave,
            devices=services.eswt_devices,
            decisions=services.decisions,
            questionnaires=services.questionnaires,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.kept = KeptText(
            services.drafts, context.runner, context.session, "shockwave.text", context.owner
        )
        self.view = CourseForm(self.view_model, kept=self.kept)
        self._page, self.banner = under_banner(self.view)
        self.view_model.saved.connect(lambda course: self._announce("eswt.saved", course))
        self.view_model.session_signed.connect(
            lambda course: self._announce("eswt.session_signed", course)
        )
        self.view_model.closed.connect(lambda course: self._announce("eswt.closed", course))
        self.view_model.left_behind.connect(self._on_left_behind)
        self.view_model.close_left_behind.connect(self._on_close_left_behind)
        self.view_model.step_left_behind.connect(self._on_step_left_behind)
        self.view.share_requested.connect(self._share_decision)
        context.patient_changed.connect(self._on_patient_changed)
        context.record_changed.connect(self._on_record_changed)

    @property
    def page(self) -> QWidget:
        return self._page

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """The course ``item`` names, else the user's own open course, else a new one.

        ``item`` is a course of the banner's patient (from their timeline), perhaps under a
        registration since merged into their record.
        """
        if patient is None:
            return
        self.save_now()
        # Opened afresh (from the record or its timeline): what was said on the last visit,
        # such as a session signed, is not said again as if it had just happened.
        self.view.notice.hide_notice()
        self._patient = patient
        self._names[patient.id] = formatting.patient_name(
            patient.family_name, patient.given_name, patient.title
        )
        self.banner.show_record(patient)
        episode = patient.open_episode
        self.kept.opening(named=course_to_open(item) is not None)
        self.view_model.open(
            patient.id, episode.id if episode is not None else None, course_to_open(item)
        )
        self._context.show(self)
        self.view.focus_first_field()

    def submit(self) -> None:
        self.view_model.save()

    def save_now(self) -> None:
        self.view_model.save_now()
        self.kept.save_now()

    def reset(self) -> None:
        # Saved first (switching user calls save_now before this), then forgotten.
        self._patient = None
        self.banner.clear()
        self.view_model.reset()
        self.view.clear_form()

    def _on_patient_changed(self, record: PatientRecord | None) -> None:
        # Another patient in the banner: nothing of this one may stay on the screen.
        if self._patient is not None and (record is None or record.id != self._patient.id):
            self.save_now()
            self.reset()

    def _on_left_behind(self, patient_id: uuid.UUID, signed: bool, why: str) -> None:
        """A session sign answered after the patient changed: say how it went, and whose."""
        name = self._names.get(patient_id)
        if name is None:
            return  # asked for in another user's sign-in: not theirs to hear
        if signed:
            self._context.announce("eswt.session_signed", patient_id)
            self._context.say(
                self.view.tr("The shockwave session for {name} was signed.").format(name=name),
                "info",
            )
            return
        self._context.say(
            self.view.tr(
                "The shockwave session for {name} was not signed: {why} It is kept as a draft: "
                "open their record and the shockwave course to sign it."
            ).format(name=name, why=why)
        )

    def _on_close_left_behind(self, patient_id: uuid.UUID, closed: bool, why: str) -> None:
        """A close asked for just before the patient changed: say how it went, and whose."""
        name = self._names.get(patient_id)
        if name is None:
            return  # asked for in another user's sign-in: not theirs to hear
        if closed:
            self._context.announce("eswt.closed", patient_id)
            words = self.view.tr("The shockwave course for {name} was closed.").format(name=name)
        else:
            words = self.view.tr(
                "The shockwave course for {name} was not closed: {why} It is still open: "
                "open their record and the shockwave course to close it."
            ).format(name=name, why=why)
        # Once the event loop turns: a close dropped as the patient changes is told of while
        # the window forgets that patient, whose notices go then.
        kind = "info" if closed else "problem"
        QTimer.singleShot(0, lambda: self._context.say(words, kind))

    def _on_step_left_behind(self, patient_id: uuid.UUID, step: str, done: bool, why: str) -> None:
        """A session begun or a warning acknowledged just before the patient changed: said."""
        name = self._names.get(patient_id)
        if name is None:
            return  # asked for in another user's sign-in: not theirs to hear
        tr = self.view.tr
        if step == "add":
            words = (
                tr("A new shockwave session for {name} was begun.")
                if done
                else tr(
                    "A new shockwave session for {name} was not begun: {why} Open their record "
                    "and the shockwave course to begin it."
                )
            )
        elif done:
            words = tr("A warning on the shockwave session for {name} was acknowledged.")
        else:
            words = tr(
                "A warning on the shockwave session for {name} was not acknowledged: {why} "
                "Open their record and the shockwave course to acknowledge it."
            )
        text = words.format(name=name, why=why)
        kind = "info" if done else "problem"
        # Once the event loop turns, as for a close: the window forgets the patient left first.
        QTimer.singleShot(0, lambda: self._context.say(text, kind))

    def _on_record_changed(self, kind: str, patient_id: uuid.UUID | None) -> None:
        """A decision signed or a questionnaire recorded for this patient elsewhere: read again."""
        patient = self._patient
        if patient is None or patient_id != patient.id:
            return
        if kind == "decision.signed":
            self.view_model.refresh_decision()
        elif kind == "questionnaire.recorded":
            self.view_model.refresh_responses()

    def _share_decision(self) -> None:
        """Save what is typed, then open the shared decision with the shockwave aid."""
        patient, banner = self._patient, self._context.patient
        if patient is None or banner is None or banner.id != patient.id:
            return
        self.view_model.then(lambda: self._context.open("decision", SHOCKWAVE_AID))

    def _announce(self, kind: str, course: object) -> None:
        # Named as the banner's patient: a course under a registration since merged into
        # their record changes that record (its timeline reads it again).
        patient_id = getattr(course, "patient_id", None)
        if isinstance(patient_id, uuid.UUID):
            self._context.announce(kind, record_holder(self._patient, patient_id))


SCREENS = (
    ScreenSpec(
        id="shockwave",
        # K, as its shortcut: S is taken by Save form in the same menu.
        title="Shoc&kwave course",
        tip="Record a shockwave (ESWT) course for the open patient: its sessions, checks and close",
        build=ShockwaveScreen,
        menu="patient",
        order=8,
        shortcut="Ctrl+Shift+K",
        who=Action.ESWT_RECORD,
        needs_patient=True,
        form=True,
        # The form's parts side by side need the width; the search panel steps aside.
        placement=Placement.WIDE,
    ),
)
