"""The hazard log's evidence is there to read: every test it cites exists.

A clinical safety officer reads each hazard's controls and follows its tests; a test moved or
renamed without the log following it leaves a hazard resting on evidence nobody can find.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LOG = ROOT / "docs" / "clinical-safety" / "hazard-log.md"


def test_every_test_the_hazard_log_cites_exists() -> None:
    cited = set(re.findall(r"`(tests/[^`\s]+?\.py)(?:::[^`]*)?`", LOG.read_text(encoding="utf-8")))
    assert len(cited) > 50, "the log cites its tests by path, in backticks"
    missing = sorted(path for path in cited if not (ROOT / path).is_file())
    assert missing == [], f"cited by the hazard log but not found: {missing}"
