"""The repeat-injection check for a patient with 200 past injections, in a 100,000-patient store.

Before an injection is signed the core warns when the same site (target and side) was
injected under 12 weeks ago (``repeat_too_soon``) and when this one would be the third or
more at that site in 12 months (``too_many_at_site``). Both come from one read of the
patient's signed injections (``history`` in ``clinic_app.domains.injections.service.history``:
the patient's registrations, theirs and any merged into their record, by two lookups of
merges; then one SELECT of five columns by those patients) and one pure function over what it
read
(``check_injection``, whose ``_frequency`` part gives the two warnings).

The store is the demo clinic (``seed_demo``) of ``--patients`` patients. One of them has
``--past`` signed injections at eight sites over ten years, three of them at the left knee in
the last 12 months (the last one 30 days ago), so both warnings fire on a left knee injection
drafted today; ``--others`` more signed injections are spread over the other patients, so the
read has a table of some size to pick the patient's rows from. The injections go in as rows
in bulk (as they arrive by sync from other laptops); the draft and its PGD go through the
services.

Timed, each ``--runs`` times, interleaved run by run on one database connection:
- the check: ``history`` then ``check_injection`` over it, in a fresh session (the rules,
  formulary and targets it is given are read once beforehand);
- the baseline: the bare SQL the check runs, the two SELECTs ``history`` ran, captured as
  they ran and executed again straight on the same connection with the same parameters, rows
  fetched;
- for context, ``checks_for`` (every check of the draft: also the service's settings, the
  red-flag screenings and the PGD) and the service's ``checks`` as the screen calls it
  (permission, the audit entry written, the transaction committed).

Run: ``python -m tests.bench.bench_injection_checks [--patients N] [--runs N]``. Prints one
JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.bench.common import build_store, captured, open_store, percentile, private_home

#: Where the patient's past injections were given: (target, side).
SITES: tuple[tuple[str, str], ...] = (
    ("knee_joint", "left"),
    ("knee_joint", "right"),
    ("subacromial_space", "right"),
    ("subacromial_space", "left"),
    ("glenohumeral_joint", "left"),
    ("carpal_tunnel", "right"),
    ("hip_joint", "left"),
    ("trigger_finger", "right"),
)
#: The site of the draft, and the days before today of its injections in the last 12 months.
CHECKED = SITES[0]
RECENT_AT_CHECKED = (30, 120, 250)
YEARS_BACK = 10
WARNINGS = frozenset({"repeat_too_soon", "too_many_at_site"})


def _row(
    patient: uuid.UUID, day: date, site: tuple[str, str], signer: uuid.UUID, device: uuid.UUID
) -> dict[str, Any]:
    signed = datetime(day.year, day.month, day.day, 10, 30, tzinfo=UTC)
    return {
        "id": uuid.uuid4(),
        "patient_id": patient,
        "episode_id": None,
        "status": "signed",
        "performed_on": day,
        "target": site[0],
        "side": site[1],
        "approach": "",
        "guidance": "landmark",
        "authority_kind": "prescriber",
        "prescriber_name": "A Prescriber",
        "consent_risks": ["post_injection_flare", "infection"],
        "checklist": {},
        "drugs": [
            {
                "product_id": "methylprednisolone_acetate_40",
                "mg": 40,
                "ml": 1,
                "batch": "MP1234",
                "expiry": (day + timedelta(days=200)).isoformat(),
                "same_syringe": False,
            }
        ],
        "immediate_reaction": "",
        "observation_minutes": 20,
        "aftercare_given": True,
        "steroid_card_considered": True,
        "acknowledgements": [],
        "signed_at": signed,
        "signed_by": signer,
        "content_sha256": "0" * 64,
        "created_at": signed,
        "created_by": signer,
        "updated_at": signed,
        "updated_by": signer,
        "device_id": device,
        "row_version": 1,
        "deleted": False,
        "deleted_at": None,
    }


def _fill(services: Any, past: int, others: int, seed: int) -> dict[str, Any]:
    """Put the patient's past injections and everyone else's in; return the patient."""
    from sqlalchemy import insert, select

    from clinic_app.domains.injections.model import InjectionRecord
    from clinic_app.kernel.staff import User
    from clinic_app.people.model import Patient

    rng = random.Random(seed)
    today = services.context.today()
    laptop = uuid.uuid4()  # another laptop's rows, arrived by sync
    engine = services.context.store.engine
    with engine.begin() as conn:
        patients = list(conn.execute(select(Patient.id).order_by(Patient.id)).scalars())
        signer = conn.execute(select(User.id).where(User.username == "clinician")).scalar_one()
        patient = rng.choice(patients)
        mine = [
            _row(patient, today - timedelta(days=d), CHECKED, signer, laptop)
            for d in RECENT_AT_CHECKED
        ]
        while len(mine) < past:
            day = today - timedelta(days=rng.randint(1, 365 * YEARS_BACK))
            mine.append(_row(patient, day, rng.choice(SITES), signer, laptop))
        conn.execute(insert(InjectionRecord), mine)
        rest = [p for p in patients if p != patient]
        batch: list[dict[str, Any]] = []
        for _ in range(others):
            day = today - timedelta(days=rng.randint(1, 365 * YEARS_BACK))
            batch.append(_row(rng.choice(rest), day, rng.choice(SITES), signer, laptop))
            if len(batch) >= 20_000:
                conn.execute(insert(InjectionRecord), batch)
                batch = []
        if batch:
            conn.execute(insert(InjectionRecord), batch)
    return {"patient": patient, "today": today}


def _draft(services: Any, patient: uuid.UUID, today: date) -> tuple[Any, uuid.UUID]:
    """The clinician's draft of a left knee injection today under a PGD naming them."""
    from clinic_app.demo import demo_password
    from clinic_app.domains.injections.rules import Drug
    from clinic_app.domains.injections.views import InjectionInput, PgdInput

    actor = services.auth.login("clinician", demo_password("clinician"))
    lead = services.auth.login("admin", demo_password("admin"))
    pgd = services.pgds.add(
        lead,
        PgdInput(
            name="Corticosteroid joint injection by physiotherapists",
            version="2.1",
            valid_from=today - timedelta(days=30),
            valid_to=today + timedelta(days=300),
            drugs=("methylprednisolone_acetate_40", "lidocaine_1"),
            targets=("knee_joint", "subacromial_space"),
            practitioners=(actor.id,),
        ),
    )
    draft = services.injections.start(actor, patient)
    checklist = {
        item: "no"
        for item in (
            "infection_local",
            "infection_systemic",
            "allergy",
            "anticoagulated",
            "diabetes",
            "pregnancy",
            "immunosuppression",
            "prosthetic_joint",
            "joint_replacement_planned",
        )
    }
    services.injections.save(
        actor,
        draft.id,
        InjectionInput(
            performed_on=today,
            target=CHECKED[0],
            side=CHECKED[1],
            approach="superolateral",
            guidance="landmark",
            authority_kind="pgd",
            pgd_id=pgd.id,
            pgd_version=pgd.version,
            consent_risks=("post_injection_flare", "infection", "no_benefit"),
            checklist=checklist,
            drugs=(
                Drug("methylprednisolone_acetate_40", 40, 1, "MP1234", today + timedelta(days=200)),
                Drug("lidocaine_1", 30, 3, "LD99", today + timedelta(days=400)),
            ),
            observation_minutes=20,
            aftercare_given=True,
            steroid_card_considered=True,
            review_date=today + timedelta(weeks=6),
            sdm_missing_reason="Decided with the patient at the last visit.",
        ),
    )
    return actor, draft.id


