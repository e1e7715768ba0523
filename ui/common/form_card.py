"""A card of a long form: a panel with its heading, its fields kept by key, and plain words.

The injection record and the shockwave course are built of such cards, each owning its widgets;
the form gathers each card's ``fields`` to mark a problem beside its field.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.common.widgets import FormField, label, set_role


def _tr(text: str) -> str:
    return QCoreApplication.translate("FormCard", text)


def plain_words(text: str, role: str | None = None) -> QLabel:
    """A wrapped label shown as plain text (never read as rich text), in ``role``'s style."""
    made = label(text, role, wrap=True)
    made.setTextFormat(Qt.TextFormat.PlainText)
    return made


def labelled(
    text: str, editor: QWidget, *, hint: str | None = None, optional: bool = False
) -> FormField:
    """``editor`` labelled ``text``, its label wrapping over lines as a long question needs."""
    made = FormField(text, editor, hint=hint, optional=optional)
    made.label.setWordWrap(True)
    return made


def password_box(name: str) -> QLineEdit:
    """A box for the user's password, named ``name`` for a screen reader ("Password to sign")."""
    box = QLineEdit()
    box.setEchoMode(QLineEdit.EchoMode.Password)
    box.setPlaceholderText(_tr("Your password"))
    box.setAccessibleName(name)
    box.setMaximumWidth(220)
    return box


class FormCard(QFrame):
    """A white panel headed ``heading``; what it holds goes in ``inner``, in order."""

    def __init__(self, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "card")
        self.inner = QVBoxLayout(self)
        self.inner.setContentsMargins(14, 10, 14, 12)
        self.inner.setSpacing(8)
        self.heading = label(heading, "subheading")
        self.inner.addWidget(self.heading)
        #: Each field of the card by its key, as the service names it.
        self.fields: dict[str, FormField] = {}

    def field(
        self,
        key: str,
        text: str,
        editor: QWidget,
        *,
        hint: str | None = None,
        optional: bool = False,
    ) -> FormField:
        """``editor`` labelled ``text`` (its label wraps), kept as the card's field ``key``."""
        made = labelled(text, editor, hint=hint, optional=optional)
        self.fields[key] = made
        return made


__all__ = ["FormCard", "labelled", "password_box", "plain_words"]
