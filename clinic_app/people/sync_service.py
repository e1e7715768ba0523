"""Sync as the app uses it: set up with a server, run in the background, show its state.

Sync is work of the device, not of whoever is signed in: changes of every user of this
device go, and nobody's waiting changes are ever dropped when users switch. Looking at
sync problems and choosing a value in a conflict are actions of a signed-in user.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import AuthenticationFailed, ClinicError
from clinic_app.kernel.local import StoreMeta
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.reference import code_list
from clinic_app.kernel.security import keychain
from clinic_app.kernel.security.permissions import Action, allows, require
from clinic_app.kernel.session import reader
from clinic_app.kernel.staff import User
from clinic_app.kernel.uow import Context, Mode, UnitOfWork
from clinic_app.people.demographics import age_on
from clinic_app.people.model import Patient
from clinic_app.people.views import ConflictView, IssueView, PatientSummary
from clinic_app.sync import scope
from clinic_app.sync.client import WAITING_KEY, SyncClient, SyncReport, store_rows
from clinic_app.sync.model import SyncIssue, SyncRowState
from clinic_app.sync.ownership import patients_of_row
from clinic_app.sync.protocol import PulledRow
from clinic_app.sync.scheduler import SyncScheduler, SyncState
from clinic_app.sync.wire import synced_table

if TYPE_CHECKING:
    from clinic_app.sync.http import HttpTransport

SERVER_KEY = "sync.server_url"
CA_KEY = "sync.ca_file"
LAST_SUCCESS_KEY = "sync.last_success"
#: How often background sync compares counts and hashes with the server.
CHECK_EVERY_S = 15 * 60

#: A row's sync state as shown where the row is shown.
LOCAL, WAITING, SYNCED, CONFLICT, ERROR = "local", "waiting", "synced", "conflict", "error"


@dataclass(frozen=True)
class SyncStatus:
    """The device's sync state for the status bar."""

    configured: bool
    online: bool
    running: bool
    pending: int
    last_success_at: datetime | None
    last_error: str | None
    open_issues: int
    #: Whose changes wait until they sign in here while connected (their name), if anyone's.
    waiting_for_sign_in: str | None = None


@dataclass(frozen=True)
class ServerLink:
    """Where the server is and this device's token for it: read from the store, used off it."""

    url: str
    token: str = field(repr=False)
    ca_file: Path | None = None


@dataclass(frozen=True)
class ServerAccess:
    """The server, and a signed-in user's token on it (they signed in online here)."""

    link: ServerLink
    user_token: str = field(repr=False)


@dataclass(frozen=True)
class FiguresAsked:
    """One measure's figures asked of the server: which, which months, broken down how."""

    measure: str
    first: date
    last: date
    breakdown: str = "all"


def row_sync_state(session: Session, table: str, row_id: uuid.UUID) -> str:
    """``conflict``, ``error``, ``waiting``, ``synced``, or ``local`` (never sent)."""
    issue = session.scalar(
        select(SyncIssue.kind)
        .where(
            SyncIssue.table_name == table,
            SyncIssue.row_id == row_id,
            SyncIssue.resolved.is_(False),
        )
        .limit(1)
    )
    if issue is not None:
        return CONFLICT if issue == "conflict" else ERROR
    waiting = session.scalar(
        select(OutboxEntry.seq)
        .where(OutboxEntry.table_name == table, OutboxEntry.row_id == row_id)
        .limit(1)
    )
    if waiting is not None:
        return WAITING
    seen = session.scalar(
        select(SyncRowState.server_version).where(
            SyncRowState.table_name == table, SyncRowState.row_id == row_id
        )
    )
    return SYNCED if seen is not None else LOCAL


