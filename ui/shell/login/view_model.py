"""State and commands of the sign-in screen, which is also the lock screen."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ValidationError
from ui.common import errors
from ui.common.tasks import TaskRunner


class Authenticator(Protocol):
    """The part of the auth service this screen uses."""

    def login(self, username: str, password: str) -> CurrentUser: ...

    def check_password(self, actor: CurrentUser, password: str) -> None: ...


class LoginMode(StrEnum):
    """Signing in afresh, or unlocking a session that is still open behind the lock."""

    SIGN_IN = "sign_in"
    LOCKED = "locked"


class LoginViewModel(QObject):
    """Signs a user in, or unlocks the locked session of the same user.

    Passwords are passed straight to the service and never kept.
    """

    signed_in = Signal(object)
    unlocked = Signal()
    failed = Signal(str)
    busy_changed = Signal(bool)
    mode_changed = Signal(str)
    switch_user_requested = Signal()

    def __init__(self, auth: Authenticator, runner: TaskRunner, parent: QObject | None = None):
        super().__init__(parent)
        self._auth = auth
        self._runner = runner
        self._mode = LoginMode.SIGN_IN
        self._locked_user: CurrentUser | None = None
        self._busy = False

    @property
    def mode(self) -> LoginMode:
        return self._mode

    @property
    def locked_user(self) -> CurrentUser | None:
        return self._locked_user

    @property
    def busy(self) -> bool:
        return self._busy

    def show_sign_in(self) -> None:
        """Ask for a user name and password."""
        self._locked_user = None
        self._mode = LoginMode.SIGN_IN
        self.mode_changed.emit(self._mode.value)

    def show_locked(self, user: CurrentUser) -> None:
        """Ask ``user`` for their password to return to their work."""
        self._locked_user = user
        self._mode = LoginMode.LOCKED
        self.mode_changed.emit(self._mode.value)

    def sign_in(self, username: str, password: str) -> None:
        """Check the user name and password; emits ``signed_in`` or ``failed``."""
        if self._busy:
            return
        if not username.strip():
            self.failed.emit(errors.field_message(ValidationError("username.empty")))
            return
        if not password:
            self.failed.emit(errors.field_message(ValidationError("password.empty")))
            return
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._auth.login(username, password),
            on_done=self._on_auth_signed_in,
            on_failed=self._on_auth_failed,
        )

    def unlock(self, password: str) -> None:
        """Check the locked user's password; emits ``unlocked`` or ``failed``."""
        user = self._locked_user
        if self._busy or user is None:
            return
        if not password:
            self.failed.emit(errors.field_message(ValidationError("password.empty")))
            return
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._auth.check_password(user, password),
            on_done=self._on_auth_unlocked,
            on_failed=self._on_auth_failed,
        )

    def request_switch_user(self) -> None:
        """The person at the keyboard is not the locked user."""
        if not self._busy:
            self.switch_user_requested.emit()

    def _on_auth_signed_in(self, user: CurrentUser) -> None:
        # Still busy while the window opens the user's first page (``opened`` ends it): the
        # sign-in screen takes no second sign-in meanwhile.
        self.signed_in.emit(user)

    def opened(self) -> None:
        """The window has opened the signed-in user's workspace: the screen is free again."""
        self._set_busy(False)

    def _on_auth_unlocked(self, _result: None) -> None:
        self._set_busy(False)
        self.unlocked.emit()

    def _on_auth_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.failed.emit(errors.explain(error))

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
