"""Search-as-you-type over 100,000 patients: p95 per query, and its ratio to the bare SQL.

Run: ``python -m tests.bench.bench_search [--patients N]``. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tests.bench.common import build_store, open_store, percentile, private_home

# Keystroke by keystroke, as a receptionist or clinician types into the search box.
TYPED = (
    "smith",
    "patel",
    "o'brien",
    "jo smi",
    "smith, ol",
    "khan",
    "wilson",
    "999 000 1",
    "9990004",
    "999 012 34",
)
DATES = ("12/03/1975", "1980-07-01", "01/01/1950")


def keystrokes() -> list[str]:
    """Every prefix of every typed query (from 2 characters), then whole dates."""
    queries = [text[:n] for text in TYPED for n in range(2, len(text) + 1)]
    return queries + list(DATES)


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Seed the store, then time the service search against its bare SQL."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--store", type=Path, help="an existing demo store (else one is built)")
    parser.add_argument("--key-file", type=Path)
    args = parser.parse_args(argv)
    home = private_home()

    from clinic_app.demo import demo_password
    from clinic_app.people.search import search_plan

    seed_seconds = 0.0
    if args.store is None:
        args.store = home / "bench.db"
        key, seed_seconds = build_store(args.store, args.patients)
    else:
        key = args.key_file.read_text().strip()
    services = open_store(args.store, key)
    actor = services.auth.login("clinician", demo_password("clinician"))
    engine = services.context.store.engine

    queries = keystrokes()
    service_ms: list[float] = []
    bare_ms: list[float] = []
    hits = 0
    compiled = {}
    for query in queries:
        plan = search_plan(query, 50)
        assert plan is not None
        compiled[query] = (plan[0].compile(engine), plan[1])
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        for _ in range(args.rounds):
            for query in queries:
                sql, values = compiled[query]
                params = sql.construct_params(values)
                positional = [params[name] for name in sql.positiontup or ()]
                processors = sql._bind_processors
                for index, name in enumerate(sql.positiontup or ()):
                    if name in processors:
                        positional[index] = processors[name](positional[index])
                t0 = time.perf_counter()
                raw.execute(str(sql), positional).fetchall()
                bare_ms.append((time.perf_counter() - t0) * 1000)
        conn.rollback()
    for _ in range(args.rounds):
        for query in queries:
            t0 = time.perf_counter()
            found = services.patients.search(actor, query)
            service_ms.append((time.perf_counter() - t0) * 1000)
            hits += bool(found)
    services.close()
    p95_service = percentile(service_ms, 0.95)
    p95_bare = percentile(bare_ms, 0.95)
    result: dict[str, object] = {
        "patients": args.patients,
        "queries": len(queries) * args.rounds,
        "queries_with_results": hits,
        "seed_seconds": round(seed_seconds, 1),
        "search_p50_ms": round(percentile(service_ms, 0.50), 2),
        "search_p95_ms": round(p95_service, 2),
        "search_max_ms": round(max(service_ms), 2),
        "bare_sql_p50_ms": round(percentile(bare_ms, 0.50), 2),
        "bare_sql_p95_ms": round(p95_bare, 2),
        "ratio_p95_service_to_bare_sql": round(p95_service / p95_bare, 2),
        "target_p95_ms": 20,
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
