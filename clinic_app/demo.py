"""The demo clinic: synthetic patients (NHS test-range numbers only) and a user per role."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.domains.appointments.model import Appointment, CareContact, ClinicTemplate
from clinic_app.domains.appointments.rules import clinic_time
from clinic_app.domains.imaging.views import KnownScanner
from clinic_app.domains.questionnaires.content import questionnaire
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.questionnaires.rules import score
from clinic_app.domains.triage.model import TriageDecision
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.local import StoreMeta
from clinic_app.kernel.security import audit, passwords
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.session import Actor, ClinicSession
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.kernel.staff import Site, User
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import (
    AlertKind,
    ReferralPriority,
    ReferralStatus,
    ResponseMode,
    Role,
    Timepoint,
)
from clinic_app.people.care import EpisodeOfCare, Referral
from clinic_app.people.model import GpPractice, Patient, PatientAlert
from clinic_app.people.nhs_number import synthetic_numbers

DEMO_USERS: tuple[tuple[str, str, Role, str | None, str | None], ...] = (
    # user name, display name, role, professional body, supervisor
    ("clinician", "Priya Shah (Advanced Physiotherapist)", Role.CLINICIAN, "HCPC", None),
    ("sonographer", "Tom Okafor (MSK Sonographer)", Role.SONOGRAPHER, "HCPC", None),
    ("supervisor", "Dr Helen Marsh (POCUS Supervisor)", Role.SUPERVISOR, "GMC", None),
    ("trainee", "Sam Lee (POCUS Trainee)", Role.TRAINEE, "HCPC", "supervisor"),
    ("admin", "Jo Patel (Service Lead)", Role.ADMIN, None, None),
)
#: What each demo user is by training (the trainee in scanning is a physiotherapist).
DEMO_PROFESSIONS = {
    "clinician": "physiotherapist",
    "sonographer": "sonographer",
    "supervisor": "doctor",
    "trainee": "physiotherapist",
}

_GIVEN_FEMALE = (
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Grace",
    "Freya",
    "Lily",
    "Sophie",
    "Evie",
    "Ruby",
    "Ella",
    "Aisha",
    "Zara",
    "Maryam",
    "Hannah",
    "Chloe",
    "Megan",
    "Niamh",
    "Siobhan",
    "Agnieszka",
    "Margaret",
    "Patricia",
    "Susan",
    "Janet",
    "Barbara",
)
_GIVEN_MALE = (
    "Oliver",
    "George",
    "Harry",
    "Noah",
    "Jack",
    "Leo",
    "Arthur",
    "Muhammad",
    "Oscar",
    "Charlie",
    "Jacob",
    "Thomas",
    "Alfie",
    "James",
    "William",
    "Daniel",
    "Mohammed",
    "Ibrahim",
    "Kwame",
    "Tomasz",
    "Rhys",
    "Callum",
    "Joseph",
    "Samuel",
    "David",
    "Peter",
    "John",
)
_FAMILY = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Lewis",
    "James",
    "Phillips",
    "Mason",
    "Mitchell",
    "Rose",
    "Davis",
    "Rodriguez",
    "Cox",
    "Alexander",
    "Morgan",
    "Moore",
    "Hughes",
    "Edwards",
    "Hill",
    "Ahmed",
    "Begum",
    "Hussain",
    "Ali",
    "Kowalski",
    "Nowak",
    "Murphy",
    "Kelly",
    "O'Brien",
    "Okonkwo",
    "Mensah",
    "Chen",
    "Wong",
    "Singh",
    "Kaur",
    "Shah",
    "Campbell",
    "Stewart",
    "Anderson",
    "Scott",
    "Murray",
    "MacDonald",
    "Reid",
    "Young",
    "Watson",
]
_OUTWARD = ("LS1", "LS6", "LS11", "BD3", "BD9", "HX1", "WF1", "HD1", "YO1", "S10", "M14")
_PRACTICES = (
    ("DEMO01", "Riverside Medical Practice", "LS6 2AB"),
    ("DEMO02", "Millbrook Health Centre", "BD9 4QR"),
    ("DEMO03", "Canal Street Surgery", "HX1 5LT"),
    ("DEMO04", "Northgate Family Practice", "WF1 3EZ"),
)
_REASONS = (
    "Right knee pain for 4 months, worse on stairs.",
    "Left shoulder pain and stiffness, difficulty reaching overhead.",
    "Low back pain with intermittent right leg pain for 8 weeks.",
    "Painful left heel on first steps in the morning for 6 months.",
    "Numbness and tingling in the right thumb and fingers at night.",
    "Lateral elbow pain, worse gripping, for 3 months.",
)
_ALERTS = (
    (AlertKind.ALLERGY, "Allergy: penicillin (rash)"),
    (AlertKind.COMMUNICATION, "Hard of hearing: face the patient and speak clearly"),
    (AlertKind.CLINICAL, "Takes warfarin: check INR before any injection"),
    (AlertKind.SAFEGUARDING, "Safeguarding: see GP letter before contacting by phone"),
)


@dataclass(frozen=True)
class DemoCredentials:
    """The demo users and their passwords, to print for whoever tries the demo."""

    users: list[tuple[str, str, str]]


#: The scanner the demo clinic lets in (its listeners stay off until someone turns them on).
DEMO_SCANNER = KnownScanner("DEMO_US", "127.0.0.1", "Demo scanner")


def demo_password(username: str) -> str:
    """The published password of a demo user (demo stores only)."""
    return f"{username}-demo-2026"


def seed_demo(
    services: Services,
    patients: int = 500,
    *,
    seed: int = 2026,
    actor: CurrentUser | None = None,
    imaging: bool = True,
    clinic_day: bool = True,
) -> DemoCredentials:
    """Fill an empty store with a demo clinic; deterministic for a given ``seed``.

    Patients get NHS numbers from the 999 test range only. Rows go in through the same
    session hooks as everything else, so they carry outbox entries like any real write.
    With ``imaging``, the first patient has a knee scan and one image waits for a patient;
    with ``clinic_day``, the clinician and the sonographer have regular sessions and the
    clinician a day of appointments today.
    """
    who = actor or SYSTEM
    require(who.role, Action.DEMO_SEED)
    rng = random.Random(seed)
    context = services.context
    today = context.today()
    hashes = {name: passwords.hash_password(demo_password(name)) for name, *_ in DEMO_USERS}
    with context.store.sessions.begin() as session:
        session.actor = Actor(device_id=context.device_id)
        if session.scalar(select(User.id).limit(1)) is not None:
            raise Conflict("demo.store_not_empty")
        # A number in Ofcom's range kept for drama (0113 496 0000 to 0999): it rings no one.
        site = Site(
            name="Riverside Community MSK Clinic",
            address="Riverside Health Village, 1 River Lane, Leeds LS6 2AB",
            phone="0113 496 0100",
            email="riverside.msk@example.org",
        )
        session.add(site)
        practices = [GpPractice(ods_code=c, name=n, postcode=p) for c, n, p in _PRACTICES]
        session.add_all(practices)
        session.flush()
        users: dict[str, User] = {}
        for name, shown, role, body, boss in DEMO_USERS:
            user = User(
                username=name,
                display_name=shown,
                role=role,
                password_hash=hashes[name],
                professional_body=body,
                registration_number=f"DEMO{rng.randint(10000, 99999)}" if body else None,
                profession=DEMO_PROFESSIONS.get(name),
                supervisor_id=users[boss].id if boss else None,
                site_id=site.id,
            )
            session.add(user)
            session.flush()
            users[name] = user
        session.add(StoreMeta(key="demo", value="true"))
        audit.append(session, action="demo.seed", device_id=context.device_id, user_id=None)
    # The demo's one scanner: a simulator (or dcmtk's storescu and findscu) on this laptop.
    services.dicom_settings.change(who, scanners=[DEMO_SCANNER])
    _add_demo_pgd(services, who, today, [users["clinician"].id, users["supervisor"].id])
    _add_demo_eswt_device(services, who, today)
    _set_demo_eswt_rules(services)
    _add_patients(services, patients, rng, practices, today)
    _add_episodes(services, rng, today, users["clinician"].id)
    if clinic_day:
        _add_clinic_day(services, rng, today, users, site.id)
    if imaging:
        from clinic_app.demo_imaging import add_demo_imaging  # noqa: PLC0415 - numpy on demand

        sonographer = users["sonographer"]
        add_demo_imaging(
            services,
            CurrentUser(
                id=sonographer.id,
                username=sonographer.username,
                display_name=sonographer.display_name,
                role=sonographer.role,
            ),
            patients,
        )
    return DemoCredentials(
        users=[(name, demo_password(name), role.value) for name, _, role, _, _ in DEMO_USERS]
    )


def _add_demo_pgd(
    services: Services, who: CurrentUser, today: date, practitioners: list[uuid.UUID]
) -> None:
    """A made-up PGD naming the demo clinicians, so injections can be tried under one.

    It is marked as a demo: a service keeps its own, approved PGDs in the register.
    """
    from clinic_app.domains.injections.content import injection_content  # noqa: PLC0415 - on demand
    from clinic_app.domains.injections.views import PgdInput  # noqa: PLC0415 - on demand

    content = injection_content()
    services.pgds.add(
        who,
        PgdInput(
            name="DEMO ONLY - corticosteroid and local anaesthetic injection",
            version="1.0",
            valid_from=today - timedelta(days=180),
            valid_to=today + timedelta(days=545),
            drugs=tuple(product.id for product in content.formulary.products),
            targets=tuple(t.id for t in content.targets.targets if not t.advanced),
            practitioners=tuple(practitioners),
        ),
    )


def _add_demo_eswt_device(services: Services, who: CurrentUser, today: date) -> None:
    """A made-up radial shockwave device, serviced two months ago, marked as a demo."""
    from clinic_app.domains.shockwave.views import DeviceInput  # noqa: PLC0415 - on demand

    services.eswt_devices.add(
        who,
        DeviceInput(
            make="DEMO ONLY",
            model="Radial shockwave unit",
            serial="DEMO-0001",
            kind="radial",
            last_service_on=today - timedelta(days=60),
        ),
    )


def _set_demo_eswt_rules(services: Services) -> None:
    """The demo service's own choice of the two ESWT settings that ship unset.

    No source gives a device service interval or a "recent steroid injection" window for every
    service: a real service sets them on the server (``settings set eswt_rules.<name>``) from its
    devices' instructions for use and its ESWT protocol. These are the demo service's choices,
    so that the demo's sessions are checked as a configured service's are; not clinical defaults.
    """
    from clinic_app.domains.shockwave.content import SETTING  # noqa: PLC0415 - on demand

    context = services.context
    with context.store.sessions.begin() as session:
        session.actor = Actor(device_id=context.device_id)
        session.add(
            ServiceSetting(
                id=setting_id(SETTING),
                key=SETTING,
                value={"device_service_interval_months": 12, "steroid_window_weeks": 6},
            )
        )


_PRIORITIES = (
    ReferralPriority.ROUTINE,
    ReferralPriority.ROUTINE,
    ReferralPriority.ROUTINE,
    ReferralPriority.PRIORITY,
    ReferralPriority.URGENT,
)
#: Days an untriaged demo referral has waited: mostly a few, now and then too many.
_WAITED = (0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 10)


def _referrer(rng: random.Random, practices: list[GpPractice]) -> tuple[str, str, str | None]:
    """A demo referral's source, referrer and organisation, consistent with each other."""
    source = rng.choice(("gp", "gp", "gp", "self", "consultant"))
    if source == "gp":
        return (
            source,
            rng.choice(("Dr A Hughes", "Dr R Mensah", "Dr L Byrne")),
            (rng.choice(practices).name),
        )
    if source == "consultant":
        return source, "Mr K Adeyemi", "Riverside Hospital orthopaedics"
    return source, "Self", None


