"""A day list's patients' registrations read together agree with reading each one alone."""

from __future__ import annotations

import random
import sys
import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.container import Services
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.session import Actor
from clinic_app.people.duplicates import (
    every_survivor,
    identities_among,
    identities_of,
    same_patient,
    survivor_of,
)
from clinic_app.people.model import Patient, PatientMerge

SEED = 2046
ROUNDS = 40


def test_identities_read_together_are_those_read_one_by_one(demo: Services) -> None:
    """Chains, two merges of one registration, loops (two devices merging a pair opposite
    ways offline) and deleted merges: each patient's registrations, survivor first."""
    print(f"identities_among seed {SEED}", file=sys.stderr)
    rng = random.Random(SEED)
    store = demo.context.store
    with store.sessions() as session:
        people = list(session.scalars(select(Patient.id).order_by(Patient.id).limit(8)))
    for _ in range(ROUNDS):
        with store.sessions() as session:
            session.actor = Actor(device_id=demo.context.device_id)
            start = utcnow()
            for minute in range(rng.randint(0, 9)):
                survivor, merged = rng.sample(people, 2)
                session.add(
                    PatientMerge(
                        survivor_id=survivor,
                        merged_id=merged,
                        reason="Registered twice",
                        merged_at=start + timedelta(minutes=rng.choice((minute, 0))),
                        deleted=rng.random() < 0.15,
                    )
                )
            session.flush()
            asked = rng.sample(people, rng.randint(1, len(people)))

            together = identities_among(session, asked)

            assert set(together) == set(asked)
            for patient in asked:
                alone = identities_of(session, patient)
                assert together[patient][0] == alone[0], patient
                assert sorted(together[patient]) == sorted(alone), patient
            _one_record_each(session, people)
            session.rollback()


def _one_record_each(session: Session, people: list[uuid.UUID]) -> None:
    """Every registration stands for one record, whichever way it is asked about.

    A record's registrations are exactly those that stand for it; the record stands for
    itself; two registrations are the same patient exactly when they stand for one record;
    the whole service's survivors read at once agree with each read alone.
    """
    standing = {patient: survivor_of(session, patient) for patient in people}
    everyone = every_survivor(session)
    for patient, survivor in standing.items():
        assert survivor_of(session, survivor) == survivor, patient
        assert everyone.get(patient, patient) == survivor, patient
        registrations = identities_of(session, patient)
        assert registrations[0] == survivor, patient
        # (Merges join only the patients sampled, so every registration is among them.)
        assert set(registrations) == {p for p, s in standing.items() if s == survivor}, patient
        for other in people:
            assert same_patient(session, patient, other) == (standing[other] == survivor)
