"""Users managed centrally: added and disabled on the server, carried to devices by sync.

A change to a user goes through the same path as a device's push (a change applied with
field versions and a change number), so devices pull it like any other row. An online
sign-in from a device is recorded, with the token the device keeps for that user.

A device gets a user's password hash (what it checks an offline sign-in against) only once
that user has signed in online on that device: every other device pulls the user with the
hash withheld, so a lost laptop holds the hashes of its own users, not the whole service's.
The first online sign-in on a device logs the user's row again, so the device's next pull
brings the hash.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import uuid
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import (
    AuthenticationFailed,
    ClinicError,
    Conflict,
    NotFound,
    ValidationError,
)
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.outbox import apply_defaults, wire_value
from clinic_app.kernel.security import passwords
from clinic_app.kernel.staff import Site, User
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.users import check_new_user
from clinic_app.server.apply import COUNTER, apply_change, flush_log
from clinic_app.server.devices import token_digest
from clinic_app.sync.model import SyncChange, SyncCounter, SyncUserLogin
from clinic_app.sync.protocol import Change, PullPage, Status

#: The id the server writes under when it changes rows itself.
SERVER_DEVICE = uuid.UUID("00000000-0000-0000-0000-00000000c0de")


def _applied(conn: Connection, change: Change) -> None:
    result = apply_change(conn, SERVER_DEVICE, change)
    flush_log(conn)
    if result.status not in (Status.APPLIED, Status.MERGED, Status.DUPLICATE):
        raise ClinicError("user.not_saved", reason=result.reason or result.status.value)


def add_user(
    conn: Connection,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    professional_body: str | None = None,
    registration_number: str | None = None,
    profession: str | None = None,
    supervisor: str | None = None,
) -> uuid.UUID:
    """Add a user; devices get them at their next sync.

    Raises:
        FormErrors: as ``clinic_app.people.users.check_new_user``.
        Conflict: ``user.exists``. ValidationError: ``user.supervisor_role``.
    """
    name, shown = check_new_user(username, display_name, password, professional_body, profession)
    if conn.execute(select(User.id).where(User.username == name)).first() is not None:
        raise Conflict("user.exists", field="username")
    supervisor_id = None
    if supervisor:
        boss = conn.execute(
            select(User.id, User.role).where(User.username == supervisor.strip().casefold())
        ).first()
        if boss is None or boss.role != Role.SUPERVISOR:
            raise ClinicError("user.supervisor_role")
        supervisor_id = boss.id
    now = utcnow()
    user = User(
        id=uuid7(),
        username=name,
        display_name=shown,
        role=role,
        password_hash=passwords.hash_password(password),
        professional_body=professional_body,
        registration_number=(registration_number or "").strip() or None,
        profession=profession,
        supervisor_id=supervisor_id,
        created_at=now,
        updated_at=now,
        device_id=SERVER_DEVICE,
    )
    apply_defaults(user)
    fields: dict[str, Any] = {
        column.key: wire_value(getattr(user, column.key))
        for column in User.__mapper__.column_attrs
        if column.key not in {"id", "row_version"}
    }
    _applied(
        conn,
        Change(uuid.uuid4(), "app_user", user.id, "insert", 0, fields),
    )
    return user.id


def _update(conn: Connection, username: str, values: dict[str, Any]) -> None:
    row = conn.execute(
        select(User.id, User.row_version).where(User.username == username.strip().casefold())
    ).first()
    if row is None:
        raise NotFound("user.not_found")
    fields = {**values, "updated_at": wire_value(utcnow()), "device_id": str(SERVER_DEVICE)}
    _applied(conn, Change(uuid.uuid4(), "app_user", row.id, "update", row.row_version, fields))


def set_active(conn: Connection, username: str, *, active: bool) -> None:
    """Disable (or enable again) a user everywhere; their records stay.

    Raises:
        NotFound: ``user.not_found``.
    """
    _update(conn, username, {"active": active})


def set_role(conn: Connection, username: str, role: Role) -> None:
    """Change a user's role everywhere (from the next sync of each device).

    Raises:
        NotFound: ``user.not_found``.
    """
    _update(conn, username, {"role": role.value})


def set_supervisor(conn: Connection, username: str, supervisor: str | None) -> None:
    """Name (or clear, with None) the supervisor who co-signs a trainee's work.

    Raises:
        NotFound: ``user.not_found``. ClinicError: ``user.supervisor_role``.
    """
    boss_id = None
    if supervisor:
        boss = conn.execute(
            select(User.id, User.role).where(User.username == supervisor.strip().casefold())
        ).first()
        if boss is None or boss.role != Role.SUPERVISOR:
            raise ClinicError("user.supervisor_role")
        boss_id = str(boss.id)
    _update(conn, username, {"supervisor_id": boss_id})


_DECOY: list[str] = []


def _decoy_hash() -> str:
    """A hash to check an unknown name's password against, so it takes as long as a known one."""
    if not _DECOY:
        _DECOY.append(passwords.hash_password(secrets.token_urlsafe(24)))
    return _DECOY[0]