def _add_patients(
    services: Services, count: int, rng: random.Random, practices: list[GpPractice], today: date
) -> None:
    context = services.context
    numbers = synthetic_numbers(count)
    batch = 2000
    for start in range(0, count, batch):
        with context.store.sessions.begin() as session:
            session.actor = Actor(device_id=context.device_id)
            for _ in range(start, min(count, start + batch)):
                born = today - timedelta(days=rng.randint(18 * 365, 92 * 365))
                # Person stated gender codes: 1 male, 2 female, 9 indeterminate (rare).
                sex = "9" if rng.random() < 0.005 else rng.choice(("1", "2"))
                given = rng.choice(_GIVEN_MALE if sex == "1" else _GIVEN_FEMALE)
                patient = Patient(
                    id=uuid7(),
                    nhs_number=next(numbers),
                    given_name=given,
                    family_name=rng.choice(_FAMILY),
                    date_of_birth=born,
                    sex=sex,
                    ethnicity=rng.choice(("A", "A", "A", "B", "C", "H", "J", "N", "M", "R", "Z")),
                    postcode=f"{rng.choice(_OUTWARD)} {rng.randint(1, 9)}"
                    f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                    gp_practice_id=rng.choice(practices).id,
                    preferred_contact_method=rng.choice(("letter", "telephone", None)),
                    interpreter_needed=rng.random() < 0.05,
                )
                if patient.interpreter_needed:
                    patient.interpreter_language = rng.choice(("pl", "pa", "ur", "bn", "ar"))
                session.add(patient)
                if rng.random() < 0.12:
                    kind, text = rng.choice(_ALERTS)
                    session.add(PatientAlert(patient_id=patient.id, kind=kind, text=text))
                if rng.random() < 0.3:
                    source, name, organisation = _referrer(rng, practices)
                    session.add(
                        Referral(
                            patient_id=patient.id,
                            source=source,
                            # Mostly this week's referrals, a few that have waited too long.
                            received_on=today - timedelta(days=rng.choice(_WAITED)),
                            referrer_name=name,
                            referrer_organisation=organisation,
                            reason=rng.choice(_REASONS),
                            specialty=rng.choice(("physiotherapy", "msk_ultrasound")),
                            priority=rng.choice(_PRIORITIES),
                            status=ReferralStatus.RECEIVED,
                        )
                    )


