"""Today's list for a clinician with 20 appointments, in a store of 100,000 patients and
1,000,000 appointments: the service's answer, the window's first paint after sign-in, and
the bare SQL the list runs.

Run: ``python -m tests.bench.bench_today [--patients N] [--appointments N]``. Prints one
JSON object. The store is the demo clinic (``seed_demo``) with 40 more clinicians at four
sites and a year either side of today filled with appointments; the demo clinician has
exactly 20 today. The extra appointments go in as rows in bulk (not through the service,
which would take hours), like a migration from another system would bring them.

The baseline is the bare SQL: every statement the service ran for one list, captured as it
ran, then run again straight on the database connection with the same parameters, so the
ratio is the cost of everything around the queries (the unit of work, the audit entry, the
read models). First paint is timed in the window, offscreen, in a fresh process each time
(the median of several): from the sign-in through the sign-in screen's view model to the
first paint of the day list with its rows.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from tests.bench.common import build_store, captured, open_store, percentile, private_home

#: Clinicians and sites added around the demo clinic's own.
CLINICIANS = 40
SITES = 4
TODAY_FOR_THE_CLINICIAN = 20
_KINDS = ("new", "follow_up", "follow_up", "follow_up", "procedure", "scan")
_HOW = ("face_to_face", "face_to_face", "face_to_face", "telephone", "video")


def _fill(services: Any, appointments: int, seed: int) -> dict[str, Any]:
    """Add the clinicians, sites and appointments in bulk; return what the bench needs."""
    from sqlalchemy import func, insert, select

    from clinic_app.domains.appointments.model import Appointment
    from clinic_app.domains.appointments.rules import clinic_time, day_bounds
    from clinic_app.kernel.staff import Site, User
    from clinic_app.kernel.vocabulary import Role
    from clinic_app.people.model import Patient

    rng = random.Random(seed)
    engine = services.context.store.engine
    now = datetime.now(UTC).replace(microsecond=0)
    device = services.context.device_id
    today = services.context.today()

    def stamp() -> dict[str, Any]:
        return {
            "created_at": now,
            "created_by": None,
            "updated_at": now,
            "updated_by": None,
            "device_id": device,
            "row_version": 0,
            "deleted": False,
            "deleted_at": None,
        }

    with engine.begin() as conn:
        patients = list(conn.execute(select(Patient.id)).scalars())
        demo = conn.execute(select(User.id, User.site_id).where(User.username == "clinician")).one()
        sites = [uuid.uuid4() for _ in range(SITES)]
        conn.execute(
            insert(Site),
            [{"id": s, "name": f"Bench site {n}", **stamp()} for n, s in enumerate(sites)],
        )
        hash_of = conn.execute(select(User.password_hash).where(User.id == demo.id)).scalar_one()
        clinicians = [uuid.uuid4() for _ in range(CLINICIANS)]
        conn.execute(
            insert(User),
            [
                {
                    "id": c,
                    "username": f"bench{n}",
                    "display_name": f"Bench Clinician {n}",
                    "role": Role.CLINICIAN,
                    "password_hash": hash_of,
                    "active": True,
                    "must_change_password": False,
                    "site_id": sites[n % SITES],
                    **stamp(),
                }
                for n, c in enumerate(clinicians)
            ],
        )
        home = {c: sites[n % SITES] for n, c in enumerate(clinicians)}
        start_of_day = datetime.combine(today, datetime.min.time(), tzinfo=UTC)

        def row(
            patient: uuid.UUID, clinician: uuid.UUID, site: uuid.UUID, at: datetime
        ) -> dict[str, Any]:
            past = at < now
            return {
                "id": uuid.uuid4(),
                "patient_id": patient,
                "episode_id": None,
                "clinician_id": clinician,
                "site_id": site,
                "room": f"Room {rng.randint(1, 6)}",
                "starts_at": at,
                "minutes": 30,
                "appointment_type": rng.choice(_KINDS),
                "mechanism": rng.choice(_HOW),
                "status": rng.choice(("finished",) * 8 + ("dna", "cancelled"))
                if past
                else "booked",
                "overbooked_reason": None,
                "note": None,
                "arrived_at": None,
                "called_at": None,
                "finished_at": None,
                "cancelled_by": None,
                "cancel_reason": None,
                "rebooked_from_id": None,
                **stamp(),
            }

        # The demo clinician's day: the demo clinic's own, topped up to 20 after it.
        start, end = day_bounds(today)
        booked = conn.execute(
            select(func.count(Appointment.id)).where(
                Appointment.clinician_id == demo.id,
                Appointment.starts_at >= start,
                Appointment.starts_at < end,
            )
        ).scalar_one()
        mine = [
            row(
                rng.choice(patients),
                demo.id,
                demo.site_id,
                clinic_time(today, clock_time(15, 30)) + timedelta(minutes=20 * n),
            )
            for n in range(TODAY_FOR_THE_CLINICIAN - booked)
        ]
        for mine_row in mine:
            # The day list leaves cancelled appointments out: today's all stay on it, whatever
            # the time of day the bench runs at (later in the day more of them are past).
            if mine_row["status"] == "cancelled":
                mine_row["status"] = "finished"
        # Their other days, and everyone else's, a year either side.
        batch: list[dict[str, Any]] = list(mine)
        added = len(batch)
        everyone = [*clinicians, demo.id]
        while added < appointments:
            clinician = rng.choice(everyone)
            day = rng.randint(-365, 365)
            if clinician == demo.id and day == 0:
                continue
            at = start_of_day + timedelta(days=day, hours=8, minutes=20 * rng.randint(0, 26))
            site = demo.site_id if clinician == demo.id else home[clinician]
            batch.append(row(rng.choice(patients), clinician, site, at))
            added += 1
            if len(batch) >= 50_000:
                conn.execute(insert(Appointment), batch)
                batch = []
        if batch:
            conn.execute(insert(Appointment), batch)
    return {"today": today, "clinician": demo.id}


def _bare(services: Any, statements: list[tuple[str, Any]], rounds: int) -> list[float]:
    """Milliseconds per round of running the list's SELECTs straight on the connection."""
    reads = [
        (sql, params) for sql, params in statements if sql.lstrip().upper().startswith("SELECT")
    ]
    timings = []
    with services.context.store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        for _ in range(rounds):
            t0 = time.perf_counter()
            for sql, params in reads:
                raw.execute(sql, params).fetchall()
            timings.append((time.perf_counter() - t0) * 1000)
        conn.rollback()
    return timings


