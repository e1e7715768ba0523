"""Widgets every screen shares: patient banner, form field, notices and an error summary."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QMargins, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from clinic_app.kernel.vocabulary import AlertKind
from clinic_app.people.views import AlertView, Choice, PatientRecord
from ui.common import formatting


def _tr(text: str) -> str:
    return QCoreApplication.translate("Widgets", text)


def set_role(widget: QWidget, role: str, **properties: str) -> None:
    """Tag a widget for the style sheet (``role`` plus any extra properties) and restyle it."""
    widget.setProperty("role", role)
    for name, value in properties.items():
        widget.setProperty(name, value)
    repolish(widget)


def repolish(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def label(text: str, role: str | None = None, *, wrap: bool = False) -> QLabel:
    """A label with an optional style role."""
    widget = QLabel(text)
    if role is not None:
        set_role(widget, role)
    widget.setWordWrap(wrap)
    return widget


def card(parent: QWidget | None = None) -> QFrame:
    """A white panel with a thin border, for grouping a screen's sections."""
    frame = QFrame(parent)
    set_role(frame, "card")
    return frame


class FlowLayout(QLayout):
    """Lays widgets out left to right and wraps to a new line when the row is full."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        x, y, line_height = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > rect.right() and line_height > 0:
                x = rect.x()
                y += line_height + self._spacing
                line_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y()


def alert_kind_label(kind: AlertKind) -> str:
    """An alert kind in words."""
    words = {
        AlertKind.ALLERGY: _tr("Allergy"),
        AlertKind.CLINICAL: _tr("Clinical"),
        AlertKind.SAFEGUARDING: _tr("Safeguarding"),
        AlertKind.COMMUNICATION: _tr("Communication"),
        AlertKind.ACCESS: _tr("Access"),
    }
    return words.get(kind, str(kind).capitalize())


def alert_chip(alert: AlertView) -> QLabel:
    """One alert as a chip coloured by its kind; the kind is also in its accessible name."""
    chip = QLabel(alert.text)
    described = _tr("{kind} alert: {text}").format(
        kind=alert_kind_label(alert.kind), text=alert.text
    )
    chip.setToolTip(described)
    chip.setAccessibleName(described)
    set_role(chip, "chip", chip=str(alert.kind.value))
    return chip


def alert_kind_chip(kind: AlertKind) -> QLabel:
    """Just the kind of an alert, as a coloured chip (for lists of alerts)."""
    chip = QLabel(alert_kind_label(kind))
    set_role(chip, "chip", chip=str(kind.value))
    chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return chip


#: A record's sync state in words; with no server set up nothing is said.
_SYNC_STATES = {
    "waiting": "Waiting to sync",
    "synced": "Synced",
    "conflict": "Conflict: see Service > Sync",
    "error": "Not taken by the server: see Service > Sync",
}


class PatientBanner(QFrame):
    """Who this screen is about, shown the NHS way so a patient is never mistaken for another.

    Name as ``FAMILY, Given (Title)``, NHS number grouped 3 3 4 (or "No NHS number"), date of
    birth as dd-Mmm-yyyy with the age, sex, and the active alerts as coloured chips.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "banner")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.name_label = label("", "bannerName")
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.nhs_number_label = label("", "bannerValue")
        self.nhs_number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.born_label = label("", "bannerValue")
        self.sex_label = label("", "bannerValue")
        self.episode_label = label("", "bannerValue")
        self.episode_label.setObjectName("bannerEpisode")
        self.sync_key = label(_tr("Sync"), "bannerKey")
        self.sync_label = label("", "bannerValue")
        self.sync_label.setObjectName("bannerSync")

        details = QHBoxLayout()
        details.setSpacing(6)
        for key, value in (
            (_tr("NHS number"), self.nhs_number_label),
            (_tr("Born"), self.born_label),
            (_tr("Sex"), self.sex_label),
            (_tr("Episode"), self.episode_label),
        ):
            details.addWidget(label(key, "bannerKey"))
            details.addWidget(value)
            details.addSpacing(18)
        details.addWidget(self.sync_key)
        details.addWidget(self.sync_label)
        details.addStretch(1)

        self._alerts_host = QWidget()
        self._alerts = FlowLayout(self._alerts_host)

        self._details_host = QWidget()
        self._details_host.setLayout(details)
        details.setContentsMargins(0, 0, 0, 0)
        self.note_label = label("", "bannerKey")
        self.note_label.setObjectName("bannerNote")
        self.note_label.setWordWrap(True)
        self.note_label.hide()
        self._suppressed = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 12)
        layout.setSpacing(6)
        # The alerts sit beside the name, so the banner takes two lines, not three, of the
        # height every page shares with it.
        name_row = QHBoxLayout()
        name_row.setSpacing(18)
        name_row.addWidget(self.name_label, 0, Qt.AlignmentFlag.AlignVCenter)
        name_row.addWidget(self._alerts_host, 1)
        layout.addLayout(name_row)
        layout.addWidget(self._details_host)
        layout.addWidget(self.note_label)

    def suppress(self) -> None:
        """Keep this banner hidden for good (the window shows the one banner there is)."""
        self._suppressed = True
        self.hide()

    @property
    def suppressed(self) -> bool:
        """True for a banner kept hidden because the window shows its own."""
        return self._suppressed

    def setVisible(self, visible: bool) -> None:
        super().setVisible(visible and not self._suppressed)

    def set_note(self, text: str) -> None:
        """A line under the patient's details (empty: none), e.g. why actions are off."""
        self.note_label.setText(text)
        self.note_label.setVisible(bool(text))

    def show_none(self) -> None:
        """Say plainly that no patient is open (rather than an empty banner)."""
        self.clear()
        self.name_label.setText(_tr("No patient open"))
        self._details_host.hide()
        self._alerts_host.hide()
        self.setAccessibleName(_tr("No patient open"))

    def show_record(self, record: PatientRecord) -> None:
        """Fill the banner from a patient record."""
        self._details_host.show()
        self._alerts_host.show()
        self.name_label.setText(
            formatting.patient_name(record.family_name, record.given_name, record.title)
        )
        self.nhs_number_label.setText(formatting.nhs_number(record.nhs_number))
        self.born_label.setText(formatting.born(record.date_of_birth, record.age))
        self.sex_label.setText(record.sex_label)
        episode = record.open_episode
        self.episode_label.setText(
            _tr("{pathway} since {date}").format(
                pathway=episode.pathway_label or _tr("Open"),
                date=formatting.clinical_date(episode.started_on),
            )
            if episode is not None
            else _tr("None open")
        )
        words = _SYNC_STATES.get(record.sync_state)
        self.sync_label.setText(_tr(words) if words else "")
        self.sync_key.setVisible(words is not None)
        self.sync_label.setVisible(words is not None)
        self._show_alerts(record.alerts)
        self.setAccessibleName(
            _tr("Patient: {name}, NHS number {nhs}").format(
                name=self.name_label.text(), nhs=self.nhs_number_label.text()
            )
        )

    def clear(self) -> None:
        for widget in (
            self.name_label,
            self.nhs_number_label,
            self.born_label,
            self.sex_label,
            self.episode_label,
        ):
            widget.clear()
        self._show_alerts(())

    def alert_texts(self) -> list[str]:
        """The chips' texts, as a person reads them."""
        texts: list[str] = []
        for index in range(self._alerts.count()):
            item = self._alerts.itemAt(index)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QLabel):
                texts.append(widget.text())
        return texts

    def _show_alerts(self, alerts: Sequence[AlertView]) -> None:
        while self._alerts.count():
            item = self._alerts.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if not alerts:
            self._alerts.addWidget(label(_tr("No alerts"), "bannerKey"))
            return
        for alert in alerts:
            self._alerts.addWidget(alert_chip(alert))


