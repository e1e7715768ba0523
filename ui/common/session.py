"""Who is signed in on this window: the one piece of state every screen reads."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from clinic_app.kernel.current_user import CurrentUser


class NotSignedIn(RuntimeError):
    """A screen asked for the current user while nobody is signed in (a programming error)."""


class UserSession(QObject):
    """Holds the signed-in user; view models read it when they start a service call.

    The user is captured when work is submitted, not when it runs, so a draft saved on the
    way out of a session is saved as the user who typed it.
    """

    user_changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._user: CurrentUser | None = None

    @property
    def user(self) -> CurrentUser | None:
        return self._user

    def require_user(self) -> CurrentUser:
        """The signed-in user; raises NotSignedIn when there is none."""
        if self._user is None:
            raise NotSignedIn("no user is signed in")
        return self._user

    def sign_in(self, user: CurrentUser) -> None:
        self._user = user
        self.user_changed.emit(user)

    def sign_out(self) -> None:
        self._user = None
        self.user_changed.emit(None)
