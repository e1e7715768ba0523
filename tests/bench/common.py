"""What the benchmarks share: a private home and keychain, a seeded store, percentiles."""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path

import keyring

from tests.support.memory_keyring import MemoryKeyring


def private_home() -> Path:
    """Point HOME and XDG folders at a fresh temporary folder; install a memory keychain."""
    home = Path(tempfile.mkdtemp(prefix="onestop-bench-"))
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[name] = str(home)
    keyring.set_keyring(MemoryKeyring())
    return home


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (0.95 for p95), interpolated."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return cuts[round(fraction * 100) - 1]
