"""The care plan screen: the plan made with the patient, kept as you type, signed, printed."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.care_plans.views import CarePlanInput, CarePlanView
from ui.common import formatting
from ui.common.kept_text import KeptText, put_texts, texts_of
from ui.common.widgets import ErrorSummary, NoticeBar, label, set_role
from ui.domains.care_plans.plan.page import CarePlanPage
from ui.domains.care_plans.plan.view_model import CarePlanViewModel


def _day(when: object) -> str:
    day = getattr(when, "astimezone", None)
    return formatting.clinical_date(day().date()) if day is not None else ""


class CarePlanForm(QWidget):
    """The plan of the banner's patient, with Save, Sign, Review and Print beneath it."""

    print_requested = Signal()

    def __init__(
        self,
        view_model: CarePlanViewModel,
        parent: QWidget | None = None,
        *,
        kept: KeptText | None = None,
    ) -> None:
        super().__init__(parent)
        self._vm = view_model
        #: What was typed and cannot be read yet (a date), kept through leaving the patient.
        self._kept = kept
        self._loading = False
        self._needs = ""
        #: Words for fields whose text cannot be read (a date typed wrongly).
        self._unread: dict[str, str] = {}
        self._served: dict[str, str] = {}
        self.title = label(self.tr("Care and support plan"), "heading")
        self.state = label("", "hint", wrap=True)
        self.notice = NoticeBar()
        self.summary = ErrorSummary()
        self.page = CarePlanPage(view_model.nets, view_model.support)
        self.page.changed.connect(self._on_changed)
        self.page.rows_changed.connect(self._order_tabs)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.page)
        self._build_bar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.state)
        layout.addWidget(self.notice)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.bar_box)
        layout.addWidget(self.sign_problem)
        self._connect()
        self._order_tabs()
        self._show_plan(None)

    def _build_bar(self) -> None:
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
        self.review_button = QPushButton(self.tr("Re&view the plan"))
        self.review_button.setToolTip(
            self.tr("Make a new version with the patient; the signed one is kept as it is")
        )
        self.print_button = QPushButton(self.tr("P&rint for the patient…"))
        self.sign_problem = label("", "fieldError", wrap=True)
        self.sign_problem.hide()
        self.bar_widgets: list[QWidget] = [
            self.save_button,
            self.password,
            self.sign_button,
            self.review_button,
            self.print_button,
        ]
        bar = QHBoxLayout(self.bar_box)
        bar.setContentsMargins(0, 4, 0, 0)
        bar.addWidget(self.save_button)
        bar.addWidget(self.password_label)
        bar.addWidget(self.password)
        bar.addWidget(self.sign_button)
        bar.addWidget(self.review_button)
        bar.addStretch(1)
        bar.addWidget(self.print_button)

    def _connect(self) -> None:
        vm = self._vm
        self.save_button.clicked.connect(vm.save)
        self.sign_button.clicked.connect(self._on_sign)
        self.password.returnPressed.connect(self._on_sign)
        self.review_button.clicked.connect(vm.review)
        self.print_button.clicked.connect(self.print_requested)
        vm.plan_changed.connect(self._show_plan)
        vm.saved.connect(lambda _plan: self._show_state())
        vm.field_errors_changed.connect(self._show_served_errors)
        vm.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        vm.sign_failed.connect(self._show_sign_problem)
        vm.busy_changed.connect(self.sign_button.setDisabled)
        vm.busy_changed.connect(self.review_button.setDisabled)

    # ------------------------------------------------------------------ input

    def focus_first_field(self) -> None:
        self.page.what_matters.setFocus()

    def show_needs(self, words: str) -> None:
        """The format and language the patient's record asks for, in words."""
        self._needs = words
        self.page.show_needs(words)

    def clear_form(self) -> None:
        # Hidden is not gone: nothing typed for one patient stays in the page's editors for
        # the next user or patient.
        if self._kept is not None:
            self._kept.leave()  # written first: the form is about to be emptied
        self._loading = True
        try:
            self.page.show_values(CarePlanInput(), None)
        finally:
            self._loading = False
        self._unread = {}
        self.password.clear()
        self.sign_problem.hide()
        self.notice.hide_notice()
        self.show_needs("")

    def _on_changed(self) -> None:
        if self._loading or not self._vm.may_write:
            return
        values, self._unread = self.page.read()
        self._show_errors()
        self._keep_text()
        self._vm.form_changed(values)

    def _on_sign(self) -> None:
        password = self.password.text()
        self.password.clear()
        self.sign_problem.hide()
        if self._unread:
            self._show_sign_problem(
                self.tr("Some parts need changing before the plan can be signed.")
            )
            return
        self._vm.sign(password)

    def _order_tabs(self) -> None:
        """Tab runs down the page, top to bottom, then along the buttons under it."""
        chain = [*self.page.focus_chain(), *self.bar_widgets]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    # ------------------------------------------------------------------ showing

    def _show_plan(self, _plan: CarePlanView | None) -> None:
        vm = self._vm
        self.notice.hide_notice()
        self.sign_problem.hide()
        self._unread = {}
        self._served = {}
        self._loading = True
        try:
            if vm.rules is not None:
                self.page.show_values(vm.values, vm.rules)
            self.page.show_needs(self._needs_words())
        finally:
            self._loading = False
        self._show_errors()
        loaded = vm.loaded
        self.scroll_area.setVisible(loaded)
        self.bar_box.setVisible(loaded)
        writable = vm.may_write
        self.page.set_read_only(not writable)
        for widget in (self.save_button, self.password_label, self.password, self.sign_button):
            widget.setVisible(writable)
        self.review_button.setVisible(vm.may_review)
        # Another clinician's draft is not handed to the patient before they sign it.
        self.print_button.setVisible(writable or vm.is_signed)
        self._order_tabs()
        self.scroll_area.verticalScrollBar().setValue(0)
        self._show_state()
        self._shown_to_kept()

    # ------------------------------------------------------------------ text kept

    def _keep_text(self) -> None:
        """The review date and the actions' dates that cannot be read, kept as typed."""
        if self._kept is None or self._loading:
            return
        texts = texts_of({"review_on": (self.page.review_on,)}, self._unread)
        if "actions" in self._unread:
            # Each action whose date cannot be read, with its what and who to find it by.
            texts["actions"] = [
                [what, who, by] for what, who, by in self.page.action_date_texts() if by
            ]
        plan = self._vm.plan
        self._kept.keep(texts, plan.id if plan is not None else None)

    def _shown_to_kept(self) -> None:
        """The form shows the patient's plan: what was typed and kept is put back."""
        vm = self._vm
        if self._kept is None or vm.patient_id is None or not vm.loaded or not vm.may_write:
            return
        self._kept.shown(vm.patient_id, vm.plan.id if vm.plan is not None else None, self._put_back)

    def _put_back(self, texts: dict[str, object]) -> None:
        """Text kept from before, each into its field if still empty there; then read again."""
        put = put_texts({"review_on": (self.page.review_on,)}, texts, self.page)
        actions = texts.get("actions")
        if isinstance(actions, list) and self.page.put_action_dates(actions):
            put.add("actions")
        if put:
            _values, self._unread = self.page.read()
            self._show_errors()

    def _needs_words(self) -> str:
        plan = self._vm.plan
        if plan is None or not plan.is_signed:
            return self._needs
        # A signed plan shows what the record asked for when it was made.
        needs = ", ".join(need.replace("_", " ") for need in plan.information_needs)
        parts = []
        if needs:
            parts.append(self.tr("Information as: {needs}.").format(needs=needs))
        if plan.language:
            parts.append(self.tr("Language: {language}.").format(language=plan.language))
        return " ".join(parts)

    def _show_state(self) -> None:
        vm = self._vm
        plan = vm.plan
        if vm.patient_id is None:
            words = self.tr("Open a patient's record to make their care plan with them.")
        elif not vm.loaded:
            words = self.tr("Opening the care plan…")
        elif plan is None:
            words = self.tr(
                "New plan — turn the screen to the patient. Kept as a draft as soon as anything "
                "is typed."
            )
        elif plan.is_signed:
            words = self.tr("Signed {when}. Read only.").format(when=_day(plan.signed_at))
            if plan.superseded_by is not None:
                words += " " + self.tr("A later version replaces it.")
            else:
                words += " " + self.tr("Review the plan with the patient to make a new version.")
        elif not vm.may_write:
            words = self.tr("Another clinician's draft. Only they can change, sign or print it.")
        else:
            words = self.tr("Draft — kept as you type. Sign once the patient agrees the plan.")
            if plan.supersedes_id is not None:
                words += " " + self.tr("It will replace the signed plan it reviews.")
        self.state.setText(words)

    def _show_served_errors(self, messages: Mapping[str, str]) -> None:
        self._served = dict(messages)
        self._show_errors()

    def _show_errors(self) -> None:
        messages = {**self._served, **self._unread}
        self.page.show_field_errors(messages)
        if messages:
            self.summary.show_problems(self.tr("Some parts need changing"), list(messages.values()))
        else:
            self.summary.clear()

    def _show_sign_problem(self, text: str) -> None:
        self.sign_problem.setText(text)
        self.sign_problem.show()


__all__ = ["CarePlanForm"]
