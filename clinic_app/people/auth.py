"""Signing in and out, unlocking, and changing one's own password. Works fully offline."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from functools import cache
from typing import Protocol

from sqlalchemy import select

from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import AuthenticationFailed, ClinicError, FormErrors, ValidationError
from clinic_app.kernel.local import LoginThrottle
from clinic_app.kernel.security import audit, passwords
from clinic_app.kernel.session import Actor, ClinicSession, reader
from clinic_app.kernel.staff import Site, User
from clinic_app.kernel.uow import Context


@cache
def _decoy_hash() -> str:
    """A hash to check against when the user name is unknown.

    A wrong name then takes as long as a wrong password, so timing does not reveal which
    user names exist. Made on first use, not at import: hashing is deliberately slow and
    start-up should not pay for it.
    """
    return passwords.hash_password(secrets.token_urlsafe(24))


class OnlineSignIn(Protocol):
    """The sync service's part in signing in, on a device that syncs with a server."""

    def configured(self) -> bool:
        """True when the device syncs with a server."""
        ...

    def has_signed_in_online(self, user_id: uuid.UUID) -> bool:
        """True if the user signed in on this device while it reached the server."""
        ...

    def online_login(self, username: str, password: str) -> uuid.UUID:
        """Sign in with the server; the user's id."""
        ...

    def sync_now(self) -> object:
        """Push and pull once."""
        ...


