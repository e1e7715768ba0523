"""A small service's records, written straight to a store, with its figures worked by hand.

December 2026 has two bank holidays on working days: Friday 25 December and Monday
28 December (Boxing Day falls on a Saturday). 1 January 2027 is a bank holiday too.

People: Ann (clinician, ``ann``), Ben (clinician, ``ben``) and Lee (service lead, admin).
Sites: North and South. Patients (age in January 2027):
  P1 female, White British (A), born 15 June 1980: 46, band 45 to 49.
  P2 male, Black Caribbean (M), born 10 January 1950: 77 from 10 January, band 75 to 79.
  P3 female, White British (A), born 1 March 2000: 26, band 25 to 29.
  P4 male, ethnicity not stated (Z), born 20 January 1957: 69 on 19 January 2027 (the day
     before his 70th birthday), band 65 to 69.

Episodes' conditions (the latest signed assessment's working diagnosis): E1 low back pain,
E2 frozen shoulder, E3 none signed.

The worked figures are in the tests that read them (``test_measures``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from clinic_app.container import Services
from clinic_app.domains.appointments.model import CareContact
from clinic_app.domains.assessments.model import Assessment
from clinic_app.domains.decisions.model import DecisionRecord
from clinic_app.domains.injections.model import InjectionRecord
from clinic_app.domains.letters.model import LetterRecord
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.shockwave.model import EswtCourse
from clinic_app.domains.triage.model import TriageDecision
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.session import Actor
from clinic_app.kernel.staff import Site, User
from clinic_app.kernel.vocabulary import (
    EpisodeStatus,
    RecordStatus,
    ReferralPriority,
    ResponseMode,
    Role,
    Timepoint,
)
from clinic_app.people.care import EpisodeOfCare, Referral
from clinic_app.people.model import Patient

SIGNED = RecordStatus.SIGNED.value


def at(day: date, hour: int = 10) -> datetime:
    """A time on a day, in UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@dataclass(frozen=True)
class Seeded:
    """Who is who in the seeded service."""

    ann: CurrentUser
    ben: CurrentUser
    lead: CurrentUser
    north: uuid.UUID
    south: uuid.UUID


def _user(number: int, username: str, name: str, role: Role) -> tuple[User, CurrentUser]:
    # Fixed ids, so the same service on two engines keys its rows alike.
    row = User(username=username, display_name=name, role=role, password_hash="not used")
    row.id = uuid.UUID(int=number)
    return row, CurrentUser(row.id, username, name, role)