#: One in this many demo patients is part-way through an episode of physiotherapy.
_EPISODE_EVERY = 10


def _msk_hq(
    rng: random.Random, level: int, patient: uuid.UUID, episode: uuid.UUID
) -> QuestionnaireResponse:
    """An MSK-HQ response scattered around ``level`` (0 worst to 4 best) on every item."""
    definition = questionnaire("msk_hq")
    answers: dict[str, int | None] = {
        item.code: max(0, min(4, level + rng.choice((-1, 0, 0, 1))))
        for item in definition.scored_items
    }
    result = score(definition, answers)
    return QuestionnaireResponse(
        patient_id=patient,
        episode_id=episode,
        questionnaire_id=definition.id,
        questionnaire_version=definition.version,
        timepoint=Timepoint.BASELINE,
        mode=ResponseMode.CLINICIAN,
        answers=answers,
        complete=result.complete,
        total=result.total,
        subscales=dict(result.subscales),
        score_group=result.group,
    )


def _add_episodes(
    services: Services, rng: random.Random, today: date, clinician: uuid.UUID
) -> None:
    """Give every tenth patient a triaged referral, an open episode and MSK-HQ scores.

    The first patient always has one, so the demo opens on a patient with a history.
    """
    context = services.context
    with context.store.sessions.begin() as session:
        session.actor = Actor(user_id=clinician, device_id=context.device_id)
        ids = session.scalars(select(Patient.id).order_by(Patient.nhs_number)).all()
        for patient_id in ids[::_EPISODE_EVERY]:
            received = today - timedelta(days=rng.randint(60, 120))
            started = received + timedelta(days=rng.randint(3, 10))
            referral = Referral(
                patient_id=patient_id,
                source="gp",
                received_on=received,
                referrer_name=rng.choice(("Dr A Hughes", "Dr R Mensah")),
                reason=rng.choice(_REASONS),
                specialty="physiotherapy",
                priority=ReferralPriority.ROUTINE,
                status=ReferralStatus.TRIAGED,
            )
            session.add(referral)
            session.flush()
            session.add(
                TriageDecision(
                    referral_id=referral.id,
                    patient_id=patient_id,
                    outcome="appointment",
                    pathway="physiotherapy",
                    tier="tier_1",
                    priority=ReferralPriority.ROUTINE,
                    decided_at=_at(started),
                    decided_by=clinician,
                )
            )
            episode = EpisodeOfCare(
                patient_id=patient_id,
                referral_id=referral.id,
                pathway="physiotherapy",
                started_on=started,
            )
            session.add(episode)
            session.flush()
            level = rng.randint(1, 2)
            visits = [started + timedelta(days=days) for days in (0, 21, 42) if days < 60]
            for number, day in enumerate(visits):
                response = _msk_hq(rng, min(4, level + number), patient_id, episode.id)
                if number:
                    response.timepoint = Timepoint.FOLLOW_UP
                response.recorded_at = _at(day)
                response.recorded_by = clinician
                session.add(response)


