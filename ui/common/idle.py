"""Notices when nobody has touched the keyboard or mouse for a while, so the window can lock."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class IdleWatcher(QObject):
    """An application-wide event filter that emits ``idle_timed_out`` after a quiet spell.

    Install it on the QApplication. It only watches; it never consumes an event.
    """

    idle_timed_out = Signal()

    def __init__(self, seconds: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle_timed_out)
        self.set_seconds(seconds)

    def set_seconds(self, seconds: int) -> None:
        """Change the quiet spell; zero or less switches idle locking off."""
        self._seconds = seconds
        if seconds > 0:
            self._timer.setInterval(seconds * 1000)

    def start(self) -> None:
        """Start counting from now (after signing in or unlocking)."""
        if self._seconds > 0:
            self._timer.start()

    def stop(self) -> None:
        """Stop counting (while signed out or locked)."""
        self._timer.stop()

    def is_running(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self._timer.isActive():
            self._timer.start()
        return False