class FormField(QWidget):
    """A label, an optional hint, the input, and an error line under it shown when needed."""

    def __init__(
        self,
        text: str,
        editor: QWidget,
        *,
        hint: str | None = None,
        optional: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.text = text
        self.editor = editor
        shown = _tr("{label} (optional)").format(label=text) if optional else text
        self.label = label(shown, "fieldLabel")
        self.label.setBuddy(editor)
        self.hint = label(hint or "", "hint", wrap=True)
        self.error_label = label("", "fieldError", wrap=True)
        self.error_label.setVisible(False)
        editor.setAccessibleName(text)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.label)
        layout.addWidget(self.hint)
        # Only once it has a parent: shown before, it would flash up as a window of its own
        # and take the focus from the window being worked in (screens are built on first use).
        self.hint.setVisible(bool(hint))
        layout.addWidget(editor)
        layout.addWidget(self.error_label)
        # Extra height goes below, so fields side by side keep their labels and inputs level.
        layout.addStretch(1)

    def set_error(self, message: str | None) -> None:
        """Show ``message`` under the input (or clear it) and mark the input as invalid."""
        self.error_label.setText(message or "")
        self.error_label.setVisible(bool(message))
        self.editor.setProperty("invalid", "true" if message else "false")
        self.editor.setAccessibleDescription(message or "")
        repolish(self.editor)

    def error(self) -> str | None:
        return self.error_label.text() or None


