"""A whole integrated care system's years of MSK records, copied straight into PostgreSQL.

The figures benchmark's service, built by COPY into the tables the app's migrations made
(no services, no sync log: the figures read only these tables). Synthetic values only: NHS
numbers from the 999 test range, made-up names, postcodes from a few Leeds sectors.

At scale 1 the service has five years (2022 to 2026) of:

- 1,000,000 referrals, from 600,000 patients (some are referred more than once; each has an
  NHS number of the 999 test range, which holds about 900,000);
- a first triage of 97% of them (3% more have a second look), 7% of those referring on
  (0.5% as an emergency), 7.5% advising and discharging, the rest accepted: about 1,000,000
  triage decisions;
- an episode of care for each referral accepted (about 85%: 850,000), at one of 12 sites,
  led by one of 150 clinicians; those whose last day has come are closed;
- one signed assessment per episode, naming a working diagnosis;
- 3,000,000 care contacts (the first at the episode's start; 8% of the later ones not
  attended);
- 2,000,000 questionnaire responses: the MSK-HQ at baseline (80% of episodes) and at
  follow-up (65% of closed episodes with a baseline), STarT Back at baseline for back and
  leg pain, pain scores, pain self-efficacy; 3% incomplete;
- shared decisions for 10% of episodes, injections for 8% (half naming a shared decision),
  shockwave courses for 1.5%;
- a discharge letter for 95% of closed episodes and a notice to the GP for 90% of onward
  referrals.

Every count but the sites' and clinicians' is multiplied by ``scale``.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import psycopg

from clinic_app.people.nhs_number import synthetic_numbers

FIRST_DAY = date(2022, 1, 1)
LAST_DAY = date(2026, 12, 31)
SITES = 12
CLINICIANS = 150
REFERRALS = 1_000_000
PATIENTS = 600_000
CARE_CONTACTS = 3_000_000
#: What a referral, episode or contact becomes (shares; see the module).
TRIAGED, SECOND_LOOK = 0.97, 0.03
ONWARD, EMERGENCY_ONWARD, ADVICE = 0.07, 0.005, 0.075
MSK_HQ_BASELINE, MSK_HQ_FOLLOW_UP = 0.80, 0.65
PAIN_BASELINE, PAIN_FOLLOW_UP, PSEQ = 0.40, 0.25, 0.37
INCOMPLETE, DNA = 0.03, 0.08
#: Referrals accepted (85% of the 97% triaged) less those starting after the last day.
EPISODES_PER_REFERRAL = 0.808
SDM, INJECTION, ESWT = 0.10, 0.08, 0.015
DISCHARGE_LETTER, ONWARD_NOTICE = 0.95, 0.90
#: Codes the records hold (from the app's resources).
DIAGNOSES = (
    "low_back_pain",
    "sciatica",
    "neck_pain",
    "subacromial_pain",
    "frozen_shoulder",
    "lateral_epicondylitis",
    "carpal_tunnel",
    "hip_osteoarthritis",
    "greater_trochanteric_pain",
    "knee_osteoarthritis",
    "patellofemoral_pain",
)
BACK = frozenset({"low_back_pain", "sciatica"})
TARGETS = ("subacromial_space", "glenohumeral_joint", "carpal_tunnel", "knee_joint", "hip_joint")
INDICATIONS = ("plantar_fasciitis", "achilles_tendinopathy", "lateral_elbow", "calcific_shoulder")
ETHNICITY = ("A",) * 70 + ("B", "C", "D", "H", "J", "K", "M", "N", "R", "S") * 2 + ("Z", "99") * 5
SEX = ("1",) * 48 + ("2",) * 50 + ("9",) * 2
POSTCODES = tuple(
    f"LS{d} {n}{a}{b}" for d in range(1, 30) for n in (1, 4, 7) for a in "AB" for b in "PQ"
)

_NOW = "2027-01-15 12:00:00+00"
_META = ("created_at", "updated_at", "row_version", "deleted")
_META_VALUES = f"{_NOW}\t{_NOW}\t1\tf"
_NULL = "\\N"


def _id(kind: int, number: int) -> str:
    """A distinct, time-ordered-like id per kind of row (as the app's uuid7 ids sort)."""
    return f"{kind:08x}-0000-4000-8000-{number:012x}"


def _at(day: date, minutes: int) -> str:
    return f"{day.isoformat()} {9 + minutes // 60:02d}:{minutes % 60:02d}:00+00"


@dataclass
class _Table:
    """Rows for one table, written to COPY in large pieces."""

    name: str
    columns: tuple[str, ...]
    buffer: io.StringIO = field(default_factory=io.StringIO)
    rows: int = 0

    def add(self, *values: object) -> None:
        self.buffer.write("\t".join(_NULL if v is None else str(v) for v in values))
        self.buffer.write(f"\t{_META_VALUES}\n")
        self.rows += 1


class _Copier:
    """The tables being filled; each is copied to the server when its piece is large."""

    PIECE = 50_000

    def __init__(self, connection: psycopg.Connection) -> None:
        self.connection = connection
        self.tables: dict[str, _Table] = {}
        self.counts: dict[str, int] = {}

    def table(self, name: str, *columns: str) -> _Table:
        if name not in self.tables:
            self.tables[name] = _Table(name, columns)
            self.counts[name] = 0
        return self.tables[name]

    def maybe_flush(self) -> None:
        """Copy every table (in the order made, so a row's references go first) when one
        has a large piece waiting."""
        if any(table.rows >= self.PIECE for table in self.tables.values()):
            self.flush_all()

    def flush_all(self) -> None:
        for table in self.tables.values():
            self._flush(table)

    def _flush(self, table: _Table) -> None:
        if not table.rows:
            return
        columns = ", ".join((*table.columns, *_META))
        statement = f"COPY {table.name} ({columns}) FROM STDIN"
        with self.connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(table.buffer.getvalue())
        self.counts[table.name] += table.rows
        table.buffer = io.StringIO()
        table.rows = 0


def _days(first: date, last: date) -> int:
    return (last - first).days


def seed(conninfo: str, scale: float, *, rng_seed: int = 19) -> dict[str, int]:
    """Fill the migrated database at ``conninfo`` (see the module); the rows of each table."""
    rng = random.Random(rng_seed)
    with psycopg.connect(conninfo) as connection:
        copier = _Copier(connection)
        sites, clinicians = _staff(copier)
        patients = max(1, round(PATIENTS * scale))
        _patients(copier, rng, patients)
        copier.flush_all()
        _referrals(
            copier,
            rng,
            count=round(REFERRALS * scale),
            patients=patients,
            staff=(sites, clinicians),
        )
        copier.flush_all()
        connection.commit()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        connection.commit()
        return dict(copier.counts)


def _staff(copier: _Copier) -> tuple[list[str], list[str]]:
    site_table = copier.table("site", "id", "name", "ods_code")
    sites = [_id(1, n) for n in range(SITES)]
    for n, site in enumerate(sites):
        site_table.add(site, f"Bench Health Centre {n + 1}", f"RX{n:03d}")
    users = copier.table(
        "app_user",
        "id",
        "username",
        "display_name",
        "role",
        "password_hash",
        "active",
        "must_change_password",
        "site_id",
    )
    clinicians = [_id(2, n) for n in range(CLINICIANS)]
    for n, clinician in enumerate(clinicians):
        users.add(
            clinician,
            f"bench{n:03d}",
            f"Clinician {n + 1:03d}",
            "clinician",
            "not-a-hash",
            "t",
            "f",
            sites[n % SITES],
        )
    copier.flush_all()
    return sites, clinicians


def _patients(copier: _Copier, rng: random.Random, count: int) -> None:
    table = copier.table(
        "patient",
        "id",
        "nhs_number",
        "given_name",
        "family_name",
        "given_key",
        "family_key",
        "date_of_birth",
        "sex",
        "ethnicity",
        "postcode",
        "interpreter_needed",
        "accessible_information_needs",
    )
    numbers = synthetic_numbers(count)
    span = _days(date(1930, 1, 1), date(2008, 12, 31))
    for n in range(count):
        born = date(1930, 1, 1) + timedelta(days=rng.randrange(span))
        family = f"Bench{n:07d}"
        table.add(
            _id(3, n),
            next(numbers),
            "Ada",
            family,
            "ada",
            family.lower(),
            born.isoformat(),
            rng.choice(SEX),
            rng.choice(ETHNICITY),
            rng.choice(POSTCODES),
            "f",
            "[]",
        )
        if table.rows >= copier.PIECE:
            copier.maybe_flush()


class _Counter:
    def __init__(self) -> None:
        self.value = 0

    def __call__(self) -> int:
        self.value += 1
        return self.value


def _referrals(
    copier: _Copier,
    rng: random.Random,
    *,
    count: int,
    patients: int,
    staff: tuple[list[str], list[str]],
) -> None:
    """Referrals, in order of receipt, each with its triage and what followed."""
    sites, clinicians = staff
    referrals = copier.table(
        "referral",
        "id",
        "patient_id",
        "source",
        "received_on",
        "referrer_name",
        "reason",
        "specialty",
        "priority",
        "status",
    )
    triages = copier.table(
        "triage_decision",
        "id",
        "referral_id",
        "patient_id",
        "outcome",
        "priority",
        "with_diagnostics",
        "decided_at",
        "decided_by",
    )
    episode = _Episodes(copier, rng, sites, clinicians)
    letters = copier.table(
        "letter_record",
        "id",
        "patient_id",
        "episode_id",
        "onward_decision_id",
        "kind",
        "status",
        "recipient",
        "sections",
        "cited_reports",
        "no_gp_practice",
        "large_print",
        "signed_at",
        "signed_by",
    )
    span = _days(FIRST_DAY, LAST_DAY) + 1
    triage_ids, letter_ids = _Counter(), _Counter()
    received_days = sorted(rng.randrange(span) for _ in range(count))
    for n, offset in enumerate(received_days):
        received = FIRST_DAY + timedelta(days=offset)
        referral, patient = _id(4, n), _id(3, rng.randrange(patients))
        roll = rng.random()
        priority = "routine" if roll < 0.80 else "urgent" if roll < 0.92 else "priority"
        referrals.add(
            referral,
            patient,
            "gp",
            received.isoformat(),
            "Dr A Bench",
            "Joint pain",
            "physiotherapy",
            priority,
            "triaged",
        )
        if rng.random() >= TRIAGED:
            continue
        decided_day = received + timedelta(days=rng.choice((0, 1, 1, 2, 2, 3, 4, 6)))
        decided_by = rng.choice(clinicians)
        roll = rng.random()
        if roll < ONWARD:
            outcome = "onward_referral"
        elif roll < ONWARD + EMERGENCY_ONWARD:
            outcome = "emergency_onward_referral"
        elif roll < ONWARD + EMERGENCY_ONWARD + ADVICE:
            outcome = "advice_and_discharge"
        else:
            outcome = "accept"
        decision = _id(5, triage_ids())
        decided_at = _at(decided_day, rng.randrange(480))
        triages.add(decision, referral, patient, outcome, priority, "f", decided_at, decided_by)
        if rng.random() < SECOND_LOOK:
            later = decided_day + timedelta(days=10)
            triages.add(
                _id(5, triage_ids()),
                referral,
                patient,
                outcome,
                priority,
                "f",
                _at(later, rng.randrange(480)),
                rng.choice(clinicians),
            )
        if outcome in ("onward_referral", "emergency_onward_referral"):
            if rng.random() < ONWARD_NOTICE:
                signed = decided_day + timedelta(days=rng.randrange(12))
                letters.add(
                    _id(6, letter_ids()),
                    patient,
                    None,
                    decision,
                    "gp_referral_notice",
                    "signed",
                    "GP",
                    "[]",
                    "[]",
                    "f",
                    "f",
                    _at(signed, rng.randrange(480)),
                    decided_by,
                )
        elif outcome == "accept":
            episode.add(referral, patient, decided_day, letters, letter_ids)
        if n % 5_000 == 0:
            copier.maybe_flush()


@dataclass(frozen=True)
class _Care:
    """One episode of care, as the rows recorded in it name it."""

    episode: str
    patient: str
    site: str
    lead: str
    started: date
    ended: date | None


class _Episodes:
    """An episode of care and everything recorded in it."""

    def __init__(
        self, copier: _Copier, rng: random.Random, sites: list[str], clinicians: list[str]
    ) -> None:
        self.rng = rng
        self.sites = sites
        self.clinicians = clinicians
        self.count = 0
        # Contacts past the first, spread over episodes to reach the total wanted: the
        # number each episode gets is drawn so that their mean is right.
        self.extra_contacts = CARE_CONTACTS / REFERRALS / EPISODES_PER_REFERRAL - 1
        self.ids: dict[str, Callable[[], int]] = {
            name: _Counter() for name in ("contact", "response", "sdm", "injection", "eswt")
        }
        self.episodes = copier.table(
            "episode_of_care",
            "id",
            "patient_id",
            "referral_id",
            "site_id",
            "lead_clinician_id",
            "pathway",
            "started_on",
            "ended_on",
            "status",
        )
        self.assessments = copier.table(
            "assessment",
            "id",
            "patient_id",
            "episode_id",
            "referral_id",
            "status",
            "content",
            "signed_at",
            "signed_by",
        )
        self.contacts = copier.table(
            "care_contact",
            "id",
            "patient_id",
            "episode_id",
            "clinician_id",
            "site_id",
            "starts_at",
            "minutes",
            "mechanism",
            "outcome",
        )
        self.responses = copier.table(
            "questionnaire_response",
            "id",
            "patient_id",
            "episode_id",
            "questionnaire_id",
            "questionnaire_version",
            "timepoint",
            "mode",
            "answers",
            "complete",
            "total",
            "subscales",
            "score_group",
            "recorded_at",
            "recorded_by",
        )
        self.decisions = copier.table(
            "sdm_records",
            "id",
            "patient_id",
            "episode_id",
            "status",
            "aid_id",
            "aid_version",
            "options_discussed",
            "discussed_leads_to",
            "ratings",
            "choice_words",
            "questions",
            "participants",
            "teach_back",
            "collaborate",
            "signed_at",
            "signed_by",
        )
        self.injections = copier.table(
            "injection_record",
            "id",
            "patient_id",
            "episode_id",
            "status",
            "target",
            "approach",
            "consent_risks",
            "checklist",
            "drugs",
            "immediate_reaction",
            "aftercare_given",
            "steroid_card_considered",
            "acknowledgements",
            "signed_at",
            "signed_by",
            "sdm_record_id",
        )
        self.courses = copier.table(
            "eswt_course",
            "id",
            "patient_id",
            "episode_id",
            "status",
            "indication",
            "governance",
            "contraindications",
            "outcome_before",
            "outcome_after",
            "signed_at",
            "signed_by",
            "sdm_record_id",
        )

    def add(
        self,
        referral: str,
        patient: str,
        decided: date,
        letters: _Table,
        letter_ids: Callable[[], int],
    ) -> None:
        rng = self.rng
        started = decided + timedelta(days=rng.randrange(7, 70))
        if started > LAST_DAY:
            return
        episode = _id(7, self.count)
        self.count += 1
        site = rng.choice(self.sites)
        lead = rng.choice(self.clinicians)
        ended: date | None = started + timedelta(days=rng.randrange(30, 180))
        assert ended is not None
        closed = ended <= LAST_DAY
        if not closed:
            ended = None
        self.episodes.add(
            episode,
            patient,
            referral,
            site,
            lead,
            "physiotherapy",
            started.isoformat(),
            None if ended is None else ended.isoformat(),
            "closed" if closed else "open",
        )
        diagnosis = rng.choice(DIAGNOSES)
        self.assessments.add(
            _id(8, self.count),
            patient,
            episode,
            referral,
            "signed",
            f'{{"diagnosis_code": "{diagnosis}"}}',
            _at(started, 60),
            lead,
        )
        care = _Care(episode, patient, site, lead, started, ended)
        self._contacts(care)
        self._responses(care, diagnosis)
        self._procedures(care)
        if ended is not None and rng.random() < DISCHARGE_LETTER:
            signed = ended + timedelta(days=rng.choice((0, 1, 2, 3, 4, 6, 8, 12)))
            letters.add(
                _id(6, letter_ids()),
                patient,
                episode,
                None,
                "gp_discharge",
                "signed",
                "GP",
                "[]",
                "[]",
                "f",
                "f",
                _at(signed, rng.randrange(480)),
                lead,
            )

    def _contacts(self, care: _Care) -> None:
        rng = self.rng
        started = care.started
        last = care.ended or started + timedelta(days=120)
        span = max(1, _days(started, last))
        extra = int(self.extra_contacts) + (rng.random() < self.extra_contacts % 1)
        extra = max(0, extra + rng.choice((-2, -1, 0, 0, 1, 2)))
        days = [0, *sorted(1 + rng.randrange(span) for _ in range(extra))]
        for place, offset in enumerate(days):
            day = started + timedelta(days=offset)
            outcome = "attended" if place == 0 or rng.random() >= DNA else "did_not_attend"
            self.contacts.add(
                _id(9, self.ids["contact"]()),
                care.patient,
                care.episode,
                care.lead,
                care.site,
                _at(day, rng.randrange(480)),
                30,
                "face_to_face",
                outcome,
            )

    def _response(
        self, care: _Care, when: date, questionnaire: str, timepoint: str, total: int
    ) -> None:
        """A response (complete but for a few); STarT Back's is given its risk group."""
        complete = self.rng.random() >= INCOMPLETE
        group = None
        if questionnaire == "start_back" and complete:
            group = "low" if total <= 3 else self.rng.choice(("medium", "high"))
        self.responses.add(
            _id(10, self.ids["response"]()),
            care.patient,
            care.episode,
            questionnaire,
            "1",
            timepoint,
            "patient",
            "{}",
            "t" if complete else "f",
            total if complete else None,
            "{}",
            group,
            _at(when, self.rng.randrange(480)),
            care.lead,
        )

    def _responses(self, care: _Care, diagnosis: str) -> None:
        rng = self.rng
        started, ended = care.started, care.ended
        if rng.random() < MSK_HQ_BASELINE:
            score = rng.randrange(8, 40)
            self._response(care, started, "msk_hq", "baseline", score)
            if ended is not None and rng.random() < MSK_HQ_FOLLOW_UP:
                later = min(56, max(0, score + rng.randrange(-6, 20)))
                self._response(care, ended, "msk_hq", "follow_up", later)
        if diagnosis in BACK:
            self._response(care, started, "start_back", "baseline", rng.randrange(10))
        if rng.random() < PAIN_BASELINE:
            self._response(care, started, "pain_nrs", "baseline", rng.randrange(11))
        if ended is not None and rng.random() < PAIN_FOLLOW_UP:
            self._response(care, ended, "pain_nrs", "follow_up", rng.randrange(11))
        if rng.random() < PSEQ:
            self._response(care, started, "pseq", "baseline", rng.randrange(61))

    def _procedures(self, care: _Care) -> None:
        rng = self.rng
        episode, patient, lead, started = care.episode, care.patient, care.lead, care.started
        decision: str | None = None
        when = started + timedelta(days=rng.randrange(7, 40))
        if rng.random() < SDM:
            decision = _id(11, self.ids["sdm"]())
            roll = rng.random()
            collaborate = None if roll < 0.3 else "[9, 9, 9]" if roll < 0.7 else "[7, 9, 8]"
            self.decisions.add(
                decision,
                patient,
                episode,
                "signed",
                "knee_oa",
                "1",
                "[]",
                "{}",
                "{}",
                "",
                "",
                "[]",
                "t",
                collaborate,
                _at(when, 30),
                lead,
            )
        if rng.random() < INJECTION:
            acknowledged = (
                '[{"code": "repeat_too_soon", "by": "bench", "at": "2026-01-01"}]'
                if rng.random() < 0.05
                else "[]"
            )
            self.injections.add(
                _id(12, self.ids["injection"]()),
                patient,
                episode,
                "signed",
                rng.choice(TARGETS),
                "",
                "[]",
                "{}",
                "[]",
                "Vasovagal" if rng.random() < 0.01 else "",
                "t",
                "t",
                acknowledged,
                _at(when, 90),
                lead,
                decision if decision is not None and rng.random() < 0.5 else None,
            )
        if rng.random() < ESWT:
            after = f'{{"pain_nrs": {rng.randrange(11)}}}' if rng.random() < 0.7 else "{}"
            self.courses.add(
                _id(13, self.ids["eswt"]()),
                patient,
                episode,
                "signed",
                rng.choice(INDICATIONS),
                "{}",
                "{}",
                f'{{"pain_nrs": {rng.randrange(3, 11)}}}',
                after,
                _at(when + timedelta(days=42), 120),
                lead,
                decision,
            )
