"""Managing users: add, disable, reset a password, list. Admins only."""

from __future__ import annotations

import uuid
from typing import Protocol

from sqlalchemy import select

from clinic_app.kernel import validation as check
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, NotFound, ValidationError
from clinic_app.kernel.security import passwords
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.staff import Site, User
from clinic_app.kernel.uow import Context, Mode, UnitOfWork
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import UserSummary

PROFESSIONAL_BODIES = ("HCPC", "GMC", "NMC", "GPhC", "SCoR", "other")
#: What a person is by training, as their scan reports name them (each has a code in the
#: reports' observer roles, CID 7452 or SNOMED CT occupations); "other" falls back on the role.
PROFESSIONS = ("physiotherapist", "sonographer", "radiographer", "nurse", "doctor", "other")


def check_new_user(
    username: str,
    display_name: str,
    password: str,
    professional_body: str | None,
    profession: str | None = None,
) -> tuple[str, str]:
    """The user name as stored and the display name, after checking every field.

    Raises:
        FormErrors: ``user.username_invalid``, display name problems, password problems,
            ``code.unknown`` for the professional body or the profession.
    """
    errors = check.Collector()
    name = username.strip().casefold()
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-" for c in name):
        errors.add("user.username_invalid", "username")
    shown = errors.check(lambda: check.required_text(display_name, "display_name", 200))
    for code in passwords.password_problems(password, name):
        errors.add(code, "password")
    if professional_body is not None and professional_body not in PROFESSIONAL_BODIES:
        errors.add("code.unknown", "professional_body")
    if profession is not None and profession not in PROFESSIONS:
        errors.add("code.unknown", "profession")
    errors.raise_if_any()
    return name, shown or name


class CentralUsers(Protocol):
    """Whether users are managed on a central server (the sync service knows)."""

    def configured(self) -> bool:
        """True when the device syncs with a server."""
        ...


class UserService:
    """User administration; every change is audited.

    Once the device syncs with a server, users are managed there and reach the device by
    sync: changing them here is refused, so two lists of users never drift apart.
    """

    def __init__(self, context: Context, central: CentralUsers | None = None) -> None:
        self._uow = UnitOfWork(context)
        self._central = central

    def _refuse_if_central(self) -> None:
        if self._central is not None and self._central.configured():
            raise Conflict("user.managed_centrally")

    def add(
        self,
        actor: CurrentUser,
        *,
        username: str,
        display_name: str,
        role: Role,
        password: str,
        professional_body: str | None = None,
        registration_number: str | None = None,
        profession: str | None = None,
        supervisor: str | None = None,
        site_id: uuid.UUID | None = None,
        must_change_password: bool = False,
    ) -> UserSummary:
        """Add a user.

        Raises:
            FormErrors: bad user name, display name or password.
            Conflict: ``user.exists``.
        """
        require(actor.role, Action.USER_MANAGE)
        self._refuse_if_central()
        name, shown = check_new_user(
            username, display_name, password, professional_body, profession
        )
        with self._uow(actor, Action.USER_MANAGE) as session:
            if session.scalar(select(User.id).where(User.username == name)) is not None:
                raise Conflict("user.exists", field="username")
            supervisor_id = None
            if supervisor:
                boss = self._by_name(session, supervisor)
                if boss.role not in (Role.SUPERVISOR,):
                    raise ValidationError("user.supervisor_role", field="supervisor")
                supervisor_id = boss.id
            if site_id is not None and session.get(Site, site_id) is None:
                raise ValidationError("site.unknown", field="site")
            user = User(
                username=name,
                display_name=shown,
                role=role,
                password_hash=passwords.hash_password(password),
                professional_body=professional_body,
                registration_number=(registration_number or "").strip() or None,
                profession=profession,
                supervisor_id=supervisor_id,
                site_id=site_id,
                must_change_password=must_change_password,
            )
            session.add(user)
            session.flush()
            self._uow.audit(session, actor, "user.add", entity="app_user", entity_id=user.id)
            return self._summary(user, supervisor if supervisor_id else None)

    def add_site(self, actor: CurrentUser, name: str) -> uuid.UUID:
        """Add a clinic site (a standalone clinic's own; a syncing one gets them from the server).

        Raises:
            FormErrors: ``text.empty`` or ``text.too_long`` for the name.
            Conflict: ``user.managed_centrally``.
        """
        require(actor.role, Action.USER_MANAGE)
        self._refuse_if_central()
        errors = check.Collector()
        shown = errors.check(lambda: check.required_text(name, "site_name", 200))
        errors.raise_if_any()
        with self._uow(actor, Action.USER_MANAGE) as session:
            site = Site(name=shown or name)
            session.add(site)
            session.flush()
            self._uow.audit(session, actor, "site.add", entity="site", entity_id=site.id)
            return site.id

    def set_active(self, actor: CurrentUser, username: str, *, active: bool) -> None:
        """Disable (or re-enable) a user; their records and audit entries stay."""
        self._refuse_if_central()
        with self._uow(actor, Action.USER_MANAGE) as session:
            user = self._by_name(session, username)
            if user.id == actor.id and not active:
                raise ValidationError("user.cannot_disable_self", field="username")
            user.active = active
            action = "user.enable" if active else "user.disable"
            self._uow.audit(session, actor, action, entity="app_user", entity_id=user.id)

    def reset_password(self, actor: CurrentUser, username: str, new_password: str) -> None:
        """Set a new password, which the user must change at next sign-in."""
        require(actor.role, Action.USER_MANAGE)
        self._refuse_if_central()
        problems = passwords.password_problems(new_password, username)
        if problems:
            raise ValidationError(problems[0], field="password")
        with self._uow(actor, Action.USER_MANAGE) as session:
            user = self._by_name(session, username)
            user.password_hash = passwords.hash_password(new_password)
            user.must_change_password = True
            self._uow.audit(
                session, actor, "user.password_reset", entity="app_user", entity_id=user.id
            )

    def list(self, actor: CurrentUser) -> list[UserSummary]:
        """Every user, by user name."""
        with self._uow(actor, Action.USER_LIST, mode=Mode.READ) as session:
            users = session.scalars(select(User).order_by(User.username)).all()
            names = {u.id: u.username for u in users}
            return [
                self._summary(u, names.get(u.supervisor_id) if u.supervisor_id else None)
                for u in users
            ]

    @staticmethod
    def _by_name(session: ClinicSession, username: str) -> User:
        user = session.scalars(
            select(User).where(User.username == username.strip().casefold())
        ).one_or_none()
        if user is None:
            raise NotFound("user.not_found", field="username")
        return user

    @staticmethod
    def _summary(user: User, supervisor: str | None) -> UserSummary:
        return UserSummary(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            active=user.active,
            professional_body=user.professional_body,
            registration_number=user.registration_number,
            supervisor_username=supervisor,
            profession=user.profession,
        )
