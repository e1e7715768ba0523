"""The questionnaire screen: the clinician's whole form, or the patient's one-question screens."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.questionnaires.content import DisplayItem
from ui.common.patient_mode import HandBackPanel, PasswordPanel, PatientModeGuard, PatientPage
from ui.common.widgets import NoticeBar, card, label, set_role
from ui.domains.questionnaires.questionnaire.view_model import Mode, QuestionnaireViewModel

FALLBACK_WORDING = "domain-fallback"
_SHORT_ANSWER = 24


class QuestionnaireView(QWidget):
    """Clinician mode shows every question on one form; patient mode one at a time.

    ``patient_mode_changed(True)`` tells the window to give this view the whole window and
    hide its own menus; while patient mode lasts, :class:`PatientModeGuard` keeps input here.
    """

    patient_mode_changed = Signal(bool)
    #: The clinician picked another questionnaire from the chooser (its id).
    questionnaire_chosen = Signal(str)

    def __init__(self, view_model: QuestionnaireViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.pages = QStackedWidget()
        self.clinician_page = self._build_clinician_page()
        self.patient_page = self._build_patient_page()
        self.pages.addWidget(self.clinician_page)
        self.pages.addWidget(self.patient_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.guard = PatientModeGuard(self.patient_page)
        self._item_groups: dict[str, QButtonGroup] = {}
        self._fallback = False
        self._answer_group = QButtonGroup(self)
        self._answer_group.setExclusive(True)
        self._answer_group.idClicked.connect(self._on_patient_answer_clicked)

        vm = self._vm
        vm.loaded.connect(self._on_vm_loaded)
        vm.answers_changed.connect(self._on_vm_answers_changed)
        vm.step_changed.connect(self._on_vm_step_changed)
        vm.mode_changed.connect(self._on_vm_mode_changed)
        vm.result_ready.connect(lambda text: self.notice.show_notice(text, "success"))
        vm.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        vm.exit_requested.connect(self._on_vm_exit_requested)
        vm.exit_refused.connect(self._on_vm_exit_refused)
        vm.busy_changed.connect(self._on_vm_busy_changed)
        vm.can_record_changed.connect(self._on_vm_can_record_changed)

    # ------------------------------------------------------------ building

    def _build_clinician_page(self) -> QWidget:
        page = QWidget()
        self.chooser = QComboBox()
        self.chooser.setAccessibleName(self.tr("Questionnaire"))
        self.chooser.activated.connect(self._on_chooser_activated)
        chooser_label = QLabel(self.tr("&Questionnaire:"))
        chooser_label.setBuddy(self.chooser)
        self.title = label("", "title", wrap=True)
        self.timepoint_label = label("", "subheading")
        self.timepoint_label.setObjectName("timepoint")
        self.episode_note = label("", "hint", wrap=True)
        self.episode_note.setVisible(False)
        self.introduction = label("", "fieldLabel", wrap=True)
        self.introduction.setObjectName("introduction")
        self.introduction.setVisible(False)
        self.wording_note = label("", "hint", wrap=True)
        self.notice = NoticeBar()
        self.form = QWidget()
        self.form_layout = QVBoxLayout(self.form)
        self.form_layout.setSpacing(12)
        self.form_scroll = self._build_form_scroll()
        self.hand_over_button = QPushButton(self.tr("Hand to the patient"))
        self.record_button = QPushButton(self.tr("Record answers"))
        set_role(self.record_button, "", variant="primary")
        self.hand_over_button.clicked.connect(self._vm.hand_to_patient)
        self.record_button.clicked.connect(self._vm.record)
        buttons = QHBoxLayout()
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.hand_over_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 12, 16, 12)
        choosing = QHBoxLayout()
        choosing.addWidget(chooser_label)
        choosing.addWidget(self.chooser, 1)
        choosing.addStretch(1)
        layout.addLayout(choosing)
        heading = QHBoxLayout()
        heading.addWidget(self.title, 1)
        heading.addWidget(self.timepoint_label)
        layout.addLayout(heading)
        layout.addWidget(self.notice)
        layout.addWidget(self.form_scroll, 1)
        layout.addLayout(buttons)
        return page

    def _build_form_scroll(self) -> QScrollArea:
        # The notes and the introduction scroll with the questions, leaving them the room.
        scrolled = QWidget()
        scrolled_layout = QVBoxLayout(scrolled)
        scrolled_layout.setContentsMargins(0, 0, 0, 0)
        scrolled_layout.setSpacing(6)
        for note in (self.episode_note, self.wording_note, self.introduction):
            scrolled_layout.addWidget(note)
        scrolled_layout.addWidget(self.form, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(scrolled)
        return scroll

    def _build_patient_page(self) -> PatientPage:
        page = PatientPage()
        self.leave_button = QPushButton(self.tr("Clinician: return to the record"))
        set_role(self.leave_button, "", variant="link")
        self.leave_button.clicked.connect(self._vm.request_exit)
        self.progress = label("", "progress")
        top = QHBoxLayout()
        top.addWidget(self.progress)
        top.addStretch(1)
        top.addWidget(self.leave_button)

        self.patient_steps = QStackedWidget()
        self.introduction_screen = self._build_introduction_screen()
        self.question_screen = self._build_question_screen()
        self.finish_screen = self._build_finish_screen()
        self.password_screen = self._build_password_screen()
        for screen in (
            self.introduction_screen,
            self.question_screen,
            self.finish_screen,
            self.password_screen,
        ):
            self.patient_steps.addWidget(screen)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(48, 24, 48, 32)
        layout.setSpacing(18)
        layout.addLayout(top)
        layout.addWidget(self.patient_steps, 1)
        return page

    def _build_introduction_screen(self) -> QWidget:
        screen = QWidget()
        heading = label(self.tr("Before you start"), "question", wrap=True)
        self.patient_introduction = label("", "", wrap=True)
        self.patient_introduction.setObjectName("patientIntroduction")
        self.start_button = QPushButton(self.tr("Start the questions"))
        set_role(self.start_button, "", variant="primary")
        self.start_button.clicked.connect(self._vm.begin_questions)
        layout = QVBoxLayout(screen)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(24)
        layout.addWidget(heading)
        layout.addWidget(self.patient_introduction)
        layout.addStretch(1)
        layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignRight)
        return screen

    def _build_question_screen(self) -> QWidget:
        screen = QWidget()
        self.question = label("", "question", wrap=True)
        self.answers_area = QWidget()
        self.answers_layout = QVBoxLayout(self.answers_area)
        self.answers_layout.setContentsMargins(0, 0, 0, 0)
        self.answers_layout.setSpacing(12)
        self.back_button = QPushButton(self.tr("Back"))
        self.skip_button = QPushButton(self.tr("Skip this question"))
        set_role(self.skip_button, "", variant="link")
        self.next_button = QPushButton(self.tr("Next"))
        set_role(self.next_button, "", variant="primary")
        self.back_button.clicked.connect(self._vm.back)
        self.skip_button.clicked.connect(self._vm.skip)
        self.next_button.clicked.connect(self._vm.next)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(screen)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(24)
        layout.addWidget(self.question)
        layout.addWidget(self.answers_area)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return screen

    def _build_finish_screen(self) -> QWidget:
        panel = HandBackPanel(
            self.tr("Thank you. You have finished."),
            self.tr("Please hand the device back to your clinician."),
        )
        self.finish_text = panel.body
        self.hand_back_button = panel.button
        self.hand_back_button.clicked.connect(self._vm.request_exit)
        return panel

    def _build_password_screen(self) -> QWidget:
        self.password = PasswordPanel(
            self.tr("Enter your password to close the questionnaire and return to the record."),
            self.tr("Go back to the questions"),
        )
        self.password_edit = self.password.password_edit
        self.password_message = self.password.message
        self.unlock_button = self.password.unlock_button
        self.cancel_exit_button = self.password.cancel_button
        self.password.unlock_requested.connect(self._vm.confirm_exit)
        self.password.cancelled.connect(self._show_patient_step)
        return self.password

    # ------------------------------------------------------------ clinician form

    def _on_vm_loaded(self) -> None:
        definition = self._vm.definition
        self.title.setText(definition.title if definition else "")
        if not self._vm.episode_open:
            # A baseline belongs to an episode of care; with none open there is none to start.
            self.timepoint_label.setText(self.tr("No episode open"))
            self.episode_note.setText(
                self.tr(
                    "This patient has no open episode of care, so these answers are kept on"
                    " the record but are not a baseline or follow-up for an episode. Triage"
                    " the referral into a pathway to open one."
                )
            )
        elif self._vm.timepoint == "baseline":
            self.timepoint_label.setText(self.tr("Baseline for this episode"))
        else:
            self.timepoint_label.setText(self.tr("Follow-up in this episode"))
        self.episode_note.setVisible(not self._vm.episode_open)
        self.introduction.setText(self._vm.introduction)
        self.introduction.setVisible(bool(self._vm.introduction))
        self.record_button.setText(self.tr("Record answers"))
        fallback = any(item.wording == FALLBACK_WORDING for item in self._vm.items)
        self.wording_note.setText(
            self.tr(
                "The licensed wording is not installed, so each question shows its topic only."
                " It cannot be handed to the patient until the wording pack is imported."
            )
            if fallback
            else ""
        )
        self.wording_note.setVisible(fallback)
        self._fallback = fallback
        self.form.setEnabled(True)
        self.hand_over_button.setEnabled(not fallback)
        self.notice.hide_notice()
        self._fill_form()

    def _fill_form(self) -> None:
        while self.form_layout.count():
            taken = self.form_layout.takeAt(0)
            if taken is not None and (old := taken.widget()) is not None:
                old.deleteLater()
        self._item_groups.clear()
        for number, item in enumerate(self._vm.items, 1):
            self.form_layout.addWidget(self._item_card(number, item))
        self.form_layout.addStretch(1)

    def _item_card(self, number: int, item: DisplayItem) -> QWidget:
        panel = card()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(14, 10, 14, 10)
        question = label(f"{number}. {item.text}", "fieldLabel", wrap=True)
        layout.addWidget(question)
        group = QButtonGroup(panel)
        self._item_groups[item.code] = group
        choices = _choices(item)
        # Bare numbers (and short labels) sit in one row; worded answers one under another.
        short = all(len(text) <= _SHORT_ANSWER for _, text in choices)
        row = QHBoxLayout() if item.minimum is not None or short else QVBoxLayout()
        for value, text in choices:
            button = QRadioButton(text)
            button.setAccessibleName(f"{item.text}: {text}")
            group.addButton(button, value)
            row.addWidget(button)
        if isinstance(row, QHBoxLayout):
            row.addStretch(1)
        layout.addLayout(row)
        if ends_text := direction_text(item):
            ends = label(ends_text, "hint", wrap=True)
            ends.setObjectName("direction")
            layout.addWidget(ends)
        code = item.code
        group.idClicked.connect(lambda value, code=code: self._vm.set_answer(code, value))
        return panel

    def _on_vm_answers_changed(self) -> None:
        answers = self._vm.answers
        for code, group in self._item_groups.items():
            _check_only(group, answers.get(code))
        if self._vm.recorded_already:
            # Recorded answers are read, never changed or handed over again.
            self.form.setEnabled(False)
            self.hand_over_button.setEnabled(False)
            self.timepoint_label.setText(
                self.tr("Baseline, as recorded")
                if self._vm.timepoint == "baseline"
                else self.tr("Follow-up, as recorded")
            )

    # ------------------------------------------------------------ patient mode

    def _on_vm_mode_changed(self, mode: str) -> None:
        patient = mode == Mode.PATIENT.value
        self.pages.setCurrentWidget(self.patient_page if patient else self.clinician_page)
        self.guard.set_active(patient)
        if patient:
            self._show_patient_step()
        else:
            self.password_edit.clear()
            self.record_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.patient_mode_changed.emit(patient)

    def _on_vm_step_changed(self, _step: int) -> None:
        if self._vm.mode is Mode.PATIENT:
            self._show_patient_step()

    def _show_patient_step(self) -> None:
        self.password.clear()
        self.leave_button.setVisible(True)
        if self._vm.finished:
            self.progress.setText("")
            # The big "Hand the device back" button is the way out here.
            self.leave_button.setVisible(False)
            self.patient_steps.setCurrentWidget(self.finish_screen)
            self.hand_back_button.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if self._vm.on_introduction:
            self.progress.setText("")
            self.patient_introduction.setText(self._vm.introduction)
            self.patient_steps.setCurrentWidget(self.introduction_screen)
            self.start_button.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        item = self._vm.current_item()
        if item is None:
            return
        count = len(self._vm.items)
        self.progress.setText(
            self.tr("Question {number} of {count}").format(number=self._vm.step + 1, count=count)
        )
        self.question.setText(item.text)
        self._fill_patient_answers(item)
        self.back_button.setEnabled(self._vm.step > 0 or bool(self._vm.introduction))
        self._update_next()
        self.patient_steps.setCurrentWidget(self.question_screen)
        checked = self._answer_group.checkedButton()
        target = checked or (self._answer_group.buttons() or [self.next_button])[0]
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fill_patient_answers(self, item: DisplayItem) -> None:
        for button in self._answer_group.buttons():
            self._answer_group.removeButton(button)
        while self.answers_layout.count():
            taken = self.answers_layout.takeAt(0)
            if taken is None:
                continue
            if (old := taken.widget()) is not None:
                old.deleteLater()
            elif (inner := taken.layout()) is not None:
                _delete_layout(inner)
        scale = item.minimum is not None
        holder: QGridLayout | QVBoxLayout
        holder = QGridLayout() if scale else QVBoxLayout()
        holder.setSpacing(10)
        # Attached first, so every button below has its parent before it is shown.
        self.answers_layout.addLayout(holder)
        choices = _choices(item)
        for index, (value, text) in enumerate(choices):
            button = QPushButton(text)
            button.setCheckable(True)
            set_role(button, "", answer="true", scale="true" if scale else "false")
            button.setAccessibleName(text)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self._answer_group.addButton(button, value)
            if isinstance(holder, QGridLayout):
                holder.addWidget(button, 0, index)
            else:
                holder.addWidget(button)
            # Shown now rather than on the next turn of the event loop, so focus can land.
            button.show()
        if isinstance(holder, QGridLayout) and (item.min_label or item.max_label):
            low = label(item.min_label or "", "scaleEnd", wrap=True)
            high = label(item.max_label or "", "scaleEnd", wrap=True)
            high.setAlignment(Qt.AlignmentFlag.AlignRight)
            half = max(len(choices) // 2, 1)
            holder.addWidget(low, 1, 0, 1, half)
            holder.addWidget(high, 1, len(choices) - half, 1, half)
            low.show()
            high.show()
        _check_only(self._answer_group, self._vm.answers.get(item.code))

    def _on_patient_answer_clicked(self, value: int) -> None:
        item = self._vm.current_item()
        if item is not None:
            self._vm.set_answer(item.code, value)
        self._update_next()

    def _update_next(self) -> None:
        self.next_button.setEnabled(self._vm.can_go_next())
        last = self._vm.step == len(self._vm.items) - 1
        self.next_button.setText(self.tr("Finish") if last else self.tr("Next"))

    def _on_vm_exit_requested(self) -> None:
        self.leave_button.setVisible(False)
        self.progress.setText("")
        self.patient_steps.setCurrentWidget(self.password_screen)
        self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_vm_exit_refused(self, message: str) -> None:
        self.password.refuse(message)

    def _on_vm_busy_changed(self, busy: bool) -> None:
        self.unlock_button.setEnabled(not busy)

    def _on_vm_can_record_changed(self, can_record: bool) -> None:
        self.record_button.setEnabled(can_record)
        done = self._vm.recorded_already
        if done:
            # The answers are in the record: they can be read, not changed or saved again.
            self.record_button.setText(self.tr("Answers recorded"))
            self.form.setEnabled(False)
        self.hand_over_button.setEnabled(not done and not self._fallback and not self._vm.busy)

    # ------------------------------------------------------------ the chooser

    def set_choices(self, choices: Sequence[tuple[str, str]], current: str) -> None:
        """Fill the chooser with (id, title) pairs and show ``current``."""
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for questionnaire_id, title in choices:
            self.chooser.addItem(title, questionnaire_id)
        index = self.chooser.findData(current)
        self.chooser.setCurrentIndex(max(index, 0))
        self.chooser.blockSignals(False)

    def _on_chooser_activated(self, index: int) -> None:
        chosen = self.chooser.itemData(index)
        if isinstance(chosen, str):
            self.questionnaire_chosen.emit(chosen)

    def visible_text(self) -> str:
        """Every label the person holding the device can see now (for tests and checks)."""
        shown = [
            widget.text()
            for widget in self.findChildren(QLabel)
            if widget.isVisibleTo(self) and widget.text()
        ]
        shown += [
            widget.text()
            for widget in self.findChildren(QAbstractButton)
            if widget.isVisibleTo(self) and widget.text()
        ]
        return "\n".join(shown)


def direction_text(item: DisplayItem) -> str:
    """Which end of the answers is which, in words: "0 = worst: … … 4 = best: …"."""
    low, high = item.lowest, item.highest
    if low is None or high is None:
        return ""
    if item.minimum is not None and (item.min_label or item.max_label):
        return QCoreApplication.translate(
            "QuestionnaireView", "{low} = {low_label}; {high} = {high_label}"
        ).format(
            low=low, low_label=item.min_label or "", high=high, high_label=item.max_label or ""
        )
    if item.direction is None:
        return ""
    low_words, high_words = item.direction.low, item.direction.high
    if item.anchors is not None:
        low_words = f"{low_words}: {item.anchors.low}"
        high_words = f"{high_words}: {item.anchors.high}"
    return QCoreApplication.translate(
        "QuestionnaireView", "{low} = {low_words}  \u2026  {high} = {high_words}"
    ).format(low=low, low_words=low_words, high=high, high_words=high_words)


def _choices(item: DisplayItem) -> list[tuple[int, str]]:
    if item.minimum is not None and item.maximum is not None:
        return [(value, str(value)) for value in range(item.minimum, item.maximum + 1)]
    return [(option.value, option.label) for option in item.options]


def _check_only(group: QButtonGroup, value: int | None) -> None:
    # An exclusive group cannot show "nothing chosen", so it is opened up to clear it.
    group.setExclusive(False)
    for button in group.buttons():
        button.setChecked(value is not None and group.id(button) == value)
    group.setExclusive(True)


def _delete_layout(layout: QLayout) -> None:
    while layout.count():
        taken = layout.takeAt(0)
        if taken is None:
            continue
        if (old := taken.widget()) is not None:
            old.deleteLater()
        elif (inner := taken.layout()) is not None:
            _delete_layout(inner)
    layout.deleteLater()
