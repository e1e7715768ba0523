"""What stands before signing a clinical record: hard stops, warnings to acknowledge, gaps.

The injection record and the shockwave session share it. A hard stop cannot be passed; each
warning has its own Acknowledge button (who and when is kept by the service); a required field
still empty is named; and when nothing is left the panel says so. Every line is plain text that a
screen reader reads in order, and the lines shown are kept (``lines``) for the form's tests and
for its summary.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Protocol

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from clinic_app.kernel.errors import ClinicError, ValidationError
from ui.common import errors
from ui.common.widgets import label


def _tr(text: str) -> str:
    return QCoreApplication.translate("ChecksPanel", text)


class CheckedWarning(Protocol):
    """A warning as the checks give it: its code, the words' code and their values."""

    @property
    def code(self) -> str: ...

    @property
    def words(self) -> str: ...

    @property
    def params(self) -> Mapping[str, object]: ...


class Checks(Protocol):
    """What the checks of a record found (an injection's or a session's)."""

    @property
    def hard_stops(self) -> Sequence[ClinicError]: ...

    @property
    def warnings(self) -> Sequence[CheckedWarning]: ...

    @property
    def acknowledged(self) -> Collection[str]: ...

    @property
    def incomplete(self) -> Sequence[ValidationError]: ...

    @property
    def can_sign(self) -> bool: ...


def about(where: str, words: str) -> str:
    """``words`` about the field named ``where`` (a question is followed by its answer)."""
    if not where:
        return words
    return f"{where} {words}" if where.endswith("?") else f"{where}: {words}"


def _line(text: str, role: str | None = None) -> QLabel:
    made = label(text, role, wrap=True)
    made.setTextFormat(Qt.TextFormat.PlainText)
    return made


class ChecksPanel(QWidget):
    """The lines of a record's checks, each warning with its Acknowledge button.

    Args:
        acknowledge: called with a warning's code when its button is pressed.
        label_for: a field's label on the form ("" when it has none), to name what is missing.
        explain_stop: a hard stop in words (by default, its code's words).
    """

    def __init__(
        self,
        acknowledge: Callable[[str], None],
        label_for: Callable[[str], str],
        explain_stop: Callable[[ClinicError], str] = errors.explain,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._acknowledge = acknowledge
        self._label_for = label_for
        self._explain_stop = explain_stop
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        #: The lines shown, in order.
        self.lines: list[str] = []
        #: Each unacknowledged warning's button, by the warning's code.
        self.acknowledge_buttons: dict[str, QPushButton] = {}

    def clear(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.acknowledge_buttons = {}
        self.lines = []

    def say(self, text: str, role: str = "hint") -> None:
        """One line of its own (nothing to check yet, signed already, ...), after a clear."""
        self.lines.append(text)
        self._layout.addWidget(_line(text, role))

    def show_checks(self, checks: Checks) -> None:
        """Every stop, warning and gap of ``checks``, replacing what was shown."""
        self.clear()
        for stop in checks.hard_stops:
            self.say(_tr("Stop: {words}").format(words=self._explain_stop(stop)), "fieldError")
        for warning in checks.warnings:
            words = errors.explain(ClinicError(warning.words, **dict(warning.params)))
            if warning.code in checks.acknowledged:
                self.say(_tr("Acknowledged: {words}").format(words=words))
                continue
            line = QWidget()
            row = QHBoxLayout(line)
            row.setContentsMargins(0, 0, 0, 0)
            text = _tr("Warning: {words}").format(words=words)
            button = QPushButton(_tr("Acknowledge"))
            button.setAccessibleName(_tr("Acknowledge: {words}").format(words=words))
            button.clicked.connect(lambda _on=False, code=warning.code: self._acknowledge(code))
            row.addWidget(_line(text), 1)
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            self.acknowledge_buttons[warning.code] = button
            self.lines.append(text)
            self._layout.addWidget(line)
        for missing in checks.incomplete:
            where = self._label_for(missing.field or "")
            words = errors.field_message(missing, where)
            self.say(_tr("Still to do: {words}").format(words=about(where, words)))
        if checks.can_sign:
            self.say(_tr("Nothing stands in the way of signing."))