def online_login(
    conn: Connection, device: uuid.UUID, username: str, password: str
) -> tuple[uuid.UUID, str]:
    """Check a user's password on the server for a device; the user's token for that device.

    An unknown name, a wrong password and a disabled account all get the same answer, after
    the same work, so the answer says nothing about which it was.

    Raises:
        AuthenticationFailed: ``auth.failed``.
    """
    name = username.strip().casefold()
    # A name with a control character (a NUL, which PostgreSQL cannot compare) is no one's:
    # it is not looked up, and is refused after the same work as any unknown name.
    user = (
        conn.execute(
            select(User.id, User.password_hash, User.active).where(
                User.username == name, User.deleted.is_(False)
            )
        ).first()
        if name.isprintable()
        else None
    )
    right = passwords.verify_password(password, user.password_hash if user else _decoy_hash())
    if user is None or not right or not user.active:
        raise AuthenticationFailed("auth.failed")
    token = secrets.token_urlsafe(32)
    removed = conn.execute(
        delete(SyncUserLogin).where(
            SyncUserLogin.device_id == device, SyncUserLogin.user_id == user.id
        )
    )
    if not removed.rowcount:
        _log_again(conn, uuid.UUID(str(user.id)), device)
    conn.execute(
        insert(SyncUserLogin).values(
            device_id=device, user_id=user.id, token_sha256=token_digest(token), at=utcnow()
        )
    )
    return uuid.UUID(str(user.id)), token


#: What a device gets instead of a hash it may not hold: no password ever matches it.
WITHHELD_HASH = "withheld: sign in online on this device first"


def _log_again(conn: Connection, user_id: uuid.UUID, device: uuid.UUID) -> None:
    """Log a user's row once more, unchanged, so the device that signed in pulls it again."""
    version = conn.execute(select(User.row_version).where(User.id == user_id)).scalar()
    # The counter's row lock keeps the numbers gap-free, as for a push.
    conn.execute(
        update(SyncCounter).where(SyncCounter.name == COUNTER).values(value=SyncCounter.value + 1)
    )
    seq = conn.execute(select(SyncCounter.value).where(SyncCounter.name == COUNTER)).scalar_one()
    conn.execute(
        insert(SyncChange).values(
            seq=seq,
            table_name=User.__tablename__,
            row_id=user_id,
            row_version=int(version or 0),
            device_id=device,
            at=utcnow(),
        )
    )


def withhold_password_hashes(conn: Connection, device: uuid.UUID, page: PullPage) -> PullPage:
    """The page as ``device`` may have it: hashes only of users who signed in online on it."""
    users = [row for row in page.rows if row.table == User.__tablename__]
    if not users:
        return page
    signed_in = {
        str(user_id)
        for (user_id,) in conn.execute(
            select(SyncUserLogin.user_id).where(
                SyncUserLogin.device_id == device,
                SyncUserLogin.user_id.in_([row.row_id for row in users]),
            )
        )
    }
    rows = tuple(
        dataclasses.replace(row, row={**row.row, "password_hash": WITHHELD_HASH})
        if row.table == User.__tablename__
        and str(row.row_id) not in signed_in
        and "password_hash" in row.row
        else row
        for row in page.rows
    )
    return dataclasses.replace(page, rows=rows)


