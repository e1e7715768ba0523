"""The sign-in screen; when the session is locked it asks the same user for their password."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.common.widgets import FormField, card, label, set_role
from ui.shell.login.view_model import LoginMode, LoginViewModel

_CARD_WIDTH_EM = 30


class LoginView(QWidget):
    """A centred card: user name, password and one button; a calm message when it fails."""

    def __init__(self, view_model: LoginViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginPage")
        self._vm = view_model

        self.brand = label(self.tr("OneStop MSK"), "title")
        self.service_line = label(self.tr("Community musculoskeletal service"), "hint")
        self.heading = label("", "heading", wrap=True)
        self.explanation = label("", "hint", wrap=True)

        self.username_edit = QLineEdit()
        self.username_edit.setObjectName("username")
        self.username_field = FormField(self.tr("User name"), self.username_edit)
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_field = FormField(self.tr("Password"), self.password_edit)

        self.message = label("", "fieldError", wrap=True)
        self.message.setObjectName("loginMessage")
        self.message.setVisible(False)

        self.submit_button = QPushButton()
        set_role(self.submit_button, "", variant="primary")
        self.submit_button.setDefault(True)
        self.switch_button = QPushButton(self.tr("Switch user"))
        self._lay_out()

        self.username_edit.returnPressed.connect(self._on_username_return)
        self.password_edit.returnPressed.connect(self._on_submit)
        self.submit_button.clicked.connect(self._on_submit)
        self.switch_button.clicked.connect(self._vm.request_switch_user)
        self._vm.failed.connect(self._on_vm_failed)
        self._vm.busy_changed.connect(self._on_vm_busy_changed)
        self._vm.mode_changed.connect(self._on_vm_mode_changed)
        self._on_vm_mode_changed(self._vm.mode.value)

    def _lay_out(self) -> None:
        panel = card()
        panel.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)
        panel.setFixedWidth(self.fontMetrics().averageCharWidth() * _CARD_WIDTH_EM + 140)
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(32, 28, 32, 28)
        inner.setSpacing(14)
        inner.addWidget(self.brand)
        inner.addWidget(self.service_line)
        inner.addSpacing(6)
        inner.addWidget(self.heading)
        inner.addWidget(self.explanation)
        inner.addWidget(self.username_field)
        inner.addWidget(self.password_field)
        inner.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        inner.addSpacing(4)
        inner.addLayout(buttons)

        outer = QVBoxLayout(self)
        outer.addStretch(2)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(3)

    def reset(self) -> None:
        """Empty every field and message (after signing in or out)."""
        self.username_edit.clear()
        self.password_edit.clear()
        self._show_message("")

    def focus_first_field(self) -> None:
        if self._vm.mode is LoginMode.LOCKED or self.username_edit.text():
            self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.username_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def message_text(self) -> str:
        return self.message.text() if self.message.isVisibleTo(self) else ""

    def _on_username_return(self) -> None:
        self.password_edit.setFocus(Qt.FocusReason.TabFocusReason)

    def _on_submit(self) -> None:
        password = self.password_edit.text()
        if self._vm.mode is LoginMode.LOCKED:
            self._vm.unlock(password)
        else:
            self._vm.sign_in(self.username_edit.text(), password)

    def _on_vm_failed(self, message: str) -> None:
        self._show_message(message)
        self.password_edit.clear()
        if self._vm.mode is LoginMode.SIGN_IN and not self.username_edit.text().strip():
            self.username_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_vm_busy_changed(self, busy: bool) -> None:
        locked = self._vm.mode is LoginMode.LOCKED
        if busy:
            self.submit_button.setText(self.tr("Checking…") if locked else self.tr("Signing in…"))
        else:
            self.submit_button.setText(self.tr("Unlock") if locked else self.tr("Sign in"))
        for widget in (self.submit_button, self.switch_button, self.username_edit):
            widget.setEnabled(not busy)
        self.password_edit.setReadOnly(busy)

    def _on_vm_mode_changed(self, mode: str) -> None:
        locked = mode == LoginMode.LOCKED.value
        user = self._vm.locked_user
        self.password_edit.clear()
        self._show_message("")
        if locked and user is not None:
            self.heading.setText(self.tr("Locked — {name}").format(name=user.display_name))
            self.explanation.setText(self.tr("Enter your password to return to your work."))
            self.username_edit.setText(user.username)
        else:
            self.heading.setText(self.tr("Sign in"))
            self.explanation.setText(
                self.tr("Use the user name and password your service gave you.")
            )
            self.username_edit.clear()
        self.username_field.setVisible(not locked)
        self.switch_button.setVisible(locked)
        self._on_vm_busy_changed(self._vm.busy)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.password_edit.setAccessibleDescription(text)
