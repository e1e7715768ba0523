"""The decision conversation, turned towards the patient: the options, the numbers, the choice."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.decisions.content import (
    UNDECIDED,
    AidCatalogue,
    DecisionAid,
    SdmMeasure,
    collaborate,
)
from clinic_app.domains.decisions.views import DecisionRecordView
from ui.common import formatting
from ui.common.patient_mode import PatientModeGuard
from ui.common.widgets import ErrorSummary, NoticeBar, label, set_role
from ui.domains.decisions.consultation.page import MAKER_WORDS, ConversationPage
from ui.domains.decisions.consultation.parts import (
    PATIENT_FACING_STYLE,
    CollaborateAnswers,
)
from ui.domains.decisions.consultation.view_model import (
    DecisionViewModel,
)


def _words(text: str, role: str | None = None) -> QLabel:
    made = label(text, role, wrap=True)
    made.setTextFormat(Qt.TextFormat.PlainText)
    return made


class AidChooser(QWidget):
    """The decision aids offered: one is chosen to talk through with the patient."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = _words(
            self.tr(
                "Each aid sets out the options, including doing nothing for now, with their "
                "benefits and risks in numbers. Turn the screen towards the patient once open."
            ),
            "hint",
        )
        self.aids = QListWidget()
        self.aids.setAccessibleName(self.tr("Decision aids offered"))
        self.aids.itemActivated.connect(self._on_activated)
        caption = label(self.tr("&Decision aids"), "fieldLabel")
        caption.setBuddy(self.aids)
        self.open_button = QPushButton(self.tr("&Open aid"))
        set_role(self.open_button, "", variant="primary")
        self.open_button.clicked.connect(self._on_open)
        self.empty = _words(self.tr("No decision aids are offered on this computer."), "hint")
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(caption)
        layout.addWidget(self.aids, 1)
        layout.addWidget(self.empty)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.open_button)
        layout.addLayout(row)

    def show_aids(self, aids: tuple[DecisionAid, ...], due: set[str]) -> None:
        self.aids.clear()
        for aid in aids:
            words = aid.title
            if aid.id in due:
                words += self.tr("  (due for review)")
            item = QListWidgetItem(words)
            item.setData(Qt.ItemDataRole.UserRole, aid.id)
            item.setToolTip(aid.for_whom)
            self.aids.addItem(item)
        if aids:
            self.aids.setCurrentRow(0)
        self.empty.setVisible(not aids)
        self.open_button.setEnabled(bool(aids))

    def _on_activated(self, item: QListWidgetItem) -> None:
        self.chosen.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def _on_open(self) -> None:
        item = self.aids.currentItem()
        if item is not None:
            self._on_activated(item)


