"""Which patients each laptop holds: the service's scope rules, worked out on the server.

A laptop holds reference data and the patients in its scope, not the whole service (a lost
laptop should hold its caseload, not the county). The rules are the service's settings
(``sync_scope``), each one a way a patient comes into a laptop's scope:

- ``whole_service``: every patient (off unless set: a one-site service or a trial);
- ``site_episodes``: an open episode at the site of a user who signed in on the laptop;
- ``caseload``: an open episode led by a user who signed in on the laptop;
- ``awaiting_triage``: a referral not yet triaged (triage is done from any clinic);
- ``recent_days``: the record was opened, written or fetched on the laptop in that many days;
- ``coming_days``: an appointment in that many days from now, at the site of a user who signed
  in on the laptop or with one of those users (the clinic's list is there before the clinic,
  whatever the network in the room).

A patient linked to one in scope by a possible duplicate or a merge comes too, so the person
who merges sees both. More rules are added with :func:`register_rule`.

The server keeps what each laptop holds (``sync_device_patient``); changes to a patient are
sent only to laptops holding them. Work on a laptop is never dropped by a scope change: the
laptop lets a patient go only once nothing of theirs waits to be pushed, and says so.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from clinic_app.domains.appointments.model import Appointment
from clinic_app.kernel.audit_entry import ServiceAuditEntry
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.settings import ServiceSetting
from clinic_app.kernel.staff import User
from clinic_app.kernel.vocabulary import EpisodeStatus, ReferralStatus
from clinic_app.people.care import EpisodeOfCare, Referral
from clinic_app.people.duplicates import OPEN
from clinic_app.people.model import Patient, PatientDuplicate, PatientMerge
from clinic_app.server.bulk import insert_rows
from clinic_app.sync.model import SyncDevice, SyncDevicePatient, SyncUserLogin
from clinic_app.sync.ownership import IdList, among, id_array, owner_of, rows_of_patients
from clinic_app.sync.protocol import PulledRow
from clinic_app.sync.wire import synced_tables

#: Which patients each laptop holds.
_HOLDS = cast(Table, SyncDevicePatient.__table__)

SETTING_KEY = "sync_scope"
#: Patients fetched in one request, so a long list goes in bounded pieces (a laptop is
#: told it in the plan; one that is not asks for 250 at a time).
MAX_FETCH = 1000
REASONS = frozenset({"scope", "opened", "written"})


@dataclass(frozen=True)
class ScopeRules:
    """The service's scope rules (its ``sync_scope`` setting; these are the defaults)."""

    #: Every patient of the service on every laptop (a one-site service, or a trial).
    whole_service: bool = False
    site_episodes: bool = True
    caseload: bool = True
    awaiting_triage: bool = True
    recent_days: int = 30
    #: Patients with an appointment in this many days, at the laptop's sites or with its users.
    coming_days: int = 7

    @classmethod
    def from_setting(cls, value: dict[str, Any] | None) -> ScopeRules:
        """The rules a setting's value gives, defaults for what it leaves out.

        Raises:
            ValidationError: ``sync.scope_setting_invalid`` for an unknown rule or a value
                of the wrong kind.
        """
        if not value:
            return cls()
        known = {field.name for field in fields(cls)}
        unknown = set(value) - known
        if unknown:
            raise ValidationError("sync.scope_setting_invalid", rule=sorted(unknown)[0])
        counts: dict[str, int] = {}
        for name, longest in _DAY_COUNTS.items():
            days = value.get(name, getattr(cls, name))
            if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= longest:
                raise ValidationError("sync.scope_setting_invalid", rule=name)
            counts[name] = days
        flags = {name: value.get(name, getattr(cls, name)) for name in known - set(_DAY_COUNTS)}
        if not all(isinstance(flag, bool) for flag in flags.values()):
            raise ValidationError("sync.scope_setting_invalid", rule="flag")
        return cls(recent_days=counts["recent_days"], coming_days=counts["coming_days"], **flags)


#: The rules that are a number of days, and the most each may be.
_DAY_COUNTS = {"recent_days": 3650, "coming_days": 366}


@dataclass(frozen=True)
class Holder:
    """The laptop a scope is worked out for: its users (signed in online on it) and sites."""

    device_id: uuid.UUID
    users: frozenset[uuid.UUID]
    sites: frozenset[uuid.UUID]
    now: datetime