def _ms(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _spread(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(values), 3),
        "p95_ms": round(percentile(values, 0.95), 3),
        "min_ms": round(min(values), 3),
        "max_ms": round(max(values), 3),
    }


def _time(services: Any, actor: Any, record_id: uuid.UUID, runs: int) -> dict[str, Any]:
    """Time the check, its bare SQL, every check of the draft and the service's call."""
    from clinic_app.domains.injections.model import InjectionRecord
    from clinic_app.domains.injections.rules import check_injection
    from clinic_app.domains.injections.service.history import (
        checks_for,
        draft_of,
        hard_items,
        history,
        products,
        targets,
    )
    from clinic_app.domains.injections.service.settings import rules_in_force
    from clinic_app.kernel.base import utcnow
    from clinic_app.kernel.session import ClinicSession

    engine = services.context.store.engine
    times: dict[str, list[float]] = {"check": [], "bare": [], "checks_for": [], "service": []}
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        # One transaction for every run, as the check runs inside the service's: each fresh
        # session below joins it and leaves it open.
        conn.begin()
        with ClinicSession(bind=conn) as session:
            row = session.get(InjectionRecord, record_id)
            assert row is not None
            patient = row.patient_id
            draft = draft_of(row, utcnow().date())
            given = {
                "products": products(),
                "targets": targets(),
                "rules": rules_in_force(session),
                "hard_items": hard_items(),
            }

        def check() -> Any:
            with ClinicSession(bind=conn) as session:
                return check_injection(
                    draft,
                    history=history(session, patient),
                    septic_flag_open=False,
                    now=utcnow(),
                    **given,
                )

        def every_check() -> Any:
            with ClinicSession(bind=conn) as session:
                stored = session.get(InjectionRecord, record_id)
                assert stored is not None
                started = time.perf_counter()
                checks_for(session, stored, actor.id, utcnow())
                times["checks_for"].append((time.perf_counter() - started) * 1000)

        found = check()  # warm: statement compiled, pages read once
        assert found.warning_codes >= WARNINGS, found.warning_codes
        with ClinicSession(bind=conn) as session:
            past = len(history(session, patient))
        statements = captured(engine, check)
        assert [s for s, _ in statements if not s.startswith("SELECT")] == [], statements
        # The patient's registrations (one lookup of merges), then their injections.
        assert len(statements) == 2, statements
        sql, params = statements[-1]
        plan = [str(r[-1]) for r in raw.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()]
        fetched = len(raw.execute(sql, params).fetchall())

        def bare() -> None:
            for each_sql, each_params in statements:
                raw.execute(each_sql, each_params).fetchall()

        every_check()
        times["checks_for"].clear()
        for _ in range(runs):
            times["bare"].append(_ms(bare))
            times["check"].append(_ms(check))
            every_check()
        conn.rollback()
    answer = services.injections.checks(actor, record_id)  # warm
    assert {w.code for w in answer.warnings} >= WARNINGS
    for _ in range(runs):
        times["service"].append(_ms(lambda: services.injections.checks(actor, record_id)))
    return {
        "times": times,
        "sql": " ".join(sql.split()),
        "plan": plan,
        "rows": fetched,
        "history": past,
    }


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Build the store, draft the injection, time the check against its bare SQL."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--past", type=int, default=200, help="the patient's past injections")
    parser.add_argument("--others", type=int, default=50_000, help="other patients' injections")
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2028)
    parser.add_argument("--store", type=Path, help="an existing demo store (else one is built)")
    parser.add_argument("--key-file", type=Path)
    args = parser.parse_args(argv)
    home = private_home()
    print(f"bench_injection_checks seed {args.seed}", file=sys.stderr)

    seed_seconds = 0.0
    if args.store is None:
        args.store = home / "bench.db"
        key, seed_seconds = build_store(args.store, args.patients)
    else:
        key = args.key_file.read_text().strip()
    services = open_store(args.store, key)
    started = time.perf_counter()
    facts = _fill(services, args.past, args.others, args.seed)
    fill_seconds = time.perf_counter() - started
    actor, record_id = _draft(services, facts["patient"], facts["today"])
    load_before = os.getloadavg()[0]
    timed = _time(services, actor, record_id, args.runs)
    load_after = os.getloadavg()[0]
    services.close()
    times = timed["times"]
    check, bare = _spread(times["check"]), _spread(times["bare"])
    every, service = _spread(times["checks_for"]), _spread(times["service"])
    result: dict[str, object] = {
        "patients": args.patients,
        "past_injections_of_the_patient": timed["history"],
        "other_patients_injections": args.others,
        "seed": args.seed,
        "seed_seconds": round(seed_seconds, 1),
        "fill_seconds": round(fill_seconds, 1),
        "runs": args.runs,
        # Others' work on the machine: the 1-minute load average as the timing began and ended.
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "warnings": sorted(WARNINGS),
        "statement": timed["sql"],
        "query_plan": timed["plan"],
        "rows_fetched": timed["rows"],
        "check_ms": check,
        "bare_sql_ms": bare,
        "ratio_p50_check_to_bare_sql": round(check["p50_ms"] / bare["p50_ms"], 2),
        "ratio_p95_check_to_bare_sql": round(check["p95_ms"] / bare["p95_ms"], 2),
        "every_check_of_the_draft_ms": every,
        "ratio_p50_every_check_to_bare_sql": round(every["p50_ms"] / bare["p50_ms"], 2),
        "service_checks_ms": service,
        "ratio_p50_service_checks_to_bare_sql": round(service["p50_ms"] / bare["p50_ms"], 2),
        "target_check_ms": 20,
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