class PatientPanel(QWidget):
    """What the patient sees while holding the device: CollaboRATE's three questions only."""

    changed = Signal()
    take_back_requested = Signal(str)

    def __init__(self, measure: SdmMeasure, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientFacing")
        self.setStyleSheet(PATIENT_FACING_STYLE)
        self.answers = CollaborateAnswers(measure)
        self.answers.changed.connect(self.changed)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaximumWidth(260)
        self.password.setAccessibleName(self.tr("Clinician's password to take the device back"))
        caption = label(self.tr("For your clinician: password to take the device &back"), "hint")
        caption.setBuddy(self.password)
        self.take_back_button = QPushButton(self.tr("Take the device back"))
        self.problem = _words("", "fieldError")
        self.problem.hide()
        self.password.returnPressed.connect(self._on_take_back)
        self.take_back_button.clicked.connect(self._on_take_back)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(_words(self.tr("A few questions about today's conversation"), "heading"))
        layout.addWidget(self.answers)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(caption)
        row.addWidget(self.password)
        row.addWidget(self.take_back_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.problem)

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _on_take_back(self) -> None:
        password = self.password.text()
        self.password.clear()
        self.show_problem("")
        self.take_back_requested.emit(password)


class DecisionView(QWidget):
    """Choose an aid, then talk it through: kept as a draft, signed, printed to take home."""

    print_requested = Signal()

    def __init__(self, view_model: DecisionViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._loading = False
        self.page: ConversationPage | None = None
        self.title = label(self.tr("Shared decision"), "heading")
        self.state = _words("", "hint")
        self.review_banner = NoticeBar()
        self.review_banner.close_button.hide()
        self.notice = NoticeBar()
        self.summary = ErrorSummary()
        #: A record whose aid is no longer offered, in plain words (hidden otherwise).
        self.recorded = _words("", "hint")
        self.recorded.setObjectName("recordedWithoutAid")
        self.recorded.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.recorded.hide()
        self.chooser = AidChooser()
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.chooser)
        self.stack.addWidget(self.scroll_area)
        self.patient_panel = PatientPanel(collaborate())
        # While the patient holds the device, nothing outside their questions answers (the
        # window cannot be closed, no shortcut fires), as for a questionnaire handed over.
        self.guard = PatientModeGuard(self.patient_panel)
        self.stack.addWidget(self.patient_panel)
        self._build_signing_bar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.state)
        layout.addWidget(self.review_banner)
        layout.addWidget(self.notice)
        layout.addWidget(self.summary)
        layout.addWidget(self.recorded)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.bar_box)
        layout.addWidget(self.sign_problem)
        self._connect()
        self._show_aid(None)

    # ------------------------------------------------------------------ building

    def _build_signing_bar(self) -> None:
        self.bar_box = QWidget()
        self.save_button = QPushButton(self.tr("Save &draft"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Your password"))
        self.password.setAccessibleName(self.tr("Password to sign"))
        self.password.setMaximumWidth(220)
        self.password_label = label(self.tr("&Your password to sign"), "fieldLabel")
        self.password_label.setBuddy(self.password)
        self.sign_button = QPushButton(self.tr("Sig&n"))
        set_role(self.sign_button, "", variant="primary")
        self.print_button = QPushButton(self.tr("P&rint to take home…"))
        self.change_button = QPushButton(self.tr("Rec&ord a change of mind"))
        self.again_button = QPushButton(self.tr("Choose another &aid"))
        self.sign_problem = _words("", "fieldError")
        self.sign_problem.hide()
        self.bar_widgets: list[QWidget] = [
            self.save_button,
            self.password,
            self.sign_button,
            self.change_button,
            self.again_button,
            self.print_button,
        ]
        bar = QHBoxLayout(self.bar_box)
        bar.setContentsMargins(0, 4, 0, 0)
        bar.addWidget(self.save_button)
        bar.addWidget(self.password_label)
        bar.addWidget(self.password)
        bar.addWidget(self.sign_button)
        bar.addWidget(self.change_button)
        bar.addStretch(1)
        bar.addWidget(self.again_button)
        bar.addWidget(self.print_button)

    def _connect(self) -> None:
        vm = self._vm
        self.chooser.chosen.connect(vm.choose_aid)
        self.save_button.clicked.connect(vm.save)
        self.sign_button.clicked.connect(self._on_sign)
        self.password.returnPressed.connect(self._on_sign)
        self.print_button.clicked.connect(self.print_requested)
        self.change_button.clicked.connect(vm.change_of_mind)
        self.again_button.clicked.connect(vm.choose_again)
        vm.catalogue_changed.connect(self._show_catalogue)
        vm.aid_changed.connect(self._show_aid)
        vm.record_changed.connect(self._show_record)
        vm.recorded_without_aid.connect(self._show_recorded_without_aid)
        vm.saved.connect(lambda _record: self._show_state())
        vm.field_errors_changed.connect(self._show_field_errors)
        vm.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        vm.sign_failed.connect(self._show_sign_problem)
        vm.busy_changed.connect(self.sign_button.setDisabled)
        vm.patient_mode_changed.connect(self._show_patient_mode)
        vm.hand_back_failed.connect(self.patient_panel.show_problem)
        self.patient_panel.changed.connect(self._on_patient_answered)
        self.patient_panel.take_back_requested.connect(vm.hand_back)

    # ------------------------------------------------------------------ input

    def focus_first_field(self) -> None:
        if self.page is None:
            self.chooser.aids.setFocus()
        else:
            self.scroll_area.setFocus()

    def _on_changed(self) -> None:
        if not self._loading and self.page is not None:
            self._vm.form_changed(self.page.values())

    def _on_patient_answered(self) -> None:
        # The patient's answers go straight onto the form, and are kept as they come.
        if self.page is not None:
            self.page.collaborate.show_answers(self.patient_panel.answers.answers())
            self._on_changed()

    def _show_patient_mode(self, on: bool) -> None:
        """While the patient holds the device, only CollaboRATE's questions are on show."""
        self.guard.set_active(on)
        for widget in (self.title, self.state, self.bar_box):
            widget.setVisible(not on)
        if on and self.page is not None:
            self.review_banner.hide()
            self.patient_panel.answers.show_answers(self.page.collaborate.answers())
            self.patient_panel.show_problem("")
            self.stack.setCurrentWidget(self.patient_panel)
            self.patient_panel.answers.sliders[0].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.patient_panel.password.clear()
        self.review_banner.setVisible(self._vm.past_review)
        self.stack.setCurrentWidget(self.scroll_area if self.page is not None else self.chooser)

    def _on_sign(self) -> None:
        password = self.password.text()
        self.password.clear()
        self.sign_problem.hide()
        self._vm.sign(password)

    # ------------------------------------------------------------------ showing

    def _show_catalogue(self, _catalogue: AidCatalogue) -> None:
        offered = self._vm.offered()
        due = {aid.id for aid in offered if self._vm.is_due(aid)}
        self.chooser.show_aids(offered, due)

    def _show_recorded_without_aid(self, record: DecisionRecordView) -> None:
        """What a record holds when its aid is gone: its own ids, dates and the patient's words."""

        def plain(code: str) -> str:
            return code.replace("_", " ")

        if record.choice is None:
            choice = self.tr("nothing chosen")
        elif record.choice == UNDECIDED:
            choice = self.tr("not decided yet")
        else:
            choice = plain(record.choice)
        if record.is_signed and record.signed_at is not None:
            state = self.tr("signed {day}").format(
                day=formatting.clinical_date(record.signed_at.astimezone().date())
            )
        else:
            state = self.tr("a draft")
        lines = [
            self.tr(
                'What was recorded ({state}), with the decision aid "{aid}", version {version}:'
            ).format(state=state, aid=plain(record.aid_id), version=record.aid_version),
            self.tr("Options talked about: {options}").format(
                options=", ".join(plain(o) for o in record.options_discussed) or self.tr("none")
            ),
            self.tr("Choice: {choice}").format(choice=choice),
        ]
        if record.choice_words:
            lines.append(
                self.tr("Why, in the patient's words: {words}").format(words=record.choice_words)
            )
        if record.questions:
            lines.append(self.tr("The patient's questions: {words}").format(words=record.questions))
        if record.decision_maker:
            lines.append(
                self.tr("Who decided: {who}").format(
                    who=self.tr(MAKER_WORDS.get(record.decision_maker, record.decision_maker))
                )
            )
        self.recorded.setText("\n".join(lines))
        self.recorded.show()

    def _show_aid(self, aid: DecisionAid | None) -> None:
        self.recorded.hide()
        old = self.scroll_area.takeWidget()
        if old is not None:
            old.deleteLater()
        self.page = None
        self.notice.hide_notice()
        self.summary.clear()
        self.sign_problem.hide()
        if aid is None:
            self.stack.setCurrentWidget(self.chooser)
            self.title.setText(self.tr("Shared decision"))
            self.review_banner.hide_notice()
            self.bar_box.hide()
            self._show_state()
            return
        self.page = ConversationPage(aid, collaborate())
        self.page.changed.connect(self._on_changed)
        self.page.hand_over_button.clicked.connect(self._vm.hand_to_patient)
        self.page.show_record_language(self._vm.record_language)
        self.scroll_area.setWidget(self.page)
        self._order_tabs(self.page)
        self.scroll_area.verticalScrollBar().setValue(0)
        self.stack.setCurrentWidget(self.scroll_area)
        self.title.setText(self.tr("Shared decision with the patient"))
        if self._vm.past_review:
            self.review_banner.show_notice(
                self.tr(
                    "This decision aid was due for review on {day}. It still opens, but its "
                    "numbers may be out of date: tell the service lead."
                ).format(day=formatting.clinical_date(aid.review_by)),
                "problem",
            )
        else:
            self.review_banner.hide_notice()
        self.bar_box.show()
        self._show_values()

    def _order_tabs(self, page: ConversationPage) -> None:
        """Tab runs down the page, top to bottom, then along the buttons under it."""
        chain = [*page.focus_chain(), *self.bar_widgets]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    def _show_record(self, _record: DecisionRecordView | None) -> None:
        if self.page is not None:
            self._show_values()
        else:
            self._show_state()

    def _show_values(self) -> None:
        page = self.page
        if page is None:
            return
        self._loading = True
        try:
            page.show_values(self._vm.values)
        finally:
            self._loading = False
        writable = self._vm.may_write
        page.set_read_only(not writable)
        for widget in (self.save_button, self.password_label, self.password, self.sign_button):
            widget.setVisible(writable)
        self.change_button.setVisible(self._vm.is_signed)
        self.again_button.setVisible(self._vm.record is None or writable)
        # Another clinician's draft is not handed to the patient before they sign it.
        self.print_button.setVisible(writable or self._vm.is_signed)
        self._show_state()

    def _show_state(self) -> None:
        vm = self._vm
        record = vm.record
        if vm.patient_id is None:
            words = self.tr("Open a patient's record to talk through a decision.")
        elif vm.aid is None:
            words = self.tr("Choose the decision aid to talk through with the patient.")
        elif record is None:
            words = self.tr("New — kept as a draft as soon as anything is changed.")
        elif vm.is_signed:
            signed_at = record.signed_at
            when = formatting.clinical_date(signed_at.astimezone().date()) if signed_at else ""
            words = self.tr(
                "Signed {when}. Read only: a change of mind is recorded as a new decision."
            ).format(when=when)
        elif not vm.may_write:
            words = self.tr("Another clinician's draft. Only they can change, sign or print it.")
        else:
            words = self.tr("Draft — kept as you go. Sign once the patient has chosen.")
            if record.supersedes_id is not None:
                words += " " + self.tr(
                    "It replaces the earlier signed decision (a change of mind)."
                )
        if vm.version_changed and record is not None and vm.aid is not None:
            words += " " + self.tr(
                "Recorded with version {then} of the aid; it is now version {now}."
            ).format(then=record.aid_version, now=vm.aid.version)
        self.state.setText(words)

    def _show_field_errors(self, messages: Mapping[str, str]) -> None:
        if self.page is not None:
            self.page.show_field_errors(messages)
        if messages:
            self.summary.show_problems(self.tr("Some parts need changing"), list(messages.values()))
        else:
            self.summary.clear()

    def _show_sign_problem(self, text: str) -> None:
        self.sign_problem.setText(text)
        self.sign_problem.show()