#: A rule: the ids of patients it brings into a laptop's scope (a SELECT of one column).
Rule = Callable[[ScopeRules, Holder], "Select[Any] | None"]
_RULES: dict[str, Rule] = {}


def register_rule(name: str, rule: Rule) -> None:
    """Add a way patients come into scope (a domain's own, e.g. coming appointments)."""
    _RULES[name] = rule


def _open_episodes() -> Select[Any]:
    return select(EpisodeOfCare.patient_id).where(
        EpisodeOfCare.status == EpisodeStatus.OPEN, EpisodeOfCare.deleted.is_(False)
    )


def _whole_service(rules: ScopeRules, _holder: Holder) -> Select[Any] | None:
    return select(Patient.id) if rules.whole_service else None


def _site_episodes(rules: ScopeRules, holder: Holder) -> Select[Any] | None:
    if not rules.site_episodes or not holder.sites:
        return None
    return _open_episodes().where(EpisodeOfCare.site_id.in_(holder.sites))


def _caseload(rules: ScopeRules, holder: Holder) -> Select[Any] | None:
    if not rules.caseload or not holder.users:
        return None
    return _open_episodes().where(EpisodeOfCare.lead_clinician_id.in_(holder.users))


def _awaiting_triage(rules: ScopeRules, _holder: Holder) -> Select[Any] | None:
    if not rules.awaiting_triage:
        return None
    return select(Referral.patient_id).where(
        Referral.status == ReferralStatus.RECEIVED, Referral.deleted.is_(False)
    )


def _recently_used(rules: ScopeRules, holder: Holder) -> Select[Any] | None:
    if rules.recent_days <= 0:
        return None
    since = holder.now - timedelta(days=rules.recent_days)
    return select(SyncDevicePatient.patient_id).where(
        SyncDevicePatient.device_id == holder.device_id,
        SyncDevicePatient.reason != "scope",
        SyncDevicePatient.last_used_at >= since,
    )


#: How far ahead of the server's clock a laptop's clock may be for its entries to count.
_CLOCK_DRIFT = timedelta(hours=1)


def _recently_opened(rules: ScopeRules, holder: Holder) -> Select[Any] | None:
    if rules.recent_days <= 0:
        return None
    since = holder.now - timedelta(days=rules.recent_days)
    # The laptop's own audit trail, as shipped: every record it opened or changed. It keeps a
    # patient the laptop holds from leaving its scope; it never brings one in (an entry is the
    # laptop's word, and a laptop cannot open a record it does not hold), nor counts an entry
    # dated ahead of the server's clock.
    return select(ServiceAuditEntry.patient_id).where(
        ServiceAuditEntry.device_id == holder.device_id,
        ServiceAuditEntry.patient_id.is_not(None),
        ServiceAuditEntry.at >= since,
        ServiceAuditEntry.at <= holder.now + _CLOCK_DRIFT,
        ServiceAuditEntry.patient_id.in_(
            select(SyncDevicePatient.patient_id).where(
                SyncDevicePatient.device_id == holder.device_id
            )
        ),
    )


def _coming_appointments(rules: ScopeRules, holder: Holder) -> Select[Any] | None:
    if rules.coming_days <= 0 or not (holder.sites or holder.users):
        return None
    until = holder.now + timedelta(days=rules.coming_days)
    # From the start of the day: a patient booked earlier today is still in the clinic.
    since = holder.now - timedelta(days=1)
    where: list[ColumnElement[bool]] = []
    if holder.sites:
        where.append(Appointment.site_id.in_(holder.sites))
    if holder.users:
        where.append(Appointment.clinician_id.in_(holder.users))
    return select(Appointment.patient_id).where(
        Appointment.deleted.is_(False),
        Appointment.status != "cancelled",
        Appointment.starts_at >= since,
        Appointment.starts_at < until,
        or_(*where),
    )


for _name, _rule in (
    ("whole_service", _whole_service),
    ("site_episodes", _site_episodes),
    ("caseload", _caseload),
    ("awaiting_triage", _awaiting_triage),
    ("recently_used", _recently_used),
    ("recently_opened", _recently_opened),
    ("coming_appointments", _coming_appointments),
):
    register_rule(_name, _rule)


