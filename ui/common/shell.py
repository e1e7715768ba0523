"""Parts of the main window that belong to no screen: the welcome panel and the status bar."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import StoreStatus
from ui.common import formatting
from ui.common.widgets import NoticeBar, card, label, set_role


def _tr(text: str) -> str:
    return QCoreApplication.translate("Shell", text)


_SYNC_WORDS = {
    "standalone": "Not syncing (no server set up)",
    "offline": "Offline",
    "online": "Connected",
    "syncing": "Syncing",
    "synced": "Up to date",
    "error": "Sync problem",
}


def sync_words(state: str) -> str:
    """A sync state code in words for the status bar."""
    return _tr(_SYNC_WORDS.get(state, state.replace("_", " ").capitalize()))


class HomePage(QWidget):
    """What the right-hand side shows before a patient is open: where to start, and the keys."""

    register_requested = Signal()

    def __init__(self, shortcuts: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notice = NoticeBar()
        panel = card()
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(12)
        inner.addWidget(label(_tr("Start with a patient"), "heading"))
        inner.addWidget(
            label(
                _tr(
                    "Search on the left by name, NHS number or date of birth, then press Enter "
                    "to open the record. If the patient is new to the service, register them."
                ),
                "hint",
                wrap=True,
            )
        )
        self.register_button = QPushButton(_tr("Register a patient"))
        set_role(self.register_button, "", variant="primary")
        self.register_button.clicked.connect(self.register_requested)
        row = QHBoxLayout()
        row.addWidget(self.register_button)
        row.addStretch(1)
        inner.addLayout(row)
        inner.addSpacing(8)
        inner.addWidget(label(_tr("Keyboard shortcuts"), "subheading"))
        keys = QGridLayout()
        keys.setHorizontalSpacing(24)
        keys.setVerticalSpacing(6)
        # Two columns, read down the first then the second: the list stays short enough for
        # a laptop screen as screens (and their keys) are added.
        rows = max(1, -(-len(shortcuts) // 2))
        for index, (keys_text, action) in enumerate(shortcuts):
            line, column = index % rows, (index // rows) * 2
            key_label = label(keys_text, "bannerValue")
            keys.addWidget(key_label, line, column, Qt.AlignmentFlag.AlignLeft)
            keys.addWidget(label(action, wrap=True), line, column + 1)
        keys.setColumnStretch(1, 1)
        keys.setColumnStretch(3, 1)
        inner.addLayout(keys)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 14, 16, 12)
        layout.setSpacing(12)
        layout.addWidget(self.notice)
        layout.addWidget(panel)
        layout.addStretch(1)


class StatusStrip:
    """Fills the window's status bar: who is signed in, the site, and the sync state.

    No clock: the operating system already shows the time, and a ticking label distracts.
    """

    def __init__(self, bar: QStatusBar) -> None:
        self.user_label = QLabel()
        self.user_label.setObjectName("statusUser")
        self.site_label = QLabel()
        self.site_label.setObjectName("statusSite")
        self.sync_label = QLabel()
        self.sync_label.setObjectName("statusSync")
        set_role(self.sync_label, "syncState")
        bar.setSizeGripEnabled(False)
        bar.addWidget(self.user_label)
        bar.addWidget(self.site_label)
        bar.addPermanentWidget(self.sync_label)
        self.clear()

    def show_user(self, user: CurrentUser) -> None:
        self.user_label.setText(
            _tr("{name} · {role}").format(
                name=user.display_name, role=formatting.display_role(str(user.role))
            )
        )
        self.site_label.setText(
            _tr("Site: {site}").format(site=user.site_name) if user.site_name else ""
        )

    def show_status(self, status: StoreStatus) -> None:
        if status.site_name:
            self.site_label.setText(_tr("Site: {site}").format(site=status.site_name))
        parts = [sync_words(status.sync_state)]
        if status.pending_changes == 1:
            parts.append(_tr("1 change to send"))
        elif status.pending_changes > 1:
            parts.append(_tr("{count} changes to send").format(count=status.pending_changes))
        if status.last_sync_at is not None:
            when = status.last_sync_at.astimezone()
            parts.append(
                _tr("last sync {date} {time}").format(
                    date=formatting.clinical_date(when.date()), time=f"{when:%H:%M}"
                )
            )
        if status.sync_problems:
            parts.append(
                _tr("{count} sync problem(s): see Service > Sync").format(
                    count=status.sync_problems
                )
            )
        self.sync_label.setText(" · ".join(parts))

    def show_locked(self) -> None:
        self.user_label.setText(_tr("Locked"))

    def clear(self) -> None:
        self.user_label.setText(_tr("Not signed in"))
        self.site_label.clear()
        self.sync_label.setText(sync_words("offline"))