class AuthService:
    """Sign-in with a slow password check, throttled after repeated failures.

    On a device that syncs with a server, a user signs in offline only where they have
    signed in online before: the first sign-in on each device checks the password with the
    server (and fetches the user if the device does not have them yet).
    """

    def __init__(self, context: Context, online: OnlineSignIn | None = None) -> None:
        self._context = context
        self._online = online

    def _known_user_id(self, name: str) -> uuid.UUID | None:
        with reader(self._context.store.engine).connect() as conn:
            found = conn.execute(
                select(User.id).where(User.username == name, User.deleted.is_(False))
            ).scalar()
        return uuid.UUID(str(found)) if found is not None else None

    def _first_sign_in_here(self, name: str, password: str) -> None:
        """On a syncing device, a user's first sign-in here goes through the server.

        Raises:
            AuthenticationFailed: ``auth.needs_online_first`` when the server cannot be
                reached, or the server's own refusal.
        """
        online = self._online
        if online is None or not online.configured():
            return
        known = self._known_user_id(name)
        if known is not None and online.has_signed_in_online(known):
            return
        try:
            online.online_login(name, password)
        except AuthenticationFailed:
            raise
        except ClinicError as error:
            if error.code.startswith("sync.") or error.code.startswith("device."):
                raise AuthenticationFailed("auth.needs_online_first") from error
            raise
        # Fetch the user now: one added on the server since the last sync, and the password
        # hash the server sends this device only once the user has signed in online here.
        online.sync_now()

    def login(self, username: str, password: str) -> CurrentUser:
        """Check the user name and password and return the signed-in user.

        Raises:
            AuthenticationFailed: ``auth.failed`` (same for an unknown name and a wrong
                password), ``auth.disabled``, ``auth.locked_out`` with ``seconds``, or
                ``auth.needs_online_first`` (a syncing device that cannot reach the server,
                for a user who has never signed in on it online).
        """
        name = username.strip().casefold()
        self._first_sign_in_here(name, password)
        store = self._context.store
        with store.sessions.begin() as session:
            session.actor = Actor(device_id=self._context.device_id)
            user = session.scalars(
                select(User).where(User.username == name, User.deleted.is_(False))
            ).one_or_none()
            locked_for = self._lockout_seconds(session, name)
            ok = locked_for == 0 and passwords.verify_password(
                password, user.password_hash if user else _decoy_hash()
            )
            if locked_for:
                self._audit_attempt(session, "user.login_locked_out", user)
                failed = AuthenticationFailed("auth.locked_out", seconds=locked_for)
            elif user is None or not ok:
                self._record_failure(session, name, user)
                failed = AuthenticationFailed("auth.failed")
            elif not user.active:
                self._audit(session, user, "user.login_refused")
                failed = AuthenticationFailed("auth.disabled")
            else:
                failed = None
                session.actor = Actor(device_id=self._context.device_id, user_id=user.id)
                throttle = session.get(LoginThrottle, name)
                if throttle is not None:
                    session.delete(throttle)
                if passwords.needs_rehash(user.password_hash):
                    user.password_hash = passwords.hash_password(password)
                self._audit(session, user, "user.login")
                site = session.get(Site, user.site_id) if user.site_id else None
                current = CurrentUser(
                    id=user.id,
                    username=user.username,
                    display_name=user.display_name,
                    role=user.role,
                    site_id=user.site_id,
                    site_name=site.name if site else None,
                )
        # The failure is raised after the commit, so the throttle counts it.
        if failed is not None:
            raise failed
        return current

    def check_password(self, actor: CurrentUser, password: str) -> None:
        """Confirm the signed-in user's password (to unlock, or before signing).

        Throttled and audited like sign-in, so a locked screen cannot be guessed open.

        Raises:
            AuthenticationFailed: ``auth.failed``, ``auth.disabled`` or ``auth.locked_out``.
        """
        name = actor.username
        with self._context.store.sessions.begin() as session:
            session.actor = Actor(device_id=self._context.device_id, user_id=actor.id)
            user = session.get(User, actor.id)
            locked_for = self._lockout_seconds(session, name)
            if user is None or user.deleted or not user.active:
                failed: AuthenticationFailed | None = AuthenticationFailed("auth.disabled")
            elif locked_for:
                self._audit_attempt(session, "user.unlock_locked_out", user)
                failed = AuthenticationFailed("auth.locked_out", seconds=locked_for)
            elif not passwords.verify_password(password, user.password_hash):
                self._record_failure(session, name, user, action="user.unlock_failed")
                failed = AuthenticationFailed("auth.failed")
            else:
                failed = None
                throttle = session.get(LoginThrottle, name)
                if throttle is not None:
                    session.delete(throttle)
        if failed is not None:
            raise failed

    def change_password(self, actor: CurrentUser, old: str, new: str) -> None:
        """Change the signed-in user's own password.

        Raises:
            AuthenticationFailed: the old password is wrong.
            FormErrors: the new password is not acceptable.
        """
        self.check_password(actor, old)
        problems = passwords.password_problems(new, actor.username)
        if problems:
            raise FormErrors([ValidationError(code, field="new_password") for code in problems])
        with self._context.store.sessions.begin() as session:
            session.actor = Actor(device_id=self._context.device_id, user_id=actor.id)
            user = session.get(User, actor.id)
            if user is None:
                raise AuthenticationFailed("auth.disabled")
            user.password_hash = passwords.hash_password(new)
            user.must_change_password = False
            self._audit(session, user, "user.password_changed")

    def _lockout_seconds(self, session: ClinicSession, name: str) -> int:
        """Seconds this user name stays locked out on this device (0 when it is not)."""
        throttle = session.get(LoginThrottle, name)
        if throttle is None or throttle.locked_until is None:
            return 0
        remaining = (throttle.locked_until - utcnow()).total_seconds()
        return int(remaining) + 1 if remaining > 0 else 0

    def _audit_attempt(self, session: ClinicSession, action: str, user: User | None) -> None:
        audit.append(
            session,
            action=action,
            device_id=self._context.device_id,
            user_id=user.id if user else None,
        )

    def _record_failure(
        self,
        session: ClinicSession,
        name: str,
        user: User | None,
        *,
        action: str = "user.login_failed",
    ) -> None:
        config = self._context.config
        throttle = session.get(LoginThrottle, name)
        if throttle is None:
            throttle = LoginThrottle(username=name, failures=0)
            session.add(throttle)
        throttle.failures += 1
        if throttle.failures >= config.max_failed_logins:
            throttle.locked_until = utcnow() + timedelta(seconds=config.login_lockout_seconds)
            throttle.failures = 0
        self._audit_attempt(session, action, user)

    def _audit(self, session: ClinicSession, user: User, action: str) -> None:
        audit.append(session, action=action, device_id=self._context.device_id, user_id=user.id)