def service_rules(conn: Connection) -> ScopeRules:
    """The scope rules in the service's settings now (the defaults if none is set)."""
    value = conn.execute(
        select(ServiceSetting.value).where(ServiceSetting.key == SETTING_KEY)
    ).scalar()
    try:
        return ScopeRules.from_setting(value if isinstance(value, dict) else None)
    except ValidationError:
        # A bad setting must not narrow every laptop to nothing: the defaults hold.
        return ScopeRules()


def holder(conn: Connection, device_id: uuid.UUID, now: datetime | None = None) -> Holder:
    """The laptop's users and their sites, as the server holds them."""
    users = frozenset(
        conn.execute(
            select(SyncUserLogin.user_id).where(SyncUserLogin.device_id == device_id)
        ).scalars()
    )
    sites: frozenset[uuid.UUID] = frozenset()
    if users:
        sites = frozenset(
            site
            for site in conn.execute(select(User.site_id).where(User.id.in_(users))).scalars()
            if site is not None
        )
    return Holder(device_id, users, sites, now or utcnow())


def _linked(conn: Connection, patients: set[uuid.UUID]) -> set[uuid.UUID]:
    """Patients named with one of these in a possible duplicate, or merged with them.

    A possible duplicate still open brings its pair (for the person who merges to see both);
    once dismissed as two people it brings nothing (another site's patient would otherwise
    stay on the laptop for good), and once merged the merge links them. Merges are followed
    all the way (A into B, B into C: a laptop holding C holds A and B too), since each
    registration merged in is the patient's record as much as the survivor is.
    """
    pairs = (PatientDuplicate.first_patient_id, PatientDuplicate.second_patient_id)
    still_open = (PatientDuplicate.status == OPEN, PatientDuplicate.deleted.is_(False))
    return (
        _merged_with(conn, patients) | _named_with(conn, pairs, patients, *still_open)
    ) - patients


def _merged_with(conn: Connection, patients: set[uuid.UUID]) -> set[uuid.UUID]:
    """Every registration joined to one of ``patients`` by merges, a round of merges at a time."""
    merges = (PatientMerge.survivor_id, PatientMerge.merged_id)
    known = set(patients)
    asking = set(patients)
    while asking:
        named = _named_with(conn, merges, asking, PatientMerge.deleted.is_(False))
        asking = named - known
        known |= named
    return known - patients


def _named_with(
    conn: Connection, columns: tuple[Any, Any], patients: set[uuid.UUID], *where: Any
) -> set[uuid.UUID]:
    """Both patients of every row (meeting ``where``) whose ``columns`` name one of ``patients``."""
    found: set[uuid.UUID] = set()
    ids = sorted(patients)
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        for first, second in conn.execute(
            select(*columns).where(or_(*(among(conn, column, part) for column in columns)), *where)
        ):
            found |= {first, second}
    return found


def scope_of(conn: Connection, device_id: uuid.UUID, now: datetime | None = None) -> set[uuid.UUID]:
    """Every patient in a laptop's scope now."""
    rules = service_rules(conn)
    who = holder(conn, device_id, now)
    patients: set[uuid.UUID] = set()
    for rule in _RULES.values():
        query = rule(rules, who)
        if query is not None:
            patients |= {pid for pid in conn.execute(query).scalars() if pid is not None}
    return patients | _linked(conn, patients)


