"""Who works in the service: its clinic sites and the users who sign in.

They sit in the kernel because every unit of work re-reads the acting user (a disabled
account or a changed role takes effect at the next action).
"""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from clinic_app.kernel.base import Base, Syncable, enum_column
from clinic_app.kernel.vocabulary import Role


class Site(Syncable, Base):
    """A clinic site of the service (community hospital, health centre ...)."""

    __tablename__ = "site"

    name: Mapped[str] = mapped_column(String(200))
    ods_code: Mapped[str | None] = mapped_column(String(10), default=None)
    address: Mapped[str | None] = mapped_column(Text, default=None)
    #: How a patient or GP reaches the clinic: printed at the head of its letters.
    phone: Mapped[str | None] = mapped_column(String(40), default=None)
    email: Mapped[str | None] = mapped_column(String(200), default=None)


class User(Syncable, Base):
    """A person who signs in. A trainee may name the supervisor who co-signs their work."""

    __tablename__ = "app_user"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    professional_body: Mapped[str | None] = mapped_column(String(20), default=None)
    registration_number: Mapped[str | None] = mapped_column(String(40), default=None)
    #: What they are by training (``clinic_app.people.users.PROFESSIONS``), apart from their
    #: role in the app: a trainee in scanning may be a physiotherapist, a supervisor a doctor.
    profession: Mapped[str | None] = mapped_column(String(20), default=None)
    supervisor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"), default=None)

    site: Mapped[Site | None] = relationship(lazy="raise")


def display_name(session: Session, user_id: uuid.UUID | None) -> str:
    """The name a user is shown by on screens and letters; "" for none or one not held here."""
    user = session.get(User, user_id) if user_id is not None else None
    return user.display_name if user is not None else ""
