"""The Friends and Family Test page: the clinician's page, or the patient's, in their hands."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.common.patient_mode import HandBackPanel, PasswordPanel, PatientModeGuard, PatientPage
from ui.common.widgets import NoticeBar, card, label, set_role
from ui.domains.experience.response.view_model import ExperienceViewModel, Step

#: Answers a row on the patient's page: two rows of three fit a 1366x768 screen with room
#: for the patient's words below.
ANSWERS_A_ROW = 3


class ExperienceView(QWidget):
    """The clinician hands the device over; the patient answers on large, plain pages.

    ``patient_mode_changed(True)`` tells the window to give this view the whole window; while
    it lasts, :class:`PatientModeGuard` keeps input on the patient's page.
    """

    patient_mode_changed = Signal(bool)

    def __init__(self, view_model: ExperienceViewModel, parent: QWidget | None = None) -> None:
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

        vm = self._vm
        vm.loaded.connect(self._on_vm_loaded)
        vm.step_changed.connect(self._on_vm_step_changed)
        vm.patient_mode_changed.connect(self._on_vm_patient_mode_changed)
        vm.answer_changed.connect(self._on_vm_answer_changed)
        vm.result_ready.connect(lambda text: self.notice.show_notice(text, "success"))
        vm.note.connect(lambda text: self.notice.show_notice(text, "info"))
        vm.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        vm.exit_refused.connect(self._on_vm_exit_refused)
        vm.busy_changed.connect(self._on_vm_busy_changed)

    # ------------------------------------------------------------ building

    def _build_clinician_page(self) -> QWidget:
        page = QWidget()
        title = label(self.tr("Friends and Family Test"), "title", wrap=True)
        self.notice = NoticeBar()
        about = card()
        about_layout = QVBoxLayout(about)
        about_layout.setContentsMargins(14, 10, 14, 12)
        about_layout.addWidget(label(self.tr("The question the patient answers"), "subheading"))
        self.preview = label("", "fieldLabel", wrap=True)
        self.preview.setObjectName("questionPreview")
        about_layout.addWidget(self.preview)
        self.answers_preview = label("", "hint", wrap=True)
        about_layout.addWidget(self.answers_preview)
        how = label(
            self.tr(
                "Hand the device to the patient: they choose an answer, may add a few words, "
                "and hand it back. You will not see their answer; your password takes the "
                "device back."
            ),
            "hint",
            wrap=True,
        )
        self.hand_over_button = QPushButton(self.tr("Hand the device to the patient"))
        set_role(self.hand_over_button, "", variant="primary")
        self.hand_over_button.setEnabled(False)
        self.hand_over_button.clicked.connect(self._vm.hand_to_patient)
        buttons = QHBoxLayout()
        buttons.addWidget(self.hand_over_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(self.notice)
        layout.addWidget(about)
        layout.addWidget(how)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    def _build_patient_page(self) -> PatientPage:
        page = PatientPage()
        self.leave_button = QPushButton(self.tr("Clinician: return to the record"))
        set_role(self.leave_button, "", variant="link")
        self.leave_button.clicked.connect(self._vm.request_exit)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.leave_button)
        self.patient_steps = QStackedWidget()
        self.question_screen = self._build_question_screen()
        self.thanks_screen = self._build_thanks_screen()
        self.not_saved_screen = self._build_not_saved_screen()
        self.password_screen = self._build_password_screen()
        for screen in (
            self.question_screen,
            self.thanks_screen,
            self.not_saved_screen,
            self.password_screen,
        ):
            self.patient_steps.addWidget(screen)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(40, 12, 40, 20)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.patient_steps, 1)
        return page

    def _build_question_screen(self) -> QWidget:
        screen = QWidget()
        self.introduction = label("", "", wrap=True)
        self.introduction.setObjectName("introduction")
        self.question_label = label("", "question", wrap=True)
        self.answers_grid = QGridLayout()
        self.answers_grid.setHorizontalSpacing(12)
        self.answers_grid.setVerticalSpacing(12)
        self.answer_group = QButtonGroup(self)
        self.answer_group.setExclusive(True)
        self.answer_group.buttonClicked.connect(self._on_answer_clicked)
        self.follow_up = label("", "", wrap=True)
        self.comment_edit = QPlainTextEdit()
        self.comment_edit.setObjectName("comment")
        self.comment_edit.setTabChangesFocus(True)
        self.comment_edit.setFixedHeight(96)
        self.comment_edit.textChanged.connect(self._on_comment_changed)
        self.follow_up.setBuddy(self.comment_edit)
        self.kept_note = label("", "scaleEnd", wrap=True)
        self.send_button = QPushButton(self.tr("Send my answer"))
        set_role(self.send_button, "", variant="primary")
        self.send_button.setEnabled(False)
        self.send_button.clicked.connect(self._vm.send)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(screen)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        # Told before answering where the answer goes: it is not anonymous.
        layout.addWidget(self.introduction)
        layout.addWidget(self.kept_note)
        layout.addWidget(self.question_label)
        layout.addLayout(self.answers_grid)
        layout.addWidget(self.follow_up)
        layout.addWidget(self.comment_edit)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return screen

    def _build_thanks_screen(self) -> QWidget:
        panel = HandBackPanel(
            self.tr("Thank you for your answer."),
            self.tr("Please hand the device back to your clinician."),
        )
        self.hand_back_button = panel.button
        self.hand_back_button.clicked.connect(self._vm.request_exit)
        return panel

    def _build_not_saved_screen(self) -> QWidget:
        panel = HandBackPanel(
            self.tr("Sorry, your answer could not be saved."),
            self.tr("Please hand the device back to your clinician, who will see why."),
        )
        self.not_saved_button = panel.button
        self.not_saved_button.clicked.connect(self._vm.request_exit)
        return panel

    def _build_password_screen(self) -> QWidget:
        self.password = PasswordPanel(
            self.tr("Enter your password to take the device back and return to the record."),
            self.tr("Go back"),
        )
        self.password_edit = self.password.password_edit
        self.password_message = self.password.message
        self.unlock_button = self.password.unlock_button
        self.password.unlock_requested.connect(self._vm.confirm_exit)
        self.password.cancelled.connect(self._vm.cancel_exit)
        return self.password

    # ------------------------------------------------------------ the clinician's page

    def _on_vm_loaded(self) -> None:
        question = self._vm.question
        if question is None:
            return
        self.preview.setText(question.question)
        self.answers_preview.setText(" · ".join(words for _, words in question.answers))
        self.introduction.setText(question.introduction)
        self.question_label.setText(question.question)
        self.follow_up.setText(question.follow_up)
        self.kept_note.setText(question.kept_with_record)
        self._fill_answers()
        self.hand_over_button.setEnabled(self._vm.can_hand_over())

    def _fill_answers(self) -> None:
        question = self._vm.question
        for button in self.answer_group.buttons():
            self.answer_group.removeButton(button)
            button.deleteLater()
        if question is None:
            return
        for index, (code, words) in enumerate(question.answers):
            button = QPushButton(words)
            button.setCheckable(True)
            button.setProperty("code", code)
            set_role(button, "", answer="true", scale="false")
            button.setAccessibleName(words)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self.answer_group.addButton(button)
            self.answers_grid.addWidget(button, index // ANSWERS_A_ROW, index % ANSWERS_A_ROW)

    # ------------------------------------------------------------ the patient's pages

    def _on_vm_patient_mode_changed(self, on: bool) -> None:
        self.pages.setCurrentWidget(self.patient_page if on else self.clinician_page)
        self.guard.set_active(on)
        if not on:
            self.password_edit.clear()
            self.hand_over_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.patient_mode_changed.emit(on)

    def _on_vm_step_changed(self, _step: str) -> None:
        step = self._vm.step
        self.leave_button.setVisible(step is Step.QUESTION)
        self.password.clear()
        if step is Step.QUESTION:
            self.patient_steps.setCurrentWidget(self.question_screen)
            first = self.answer_group.buttons()
            if first:
                first[0].setFocus(Qt.FocusReason.OtherFocusReason)
        elif step is Step.THANKS:
            self.patient_steps.setCurrentWidget(self.thanks_screen)
            self.hand_back_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif step is Step.NOT_SAVED:
            self.patient_steps.setCurrentWidget(self.not_saved_screen)
            self.not_saved_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif step is Step.PASSWORD:
            self.patient_steps.setCurrentWidget(self.password_screen)
            self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_vm_answer_changed(self) -> None:
        chosen = self._vm.answer
        self.answer_group.setExclusive(False)
        for button in self.answer_group.buttons():
            button.setChecked(button.property("code") == chosen)
        self.answer_group.setExclusive(True)
        if not self._vm.comment and self.comment_edit.toPlainText():
            self.comment_edit.blockSignals(True)
            self.comment_edit.clear()
            self.comment_edit.blockSignals(False)
        self.send_button.setEnabled(self._vm.can_send())

    def _on_answer_clicked(self, button: QAbstractButton) -> None:
        self._vm.choose(str(button.property("code")))

    def _on_comment_changed(self) -> None:
        question = self._vm.question
        text = self.comment_edit.toPlainText()
        if question is not None and len(text) > question.comment_max_length:
            # Longer words than the record keeps are cut where they were typed past the end.
            cursor = self.comment_edit.textCursor()
            self.comment_edit.blockSignals(True)
            self.comment_edit.setPlainText(text[: question.comment_max_length])
            self.comment_edit.blockSignals(False)
            cursor.movePosition(cursor.MoveOperation.End)
            self.comment_edit.setTextCursor(cursor)
            text = self.comment_edit.toPlainText()
        self._vm.set_comment(text)

    def _on_vm_exit_refused(self, message: str) -> None:
        self.password.refuse(message)

    def _on_vm_busy_changed(self, busy: bool) -> None:
        self.unlock_button.setEnabled(not busy)
        self.send_button.setEnabled(self._vm.can_send())
        self.hand_over_button.setEnabled(self._vm.can_hand_over())

    def visible_text(self) -> str:
        """Every label and button the person holding the device can see now (for tests)."""
        shown = [w.text() for w in self.findChildren(QLabel) if w.isVisibleTo(self) and w.text()]
        shown += [
            w.text() for w in self.findChildren(QAbstractButton) if w.isVisibleTo(self) and w.text()
        ]
        return "\n".join(shown)
