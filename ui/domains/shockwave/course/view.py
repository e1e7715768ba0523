"""The shockwave course form: the decision behind it, the course, its sessions, and closing it.

The session being given has its own part (its settings, its checks and the sign bar); once every
session planned is signed, the course is closed with the pain after and shown as a change.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.shockwave.content import ShockwaveContent, shockwave_content
from clinic_app.domains.shockwave.views import (
    CourseInput,
    CourseView,
    Outcome,
    SessionInput,
    SessionView,
)
from clinic_app.kernel.errors import ClinicError
from ui.common import errors, formatting
from ui.common.checks_panel import about
from ui.common.decision_card import DecisionCard, DecisionParts
from ui.common.form_card import FormCard, plain_words
from ui.common.form_parts import NotValid, number_text, read_number
from ui.common.form_reading import as_whole, read_into
from ui.common.kept_text import Edits, KeptText, put_texts, texts_of
from ui.common.widgets import ErrorSummary, FormField, NoticeBar, label
from ui.domains.shockwave.course.close_card import CloseCard
from ui.domains.shockwave.course.course_card import CourseCard
from ui.domains.shockwave.course.outcomes import ResponseChoice
from ui.domains.shockwave.course.session_card import TYPED, SessionCard
from ui.domains.shockwave.course.view_model import CourseViewModel, Opened

#: The form's type is larger than the app's usual, for reading at the bedside.
FORM_POINT_SIZE = 11


class CourseForm(DecisionParts, QWidget):
    """One shockwave course for the banner's patient, kept as a draft as it is typed."""

    #: "Share a decision now": the screen saves what is typed and opens the shockwave aid.
    share_requested = Signal()

    def __init__(  # noqa: PLR0915 - one statement a part of the form, in order
        self,
        view_model: CourseViewModel,
        content: ShockwaveContent | None = None,
        parent: QWidget | None = None,
        *,
        kept: KeptText | None = None,
    ) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._kept = kept  # what was typed and cannot be read yet, kept through leaving
        self._content = content or shockwave_content()
        self._loading = False
        self._local: dict[str, str] = {}
        self._from_store: dict[str, str] = {}
        self._shown_session: uuid.UUID | None = None
        self._focus_pending = False
        self.fields: dict[str, FormField] = {}
        self.session_lines: list[str] = []
        self.title = label(self.tr("Shockwave course"), "heading")
        self.state = plain_words("", "hint")
        self.state.setObjectName("shockwaveState")
        self.notice = NoticeBar()
        self.summary = ErrorSummary()
        self.page = QWidget()
        font = self.page.font()
        font.setPointSize(max(font.pointSize(), FORM_POINT_SIZE))
        self.page.setFont(font)
        self.cards = QVBoxLayout(self.page)
        self.cards.setContentsMargins(0, 0, 8, 0)
        self.cards.setSpacing(10)
        self._build_decision()
        self._build_course()
        self._build_sessions()
        self._build_session()
        self._build_close()
        self.cards.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.page)
        self.scroll_area.setAccessibleName(self.tr("The shockwave course"))
        self.save_button = QPushButton(self.tr("Save &draft"))
        self.draft_state = plain_words("", "hint")
        bar = QHBoxLayout()
        bar.addWidget(self.save_button)
        bar.addWidget(self.draft_state, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.state)
        layout.addWidget(self.notice)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(bar)
        self._connect()
        self._show_empty()

    # ------------------------------------------------------------------ building

    def _build_decision(self) -> None:
        self.decision_card = DecisionCard(
            self.tr(
                "No shared decision about shockwave therapy is recorded in this episode. Talk "
                "it through with the patient first, or give your reason to go on."
            ),
            reason_height=56,
            share_first=True,
        )
        self.cards.addWidget(self.decision_card)
        self.fields.update(self.decision_card.fields)

    def _build_course(self) -> None:
        self.course_card = CourseCard(self._content)
        self.cards.addWidget(self.course_card)
        self.fields.update(self.course_card.fields)
        self.indication = self.course_card.indication
        self.guidance_words = self.course_card.guidance_words
        self.side = self.course_card.side
        self.planned = self.course_card.planned
        self.device = self.course_card.device
        self.device_words = self.course_card.device_words
        self.pain_before = self.course_card.pain_before
        self.before_choices = self.course_card.before_choices
        self.governance = self.course_card.governance
        self.contraindications = self.course_card.contraindications

    def _build_sessions(self) -> None:
        self.sessions_card = FormCard(self.tr("Sessions"))
        self.cards.addWidget(self.sessions_card)
        inner = self.sessions_card.inner
        self.sessions_list = plain_words("", None)
        self.sessions_list.setObjectName("sessionsList")
        self.add_button = QPushButton(self.tr("Add session"))
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        inner.addWidget(self.sessions_list)
        inner.addLayout(row)

    def _build_session(self) -> None:
        self.session_card = SessionCard(
            self._content, self._vm.acknowledge, self._label_for, self._explain_stop
        )
        self.cards.addWidget(self.session_card)
        self.fields.update(self.session_card.fields)
        part = self.session_card
        self.session_title = part.session_title
        self.performed_on = part.performed_on
        self.applicator = part.applicator
        self.pressure = part.pressure
        self.energy = part.energy
        self.frequency = part.frequency
        self.pulses = part.pulses
        self.target = part.target
        self.pain_during = part.pain_during
        self.anaesthetic_note = part.anaesthetic_note
        self.pressure_field = part.pressure_field
        self.energy_field = part.energy_field
        self.checks_panel = part.checks_panel
        self.attestation = part.attestation
        self.password = part.password
        self.sign_button = part.sign_button
        self.sign_problem = part.sign_problem

    def _build_close(self) -> None:
        self.close_card = CloseCard()
        self.cards.addWidget(self.close_card)
        self.fields.update(self.close_card.fields)
        part = self.close_card
        self.change_words = part.change_words
        self.pain_after = part.pain_after
        self.after_choices = part.after_choices
        self.close_password = part.close_password
        self.close_button = part.close_button
        self.close_problem = part.close_problem
        self.close_form = part.close_form

    def _connect(self) -> None:
        vm = self._vm
        self.save_button.clicked.connect(vm.save)
        self.share_button.clicked.connect(self.share_requested)
        self.add_button.clicked.connect(vm.add_session)
        self.sign_button.clicked.connect(self._on_sign)
        self.password.returnPressed.connect(self._on_sign)
        self.close_button.clicked.connect(self._on_close)
        self.close_password.returnPressed.connect(self._on_close)
        vm.opened.connect(self._show_opened)
        vm.course_changed.connect(self._show_course)
        vm.checks_changed.connect(self.session_card.show_checks)
        vm.change_changed.connect(self.close_card.show_change)
        vm.responses_changed.connect(self._show_responses)
        self.course_card.changed.connect(self._changed)
        self.session_card.changed.connect(self._session_changed)
        vm.field_errors_changed.connect(self._show_store_errors)
        vm.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        vm.sign_failed.connect(lambda text: self._show_problem(self.sign_problem, text))
        vm.close_failed.connect(lambda text: self._show_problem(self.close_problem, text))
        vm.saved.connect(self._on_saved)
        vm.session_signed.connect(self._on_session_signed)
        vm.closed.connect(
            lambda _course: self.notice.show_notice(
                self.tr("The course is closed with its scores after."), "success"
            )
        )
        vm.busy_changed.connect(self._on_busy)
        self.reason.textChanged.connect(self._changed)

    # ------------------------------------------------------------------ reading the form

    def values(self) -> CourseInput:
        """The course as the service takes it; what cannot be read is left out and marked."""
        local: dict[str, str] = {}
        planned = read_into(
            local, "planned_sessions", lambda: read_number(self.planned.text(), whole=True)
        )
        pain = read_into(
            local, "outcome_before", lambda: read_number(self.pain_before.text(), whole=True)
        )
        reason = self.reason.toPlainText().strip()
        decided = self._vm.decision is not None
        stored = self._vm.course.fields if self._vm.course is not None else CourseInput()
        values = CourseInput(
            indication=self.indication.currentData(),
            side=self.side.currentData(),
            planned_sessions=as_whole(planned),
            eswt_device_id=self.course_card.chosen_device(),
            governance={key: box.isChecked() for key, box in self.governance.items()},
            contraindications={
                key: answer
                for key, asked in self.contraindications.items()
                if (answer := asked.answer()) is not None
            },
            outcome_before=Outcome(pain_nrs=as_whole(pain), responses=self.before_choices.chosen()),
            sdm_record_id=None,
            sdm_missing_reason=None if decided or not reason else reason,
        )
        if self._vm.started:
            # What the sessions were given on stays as it was signed; only the plan may grow.
            values = CourseInput(
                indication=stored.indication,
                side=stored.side,
                planned_sessions=values.planned_sessions,
                eswt_device_id=stored.eswt_device_id,
                governance=stored.governance,
                contraindications=stored.contraindications,
                outcome_before=stored.outcome_before,
                sdm_record_id=stored.sdm_record_id,
                sdm_missing_reason=stored.sdm_missing_reason,
            )
        self._set_local("course", local)
        return values

    def session_values(self) -> SessionInput:
        """The session being given, as the service takes it."""
        local: dict[str, str] = {}
        values = self.session_card.values(self._kind(), self._vm.session, local)
        self._set_local("session", local)
        return values

    def _set_local(self, part: str, found: dict[str, str]) -> None:
        keys = TYPED if part == "session" else {"planned_sessions", "outcome_before"}
        self._local = {k: v for k, v in self._local.items() if k not in keys} | found
        self._show_errors()
        self._keep_text()

    def _changed(self, *_args: object) -> None:
        if self._loading:
            return
        self.course_card.show_guidance()
        self._show_device()
        self._vm.form_changed(self.values())

    def _session_changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._vm.session_changed(self.session_values())

    def _kind(self) -> str | None:
        course = self._vm.course
        device_id = self.course_card.chosen_device() or (
            course.fields.eswt_device_id if course is not None else None
        )
        device = self._vm.device(device_id)
        return device.kind if device is not None else None

    # ------------------------------------------------------------------ showing

    def _show_empty(self) -> None:
        self._loading = True
        try:
            self.page.setEnabled(False)
            self.save_button.setEnabled(False)
            self.state.setText("")
            self.draft_state.setText("")
            self._fill(CourseInput())
            self.session_card.fill(None)
            self._shown_session = None
            self.sessions_list.setText("")
            self.session_card.hide()
            self.close_card.hide()
            self.change_words.setText("")
            self.session_card.show_checks(None)
        finally:
            self._loading = False

    def _show_opened(self, found: Opened | None) -> None:
        if found is None:
            # The shared decision read again.
            self._show_decision()
            return
        self._loading = True
        try:
            self.course_card.set_devices(found.devices)
            self.attestation.setText(found.attestation)
            course = found.course
            self._fill(course.fields if course is not None else CourseInput())
            self.pain_after.setText(
                number_text(course.outcome_after.pain_nrs) if course is not None else ""
            )
            self.before_choices.set_choices(
                found.responses, course.fields.outcome_before.responses if course else ()
            )
            self.after_choices.set_choices(
                found.responses, course.outcome_after.responses if course else ()
            )
            self._shown_session = None
            self._local = {}
            self._from_store = {}
            self._show_errors()
            self._show_decision()
            self._focus_pending = True
        finally:
            self._loading = False
        self._shown_to_kept()

    def _fill(self, values: CourseInput) -> None:
        self.reason.setPlainText(values.sdm_missing_reason or "")
        self.course_card.fill(values)
        self._show_device()

    def _show_device(self) -> None:
        chosen = self.course_card.chosen_device()
        self.course_card.show_device(self._vm.device(chosen) if chosen else None)

    def _show_decision(self) -> None:
        course = self._vm.course
        if course is not None and course.is_closed:
            self.decision_card.show_signed(course.fields.sdm_record_id is not None)
            return
        decision = self._vm.decision
        self.decision_card.show_open(
            (decision.signed_at or decision.created_at).date() if decision is not None else None,
            # A decision can still lead to this course until its first session is given.
            may_share=self._vm.may_write and not self._vm.started,
        )

    def _show_course(self, course: CourseView | None) -> None:  # noqa: PLR0915
        vm = self._vm
        loaded = vm.loaded
        writable = vm.may_write
        self.page.setEnabled(loaded)
        self.save_button.setEnabled(writable)
        started = vm.started
        for key, made in self.fields.items():
            if key.startswith(("governance.", "contraindications.")) or key in (
                "indication",
                "side",
                "eswt_device_id",
                "outcome_before",
                "outcome_before.responses",
            ):
                made.setEnabled(writable and not started)
        self.planned.setEnabled(writable)
        self.reason.setEnabled(writable and not started)
        sessions = course.sessions if course is not None else ()
        planned = course.fields.planned_sessions if course is not None else None
        of = planned if planned is not None else "?"
        lines = [self._session_line(s, of) for s in sessions]
        self.session_lines = lines
        # A signed session reads with what was signed: its parameters, under its line.
        shown = [
            f"{line}\n    {self._signed_details(s)}" if s.is_signed else line
            for line, s in zip(lines, sessions, strict=True)
        ]
        self.sessions_list.setText(
            "\n".join(shown) if shown else self.tr("No session has been given yet.")
        )
        draft = vm.session
        next_number = max((s.number or 0 for s in sessions), default=0) + 1
        self.add_button.setText(self.tr("Add session {n} of {of}").format(n=next_number, of=of))
        closed = course is not None and course.is_closed
        self.add_button.setVisible(
            writable and draft is None and (planned is None or next_number <= planned)
        )
        self.session_card.setVisible(draft is not None)
        if draft is not None:
            self.session_title.setText(self.tr("Session {n} of {of}").format(n=draft.number, of=of))
            if draft.id != self._shown_session:
                self._loading = True
                try:
                    self.session_card.fill(draft)
                finally:
                    self._loading = False
                self._shown_session = draft.id
                self.sign_problem.hide()
                self._shown_to_kept()  # what was typed into it and kept, put back
        else:
            self._shown_session = None
        self.session_card.show_kind(self._kind())
        signed = [s for s in sessions if s.is_signed]
        self.close_card.setVisible(closed or (bool(signed) and draft is None))
        self.close_form.setVisible(not closed and writable)
        if not loaded:
            self.state.setText("")
        elif closed and course is not None:
            self.state.setText(
                self.tr("Closed on {day}. A closed course never changes.").format(
                    day=formatting.clinical_date(course.signed_at.date())
                )
                if course.signed_at is not None
                else self.tr("Closed. A closed course never changes.")
            )
        elif course is not None and not writable:
            self.state.setText(self.tr("Another clinician's course: read only."))
        else:
            self.state.setText(
                self.tr("Kept as a draft as you type. Only this patient's record is changed.")
            )
        if loaded:
            self._show_decision()
        self._show_draft_state()
        if self._focus_pending and loaded:
            self._focus_pending = False
            self.focus_first_field()

    def _session_line(self, session: SessionView, of: object) -> str:
        day = (
            formatting.clinical_date(session.fields.performed_on)
            if session.fields.performed_on
            else self.tr("no date")
        )
        status = self.tr("signed") if session.is_signed else self.tr("draft")
        return self.tr("Session {n} of {of}, {day}: {status}").format(
            n=session.number, of=of, day=day, status=status
        )

    def _signed_details(self, session: SessionView) -> str:
        """What a signed session gave, on one line, as it was signed."""
        given = session.fields
        parts = [self.tr("applicator {a}").format(a=given.applicator)] if given.applicator else []
        if given.pressure_bar is not None:
            parts.append(self.tr("{n} bar").format(n=number_text(given.pressure_bar)))
        if given.energy_mj_mm2 is not None:
            parts.append(self.tr("{n} mJ/mm²").format(n=number_text(given.energy_mj_mm2)))
        if given.frequency_hz is not None:
            parts.append(self.tr("{n} Hz").format(n=number_text(given.frequency_hz)))
        if given.pulses is not None:
            parts.append(self.tr("{n} pulses").format(n=f"{given.pulses:,}"))
        if given.target:
            parts.append(self.tr("at {target}").format(target=given.target))
        if given.ultrasound_guided:
            parts.append(self.tr("ultrasound guided"))
        if given.pain_during is not None:
            parts.append(self.tr("pain during {n}/10").format(n=given.pain_during))
        words = {e.id: e.words for e in self._content.indications.side_effects}
        effects = [words.get(e, e) for e in given.side_effects]
        parts.append(
            self.tr("side effects: {list}").format(list=", ".join(effects))
            if effects
            else self.tr("no side effects")
        )
        return " · ".join(parts)

    def _show_responses(self, found: tuple[ResponseChoice, ...]) -> None:
        """The patient's questionnaires read again: offered anew, what is chosen kept."""
        if not found and self._vm.patient_id is None:
            self.before_choices.clear()
            self.after_choices.clear()
            return
        self._loading = True
        try:
            self.before_choices.set_choices(found, self.before_choices.chosen())
            self.after_choices.set_choices(found, self.after_choices.chosen())
        finally:
            self._loading = False

    def _on_saved(self, _course: CourseView) -> None:
        self.notice.hide_notice()
        self._show_draft_state()

    def _on_session_signed(self, _course: CourseView) -> None:
        self.notice.show_notice(self.tr("The session is signed."), "success")

    def _on_busy(self, busy: bool) -> None:
        self.sign_button.setEnabled(not busy)
        self.close_button.setEnabled(not busy)

    def _show_draft_state(self) -> None:
        course = self._vm.course
        if course is None:
            self.draft_state.setText(self.tr("Not saved yet."))
        elif course.is_closed:
            self.draft_state.setText(self.tr("Closed."))
        else:
            self.draft_state.setText(self.tr("Draft saved."))

    @property
    def check_lines(self) -> list[str]:
        """The lines of the session's checks, as shown."""
        return self.checks_panel.lines

    @property
    def acknowledge_buttons(self) -> dict[str, QPushButton]:
        """Each warning still to acknowledge, by its code."""
        return self.checks_panel.acknowledge_buttons

    def _explain_stop(self, stop: ClinicError) -> str:
        """A hard stop in words, naming the question answered yes when there is one."""
        words = errors.explain(stop)
        field = getattr(stop, "field", None) or ""
        if field.startswith("contraindications."):
            return f"{words} ({self._label_for(field)})"
        return words

    def _label_for(self, field: str) -> str:
        made = self.fields.get(field)
        if made is not None and made.text:
            return made.text
        if field.startswith("governance."):
            box = self.governance.get(field.split(".", 1)[1])
            return box.accessibleName() if box is not None else ""
        head = field.split(".", 1)[0]
        made = self.fields.get(head)
        if made is not None:
            return made.text
        names = {
            "number": self.tr("Session"),
            "governance": self.tr("NICE's arrangements"),
            "contraindications": self.tr("Before shockwave therapy"),
            "outcome_after": self.tr("Pain after (0-10)"),
        }
        return names.get(head, "")

    def _show_store_errors(self, messages: Mapping[str, str]) -> None:
        shown: dict[str, str] = {}
        for key, words in messages.items():
            # The pain scores are told of by their outcome ("outcome_before.pain_nrs").
            shown[key.removesuffix(".pain_nrs")] = words
        self._from_store = shown
        self._show_errors()

    def _show_errors(self) -> None:
        """Each problem beside its field: what could not be read, then what the store said."""
        shown = {**self._from_store, **self._local}
        for key, made in self.fields.items():
            made.set_error(shown.get(key))
        if shown:
            self.summary.show_problems(
                self.tr("Some answers need a look. Each is marked beside its field."),
                [about(self._label_for(key), words) for key, words in shown.items()],
            )
        else:
            self.summary.clear()

    def _show_problem(self, where: QLabel, text: str) -> None:
        where.setText(text)
        where.setVisible(bool(text))

    def _on_sign(self) -> None:
        self.sign_problem.hide()
        password = self.password.text()
        self.password.clear()
        self._vm.sign_session(password)

    def _read_pain_after(self) -> tuple[float | None, bool]:
        """The pain after the course as typed, and whether it could be read (shown if not)."""
        local: dict[str, str] = {}
        try:
            pain = read_number(self.pain_after.text(), whole=True)
        except NotValid as error:
            local["outcome_after"] = error.words
            pain = None
        self._local = {k: v for k, v in self._local.items() if k != "outcome_after"} | local
        self._show_errors()
        self._keep_text()
        return pain, not local

    def _on_close(self) -> None:
        self.close_problem.hide()
        pain, read = self._read_pain_after()
        password = self.close_password.text()
        self.close_password.clear()
        if not read:
            return
        self._vm.close_course(as_whole(pain), password, self.after_choices.chosen())

    # ------------------------------------------------------------------ text kept

    def _typed_edits(self) -> Edits:
        """The fields whose text may not be readable, by the key their problem is shown under."""
        card = self.session_card
        return {
            "planned_sessions": (self.planned,),
            "outcome_before": (self.pain_before,),
            "performed_on": (card.performed_on,),
            "pressure_bar": (card.pressure,),
            "energy_mj_mm2": (card.energy,),
            "frequency_hz": (card.frequency,),
            "pulses": (card.pulses,),
            "pain_during": (card.pain_during,),
            "outcome_after": (self.pain_after,),
        }

    def _keep_text(self) -> None:
        if self._kept is None or self._loading:
            return
        course = self._vm.course
        self._kept.keep(
            texts_of(self._typed_edits(), self._local), course.id if course is not None else None
        )

    def _shown_to_kept(self) -> None:
        """The form shows the patient's course: what was typed and kept is put back."""
        vm = self._vm
        if self._kept is None or vm.patient_id is None or not vm.may_write:
            return
        self._kept.shown(
            vm.patient_id, vm.course.id if vm.course is not None else None, self._put_back
        )

    def _put_back(self, texts: dict[str, object]) -> None:
        """Text kept from before, each into its field if still empty there; then read again."""
        put = put_texts(self._typed_edits(), texts, self)
        if not put:
            return
        self.values()
        if self._vm.session is not None:
            self.session_values()
        if "outcome_after" in put:
            self._read_pain_after()

    # ------------------------------------------------------------------ focus

    def focus_first_field(self) -> None:
        if self.reason_field.isVisible() and self.reason.isEnabled():
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.indication.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear_form(self) -> None:
        """Nothing of the last patient stays on the form."""
        if self._kept is not None:
            self._kept.leave()  # written first: the form is about to be emptied
        self._show_empty()
        self.password.clear()
        self.before_choices.clear()
        self.close_card.clear_entry()
        self.notice.hide_notice()
        self.summary.clear()
        self.sign_problem.hide()
        self._local = {}
        self._from_store = {}
        self._show_errors()


__all__ = ["CourseForm"]