class SyncService:
    """Setting up, running and looking at sync for this device."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._uow = UnitOfWork(context)
        self._scheduler: SyncScheduler | None = None
        self._state = SyncState()
        self._lock = threading.Lock()
        self._configured: bool | None = None

    def keep_open(self, patients: Iterable[uuid.UUID]) -> None:
        """The patients whose work is on screen now: no sync round lets go of them."""
        self._context.store.open_patients = frozenset(patients)

    # ------------------------------------------------------------------ settings

    def _meta(self, key: str) -> str | None:
        # Only reading: must not wait for (or take) the store's write lock.
        with reader(self._context.store.engine).connect() as conn:
            return conn.execute(select(StoreMeta.value).where(StoreMeta.key == key)).scalar()

    def server_url(self) -> str | None:
        """The server this device syncs with, if one is set up."""
        return self._meta(SERVER_KEY)

    def configured(self) -> bool:
        """True once the device is enrolled with a server (checked once, then remembered)."""
        if self._configured is None:
            self._configured = (
                self.server_url() is not None
                and keychain.sync_token(self._context.device_id) is not None
            )
        return self._configured

    @staticmethod
    def _http(url: str, token: str | None = None, ca_file: Path | None = None) -> HttpTransport:
        # The HTTP library loads on first use, not when the app starts.
        from clinic_app.sync.http import HttpTransport  # noqa: PLC0415

        return HttpTransport(url, token, ca_file=ca_file)

    def _link(self) -> ServerLink:
        url = self.server_url()
        token = keychain.sync_token(self._context.device_id)
        if url is None or token is None:
            raise ClinicError("sync.not_set_up")
        ca = self._meta(CA_KEY)
        return ServerLink(url, token, Path(ca) if ca else None)

    def _transport(self) -> HttpTransport:
        link = self._link()
        return self._http(link.url, link.token, link.ca_file)

    def enrol(
        self, actor: CurrentUser, server_url: str, name: str, ca_file: Path | None = None
    ) -> str:
        """Enrol this device with a server; it syncs once an administrator approves it.

        Returns:
            The device's status on the server (``pending`` until approved).
        """
        with self._uow(actor, Action.SYNC_MANAGE, mode=Mode.READ):
            pass
        transport = self._http(server_url, ca_file=ca_file)
        try:
            token = transport.enrol(str(self._context.device_id), name)
        finally:
            transport.close()
        keychain.set_sync_token(self._context.device_id, token)
        with self._uow(actor, Action.SYNC_MANAGE) as session:
            for key, value in ((SERVER_KEY, server_url), (CA_KEY, str(ca_file or ""))):
                row = session.get(StoreMeta, key)
                if not value:
                    if row is not None:
                        session.delete(row)
                elif row is None:
                    session.add(StoreMeta(key=key, value=value))
                else:
                    row.value = value
            self._uow.audit(session, actor, "sync.enrol")
        self._configured = True
        return "pending"

    def device_status(self) -> str:
        """What the server says of this device: ``pending``, ``approved`` or ``revoked``.

        Raises:
            ClinicError: ``sync.not_set_up``, ``sync.unreachable``; the server's refusals
                (``device.revoked`` as PermissionDenied, ``device.unknown``).
        """
        transport = self._transport()
        try:
            return transport.device_status()
        finally:
            transport.close()

    # ------------------------------------------------------------------ users

    def has_signed_in_online(self, user_id: uuid.UUID) -> bool:
        """True if the user signed in on this device while it reached the server."""
        return keychain.sync_token(self._context.device_id, user_id) is not None

    def online_login(self, username: str, password: str) -> uuid.UUID:
        """Check the password with the server and keep the user's token for this device.

        Raises:
            ClinicError: ``sync.unreachable``; AuthenticationFailed from the server.
        """
        transport = self._transport()
        try:
            user_id, token = transport.login(username, password)
        finally:
            transport.close()
        user = uuid.UUID(user_id)
        keychain.set_sync_token(self._context.device_id, token, user)
        return user

    # ------------------------------------------------------------------ out of scope
    # Each in steps, as a screen runs them: the store's on the store worker, the network's
    # off it. Search: server_for_search, then search_server. Opening a result:
    # server_for_fetch, then fetch_from_server, then store_fetched.

    def server_for_search(self, actor: CurrentUser) -> ServerAccess | None:
        """The server to search and the actor's token on it (None: this laptop cannot ask).

        None when this laptop does not sync, or the actor never signed in online here.

        Raises:
            PermissionDenied: the actor may not search.
        """
        return self._server_for(actor, Action.PATIENT_SEARCH)

    def server_for_fetch(self, actor: CurrentUser) -> ServerAccess | None:
        """As :meth:`server_for_search`, for bringing a record here (opening it)."""
        return self._server_for(actor, Action.PATIENT_OPEN)

    def _server_for(self, actor: CurrentUser, action: Action) -> ServerAccess | None:
        require(actor.role, action)
        token = keychain.sync_token(self._context.device_id, actor.id)
        if not self.configured() or token is None:
            return None
        return ServerAccess(self._link(), token)

    def search_server(self, access: ServerAccess, query: str) -> list[PatientSummary]:
        """Patients of the service matching ``query`` (network only: never the store)."""
        transport = self._http(access.link.url, access.link.token, access.link.ca_file)
        try:
            found = transport.search_patients(query, access.user_token)
        finally:
            transport.close()
        sexes = code_list("person_stated_gender")
        today = self._context.today()
        summaries: list[PatientSummary] = []
        for item in found:
            try:
                patient_id = uuid.UUID(str(item["id"]))
                born = date.fromisoformat(str(item["date_of_birth"]))
            except (KeyError, ValueError):
                continue
            summaries.append(
                PatientSummary(
                    id=patient_id,
                    nhs_number=item.get("nhs_number"),
                    family_name=str(item.get("family_name") or ""),
                    given_name=str(item.get("given_name") or ""),
                    date_of_birth=born,
                    age=age_on(born, today) if born <= today else 0,
                    sex_label=sexes.label_for(str(item.get("sex") or "")) or "",
                    postcode=item.get("postcode"),
                    alert_count=0,
                    on_server=True,
                )
            )
        return summaries

    # ------------------------------------------------------------------ the service's figures
    # In steps too: server_for_figures on the store worker, then the network's calls off it.

    def server_for_figures(self, actor: CurrentUser) -> ServerAccess | None:
        """The server and the actor's token on it, to read figures (None: cannot ask).

        None when this laptop does not sync, or the actor never signed in online here.

        Raises:
            PermissionDenied: the actor may read no figures at all.
        """
        if not allows(actor.role, Action.FIGURES_SERVICE):
            require(actor.role, Action.FIGURES_OWN)
        token = keychain.sync_token(self._context.device_id, actor.id)
        if not self.configured() or token is None:
            return None
        return ServerAccess(self._link(), token)

    def server_measures(self, access: ServerAccess) -> list[dict[str, Any]]:
        """The measures the server's figures offer, as JSON (network only)."""
        transport = self._http(access.link.url, access.link.token, access.link.ca_file)
        try:
            return transport.figure_measures(access.user_token)
        finally:
            transport.close()

    def server_figures(
        self,
        access: ServerAccess,
        asked: Sequence[FiguresAsked],
        *,
        scope: str = "service",
        export: bool = False,
    ) -> list[dict[str, Any]]:
        """Measures' figures from the server, each as its JSON, in the order asked.

        Network only, over one connection. ``scope`` is ``service`` (the whole service's,
        for the service lead) or ``own``; ``export`` asks for small numbers suppressed, as
        for anything that leaves the service.

        Raises:
            ClinicError: ``sync.unreachable``; the route's codes (``figures.not_allowed``,
                ``figures.unknown_measure``, ``figures.unknown_breakdown`` ...).
        """
        transport = self._http(access.link.url, access.link.token, access.link.ca_file)
        try:
            return [
                transport.figures(
                    item.measure,
                    f"{item.first:%Y-%m}",
                    f"{item.last:%Y-%m}",
                    access.user_token,
                    breakdown=item.breakdown,
                    scope=scope,
                    export=export,
                )
                for item in asked
            ]
        finally:
            transport.close()

    def fetch_from_server(
        self, access: ServerAccess, patient_id: uuid.UUID
    ) -> tuple[PulledRow, ...]:
        """A patient's whole record from the server, now held here (network only).

        The server sends it only for a user who may open records; from then on the
        patient's changes reach this laptop, until they leave its scope.
        """
        transport = self._http(access.link.url, access.link.token, access.link.ca_file)
        try:
            return scope.fetch_rows(transport, patient_id, access.user_token)
        finally:
            transport.close()

    def store_fetched(
        self, actor: CurrentUser, patient_id: uuid.UUID, rows: tuple[PulledRow, ...]
    ) -> None:
        """Keep a fetched record in the store, and record who fetched it."""
        with self._uow(actor, Action.PATIENT_OPEN) as session:
            self._uow.audit(session, actor, "patient.fetch", patient_id=patient_id)
        store_rows(self._context.store, rows)

    def fetch_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> None:
        """All three steps on the calling thread (a command, a test).

        Raises:
            PermissionDenied; ClinicError: ``sync.sign_in_online_first``, ``sync.unreachable``.
        """
        access = self.server_for_fetch(actor)
        if access is None:
            raise ClinicError("sync.sign_in_online_first")
        self.store_fetched(actor, patient_id, self.fetch_from_server(access, patient_id))

    # ------------------------------------------------------------------ running

    def sync_now(
        self,
        *,
        check: bool = True,
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> SyncReport:
        """Push, pull and (unless told not to) check once, on the calling thread: never the UI's.

        The count/hash check reads every syncing table on both sides; background sync runs it
        on its first round and then every :data:`CHECK_EVERY_S` seconds, not every minute.
        ``progress`` hears how far the pull is (0.0 to 1.0); ``cancelled`` stops it between
        pages (a device's first sync, which fetches the whole service, shows both).
        """
        transport = self._transport()
        try:
            report = SyncClient(self._context.store, transport).sync_once(
                check=check, progress=progress, cancelled=cancelled
            )
        finally:
            transport.close()
        with self._context.store.sessions.begin() as session:
            row = session.get(StoreMeta, LAST_SUCCESS_KEY)
            stamp = datetime.now().astimezone().isoformat()
            if row is None:
                session.add(StoreMeta(key=LAST_SUCCESS_KEY, value=stamp))
            else:
                row.value = stamp
        return report

    def start(
        self,
        on_state: Callable[[SyncState], None] | None = None,
        *,
        interval: float = 60.0,
    ) -> bool:
        """Run sync in the background if the device is set up; False if it is not."""
        if self._scheduler is not None:
            return True
        if not self.configured():
            return False

        def publish(state: SyncState) -> None:
            with self._lock:
                self._state = state
            if on_state is not None:
                on_state(state)

        last_check = [float("-inf")]

        def run() -> SyncReport:
            due = time.monotonic() - last_check[0] >= CHECK_EVERY_S
            report = self.sync_now(check=due)
            if due:
                last_check[0] = time.monotonic()
            return report

        self._scheduler = SyncScheduler(run, interval=interval, on_state=publish)
        self._scheduler.start()
        return True

    def wake(self) -> None:
        """Sync as soon as possible (after a save, or when a person asks)."""
        if self._scheduler is not None:
            self._scheduler.wake()

    def stop(self) -> None:
        """Stop background sync (at sign-out of the last user, or when the app closes)."""
        if self._scheduler is not None:
            self._scheduler.stop()
            self._scheduler = None

    # ------------------------------------------------------------------ looking

    def status(self, actor: CurrentUser) -> SyncStatus:
        """State, changes waiting, last success and problems waiting for a person."""
        with self._lock:
            state = self._state
        with self._uow(actor, Action.STATUS_VIEW, mode=Mode.READ) as session:
            pending = session.scalar(select(func.count()).select_from(OutboxEntry)) or 0
            issues = (
                session.scalar(
                    select(func.count()).select_from(SyncIssue).where(SyncIssue.resolved.is_(False))
                )
                or 0
            )
            stored = session.get(StoreMeta, LAST_SUCCESS_KEY)
            waiting = session.get(StoreMeta, WAITING_KEY)
            waiting_user = session.get(User, uuid.UUID(waiting.value)) if waiting else None
        last = state.last_success_at or (
            datetime.fromisoformat(stored.value) if stored is not None else None
        )
        return SyncStatus(
            configured=self.configured(),
            online=state.online,
            running=state.running,
            pending=int(pending),
            last_success_at=last,
            last_error=state.last_error,
            open_issues=int(issues),
            waiting_for_sign_in=waiting_user.display_name if waiting_user else None,
        )

    @staticmethod
    def _record_words(
        session: Session,
        table: str,
        row_id: uuid.UUID,
        fields: Mapping[str, Any] | None = None,
    ) -> str:
        """Which record, and whose: a refused or conflicting change is told by its patient.

        A row not here (a new one the server refused) is read as the change sent it.
        """
        if table == "patient":
            patient = session.get(Patient, row_id)
            if patient is not None:
                return f"{patient.family_name.upper()}, {patient.given_name}"
        words = table.replace("_", " ")
        try:
            synced = synced_table(table)
        except ClinicError:
            return words
        conn = session.connection()
        row = conn.execute(select(synced.table).where(synced.table.c.id == row_id)).mappings()
        found = row.first()
        named = [p for p in patients_of_row(conn, table, found or fields or {}) if p is not None]
        patients = [session.get(Patient, p) for p in named]
        names = [f"{p.family_name.upper()}, {p.given_name}" for p in patients if p is not None]
        return f"{words} of {' and '.join(names)}" if names else words

    def issues(self, actor: CurrentUser) -> list[IssueView]:
        """Changes the server refused or answered with a conflict, newest first."""
        with self._uow(actor, Action.SYNC_VIEW, mode=Mode.READ) as session:
            rows = session.scalars(
                select(SyncIssue).where(SyncIssue.resolved.is_(False)).order_by(SyncIssue.at.desc())
            ).all()
            return [
                IssueView(
                    id=row.id,
                    kind=row.kind,
                    table=row.table_name,
                    row_id=row.row_id,
                    record=self._record_words(
                        session, row.table_name, row.row_id, row.change.get("fields")
                    ),
                    reason=row.reason,
                    fields=tuple(sorted((row.change.get("fields") or {}).keys())),
                    at=row.at,
                )
                for row in rows
            ]

    def _who(self, session: Session, user_id: str, device_id: str) -> str:
        if user_id:
            user = session.get(User, uuid.UUID(user_id))
            if user is not None:
                return user.display_name
        if device_id == str(self._context.device_id):
            return "this device"
        return "another device" if device_id else "unknown"

    def conflicts(self, actor: CurrentUser) -> list[ConflictView]:
        """Fields kept in conflict on the server, with who changed what and when.

        All three steps on the calling thread; a screen runs them apart, the network one off
        the store's thread: :meth:`server_for_conflicts`, :meth:`fetch_conflicts`,
        :meth:`describe_conflicts`.
        """
        return self.describe_conflicts(
            actor, self.fetch_conflicts(self.server_for_conflicts(actor))
        )

    def server_for_conflicts(self, actor: CurrentUser) -> ServerLink:
        """The server to ask for conflicts, once the actor is known to be allowed to look.

        Raises:
            PermissionDenied: the actor may not look at sync. ClinicError: ``sync.not_set_up``.
        """
        with self._uow(actor, Action.SYNC_VIEW, mode=Mode.READ):
            pass
        return self._link()

    def fetch_conflicts(self, server: ServerLink) -> list[dict[str, Any]]:
        """The conflicts the server keeps, as it sends them; never touches the store."""
        transport = self._http(server.url, server.token, server.ca_file)
        try:
            return transport.conflicts()
        finally:
            transport.close()

    def describe_conflicts(
        self, actor: CurrentUser, found: list[dict[str, Any]]
    ) -> list[ConflictView]:
        """The server's conflicts in the clinic's words: whose record, who changed what."""
        with self._uow(actor, Action.SYNC_VIEW, mode=Mode.READ) as session:
            return [
                ConflictView(
                    id=item["id"],
                    table=item["table"],
                    row_id=uuid.UUID(item["row_id"]),
                    record=self._record_words(session, item["table"], uuid.UUID(item["row_id"])),
                    field=item["field"],
                    kept_value=item["server_value"],
                    kept_by=self._who(session, "", item.get("server_changed_by_device", "")),
                    other_value=item["device_value"],
                    other_by=self._who(session, item.get("user_id", ""), item["device_id"]),
                    other_at=datetime.fromisoformat(item["changed_at"]),
                )
                for item in found
            ]

    def resolve(self, actor: CurrentUser, conflict: ConflictView, value: Any) -> None:
        """Keep ``value`` (one of the two kept) for the field; every device gets it.

        All three steps on the calling thread; a screen runs them apart, the network one off
        the store's thread: :meth:`server_for_choice`, :meth:`send_choice`,
        :meth:`mark_resolved`.
        """
        server = self.server_for_choice(actor, conflict)
        self.send_choice(server, actor, conflict, value)
        self.mark_resolved(conflict)

    def server_for_choice(self, actor: CurrentUser, conflict: ConflictView) -> ServerLink:
        """Record that the actor is choosing a conflict's value; the server to tell.

        Raises:
            PermissionDenied: the actor may not resolve conflicts.
            ClinicError: ``sync.not_set_up``.
            AuthenticationFailed: ``sync.resolve_needs_sign_in`` (see :meth:`send_choice`).
        """
        with self._uow(actor, Action.SYNC_RESOLVE) as session:
            if not self.has_signed_in_online(actor.id):
                raise AuthenticationFailed("sync.resolve_needs_sign_in")
            self._uow.audit(
                session,
                actor,
                "sync.resolve_conflict",
                entity=conflict.table,
                entity_id=conflict.row_id,
            )
        return self._link()

    def send_choice(
        self, server: ServerLink, actor: CurrentUser, conflict: ConflictView, value: Any
    ) -> None:
        """Tell the server the value chosen, as the actor; never touches the store.

        Raises:
            AuthenticationFailed: ``sync.resolve_needs_sign_in`` when the actor has not
                signed in online on this device (the server takes a choice only as them).
        """
        user_token = keychain.sync_token(self._context.device_id, actor.id)
        if user_token is None:
            raise AuthenticationFailed("sync.resolve_needs_sign_in")
        transport = self._http(server.url, server.token, server.ca_file)
        try:
            transport.resolve_conflict(conflict.id, value, user_token)
        finally:
            transport.close()

    def mark_resolved(self, conflict: ConflictView) -> None:
        """Close this device's own notes of the conflict, and sync soon to fetch the choice."""
        with self._context.store.sessions.begin() as session:
            for issue in session.scalars(
                select(SyncIssue).where(
                    SyncIssue.table_name == conflict.table,
                    SyncIssue.row_id == conflict.row_id,
                    SyncIssue.kind == "conflict",
                    SyncIssue.resolved.is_(False),
                )
            ):
                issue.resolved = True
        self.wake()