class NoticeBar(QFrame):
    """A non-modal message across the top of a screen, with a button to dismiss it.

    A page's bar says one thing at a time (:meth:`show_notice`). The window's bar gathers
    (:meth:`add_notice`): words that come while others are on show join them, each on its
    own line, so a later word (a sync's count of reports waiting) never hides an earlier
    one (a patient's letter that was not printed) the clinician has not read yet.
    """

    dismissed = Signal()
    #: Most notices gathered on show at once; past it the oldest goes, a problem last.
    MOST_GATHERED = 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "notice", tone="info")
        self.message = label("", wrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QPushButton(_tr("Dismiss"))
        set_role(self.close_button, "", variant="link")
        self.close_button.clicked.connect(self.hide_notice)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        #: What is on show, oldest first, with each one's tone.
        self._gathered: list[tuple[str, str]] = []
        self.setVisible(False)

    def show_notice(self, text: str, tone: str = "info") -> None:
        """Show ``text`` alone, in place of whatever was on show.

        Its tone is "info", "success" or "problem".
        """
        self._gathered = [(text, tone)]
        self._show(text, tone)

    def add_notice(self, text: str, tone: str = "info") -> None:
        """Show ``text`` under the notices still on show (said again, it moves last).

        The bar takes the tone "problem" while any notice on show is one.
        """
        gathered = [(said, kind) for said, kind in self._on_show() if said != text]
        gathered.append((text, tone))
        while len(gathered) > self.MOST_GATHERED:
            others = [index for index, (_said, kind) in enumerate(gathered) if kind != "problem"]
            del gathered[others[0] if others else 0]
        self._gathered = gathered
        kinds = {kind for _said, kind in gathered}
        self._show(
            "\n".join(said for said, _kind in gathered), "problem" if "problem" in kinds else tone
        )

    def _on_show(self) -> list[tuple[str, str]]:
        # Hidden by its own flag only: a window not on the screen yet still has its notices.
        return [] if self.isHidden() else list(self._gathered)

    def _show(self, text: str, tone: str) -> None:
        # Plain text always: a patient's name is never read as markup.
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setText(text)
        self.setProperty("tone", tone)
        repolish(self)
        self.setVisible(True)

    def hide_notice(self) -> None:
        self._gathered = []
        self.message.clear()
        self.setVisible(False)
        self.dismissed.emit()

    def text(self) -> str:
        return self.message.text() if self.isVisible() else ""


class ErrorSummary(QFrame):
    """The box at the top of a form that says "There is a problem" and lists each one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "notice", tone="problem")
        self.title = label(_tr("There is a problem"), "subheading")
        self.body = label("", wrap=True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        self.setVisible(False)

    def show_problems(self, headline: str, problems: Sequence[str]) -> None:
        """Show ``headline`` and a bulleted list of problems (our own words, never input)."""
        items = "".join(f"<li>{html.escape(problem)}</li>" for problem in problems)
        listing = f'<ul style="margin: 4px 0 0 -24px;">{items}</ul>' if items else ""
        self.body.setText(f"<p style='margin: 0;'>{html.escape(headline)}</p>{listing}")
        self.setVisible(True)

    def text(self) -> str:
        """The summary as plain text, as a screen reader would read it."""
        return self.body.text() if self.isVisible() else ""

    def clear(self) -> None:
        self.body.clear()
        self.setVisible(False)


def form_grid(columns: int = 2) -> QGridLayout:
    """A grid for form fields with even columns and calm spacing."""
    grid = QGridLayout()
    grid.setHorizontalSpacing(20)
    grid.setVerticalSpacing(12)
    for column in range(columns):
        grid.setColumnStretch(column, 1)
    return grid


class ChoiceCombo(QComboBox):
    """A drop-down of reference-list choices that reads and writes codes, not labels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(12)

    def set_choices(self, choices: Sequence[Choice], placeholder: str | None = None) -> None:
        """Fill the list; ``placeholder`` is a first entry meaning "nothing chosen" (code "")."""
        current = self.code()
        self.blockSignals(True)
        self.clear()
        if placeholder is not None:
            self.addItem(placeholder, "")
        for choice in choices:
            self.addItem(choice.label, choice.code)
        self.blockSignals(False)
        self.set_code(current)

    def code(self) -> str:
        data = self.currentData()
        return data if isinstance(data, str) else ""

    def set_code(self, code: str) -> None:
        index = self.findData(code)
        self.setCurrentIndex(index if index >= 0 else 0)
