"""The shockwave course form: the decision behind it, the course, its sessions, and closing it.

The session being given has its own part (its settings, its checks and the sign bar); once every
session planned is signed, the course is closed with the pain after and shown as a change.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.shockwave.content import ShockwaveContent, shockwave_content
from clinic_app.domains.shockwave.views import (
    CourseInput,
    CourseView,
    DeviceView,
    Outcome,
    OutcomeChange,
    SessionChecks,
    SessionInput,
    SessionView,
)
from clinic_app.kernel.errors import ClinicError
from ui.common import errors, formatting
from ui.common.checks_panel import ChecksPanel, about
from ui.common.form_parts import (
    NotValid,
    YesNo,
    choose,
    combo,
    date_text,
    number_text,
    read_date,
    read_number,
    wrapped_tick,
)
from ui.common.widgets import ErrorSummary, FormField, NoticeBar, card, form_grid, label, set_role
from ui.domains.shockwave.course.outcome_choices import OutcomeChoices, change_text
from ui.domains.shockwave.course.outcomes import ResponseChoice
from ui.domains.shockwave.course.view_model import CourseViewModel, Opened

_T = TypeVar("_T")
#: The form's type is larger than the app's usual, for reading at the bedside.
FORM_POINT_SIZE = 11


def _words(text: str, role: str | None = None) -> QLabel:
    made = label(text, role, wrap=True)
    made.setTextFormat(Qt.TextFormat.PlainText)
    return made


def _whole(value: float | None) -> int | None:
    return None if value is None else int(value)


class CourseForm(QWidget):
    """One shockwave course for the banner's patient, kept as a draft as it is typed."""

    #: "Share a decision now": the screen saves what is typed and opens the shockwave aid.
    share_requested = Signal()

    def __init__(
        self,
        view_model: CourseViewModel,
        content: ShockwaveContent | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._content = content or shockwave_content()
        self._loading = False
        self._local: dict[str, str] = {}
        self._from_store: dict[str, str] = {}
        self._shown_session: uuid.UUID | None = None
        self._focus_pending = False
        self.fields: dict[str, FormField] = {}
        self.session_lines: list[str] = []
        self.title = label(self.tr("Shockwave course"), "heading")
        self.state = _words("", "hint")
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
        self.draft_state = _words("", "hint")
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

    def _card(self, heading: str) -> tuple[QFrame, QVBoxLayout]:
        box = card()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(14, 10, 14, 12)
        inner.setSpacing(8)
        self._heading = label(heading, "subheading")
        inner.addWidget(self._heading)
        self.cards.addWidget(box)
        return box, inner

    def _field(self, key: str, text: str, editor: QWidget, *, hint: str | None = None) -> FormField:
        made = FormField(text, editor, hint=hint)
        made.label.setWordWrap(True)
        self.fields[key] = made
        return made

    def _build_decision(self) -> None:
        self.decision_card, inner = self._card(self.tr("The decision behind it"))
        self.decision_words = _words("")
        self.decision_words.setObjectName("decisionFollowed")
        self.decision_warning = _words(
            self.tr(
                "No shared decision about shockwave therapy is recorded in this episode. Talk "
                "it through with the patient first, or give your reason to go on."
            ),
            "fieldError",
        )
        self.decision_warning.setObjectName("noDecisionWarning")
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(56)
        self.reason_field = self._field(
            "sdm_missing_reason", self.tr("Your reason to go on without one"), self.reason
        )
        self.share_button = QPushButton(self.tr("S&hare a decision now"))
        self.share_button.setAccessibleName(self.tr("Share a decision now"))
        self.share_row = QWidget()
        row = QHBoxLayout(self.share_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.share_button)
        row.addStretch(1)
        inner.addWidget(self.decision_words)
        inner.addWidget(self.decision_warning)
        inner.addWidget(self.share_row)
        inner.addWidget(self.reason_field)

    def _build_course(self) -> None:
        self.course_card, inner = self._card(self.tr("The course"))
        indications = self._content.indications
        self.indication = combo(
            self.tr("What is treated"),
            [
                (
                    self.tr("{title} (NICE {guidance})").format(title=i.title, guidance=i.guidance),
                    i.id,
                )
                for i in indications.indications
            ],
            self.tr("Choose what is treated"),
        )
        self.guidance_words = _words("", "hint")
        self.guidance_words.setObjectName("guidanceNamed")
        self.side = combo(
            self.tr("Side"),
            [(self.tr("Left"), "left"), (self.tr("Right"), "right")],
            self.tr("Choose"),
        )
        self.planned = QLineEdit()
        self.planned.setAccessibleName(self.tr("Sessions planned"))
        self.device = combo(self.tr("Device"), [], self.tr("Choose the device"))
        self.device_words = _words("", "hint")
        self.device_words.setObjectName("deviceService")
        self.no_devices = _words(
            self.tr("No device is in the register. Ask the service lead to add the device."),
            "hint",
        )
        self.pain_before = QLineEdit()
        self.pain_before.setAccessibleName(self.tr("Pain before the course (0-10)"))
        self.before_choices = OutcomeChoices(self.tr("before the course"))
        grid = form_grid(2)
        grid.addWidget(self._field("indication", self.tr("What is treated"), self.indication), 0, 0)
        grid.addWidget(self._field("side", self.tr("Side"), self.side), 0, 1)
        grid.addWidget(self.guidance_words, 1, 0, 1, 2)
        grid.addWidget(
            self._field("planned_sessions", self.tr("Sessions planned"), self.planned), 2, 0
        )
        grid.addWidget(
            self._field("outcome_before", self.tr("Pain before (0-10)"), self.pain_before), 2, 1
        )
        grid.addWidget(
            self._field(
                "outcome_before.responses",
                self.tr("Questionnaires before the course"),
                self.before_choices,
                hint=self.tr(
                    "The patient's completed questionnaires, by day and total: choose the one "
                    "of each that counts. Its change shows when the course closes."
                ),
            ),
            3,
            0,
            1,
            2,
        )
        grid.addWidget(self._field("eswt_device_id", self.tr("Device"), self.device), 4, 0, 1, 2)
        grid.addWidget(self.device_words, 5, 0, 1, 2)
        grid.addWidget(self.no_devices, 6, 0, 1, 2)
        inner.addLayout(grid)
        inner.addWidget(
            label(self.tr("NICE's arrangements, before the first session"), "fieldLabel")
        )
        self.governance: dict[str, QCheckBox] = {}
        for requirement in indications.requirements:
            line, box = wrapped_tick(requirement.words)
            self.governance[requirement.id] = box
            holder = self._field(f"governance.{requirement.id}", "", line)
            holder.label.hide()
            inner.addWidget(holder)
        inner.addWidget(label(self.tr("Before shockwave therapy, ask"), "fieldLabel"))
        self.contraindications: dict[str, YesNo] = {}
        asked = form_grid(2)
        for index, item in enumerate(self._content.contraindications.items):
            answer = YesNo(item.question)
            self.contraindications[item.id] = answer
            made = self._field(f"contraindications.{item.id}", item.question, answer)
            asked.addWidget(made, index // 2, index % 2)
        inner.addLayout(asked)

    def _build_sessions(self) -> None:
        self.sessions_card, inner = self._card(self.tr("Sessions"))
        self.sessions_list = _words("", None)
        self.sessions_list.setObjectName("sessionsList")
        self.add_button = QPushButton(self.tr("Add session"))
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        inner.addWidget(self.sessions_list)
        inner.addLayout(row)

    def _build_session(self) -> None:  # noqa: PLR0915 - one statement a part, in order
        self.session_card, inner = self._card(self.tr("This session"))
        self.session_title = self._heading
        self.performed_on = QLineEdit()
        self.performed_on.setPlaceholderText(self.tr("dd/mm/yyyy"))
        self.applicator = QLineEdit()
        self.applicator.setMaxLength(120)
        self.pressure = QLineEdit()
        self.energy = QLineEdit()
        self.frequency = QLineEdit()
        self.pulses = QLineEdit()
        self.target = QLineEdit()
        self.target.setMaxLength(200)
        self.pain_during = QLineEdit()
        self.guided = QCheckBox(self.tr("Ultrasound-guided"))
        self.anaesthetic = QCheckBox(self.tr("Local anaesthetic used"))
        self.anaesthetic_note = _words(self._content.indications.local_anaesthetic_note, "hint")
        self.anaesthetic_note.setObjectName("anaestheticNote")
        grid = form_grid(2)
        grid.addWidget(self._field("performed_on", self.tr("Date"), self.performed_on), 0, 0)
        grid.addWidget(self._field("applicator", self.tr("Applicator"), self.applicator), 0, 1)
        self.pressure_field = self._field(
            "pressure_bar", self.tr("Pressure (bar, radial)"), self.pressure
        )
        self.energy_field = self._field(
            "energy_mj_mm2", self.tr("Energy flux density (mJ/mm², focused)"), self.energy
        )
        grid.addWidget(self.pressure_field, 1, 0)
        grid.addWidget(self.energy_field, 1, 0)
        grid.addWidget(self._field("frequency_hz", self.tr("Frequency (Hz)"), self.frequency), 1, 1)
        grid.addWidget(self._field("pulses", self.tr("Pulses"), self.pulses), 2, 0)
        grid.addWidget(self._field("target", self.tr("Target"), self.target), 2, 1)
        grid.addWidget(
            self._field("pain_during", self.tr("Pain during (0-10)"), self.pain_during), 3, 0
        )
        inner.addLayout(grid)
        self.no_kind = _words(
            self.tr("Choose the course's device to set its pressure or energy."), "hint"
        )
        inner.addWidget(self.no_kind)
        inner.addWidget(self.guided)
        inner.addWidget(self.anaesthetic)
        inner.addWidget(self.anaesthetic_note)
        holder = QWidget()
        column = QHBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        self.side_effects: dict[str, QCheckBox] = {}
        for effect in self._content.indications.side_effects:
            tick = QCheckBox(effect.words)
            self.side_effects[effect.id] = tick
            column.addWidget(tick)
        column.addStretch(1)
        inner.addWidget(self._field("side_effects", self.tr("Side effects"), holder))
        inner.addWidget(label(self.tr("Before signing"), "fieldLabel"))
        self.checks_panel = ChecksPanel(self._vm.acknowledge, self._label_for, self._explain_stop)
        inner.addWidget(self.checks_panel)
        self.attestation = _words("", "hint")
        self.attestation.setObjectName("attestation")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Your password"))
        self.password.setAccessibleName(self.tr("Password to sign the session"))
        self.password.setMaximumWidth(220)
        self.sign_button = QPushButton(self.tr("Sig&n the session"))
        set_role(self.sign_button, "", variant="primary")
        self.sign_problem = _words("", "fieldError")
        self.sign_problem.setObjectName("signProblem")
        self.sign_problem.hide()
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.password)
        bar.addWidget(self.sign_button)
        inner.addWidget(self.attestation)
        inner.addLayout(bar)
        inner.addWidget(self.sign_problem)

    def _build_close(self) -> None:
        self.close_card, inner = self._card(self.tr("Close the course"))
        self.change_words = _words("")
        self.change_words.setObjectName("outcomeChange")
        self.pain_after = QLineEdit()
        self.pain_after.setAccessibleName(self.tr("Pain after the course (0-10)"))
        self.after_choices = OutcomeChoices(self.tr("at follow-up"))
        self.close_password = QLineEdit()
        self.close_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.close_password.setPlaceholderText(self.tr("Your password"))
        self.close_password.setAccessibleName(self.tr("Password to close the course"))
        self.close_password.setMaximumWidth(220)
        self.close_button = QPushButton(self.tr("&Close the course"))
        self.close_problem = _words("", "fieldError")
        self.close_problem.setObjectName("closeProblem")
        self.close_problem.hide()
        self.close_form = QWidget()
        column = QVBoxLayout(self.close_form)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addWidget(
            self._field(
                "outcome_after.responses",
                self.tr("Questionnaires at follow-up"),
                self.after_choices,
                hint=self.tr("Choose the one of each that counts after the course."),
            )
        )
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        row.addWidget(self._field("outcome_after", self.tr("Pain after (0-10)"), self.pain_after))
        row.addStretch(1)
        row.addWidget(self.close_password, 0, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignBottom)
        inner.addWidget(self.close_form)
        inner.addWidget(self.close_problem)
        inner.addWidget(self.change_words)

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
        vm.checks_changed.connect(self._show_checks)
        vm.change_changed.connect(self._show_change)
        vm.responses_changed.connect(self._show_responses)
        self.before_choices.changed.connect(self._changed)
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
        for edit in (self.planned, self.pain_before):
            edit.textEdited.connect(self._changed)
        self.reason.textChanged.connect(self._changed)
        for box in (self.indication, self.side, self.device):
            box.currentIndexChanged.connect(self._changed)
        for tick in self.governance.values():
            tick.toggled.connect(self._changed)
        for asked in self.contraindications.values():
            asked.changed.connect(self._changed)
        for edit in (
            self.performed_on,
            self.applicator,
            self.pressure,
            self.energy,
            self.frequency,
            self.pulses,
            self.target,
            self.pain_during,
        ):
            edit.textEdited.connect(self._session_changed)
        for tick in (self.guided, self.anaesthetic, *self.side_effects.values()):
            tick.toggled.connect(self._session_changed)

    # ------------------------------------------------------------------ reading the form

    def _reader(self, local: dict[str, str]) -> Callable[[str, Callable[[], _T | None]], _T | None]:
        def read(key: str, reader: Callable[[], _T | None]) -> _T | None:
            try:
                return reader()
            except NotValid as error:
                local[key] = error.words
                return None

        return read

    def values(self) -> CourseInput:
        """The course as the service takes it; what cannot be read is left out and marked."""
        local: dict[str, str] = {}
        read = self._reader(local)
        planned = read("planned_sessions", lambda: read_number(self.planned.text(), whole=True))
        pain = read("outcome_before", lambda: read_number(self.pain_before.text(), whole=True))
        device = self.device.currentData()
        reason = self.reason.toPlainText().strip()
        decided = self._vm.decision is not None
        stored = self._vm.course.fields if self._vm.course is not None else CourseInput()
        values = CourseInput(
            indication=self.indication.currentData(),
            side=self.side.currentData(),
            planned_sessions=_whole(planned),
            eswt_device_id=uuid.UUID(device) if device else None,
            governance={key: box.isChecked() for key, box in self.governance.items()},
            contraindications={
                key: answer
                for key, asked in self.contraindications.items()
                if (answer := asked.answer()) is not None
            },
            outcome_before=Outcome(pain_nrs=_whole(pain), responses=self.before_choices.chosen()),
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
        read = self._reader(local)
        kind = self._kind()
        performed = read("performed_on", lambda: read_date(self.performed_on.text()))
        pressure = read("pressure_bar", lambda: read_number(self.pressure.text()))
        energy = read("energy_mj_mm2", lambda: read_number(self.energy.text()))
        frequency = read("frequency_hz", lambda: read_number(self.frequency.text()))
        pulses = read("pulses", lambda: read_number(self.pulses.text(), whole=True))
        pain = read("pain_during", lambda: read_number(self.pain_during.text(), whole=True))
        stored = self._vm.session
        values = SessionInput(
            performed_on=performed
            if performed is not None
            else (stored.fields.performed_on if stored is not None else None),
            applicator=self.applicator.text().strip(),
            pressure_bar=pressure if kind == "radial" else None,
            energy_mj_mm2=energy if kind == "focused" else None,
            frequency_hz=frequency,
            pulses=_whole(pulses),
            target=self.target.text().strip(),
            ultrasound_guided=self.guided.isChecked(),
            local_anaesthetic=self.anaesthetic.isChecked(),
            pain_during=_whole(pain),
            side_effects=tuple(k for k, tick in self.side_effects.items() if tick.isChecked()),
        )
        self._set_local("session", local)
        return values

    def _set_local(self, part: str, found: dict[str, str]) -> None:
        keys = (
            {"performed_on", "pressure_bar", "energy_mj_mm2", "frequency_hz", "pulses"}
            | {"pain_during"}
            if part == "session"
            else {"planned_sessions", "outcome_before"}
        )
        self._local = {k: v for k, v in self._local.items() if k not in keys} | found
        self._show_errors()

    def _changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._show_guidance()
        self._show_device()
        self._vm.form_changed(self.values())

    def _session_changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._vm.session_changed(self.session_values())

    def _kind(self) -> str | None:
        course = self._vm.course
        chosen = self.device.currentData()
        device_id = (
            uuid.UUID(chosen)
            if chosen
            else (course.fields.eswt_device_id if course is not None else None)
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
            self._fill_session(None)
            self._shown_session = None
            self.sessions_list.setText("")
            self.session_card.hide()
            self.close_card.hide()
            self.change_words.setText("")
            self._show_checks(None)
        finally:
            self._loading = False

    def _show_opened(self, found: Opened | None) -> None:
        if found is None:
            # The shared decision read again.
            self._show_decision()
            return
        self._loading = True
        try:
            self.device.clear()
            self.device.addItem(self.tr("Choose the device"), None)
            for device in found.devices:
                self.device.addItem(self._device_name(device), str(device.id))
            self.no_devices.setVisible(not found.devices)
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

    def _device_name(self, device: DeviceView) -> str:
        kind = self.tr("radial") if device.kind == "radial" else self.tr("focused")
        return self.tr("{make} {model}, serial {serial} ({kind})").format(
            make=device.make, model=device.model, serial=device.serial, kind=kind
        )

    def _fill(self, values: CourseInput) -> None:
        self.reason.setPlainText(values.sdm_missing_reason or "")
        choose(self.indication, values.indication)
        choose(self.side, values.side)
        self.planned.setText(number_text(values.planned_sessions))
        choose(self.device, str(values.eswt_device_id) if values.eswt_device_id else None)
        for key, box in self.governance.items():
            box.setChecked(bool(values.governance.get(key)))
        for key, asked in self.contraindications.items():
            asked.set_answer(values.contraindications.get(key))
        self.pain_before.setText(number_text(values.outcome_before.pain_nrs))
        self._show_guidance()
        self._show_device()

    def _fill_session(self, session: SessionView | None) -> None:
        values = session.fields if session is not None else SessionInput()
        self.performed_on.setText(date_text(values.performed_on))
        self.applicator.setText(values.applicator)
        self.pressure.setText(number_text(values.pressure_bar))
        self.energy.setText(number_text(values.energy_mj_mm2))
        self.frequency.setText(number_text(values.frequency_hz))
        self.pulses.setText(number_text(values.pulses))
        self.target.setText(values.target)
        self.guided.setChecked(values.ultrasound_guided)
        self.anaesthetic.setChecked(values.local_anaesthetic)
        self.pain_during.setText(number_text(values.pain_during))
        for key, tick in self.side_effects.items():
            tick.setChecked(key in values.side_effects)

    def _show_guidance(self) -> None:
        indication = self._content.indications.indication(self.indication.currentData())
        if indication is None:
            self.guidance_words.setText("")
            self.guidance_words.hide()
            return
        special = indication.arrangements == "special"
        self.guidance_words.setText(
            (
                self.tr(
                    "NICE interventional procedures guidance {guidance} ({year}): only with "
                    "special arrangements for clinical governance, consent and audit."
                )
                if special
                else self.tr("NICE interventional procedures guidance {guidance} ({year}).")
            ).format(guidance=indication.guidance, year=indication.year)
        )
        self.guidance_words.show()

    def _show_device(self) -> None:
        chosen = self.device.currentData()
        device = self._vm.device(uuid.UUID(chosen)) if chosen else None
        if device is None:
            self.device_words.hide()
            return
        if device.last_service_on is None:
            words = self.tr("No service date is on record for this device.")
        elif device.service_unchecked:
            words = self.tr(
                "Last serviced {last}. Your service has not set how often its devices are "
                "serviced, so whether it is due is not checked."
            ).format(last=formatting.clinical_date(device.last_service_on))
        elif device.overdue:
            words = self.tr("Overdue for its service: last serviced {last}, due {due}.").format(
                last=formatting.clinical_date(device.last_service_on),
                due=formatting.clinical_date(device.service_due_on)
                if device.service_due_on
                else "",
            )
        else:
            words = self.tr("Last serviced {last}; next service due {due}.").format(
                last=formatting.clinical_date(device.last_service_on),
                due=formatting.clinical_date(device.service_due_on)
                if device.service_due_on
                else "",
            )
        self.device_words.setText(words)
        warn = device.overdue or device.service_unchecked
        set_role(self.device_words, "fieldError" if warn else "hint")
        self.device_words.show()

    def _show_decision(self) -> None:
        course = self._vm.course
        if course is not None and course.is_closed:
            linked = course.fields.sdm_record_id is not None
            self.decision_words.setText(
                self.tr("Given after a shared decision with the patient, recorded and linked.")
                if linked
                else self.tr("Given with no shared decision recorded, for the reason below.")
            )
            self.decision_words.setVisible(True)
            self.decision_warning.setVisible(False)
            self.share_row.setVisible(False)
            self.reason_field.setVisible(not linked)
            return
        decision = self._vm.decision
        if decision is not None:
            day = (decision.signed_at or decision.created_at).date()
            self.decision_words.setText(
                self.tr("Follows the shared decision of {day}.").format(
                    day=formatting.clinical_date(day)
                )
            )
        followed = decision is not None
        self.decision_words.setVisible(followed)
        self.decision_warning.setVisible(not followed)
        self.reason_field.setVisible(not followed)
        # A decision can still lead to this course until its first session is given.
        self.share_row.setVisible(not followed and self._vm.may_write and not self._vm.started)

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
        self.sessions_list.setText(
            "\n".join(lines) if lines else self.tr("No session has been given yet.")
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
                    self._fill_session(draft)
                finally:
                    self._loading = False
                self._shown_session = draft.id
                self.sign_problem.hide()
        else:
            self._shown_session = None
        kind = self._kind()
        self.pressure_field.setVisible(kind == "radial")
        self.energy_field.setVisible(kind == "focused")
        self.no_kind.setVisible(kind is None)
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

    def _show_change(self, change: OutcomeChange | None) -> None:
        self.change_words.setText(change_text(change) if change is not None else "")
        self.change_words.setVisible(change is not None)

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

    def _show_checks(self, checks: SessionChecks | None) -> None:
        if checks is None:
            self.checks_panel.clear()
            self.checks_panel.say(self.tr("The checks show here once the session is saved."))
            return
        self.checks_panel.show_checks(checks)

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

    def _on_close(self) -> None:
        self.close_problem.hide()
        local: dict[str, str] = {}
        try:
            pain = read_number(self.pain_after.text(), whole=True)
        except NotValid as error:
            local["outcome_after"] = error.words
            pain = None
        self._local = {k: v for k, v in self._local.items() if k != "outcome_after"} | local
        self._show_errors()
        password = self.close_password.text()
        self.close_password.clear()
        if local:
            return
        self._vm.close_course(_whole(pain), password, self.after_choices.chosen())

    # ------------------------------------------------------------------ focus

    def focus_first_field(self) -> None:
        if self.reason_field.isVisible() and self.reason.isEnabled():
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.indication.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear_form(self) -> None:
        """Nothing of the last patient stays on the form."""
        self._show_empty()
        self.password.clear()
        self.close_password.clear()
        self.pain_after.clear()
        self.before_choices.clear()
        self.after_choices.clear()
        self.notice.hide_notice()
        self.summary.clear()
        self.sign_problem.hide()
        self.close_problem.hide()
        self._local = {}
        self._from_store = {}
        self._show_errors()


__all__ = ["CourseForm"]