def _at(day: date) -> datetime:
    """Mid-morning on ``day``, in UTC: when a demo clinic contact happened."""
    return datetime.combine(day, time(10, 30), tzinfo=UTC)


#: The demo clinician's day: (clinic time, kind, how). The first is the demo's first patient.
_DAY = (
    ("09:00", "follow_up", "face_to_face"),
    ("09:30", "new", "face_to_face"),
    ("10:00", "follow_up", "telephone"),
    ("10:30", "follow_up", "face_to_face"),
    ("11:00", "new", "face_to_face"),
    ("11:30", "follow_up", "video"),
    ("13:30", "new", "face_to_face"),
    ("14:00", "follow_up", "face_to_face"),
    ("14:30", "procedure", "face_to_face"),
    ("15:00", "follow_up", "telephone"),
)


def _add_clinic_day(
    services: Services,
    rng: random.Random,
    today: date,
    users: dict[str, User],
    site_id: uuid.UUID,
) -> None:
    """Regular sessions for the clinician and the sonographer, and today's clinic.

    Follow-ups go to patients with an open episode, new appointments to others. What the
    clinic has done by now is done: earlier appointments were seen (one did not attend), the
    one under way is in the room, the next has arrived.
    """
    context = services.context
    clinician, sonographer = users["clinician"], users["sonographer"]
    now = datetime.now(UTC)
    with context.store.sessions.begin() as session:
        session.actor = Actor(user_id=users["admin"].id, device_id=context.device_id)
        _add_sessions(session, today, clinician.id, sonographer.id, site_id)
        episodes = {
            patient: episode
            for patient, episode in session.execute(
                select(EpisodeOfCare.patient_id, EpisodeOfCare.id)
            )
        }
        first = session.scalar(select(Patient.id).order_by(Patient.nhs_number))
        others = [
            p
            for p in session.scalars(select(Patient.id).order_by(Patient.nhs_number).limit(200))
            if p not in episodes
        ]
        rng.shuffle(others)
        follow_ups = [p for p in episodes if p != first]
        rng.shuffle(follow_ups)
        missed = rng.randrange(len(_DAY))
        arriving = True
        for number, (at, kind, how) in enumerate(_DAY):
            patient = first if number == 0 else _pick(kind, others, follow_ups)
            if patient is None:
                break  # a demo store too small for a whole day
            hour, minute = (int(part) for part in at.split(":"))
            starts = clinic_time(today, time(hour, minute))
            ends = starts + timedelta(minutes=30)
            appointment = Appointment(
                patient_id=patient,
                episode_id=episodes.get(patient),
                clinician_id=clinician.id,
                site_id=site_id,
                room="Room 3",
                starts_at=starts,
                minutes=30,
                appointment_type=kind,
                mechanism=how,
            )
            session.add(appointment)
            session.flush()
            if ends <= now:
                # Done: seen, or (one of them) did not come.
                attended = number != missed
                appointment.status = "finished" if attended else "dna"
                began = starts
                if attended:
                    appointment.arrived_at = starts - timedelta(minutes=rng.randint(2, 10))
                    appointment.called_at = begun = starts + timedelta(minutes=rng.randint(0, 5))
                    appointment.finished_at = begun + timedelta(minutes=28)
                    began = appointment.arrived_at
                minutes = 28 if attended else 0
            elif starts <= now or (arriving and starts - now <= timedelta(minutes=30)):
                # Under way (in the room), or the next one, waiting in reception.
                appointment.status = "in_room" if starts <= now else "arrived"
                appointment.arrived_at = began = starts - timedelta(minutes=6)
                if starts <= now:
                    appointment.called_at = starts
                arriving = arriving and starts <= now
                minutes = 0
            else:
                continue
            session.add(
                CareContact(
                    patient_id=patient,
                    episode_id=appointment.episode_id,
                    appointment_id=appointment.id,
                    clinician_id=clinician.id,
                    site_id=site_id,
                    starts_at=began,
                    minutes=minutes,
                    mechanism=how,
                    outcome="did_not_attend" if appointment.status == "dna" else "attended",
                )
            )


