"""What the benchmarks share: a private home and keychain, a seeded store, percentiles, the
statements a call runs."""

from __future__ import annotations

import os
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keyring
from sqlalchemy import Engine, event

from clinic_app.container import Services
from tests.support.memory_keyring import MemoryKeyring


def private_home() -> Path:
    """Point HOME and XDG folders at a fresh temporary folder; install a memory keychain."""
    home = Path(tempfile.mkdtemp(prefix="onestop-bench-"))
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[name] = str(home)
    keyring.set_keyring(MemoryKeyring())
    # Server commands name who runs them, for the service's audit trail.
    os.environ.setdefault("ONESTOP_OPERATOR", "bench.operator")
    return home


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (0.95 for p95), interpolated."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return cuts[round(fraction * 100) - 1]


def build_store(path: Path, patients: int) -> tuple[str, float]:
    """Create a demo store of ``patients`` at ``path``; return its key and the seconds taken."""
    import time

    from clinic_app.bootstrap import create_clinic
    from clinic_app.demo import seed_demo
    from clinic_app.kernel.security import keychain

    started = time.perf_counter()
    services = create_clinic(path)
    seed_demo(services, patients=patients)
    services.close()
    key = keychain.store_key(path)
    assert key is not None
    return key, time.perf_counter() - started


def open_store(path: Path, key: str) -> Services:
    """Open a benchmark store whose key is known (put into the memory keychain first)."""
    from clinic_app.bootstrap import open_clinic
    from clinic_app.kernel.security import keychain

    keyring.set_password(keychain.SERVICE, keychain.store_key_name(path), key)
    return open_clinic(path)


def captured(engine: Engine, call: Callable[[], object]) -> list[tuple[str, Any]]:
    """The statements (and their parameters) ``call`` runs on ``engine``, in order."""
    seen: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return seen
