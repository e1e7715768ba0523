"""A new laptop's first scoped sync of a large service: time, and what it holds.

The service (PostgreSQL, built straight into the server's database for speed) has
``--patients`` patients, each with a referral and an open episode of care; ``--site-share``
of them are at the laptop's site. A clinician of that site signs in online on a new laptop
and syncs once. Measured:
- the first sync's wall time: the clinician's first (online) sign-in, which syncs, and one
  more round with the count-and-hash check (the target: at most 2 minutes for 100,000
  patients);
- the patients the laptop then holds (exactly its site's, no one else's);
- the baseline: the same rows copied straight from PostgreSQL into a fresh store, in the
  same run.

Run: ``python -m tests.bench.bench_scope [--patients N] [--site-share F]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text, update

from clinic_app.bootstrap import create_clinic
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.staff import Site
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import EpisodeStatus, ReferralStatus
from clinic_app.people.care import EpisodeOfCare
from clinic_app.people.model import Patient
from clinic_app.people.nhs_number import synthetic_numbers
from clinic_app.people.text import search_key
from clinic_app.server.apply import COUNTER
from clinic_app.sync.model import SyncChange, SyncCounter
from clinic_app.sync.ownership import rows_of_patients
from clinic_app.sync.wire import synced_table
from tests.bench.common import private_home
from tests.support.postgres import PostgresServer
from tests.support.sync_server import SyncServer

PASSWORD = "correct horse battery"
CHUNK = 5_000


def _meta(now: datetime) -> dict[str, Any]:
    return {
        "created_at": now,
        "updated_at": now,
        "row_version": 1,
        "deleted": False,
        "device_id": None,
        "created_by": None,
        "updated_by": None,
    }


def _build_service(db_url: str, count: int, site_share: float, here: uuid.UUID) -> int:
    """Patients with a referral and an open episode each, logged as changes; how many here."""
    engine = create_engine(db_url)
    now = datetime.now(UTC)
    numbers = synthetic_numbers(count, start=100_000)
    every = max(1, round(1 / site_share)) if site_share > 0 else 0
    at_site = 0
    seq = 0
    try:
        with engine.begin() as conn:
            seq = int(conn.execute(select(func.max(SyncChange.seq))).scalar() or 0)
        for start in range(0, count, CHUNK):
            patients, referrals, episodes, changes = [], [], [], []
            for index in range(start, min(start + CHUNK, count)):
                patient_id, referral_id, episode_id = uuid7(), uuid7(), uuid7()
                local = bool(every) and index % every == 0
                at_site += local
                patients.append(
                    {
                        **_meta(now),
                        "id": patient_id,
                        "nhs_number": next(numbers),
                        "given_name": "Ada",
                        "family_name": f"Scope{index:06d}",
                        # As the app keeps them for search and duplicate matching.
                        "given_key": search_key("Ada"),
                        "family_key": search_key(f"Scope{index:06d}"),
                        "date_of_birth": date(1940 + index % 60, 1 + index % 12, 1),
                        "sex": "2",
                        "ethnicity": "Z",
                        "postcode": "LS1 4AP",
                    }
                )
                referrals.append(
                    {
                        **_meta(now),
                        "id": referral_id,
                        "patient_id": patient_id,
                        "source": "gp",
                        "received_on": date(2026, 11, 1),
                        "referrer_name": "Dr A Hughes",
                        "reason": "Knee pain",
                        "specialty": "physiotherapy",
                        "status": ReferralStatus.TRIAGED,
                    }
                )
                episodes.append(
                    {
                        **_meta(now),
                        "id": episode_id,
                        "patient_id": patient_id,
                        "referral_id": referral_id,
                        "site_id": here if local else None,
                        "pathway": "physiotherapy",
                        "started_on": date(2026, 11, 2),
                        "status": EpisodeStatus.OPEN,
                    }
                )
                for table, row_id in (
                    ("patient", patient_id),
                    ("referral", referral_id),
                    ("episode_of_care", episode_id),
                ):
                    seq += 1
                    changes.append(
                        {
                            "seq": seq,
                            "table_name": table,
                            "row_id": row_id,
                            "row_version": 1,
                            "device_id": None,
                            "at": now,
                            "patient_id": patient_id,
                            "other_patient_id": None,
                        }
                    )
            with engine.begin() as conn:
                conn.execute(insert(synced_table("patient").table), patients)
                conn.execute(insert(synced_table("referral").table), referrals)
                conn.execute(insert(synced_table("episode_of_care").table), episodes)
                conn.execute(insert(SyncChange), changes)
        with engine.begin() as conn:
            conn.execute(update(SyncCounter).where(SyncCounter.name == COUNTER).values(value=seq))
        return at_site
    finally:
        engine.dispose()


def _bare_copy(db_url: str, site: uuid.UUID, path: Path) -> tuple[float, int]:
    """The site's patients' rows copied straight from PostgreSQL into a fresh store."""
    services = create_clinic(path)
    source = create_engine(db_url)
    try:
        started = time.perf_counter()
        with source.connect() as conn:
            wanted = (
                conn.execute(select(EpisodeOfCare.patient_id).where(EpisodeOfCare.site_id == site))
                .scalars()
                .all()
            )
            found = rows_of_patients(conn, wanted)
            sites = [dict(row) for row in conn.execute(select(Site)).mappings()]
        rows = 0
        with services.context.store.engine.begin() as conn:
            conn.execute(text("PRAGMA defer_foreign_keys = ON"))  # as a pulled page is stored
            conn.execute(insert(synced_table("site").table), sites)
            for synced, table_rows in found:
                conn.execute(insert(synced.table), [dict(row) for row in table_rows])
                rows += len(table_rows)
        return time.perf_counter() - started, rows
    finally:
        source.dispose()
        services.close()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Build the service, sync a new laptop once; returns the figures (printed as JSON too)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--site-share", type=float, default=0.02)
    args = parser.parse_args(argv)
    home = private_home()
    with PostgresServer() as pg:
        db_url = pg.create_database()
        with SyncServer(db_url, home / "scope-server.log", scope=None) as server:
            server.set_scope({"awaiting_triage": False})
            site = server.add_site("Northgate Health Centre")
            server.add_user("ann", "Ann North", "clinician", PASSWORD)
            server.set_user_site("ann", site)
            started = time.perf_counter()
            at_site = _build_service(db_url, args.patients, args.site_share, site)
            built = time.perf_counter() - started

            laptop = create_clinic(home / "new-laptop.db")
            try:
                laptop.sync.enrol(SYSTEM, server.url, "new laptop")
                server.approve(laptop.context.device_id)
                laptop.sync.sync_now(check=False)  # users and sites, before the first sign-in
                # Her first sign-in goes through the server and syncs (the laptop then works
                # for Northgate); then one more round with the count-and-hash check.
                started = time.perf_counter()
                laptop.auth.login("ann", PASSWORD)
                report = laptop.sync.sync_now(check=True)
                first_sync = time.perf_counter() - started
                with laptop.context.store.engine.connect() as conn:
                    held = int(
                        conn.execute(select(func.count()).select_from(Patient)).scalar() or 0
                    )
            finally:
                laptop.close()
            bare, rows = _bare_copy(db_url, site, home / "bare-copy.db")
    figures = {
        "patients_in_service": args.patients,
        "patients_at_site": at_site,
        "patients_held_after_first_sync": held,
        "rows_of_those_patients": rows,
        "service_built_s": round(built, 1),
        "first_scoped_sync_s": round(first_sync, 2),
        "pulled_again_after_check": report.repulled,
        "bare_copy_s": round(bare, 2),
        "ratio_to_bare_copy": round(first_sync / bare, 1) if bare else None,
        "target_s": 120,
    }
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