def _add_sessions(
    session: ClinicSession,
    today: date,
    clinician: uuid.UUID,
    sonographer: uuid.UUID,
    site_id: uuid.UUID,
) -> None:
    """The clinician's weekday sessions and the sonographer's two scanning mornings."""
    for weekday in range(5):
        for opens, closes in (("09:00", "12:30"), ("13:30", "16:30")):
            session.add(
                ClinicTemplate(
                    clinician_id=clinician,
                    site_id=site_id,
                    room="Room 3",
                    weekday=weekday,
                    starts=opens,
                    ends=closes,
                    slot_minutes=30,
                    valid_from=today - timedelta(days=90),
                )
            )
    for weekday in (1, 3):
        session.add(
            ClinicTemplate(
                clinician_id=sonographer,
                site_id=site_id,
                room="Ultrasound room",
                weekday=weekday,
                starts="09:00",
                ends="12:00",
                slot_minutes=20,
                appointment_type="scan",
                valid_from=today - timedelta(days=90),
            )
        )


def _pick(kind: str, others: list[uuid.UUID], follow_ups: list[uuid.UUID]) -> uuid.UUID | None:
    """A patient for a demo appointment: new ones without an episode, follow-ups with one."""
    pool = others if (kind == "new" and others) or not follow_ups else follow_ups
    return pool.pop() if pool else None
