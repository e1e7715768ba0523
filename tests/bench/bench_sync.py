"""Sync on loopback: records per second each way, a 50 MB file, and the UI's longest stall.

Each figure has a baseline measured in the same run on the same machine:
- push: the same rows written straight into the server's PostgreSQL in one transaction (the
  median of three such writes, each into a fresh database);
- pull: laptop B's whole sync round (its scope step takes the rows in, then pull, files and
  the check), against the same rows copied straight from PostgreSQL into a fresh device store
  (the median of three);
- file: one plain HTTP request carrying the same bytes to the same server;
- stall: the longest delay of a 10 ms Qt timer with nothing running, against the same timer
  while a sync of the same rows runs in the background.

Run: ``python -m tests.bench.bench_sync [--records N] [--megabytes M] [--parts records,stall]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select

from clinic_app.bootstrap import create_clinic
from clinic_app.container import Services
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.migrate import upgrade
from clinic_app.kernel.session import Actor
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.model import Patient
from clinic_app.people.nhs_number import synthetic_numbers
from clinic_app.people.views import PatientInput
from clinic_app.server.limits import ServerLimits
from clinic_app.sync.client import SyncClient
from tests.bench.common import private_home
from tests.support.postgres import PostgresServer
from tests.support.sync_server import SyncServer

TICK_MS = 10
#: How many times each bare baseline of the records part is measured (its median is used).
BARE_RUNS = 3
#: The measures, in the order they run.
PARTS = ("records", "file", "stall")
#: The user signed in online on each laptop, by the laptop's device id.
_SIGNED_IN: dict[uuid.UUID, uuid.UUID] = {}


def _add_patients(services: Services, count: int) -> None:
    context = services.context
    numbers = synthetic_numbers(count)
    rng = random.Random(7)
    with context.store.sessions.begin() as session:
        # Written as the laptop's signed-in user: a push goes as a user, never anonymously.
        session.actor = Actor(device_id=context.device_id, user_id=_SIGNED_IN[context.device_id])
        for index in range(count):
            session.add(
                Patient(
                    id=uuid7(),
                    nhs_number=next(numbers),
                    given_name=rng.choice(("Ada", "Grace", "Alan", "Mary")),
                    family_name=f"Bench{index:05d}",
                    date_of_birth=date(1950 + index % 50, 1 + index % 12, 1),
                    sex=rng.choice(("1", "2")),
                    ethnicity="Z",
                    postcode="LS1 4AP",
                )
            )


def _laptop(server: SyncServer, path: Path, name: str) -> Services:
    services = create_clinic(path)
    services.sync.enrol(SYSTEM, server.url, name)
    server.approve(services.context.device_id)
    username, password = name.replace(" ", ""), "correct horse battery"
    server.add_user(username, "Bench Clinician", "clinician", password)
    _SIGNED_IN[services.context.device_id] = services.auth.login(username, password).id
    return services


def _bare_push(pg: PostgresServer, rows: list[dict[str, Any]]) -> float:
    """The same rows written straight into a fresh server database in one transaction."""
    engine = create_engine(pg.create_database())
    try:
        upgrade(engine)
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(insert(Patient.__table__), rows)
        return time.perf_counter() - started
    finally:
        engine.dispose()


def _bare_pull(server_url: str, path: Path) -> float:
    """The same rows copied straight from PostgreSQL into a fresh device store."""
    services = create_clinic(path)
    try:
        source = create_engine(server_url)
        started = time.perf_counter()
        with source.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(select(Patient.__table__))]
        with services.context.store.engine.begin() as conn:
            conn.execute(insert(Patient.__table__), rows)
        seconds = time.perf_counter() - started
        source.dispose()
        return seconds
    finally:
        services.close()


def _assert_holds(services: Services, count: int) -> None:
    """The laptop really holds every patient it was timed receiving."""
    with services.context.store.engine.connect() as conn:
        held = conn.execute(select(func.count()).select_from(Patient.__table__)).scalar()
    assert held == count, f"the laptop holds {held} patients, not {count}"


def _records(pg: PostgresServer, home: Path, count: int) -> dict[str, Any]:
    db = pg.create_database()
    with SyncServer(db, home / "records-server.log") as server:
        a = _laptop(server, home / "records-a.db", "bench a")
        b = _laptop(server, home / "records-b.db", "bench b")
        try:
            _add_patients(a, count)
            transport_a = a.sync._transport()
            started = time.perf_counter()
            SyncClient(a.context.store, transport_a).push()
            push_s = time.perf_counter() - started
            transport_a.close()
            # Laptop B's whole round, as its background sync runs it first: push (nothing),
            # the scope step that takes A's patients in, pull, files and the check.
            started = time.perf_counter()
            b.sync.sync_now()
            pull_s = time.perf_counter() - started
            _assert_holds(b, count)
            # Read for the bare write only now: held through the timed rounds, 10,000 rows
            # (60,000 objects) were walked by every full garbage collection on the laptops'
            # side, which a laptop in service does not carry.
            with a.context.store.engine.connect() as conn:
                rows = [dict(row._mapping) for row in conn.execute(select(Patient.__table__))]
        finally:
            a.close()
            b.close()
    # Each baseline is the median of a few: the first write into a fresh engine and database
    # was up to a sixth slower than the ones after it, whichever code ran before it.
    bare_push = statistics.median(_bare_push(pg, rows) for _ in range(BARE_RUNS))
    bare_pull = statistics.median(
        _bare_pull(db, home / f"records-bare-{run}.db") for run in range(BARE_RUNS)
    )
    return {
        "records": count,
        "push_records_per_s": round(count / push_s),
        "pull_records_per_s": round(count / pull_s),
        "bare_push_records_per_s": round(count / bare_push),
        "bare_pull_records_per_s": round(count / bare_pull),
        "ratio_push_to_bare": round(push_s / bare_push, 2),
        "ratio_pull_to_bare": round(pull_s / bare_pull, 2),
    }


def _file(pg: PostgresServer, home: Path, megabytes: int) -> dict[str, Any]:
    import httpx

    data = random.Random(11).randbytes(megabytes * 1024 * 1024)
    sha256 = hashlib.sha256(data).hexdigest()
    with SyncServer(pg.create_database(), home / "file-server.log") as server:
        a = _laptop(server, home / "file-a.db", "bench file")
        try:
            token = a.sync._transport()._token
            headers = {"Authorization": f"Bearer {token}"}
            # Plain requests of the largest piece the server takes in one request.
            piece = ServerLimits().max_piece_bytes
            started = time.perf_counter()
            for offset in range(0, len(data), piece):
                response = httpx.put(
                    f"{server.url}/v1/files/{sha256}",
                    params={"offset": offset},
                    content=data[offset : offset + piece],
                    headers={**headers, "content-type": "application/octet-stream"},
                    timeout=120,
                )
                response.raise_for_status()
            httpx.post(
                f"{server.url}/v1/files/{sha256}/complete",
                json={"size": len(data)},
                headers=headers,
                timeout=120,
            ).raise_for_status()
            plain_s = time.perf_counter() - started
            shutil.rmtree(server.files)
            server.files.joinpath("partial").mkdir(parents=True)
            password = "correct horse battery"
            server.add_user("bench", "Bench User", "sonographer", password)
            user = a.auth.login("bench", password)
            patient = a.patients.register(
                user,
                PatientInput(
                    given_name="Ada",
                    family_name="Lovelace",
                    date_of_birth="1960-03-14",
                    sex="2",
                    nhs_number="9990000018",
                ),
            )
            a.attachments.add(user, patient.id, "clip.dcm", "application/dicom", data)
            transport = a.sync._transport()
            client = SyncClient(a.context.store, transport)
            with a.context.store.engine.begin() as conn:
                batch = client._freeze_next(conn)  # timing the upload on its own
                assert batch is not None
                changes = client._request(conn, batch).changes
            started = time.perf_counter()
            client.upload_files(changes)
            sync_s = time.perf_counter() - started
            transport.close()
            assert server.files.joinpath(sha256[:2], sha256).stat().st_size == len(data)
        finally:
            a.close()
    return {
        "megabytes": megabytes,
        "sync_upload_s": round(sync_s, 3),
        "plain_upload_s": round(plain_s, 3),
        "sync_upload_mb_per_s": round(megabytes / sync_s, 1),
        "plain_upload_mb_per_s": round(megabytes / plain_s, 1),
        "ratio_sync_to_plain_throughput": round(plain_s / sync_s, 2),
    }


def _stall(pg: PostgresServer, home: Path, count: int) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])

    def longest_delay(seconds: float, during: Any = None) -> float:
        clock = QElapsedTimer()
        clock.start()
        last = [clock.elapsed()]
        worst = [0]

        def tick() -> None:
            now = clock.elapsed()
            worst[0] = max(worst[0], now - last[0] - TICK_MS)
            last[0] = now

        timer = QTimer()
        timer.setInterval(TICK_MS)
        timer.timeout.connect(tick)
        timer.start()
        if during is not None:
            during()
        end = time.monotonic() + seconds
        while time.monotonic() < end and (during is None or not finished[0]):
            app.processEvents()
            time.sleep(0.001)
        timer.stop()
        return float(worst[0])

    finished = [False]
    idle_ms = longest_delay(2.0)
    db = pg.create_database()
    with SyncServer(db, home / "stall-server.log") as server:
        a = _laptop(server, home / "stall-a.db", "stall a")
        b = _laptop(server, home / "stall-b.db", "stall b")
        try:
            _add_patients(a, count)
            a.sync.sync_now()

            def on_state(state: Any) -> None:
                if not state.running and a_started[0]:
                    finished[0] = True

            a_started = [False]

            def start() -> None:
                a_started[0] = True
                b.sync.start(on_state=on_state, interval=3600)

            stall_ms = longest_delay(120.0, during=start)
            b.sync.stop()
            assert finished[0], "the background sync did not finish in time"
            _assert_holds(b, count)
        finally:
            a.close()
            b.close()
    return {
        "records_pulled_during": count,
        "longest_stall_ms": stall_ms,
        "longest_stall_idle_ms": idle_ms,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the three measures; returns the figures (printed as JSON too)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help=f"which measures to run, comma-separated (of {', '.join(PARTS)})",
    )
    args = parser.parse_args(argv)
    parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part: {unknown[0]}")
    home = private_home()
    # The server's commands name their operator for the audit trail; the bench is one.
    os.environ.setdefault("ONESTOP_OPERATOR", "bench")
    figures: dict[str, Any] = {}
    with PostgresServer() as pg:
        if "records" in parts:
            figures["records"] = _records(pg, home, args.records)
        if "file" in parts:
            figures["file"] = _file(pg, home, args.megabytes)
        if "stall" in parts:
            figures["stall"] = _stall(pg, home, args.records)
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
    sys.exit(0)