def set_site(conn: Connection, username: str, site_id: uuid.UUID | None) -> None:
    """Name (or clear) the site a user works at; laptops they sign in on hold its patients.

    Raises:
        NotFound: ``user.not_found``, ``site.not_found``.
    """
    if (
        site_id is not None
        and conn.execute(select(Site.id).where(Site.id == site_id)).first() is None
    ):
        raise NotFound("site.not_found")
    _update(conn, username, {"site_id": str(site_id) if site_id else None})


def add_site(
    conn: Connection,
    name: str,
    ods_code: str | None = None,
    *,
    address: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> uuid.UUID:
    """Add a clinic site of the service; laptops get it at their next sync.

    Raises:
        ValidationError: ``site.name_required``, or as :func:`site_contact`.
    """
    shown = " ".join(name.split())
    if not shown or len(shown) > 200:
        raise ValidationError("site.name_required")
    contact = site_contact(address, phone, email)
    site_id = uuid7()
    now = wire_value(utcnow())
    fields: dict[str, Any] = {
        "name": shown,
        "ods_code": (ods_code or "").strip().upper() or None,
        **contact,
        "created_at": now,
        "updated_at": now,
        "device_id": str(SERVER_DEVICE),
        "deleted": False,
    }
    _applied(conn, Change(uuid.uuid4(), "site", site_id, "insert", 0, fields))
    return site_id


#: A telephone number as people write them: digits, spaces, brackets, a leading +, an
#: extension after "ext".
_PHONE = re.compile(r"\+?[0-9 ()-]{6,30}(?: ?(?:ext|x)\.? ?[0-9]{1,6})?", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def site_contact(
    address: str | None, phone: str | None, email: str | None
) -> dict[str, str | None]:
    """A site's address, telephone number and email address as kept (blank: not given).

    Raises:
        ValidationError: ``site.address_too_long``, ``site.phone_not_a_number`` or
            ``site.email_not_an_address``.
    """
    shown_address = ", ".join(
        part for part in (" ".join(line.split()) for line in (address or "").split("\n")) if part
    )
    if len(shown_address) > 300:
        raise ValidationError("site.address_too_long")
    shown_phone = " ".join((phone or "").split())
    if shown_phone and (len(shown_phone) > 40 or not _PHONE.fullmatch(shown_phone)):
        raise ValidationError("site.phone_not_a_number")
    shown_email = (email or "").strip()
    if shown_email and (len(shown_email) > 200 or not _EMAIL.fullmatch(shown_email)):
        raise ValidationError("site.email_not_an_address")
    return {
        "address": shown_address or None,
        "phone": shown_phone or None,
        "email": shown_email or None,
    }


def set_site_contact(
    conn: Connection,
    name: str,
    *,
    address: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> None:
    """Set how patients and GPs reach a site (those given; the others kept as they are).

    Raises:
        NotFound: ``site.not_found``.
        ValidationError: as :func:`site_contact`.
    """
    site_id = site_named(conn, name)
    if site_id is None:
        raise NotFound("site.not_found")
    given = {"address": address, "phone": phone, "email": email}
    checked = site_contact(address, phone, email)
    version = conn.execute(select(Site.row_version).where(Site.id == site_id)).scalar_one()
    fields: dict[str, Any] = {
        key: value for key, value in checked.items() if given[key] is not None
    }
    fields.update(updated_at=wire_value(utcnow()), device_id=str(SERVER_DEVICE))
    _applied(conn, Change(uuid.uuid4(), "site", site_id, "update", int(version), fields))


def site_named(conn: Connection, name: str | None) -> uuid.UUID | None:
    """The id of the site called ``name`` (None for no name).

    Raises:
        NotFound: ``site.not_found``.
    """
    wanted = " ".join((name or "").split())
    if not wanted:
        return None
    found = conn.execute(
        select(Site.id).where(Site.name == wanted, Site.deleted.is_(False))
    ).scalar()
    if found is None:
        raise NotFound("site.not_found")
    return uuid.UUID(str(found))


def sites(conn: Connection) -> list[tuple[uuid.UUID, str, str | None]]:
    """Every site of the service: id, name and ODS code, by name."""
    return [
        (row.id, row.name, row.ods_code)
        for row in conn.execute(
            select(Site.id, Site.name, Site.ods_code)
            .where(Site.deleted.is_(False))
            .order_by(Site.name)
        )
    ]
