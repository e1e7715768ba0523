"""The patient hand-over mode's page: large text, big answers, and nothing else answering.

While the patient holds the device, a screen shows a :class:`PatientPage` and turns a
:class:`PatientModeGuard` on: shortcuts, menus and clicks outside the page do nothing and the
window cannot be closed, until the clinician's password is given. Questionnaires and the
Friends and Family Test use them alike.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.kernel.errors import AuthenticationFailed
from ui.common import errors, theme
from ui.common.widgets import label, set_role

PATIENT_STYLE = f"""
QWidget#patientMode {{ background: {theme.NHS_WHITE}; }}
QWidget#patientMode QLabel {{ font-size: 18pt; background: transparent; }}
QWidget#patientMode QLabel[role="progress"] {{ font-size: 16pt; color: {theme.NHS_DARK_GREY}; }}
QWidget#patientMode QLabel[role="question"] {{ font-size: 24pt; font-weight: 700; }}
QWidget#patientMode QLabel[role="scaleEnd"] {{ font-size: 16pt; color: {theme.NHS_DARK_GREY}; }}
QWidget#patientMode QLabel[role="fieldError"] {{ font-size: 16pt; }}
QWidget#patientMode QPushButton {{ font-size: 18pt; padding: 12px 28px; min-height: 40px; }}
QWidget#patientMode QPushButton[answer="true"] {{
    text-align: left; padding: 16px 24px; border-width: 3px;
}}
QWidget#patientMode QPushButton[answer="true"][scale="true"] {{
    text-align: center; padding: 16px 0; min-width: 56px;
}}
QWidget#patientMode QPushButton[answer="true"]:checked {{
    background: {theme.NHS_BLUE}; color: {theme.NHS_WHITE}; border-color: {theme.NHS_DARK_BLUE};
}}
QWidget#patientMode QPushButton[answer="true"]:checked:focus {{
    background: {theme.NHS_DARK_BLUE}; color: {theme.NHS_WHITE}; border-color: {theme.NHS_BLACK};
}}
QWidget#patientMode QPushButton[variant="link"] {{ font-size: 13pt; padding: 4px 8px; }}
QWidget#patientMode QLineEdit {{ font-size: 18pt; }}
QWidget#patientMode QPlainTextEdit {{ font-size: 18pt; }}
"""


def _inside(widget: QWidget, area: QWidget) -> bool:
    return widget is area or area.isAncestorOf(widget)


class PatientModeGuard(QObject):
    """While the patient holds the device, nothing outside the patient's screen answers.

    Installed on the application: shortcuts and menus do not fire, clicks and keys aimed at
    other widgets are dropped, and the window cannot be closed. Only the way out through the
    clinician's password is left.
    """

    _BLOCKED_INPUT = frozenset(
        {
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseButtonRelease,
            QEvent.Type.MouseButtonDblClick,
            QEvent.Type.Wheel,
            QEvent.Type.KeyPress,
            QEvent.Type.KeyRelease,
            QEvent.Type.ContextMenu,
        }
    )

    def __init__(self, area: QWidget) -> None:
        super().__init__(area)
        self._area = area
        self._active = False
        self._last_focus: QWidget | None = None

    @property
    def active(self) -> bool:
        return self._active

    def set_active(self, active: bool) -> None:
        app = QApplication.instance()
        if app is None or active == self._active:
            return
        self._active = active
        if active:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)

    def _reclaim_focus(self) -> None:
        focused = QApplication.focusWidget()
        if not self._active or (focused is not None and _inside(focused, self._area)):
            return
        target = self._last_focus
        if target is None or not target.isVisible() or not _inside(target, self._area):
            self._area.setFocus(Qt.FocusReason.OtherFocusReason)
            self._area.focusNextPrevChild(True)
        else:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Shortcut:
            return not (isinstance(watched, QWidget) and _inside(watched, self._area))
        if kind == QEvent.Type.ShortcutOverride:
            # Claiming the key stops the shortcut map from offering it to menus and actions.
            event.accept()
            return False
        if not isinstance(watched, QWidget):
            return False
        if kind == QEvent.Type.FocusIn:
            if _inside(watched, self._area):
                self._last_focus = watched
            elif watched.window() is self._area.window():
                # A click elsewhere moves focus before any filter sees the press: take it back.
                QTimer.singleShot(0, self._reclaim_focus)
            return False
        if kind == QEvent.Type.Close and watched is self._area.window():
            if isinstance(event, QCloseEvent):
                event.ignore()
            return True
        return kind in self._BLOCKED_INPUT and not _inside(watched, self._area)


class PatientPage(QWidget):
    """Large text, one question a screen, big answers; Tab never leaves this page."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientMode")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(PATIENT_STYLE)

    def focusNextPrevChild(self, next: bool) -> bool:
        widget: QWidget | None = QApplication.focusWidget() or self
        for _ in range(1000):
            if widget is None:
                return False
            widget = widget.nextInFocusChain() if next else widget.previousInFocusChain()
            if (
                widget is not None
                and widget is not self
                and self.isAncestorOf(widget)
                and widget.isVisible()
                and widget.isEnabled()
                and widget.focusPolicy().value & Qt.FocusPolicy.TabFocus.value
            ):
                widget.setFocus(
                    Qt.FocusReason.TabFocusReason if next else Qt.FocusReason.BacktabFocusReason
                )
                return True
        return False


class HandBackPanel(QWidget):
    """The patient's last page: a heading, a line of words and the big "Hand the device back"."""

    def __init__(self, heading: str, body: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = label(heading, "question", wrap=True)
        self.body = label(body, "", wrap=True)
        self.button = QPushButton(self.tr("Hand the device back"))
        set_role(self.button, "", variant="primary")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        # Full width with centred text: a wrapped label squeezed to its hint gets clipped.
        for text in (self.heading, self.body):
            text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            layout.addWidget(text)
        layout.addSpacing(24)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)


class PasswordPanel(QWidget):
    """The clinician's way back: their password, a message when it is wrong, and Go back.

    ``unlock_requested(password)`` when Return is pressed or the button clicked;
    ``cancelled`` when the patient's page should come back.
    """

    unlock_requested = Signal(str)
    cancelled = Signal()

    def __init__(self, explanation: str, back: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = label(self.tr("For the clinician"), "question", wrap=True)
        words = label(explanation, wrap=True)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName(self.tr("Clinician's password"))
        self.message = label("", "fieldError", wrap=True)
        self.message.setVisible(False)
        self.unlock_button = QPushButton(self.tr("Return to the record"))
        set_role(self.unlock_button, "", variant="primary")
        self.cancel_button = QPushButton(back)
        self.unlock_button.clicked.connect(self._on_unlock)
        self.password_edit.returnPressed.connect(self._on_unlock)
        self.cancel_button.clicked.connect(self.cancelled)
        buttons = QHBoxLayout()
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(heading)
        layout.addWidget(words)
        layout.addWidget(self.password_edit)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addStretch(2)

    def _on_unlock(self) -> None:
        self.unlock_requested.emit(self.password_edit.text())

    def clear(self) -> None:
        """No password typed and no message shown."""
        self.message.setVisible(False)
        self.password_edit.clear()

    def refuse(self, message: str) -> None:
        """The password was not taken: say why, and ask again."""
        self.password_edit.clear()
        self.message.setText(message)
        self.message.setVisible(True)
        self.password_edit.setAccessibleDescription(message)
        self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)


def password_refusal(error: BaseException, stays_open: str) -> str:
    """Words for a password not taken: ``stays_open`` for a wrong one, else the error's."""
    if isinstance(error, AuthenticationFailed):
        return stays_open
    return errors.explain(error)