def seed_service(services: Services) -> Seeded:  # noqa: PLR0915 - one scenario, read as one
    """Write the scenario (see the module) and say who is who."""
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id)
        rows: list[Any] = []
        ann_row, ann = _user(1, "ann", "Ann Adams", Role.CLINICIAN)
        ben_row, ben = _user(2, "ben", "Ben Brown", Role.CLINICIAN)
        lead_row, lead = _user(3, "lee", "Lee Lead", Role.ADMIN)
        north, south = Site(name="North Clinic"), Site(name="South Clinic")
        north.id, south.id = uuid.UUID(int=11), uuid.UUID(int=12)
        session.add_all([ann_row, ben_row, lead_row, north, south])
        session.flush()

        def patient(sex: str, ethnicity: str, born: date) -> uuid.UUID:
            row = Patient(
                given_name="Test",
                family_name="Patient",
                sex=sex,
                ethnicity=ethnicity,
                date_of_birth=born,
            )
            session.add(row)
            session.flush()
            return row.id

        p1 = patient("2", "A", date(1980, 6, 15))
        p2 = patient("1", "M", date(1950, 1, 10))
        p3 = patient("2", "A", date(2000, 3, 1))
        p4 = patient("1", "Z", date(1957, 1, 20))

        def referral(who: uuid.UUID, received: date, priority: ReferralPriority) -> Referral:
            row = Referral(
                patient_id=who,
                source="gp",
                received_on=received,
                referrer_name="Dr Example",
                reason="Pain",
                specialty="msk",
                priority=priority,
            )
            session.add(row)
            session.flush()
            return row

        def triage(made: Referral, by: CurrentUser, when: datetime, outcome: str) -> uuid.UUID:
            row = TriageDecision(
                referral_id=made.id,
                patient_id=made.patient_id,
                outcome=outcome,
                priority=made.priority,
                decided_at=when,
                decided_by=by.id,
            )
            session.add(row)
            session.flush()
            return row.id

        urgent, priority, routine = (
            ReferralPriority.URGENT,
            ReferralPriority.PRIORITY,
            ReferralPriority.ROUTINE,
        )
        # Triage within 3 working days, December 2026 (urgent and priority only):
        # R1 received Tue 22 Dec, triaged Tue 29 Dec: 23=1, 24=2, 29=3 -> within.
        # R2 received Tue 22 Dec, triaged Wed 30 Dec: 4 -> not (and referred on).
        # R3 received Sat 19 Dec (counts from Mon 21), triaged Wed 23 Dec: 2 -> within.
        # R4 routine: not counted. R5 received Wed 30 Dec, never triaged -> not.
        r1 = referral(p1, date(2026, 12, 22), urgent)
        r2 = referral(p2, date(2026, 12, 22), urgent)
        r3 = referral(p3, date(2026, 12, 19), priority)
        r4 = referral(p4, date(2026, 12, 21), routine)
        referral(p4, date(2026, 12, 30), urgent)
        r6 = referral(p1, date(2027, 1, 5), routine)
        triage(r1, ann, at(date(2026, 12, 29), 9), "appointment")
        onward_dec = triage(r2, ben, at(date(2026, 12, 30), 9), "onward_referral")
        triage(r3, ann, at(date(2026, 12, 23)), "appointment")
        triage(r4, ben, at(date(2026, 12, 21)), "appointment")
        onward_jan = triage(r6, ben, at(date(2027, 1, 6), 9), "onward_referral")

        def episode(
            who: uuid.UUID, started: date, lead_by: CurrentUser, site: Site, **more: Any
        ) -> uuid.UUID:
            row = EpisodeOfCare(
                patient_id=who,
                started_on=started,
                lead_clinician_id=lead_by.id,
                site_id=site.id,
                **more,
            )
            session.add(row)
            session.flush()
            return row.id

        def closed(ended: date) -> dict[str, Any]:
            return {"status": EpisodeStatus.CLOSED, "ended_on": ended}

        e1 = episode(p1, date(2027, 1, 11), ann, north, referral_id=r1.id)
        e2 = episode(p2, date(2027, 1, 12), ben, north, referral_id=r2.id)
        e3 = episode(p3, date(2027, 1, 20), ann, south, referral_id=r3.id)
        e4 = episode(p1, date(2026, 10, 1), ann, north, **closed(date(2027, 1, 15)))
        e5 = episode(p2, date(2026, 10, 5), ben, north, **closed(date(2027, 1, 20)))
        e6 = episode(p3, date(2026, 11, 1), ann, south, **closed(date(2027, 1, 25)))
        e7 = episode(p3, date(2026, 11, 2), ben, south, **closed(date(2027, 1, 26)))
        e8 = episode(p4, date(2026, 9, 1), ben, south, **closed(date(2026, 12, 23)))

        def assessment(
            episode_id: uuid.UUID,
            code: str | None,
            when: date,
            status: str = SIGNED,
            **more: Any,
        ) -> None:
            content = ({"diagnosis_code": code} if code else {}) | more
            rows.append(
                Assessment(
                    patient_id=p1,
                    episode_id=episode_id,
                    status=status,
                    content=content,
                    signed_at=at(when) if status == SIGNED else None,
                    signed_by=ann.id if status == SIGNED else None,
                )
            )

        # Conditions: E1 low back pain; E2 neck pain first, then frozen shoulder (the latest
        # signed counts); E3 only a draft (not recorded).
        assessment(e1, "low_back_pain", date(2027, 1, 11))
        assessment(e2, "neck_pain", date(2027, 1, 12))
        assessment(e2, "frozen_shoulder", date(2027, 1, 19))
        assessment(e3, "sciatica", date(2027, 1, 20), status=RecordStatus.DRAFT.value)

        # Medicines reviews (no working diagnosis, so no episode's condition changes): of
        # three signed assessments listing an opioid or a gabapentinoid two were reviewed.
        # A draft, and a signed one listing neither, are not counted.
        draft, stop = RecordStatus.DRAFT.value, "reduce_or_stop"
        reviews: list[tuple[uuid.UUID, int, str, str, dict[str, Any] | None, str]] = [
            (e4, 13, "codeine", "opioid", {"reviewed": True, "outcome": "continue"}, SIGNED),
            (e5, 14, "pregabalin", "gabapentinoid", {"reviewed": True, "outcome": stop}, SIGNED),
            (e6, 21, "tramadol", "opioid", {"reviewed": False, "reason": "Seen last week"}, SIGNED),
            (e7, 22, "gabapentin", "gabapentinoid", {"reviewed": True}, draft),
            (e7, 23, "naproxen", "nsaid", None, SIGNED),
        ]  # fmt: skip
        for episode_id, day, name, flag, review, status in reviews:
            medicines = [{"name": name, "flags": [flag]}]
            more = {"medicine_review": review} if review else {}
            assessment(episode_id, None, date(2027, 1, day), status, medicines=medicines, **more)

        def contact(  # noqa: PLR0917 - one contact of the scenario per line
            who: uuid.UUID,
            by: CurrentUser,
            site: Site,
            day: date,
            outcome: str,
            episode_id: uuid.UUID | None = None,
        ) -> None:
            rows.append(
                CareContact(
                    patient_id=who,
                    clinician_id=by.id,
                    site_id=site.id,
                    starts_at=at(day),
                    mechanism="face_to_face",
                    outcome=outcome,
                    episode_id=episode_id,
                )
            )

        # Care contacts, January 2027: 1 of 5 not attended. December: 1 of 1.
        # First contacts: R1 Jan 11 (20 days), R2 Jan 19 (28), R3 Jan 20 (32).
        contact(p1, ann, north, date(2027, 1, 11), "attended", e1)
        contact(p2, ben, north, date(2027, 1, 12), "did_not_attend", e2)
        contact(p2, ben, south, date(2027, 1, 19), "attended", e2)
        contact(p3, ann, south, date(2027, 1, 20), "attended", e3)
        contact(p4, ben, south, date(2027, 1, 19), "attended")
        contact(p1, ann, north, date(2026, 12, 15), "did_not_attend")

        def response(  # noqa: PLR0917 - one response of the scenario per line
            who: uuid.UUID,
            episode_id: uuid.UUID,
            questionnaire: str,
            timepoint: Timepoint,
            when: date,
            total: int | None,
            group: str | None = None,
            by: CurrentUser = ann,
        ) -> None:
            rows.append(
                QuestionnaireResponse(
                    patient_id=who,
                    episode_id=episode_id,
                    questionnaire_id=questionnaire,
                    questionnaire_version="1",
                    timepoint=timepoint,
                    mode=ResponseMode.CLINICIAN,
                    complete=total is not None,
                    total=total,
                    score_group=group,
                    recorded_at=at(when),
                    recorded_by=by.id,
                )
            )

        base, follow = Timepoint.BASELINE, Timepoint.FOLLOW_UP
        # MSK-HQ. Episodes started in January: E1 has a baseline, E2 and E3 none (1 of 3).
        # Closed in January: E4 30 -> 31 (December) -> 36 (latest, January): change 6;
        # E5 20 -> 25: change 5, one point under the MIC (5.5); E6 baseline only (its
        # follow-up incomplete); E7 no baseline. Paired 2 of 3; mean change 5.5; improved
        # 1 of 2.
        response(p1, e1, "msk_hq", base, date(2027, 1, 11), 28)
        response(p1, e4, "msk_hq", base, date(2026, 10, 1), 30)
        response(p1, e4, "msk_hq", follow, date(2026, 12, 1), 31)
        response(p1, e4, "msk_hq", follow, date(2027, 1, 10), 36)
        response(p2, e5, "msk_hq", base, date(2026, 10, 5), 20, by=ben)
        response(p2, e5, "msk_hq", follow, date(2027, 1, 18), 25, by=ben)
        response(p3, e6, "msk_hq", base, date(2026, 11, 1), 40)
        response(p3, e6, "msk_hq", follow, date(2027, 1, 24), None)
        # STarT Back at baseline in January: low 1, high 2 (the follow-up does not count).
        response(p1, e1, "start_back", base, date(2027, 1, 11), 2, "low")
        response(p2, e2, "start_back", base, date(2027, 1, 12), 7, "high", by=ben)
        response(p3, e3, "start_back", base, date(2027, 1, 20), 8, "high")
        response(p1, e1, "start_back", follow, date(2027, 1, 25), 1, "low")

        def decision(by: CurrentUser, when: date, collaborate: list[int | None] | None) -> None:
            rows.append(
                DecisionRecord(
                    patient_id=p1,
                    status=SIGNED,
                    aid_id="knee_osteoarthritis",
                    collaborate=collaborate,
                    signed_at=at(when),
                    signed_by=by.id,
                )
            )

        # CollaboRATE, January: 2 answered in full, 1 top box: too few to rate (under 25).
        # February: 25 answered, 20 top box: 0.8.
        decision(ann, date(2027, 1, 5), [9, 9, 9])
        decision(ann, date(2027, 1, 6), [9, 8, 9])
        decision(ben, date(2027, 1, 7), [9, 9, None])
        decision(ben, date(2027, 1, 8), None)
        for n in range(25):
            decision(ben, date(2027, 2, 1 + n), [9, 9, 9] if n < 20 else [5, 6, 7])

        sdm = DecisionRecord(patient_id=p1, status=RecordStatus.DRAFT.value)
        session.add(sdm)
        session.flush()

        def injection(by: CurrentUser, target: str, **more: Any) -> None:
            values: dict[str, Any] = {
                "patient_id": p1,
                "status": SIGNED,
                "signed_at": at(date(2027, 1, 14)),
                "signed_by": by.id,
                "target": target,
                "side": "left",
            }
            rows.append(InjectionRecord(**(values | more)))

        # Injections, January: knee 2, subacromial 1; 1 reaction, 1 repeat, 1 with an aid.
        injection(ann, "knee_joint", immediate_reaction="Felt faint.", sdm_record_id=sdm.id)
        injection(
            ann,
            "knee_joint",
            acknowledgements=[{"code": "repeat_too_soon", "by": "x", "at": "2027-01-14"}],
        )
        injection(ben, "subacromial_space")
        injection(ann, "knee_joint", status=RecordStatus.DRAFT.value, signed_at=None)

        def course(
            by: CurrentUser, indication: str, before: int, after: int | None, **more: Any
        ) -> None:
            rows.append(
                EswtCourse(
                    patient_id=p2,
                    status=SIGNED,
                    indication=indication,
                    side="left",
                    outcome_before={"pain_nrs": before, "responses": []},
                    outcome_after={"pain_nrs": after, "responses": []},
                    signed_at=at(date(2027, 1, 21)),
                    signed_by=by.id,
                    **more,
                )
            )

        # Shockwave, January: plantar heel pain 7 -> 3 (-4, with an aid) and 6 -> 5 (-1);
        # Achilles 5 -> not recorded. Mean change -2.5. Aids: 2 of 6 procedures.
        course(ann, "plantar_heel_pain", 7, 3, sdm_record_id=sdm.id)
        course(ben, "plantar_heel_pain", 6, 5)
        course(ann, "achilles_tendinopathy", 5, None)

        def letter(kind: str, when: date | None, **more: Any) -> None:
            rows.append(
                LetterRecord(
                    patient_id=p1,
                    kind=kind,
                    status=SIGNED if when else "draft",
                    signed_at=at(when) if when else None,
                    signed_by=ann.id,
                    **more,
                )
            )

        # Discharge letters. January: E4 closed Fri 15 Jan, signed Fri 22 Jan (5 working
        # days: within); E5 closed Wed 20 Jan, signed Thu 28 Jan (6: not); E6 none; E7 a
        # draft only: 1 of 4. December: E8 closed Wed 23 Dec, signed Thu 31 Dec: 24=1,
        # 29=2, 30=3, 31=4 -> within (1 of 1).
        letter("gp_discharge", date(2027, 1, 22), episode_id=e4)
        letter("gp_discharge", date(2027, 1, 28), episode_id=e5)
        letter("gp_discharge", None, episode_id=e7)
        letter("gp_discharge", date(2026, 12, 31), episode_id=e8)
        # Onward notices: R2's decision (30 Dec) told on 5 Jan (6 days: within); R6's
        # (6 Jan) told on 14 Jan (8 days: not).
        letter("gp_referral_notice", date(2027, 1, 5), onward_decision_id=onward_dec)
        letter("gp_referral_notice", date(2027, 1, 14), onward_decision_id=onward_jan)
        session.add_all(rows)
    return Seeded(ann, ben, lead, north.id, south.id)