def in_scope_among(
    conn: Connection, device_id: uuid.UUID, patients: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of ``patients`` are in a laptop's scope now (each rule asked about them only)."""
    by_rule, by_link = scope_among(conn, device_id, patients)
    return by_rule | by_link


def scope_among(
    conn: Connection, device_id: uuid.UUID, patients: Iterable[uuid.UUID]
) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """Which of ``patients`` are in a laptop's scope now: by a rule, and only by a link.

    The second are linked by a possible duplicate or a merge to a patient in scope, and in
    scope by no rule of their own (their record comes so the person who merges sees both).
    """
    wanted = list(dict.fromkeys(patients))
    if not wanted:
        return set(), set()
    rules = service_rules(conn)
    who = holder(conn, device_id)
    found = _by_rules(conn, rules, who, wanted)
    linked: set[uuid.UUID] = set()
    for patient in set(wanted) - found:
        links = _linked(conn, {patient})
        if links and _by_rules(conn, rules, who, list(links)):
            linked.add(patient)
    return found, linked


def _by_rules(
    conn: Connection, rules: ScopeRules, who: Holder, wanted: list[uuid.UUID]
) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    queries = [query for rule in _RULES.values() if (query := rule(rules, who)) is not None]
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        for query in queries:
            # A patient one rule brings in needs no other rule asked about them.
            part = [patient for patient in part if patient not in found]
            if not part:
                break
            ids = query.subquery()
            column = next(iter(ids.c))
            found |= set(conn.execute(select(column).where(among(conn, column, part))).scalars())
    return found


def held(
    conn: Connection, device_id: uuid.UUID, of: Iterable[uuid.UUID] | None = None
) -> set[uuid.UUID]:
    """The patients a laptop has confirmed it holds (of those in ``of`` only, when given)."""
    query = select(SyncDevicePatient.patient_id).where(SyncDevicePatient.device_id == device_id)
    if of is None:
        return set(conn.execute(query).scalars())
    wanted = list(of)
    found: set[uuid.UUID] = set()
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        column = SyncDevicePatient.patient_id
        found |= set(conn.execute(query.where(among(conn, column, part))).scalars())
    return found


def held_rows(device_id: uuid.UUID, table_name: str) -> ColumnElement[bool]:
    """SQL: a row of this scoped table is the laptop's: its patients are all held there.

    A row of a pair table needs both patients held; a row reached through a parent, that
    parent to be the laptop's.
    """
    owner = owner_of(table_name)
    table = synced_tables()[table_name].table
    holding = select(SyncDevicePatient.patient_id).where(SyncDevicePatient.device_id == device_id)
    if owner.kind == "parent" and owner.parent is not None:
        parent = synced_tables()[owner.parent].table
        parents = select(parent.c.id).where(held_rows(device_id, owner.parent))
        return table.c[owner.columns[0]].in_(parents)
    return and_(*(table.c[column].in_(holding) for column in owner.columns))


def sent_to(device_id: uuid.UUID, patient: Any, seq: Any) -> Any:
    """SQL: the change numbered ``seq`` to ``patient``'s record is one the laptop needs.

    It holds the patient, and the change came after the copy it was given.
    """
    return (
        select(SyncDevicePatient.patient_id)
        .where(
            SyncDevicePatient.device_id == device_id,
            SyncDevicePatient.patient_id == patient,
            SyncDevicePatient.as_of < seq,
        )
        .exists()
    )


@dataclass(frozen=True)
class ScopePlan:
    """What a laptop should take in and let go, as the rules stand now."""

    enter: tuple[uuid.UUID, ...]
    leave: tuple[uuid.UUID, ...]

    def to_json(self) -> dict[str, Any]:
        """The plan as a JSON object."""
        return {"enter": [str(p) for p in self.enter], "leave": [str(p) for p in self.leave]}


def plan(conn: Connection, device_id: uuid.UUID, now: datetime | None = None) -> ScopePlan:
    """Patients in scope the laptop does not hold yet, and held ones now out of scope.

    Read as one moment: a hold being written (a record opened on demand, confirmed while the
    laptop's round asks for its plan) is waited for first. Read on either side of its commit,
    the patient just opened looked held but out of scope, and the laptop was told to let go
    of the record its user had open.
    """
    # The same row every writer of the device's holds locks (``touch``); shared here, so
    # plans never wait for each other.
    conn.execute(select(SyncDevice.id).where(SyncDevice.id == device_id).with_for_update(read=True))
    wanted = scope_of(conn, device_id, now)
    holding = held(conn, device_id)
    return ScopePlan(tuple(sorted(wanted - holding)), tuple(sorted(holding - wanted)))


def rows_for(conn: Connection, patients: Iterable[uuid.UUID], as_of: int) -> list[PulledRow]:
    """Every row of these patients as it stands now, parents first, numbered ``as_of``."""
    rows: list[PulledRow] = []
    for synced, found in rows_of_patients(conn, patients):
        rows.extend(PulledRow(as_of, synced.name, row["id"], synced.encode(row)) for row in found)
    return rows


def confirm(
    conn: Connection,
    device_id: uuid.UUID,
    *,
    add: Iterable[uuid.UUID] = (),
    remove: Iterable[uuid.UUID] = (),
    reason: str = "scope",
    as_of: int = 0,
    now: datetime | None = None,
) -> None:
    """A laptop took these patients in (whole, as they stood at ``as_of``), or let them go."""
    if reason not in REASONS:
        raise ValidationError("sync.scope_reason_unknown")
    now = now or utcnow()
    gone = list(dict.fromkeys(remove))
    for start in range(0, len(gone), 500):
        conn.execute(
            delete(SyncDevicePatient).where(
                SyncDevicePatient.device_id == device_id,
                among(conn, SyncDevicePatient.patient_id, gone[start : start + 500]),
            )
        )
    # Patients new to the laptop's holdings are written with ``as_of``; only those it held
    # already are brought up to it.
    taken = list(dict.fromkeys(add))
    held_before = touch(conn, device_id, taken, reason=reason, now=now, as_of=max(0, as_of))
    taken = [patient for patient in taken if patient in held_before]
    for start in range(0, len(taken), 500):
        conn.execute(
            update(SyncDevicePatient)
            .where(
                SyncDevicePatient.device_id == device_id,
                among(conn, SyncDevicePatient.patient_id, taken[start : start + 500]),
            )
            .values(as_of=max(0, as_of))
        )


def touch(
    conn: Connection,
    device_id: uuid.UUID,
    patients: Iterable[uuid.UUID],
    *,
    reason: str,
    now: datetime | None = None,
    as_of: int = 0,
) -> set[uuid.UUID]:
    """The laptop holds these patients and used them now (taken in, opened or written).

    Patients it did not hold yet are added as held from change ``as_of``; returns those it
    held already.
    """
    now = now or utcnow()
    wanted = IdList(dict.fromkeys(p for p in patients if p is not None))
    if not wanted:
        return set()
    # One device's holds are written one transaction at a time (its confirmations, its
    # pushes and a record opened on demand may arrive together, on threads or processes):
    # each then sees what the one before it added, and never adds a hold twice.
    conn.execute(select(SyncDevice.id).where(SyncDevice.id == device_id).with_for_update())
    already = set(
        conn.execute(
            select(SyncDevicePatient.patient_id).where(
                SyncDevicePatient.device_id == device_id,
                among(conn, SyncDevicePatient.patient_id, wanted),
            )
        ).scalars()
    )
    if already and reason != "scope":
        # Taken in again by a rule says nothing of use: only opening or writing does.
        values: dict[str, Any] = {"last_used_at": now, "reason": reason}
        conn.execute(
            update(SyncDevicePatient)
            .where(
                SyncDevicePatient.device_id == device_id,
                among(conn, SyncDevicePatient.patient_id, list(already)),
            )
            .values(values)
        )
    new = [p for p in wanted if p not in already]
    if new:
        _add_holds(conn, device_id, new, reason=reason, now=now, as_of=as_of)
    return already


def _add_holds(
    conn: Connection,
    device_id: uuid.UUID,
    patients: list[uuid.UUID],
    *,
    reason: str,
    now: datetime,
    as_of: int,
) -> None:
    """Write new holds: on PostgreSQL one statement, the ids sent as one array."""
    ids = id_array(conn, patients)
    if ids is None:
        insert_rows(
            conn,
            _HOLDS,
            [
                {
                    "device_id": device_id,
                    "patient_id": p,
                    "reason": reason,
                    "since": now,
                    "last_used_at": now,
                    "as_of": as_of,
                }
                for p in patients
            ],
        )
        return
    # Every column but the patient is the same for each hold: no row is built in Python.
    column = _HOLDS.c
    conn.execute(
        insert(_HOLDS).from_select(
            ["device_id", "patient_id", "reason", "since", "last_used_at", "as_of"],
            select(
                bindparam(None, device_id, type_=column.device_id.type),
                func.unnest(ids),
                bindparam(None, reason, type_=column.reason.type),
                bindparam(None, now, type_=column.since.type),
                bindparam(None, now, type_=column.last_used_at.type),
                bindparam(None, as_of, type_=column.as_of.type),
            ),
        )
    )