def _first_paint(store: Path, key: str, day_entries: int, runs: int) -> list[float]:
    """Milliseconds from sign-in to the first paint of the day list with its rows (offscreen).

    Each run is a fresh process, as each sign-in after starting the app is: nothing is
    loaded or drawn before it that the app itself would not have done.
    """
    import os
    import subprocess

    env = {**os.environ, "ONESTOP_BENCH_KEY": key, "QT_QPA_PLATFORM": "offscreen"}
    timings = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-m", "tests.bench.today_paint", str(store), str(day_entries)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        timings.append(float(done.stdout.split()[-1]))
    return timings


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Build the store, then time the list three ways."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--appointments", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--no-paint", action="store_true", help="skip the window's first paint")
    parser.add_argument("--paint-runs", type=int, default=7, help="first paints timed")
    args = parser.parse_args(argv)
    home = private_home()
    print(f"bench_today seed {args.seed}", file=sys.stderr)

    from clinic_app.demo import demo_password

    path = home / "bench.db"
    key, seed_seconds = build_store(path, args.patients)
    services = open_store(path, key)
    t0 = time.perf_counter()
    facts = _fill(services, args.appointments, args.seed)
    fill_seconds = time.perf_counter() - t0
    actor = services.auth.login("clinician", demo_password("clinician"))

    def listed() -> Any:
        return services.appointments.day(actor, day=facts["today"])

    answer = listed()  # warm: compiled statements cached, pages read once
    assert len(answer.entries) == TODAY_FOR_THE_CLINICIAN, len(answer.entries)
    statements = captured(services.context.store.engine, listed)
    service_ms = []
    for _ in range(args.rounds):
        t1 = time.perf_counter()
        listed()
        service_ms.append((time.perf_counter() - t1) * 1000)
    bare_ms = _bare(services, statements, args.rounds)
    services.close()
    result: dict[str, object] = {
        "patients": args.patients,
        "appointments": args.appointments,
        "clinician_appointments_today": TODAY_FOR_THE_CLINICIAN,
        "seed": args.seed,
        "seed_seconds": round(seed_seconds, 1),
        "fill_seconds": round(fill_seconds, 1),
        "statements_per_list": len(statements),
        "service_p50_ms": round(percentile(service_ms, 0.5), 2),
        "service_p95_ms": round(percentile(service_ms, 0.95), 2),
        "bare_sql_p50_ms": round(percentile(bare_ms, 0.5), 2),
        "bare_sql_p95_ms": round(percentile(bare_ms, 0.95), 2),
        "ratio_p95_service_to_bare_sql": round(
            percentile(service_ms, 0.95) / percentile(bare_ms, 0.95), 2
        ),
    }
    if not args.no_paint:
        paints = _first_paint(path, key, TODAY_FOR_THE_CLINICIAN, args.paint_runs)
        paint = percentile(paints, 0.5)
        result["first_paint_after_sign_in_ms"] = sorted(paints)
        result["first_paint_median_ms"] = round(paint, 1)
        result["ratio_first_paint_to_bare_sql"] = round(paint / percentile(bare_ms, 0.5), 1)
        result["target_first_paint_ms"] = 150
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
