"""Adding a signed record type with a screen, a PDF and a timeline entry takes four files.

The example in ``tests/support/example_record`` is exactly the files
``docs/adding-a-record-type.md`` lists for a record whose form is only its sections. Its
checks run in a process of their own, so its table never joins this run's schema.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "tests" / "support" / "example_record"


def test_the_example_is_four_files_of_its_own() -> None:
    files = sorted(
        p.name
        for p in EXAMPLE.glob("*.py")
        if p.name not in {"__init__.py", "checks.py", "conftest.py"}
    )
    assert files == ["model.py", "record.py", "rules.py", "screens.py"]


def test_the_four_file_record_type_drafts_signs_prints_and_has_a_screen() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(ROOT),
            str(EXAMPLE / "checks.py"),
        ],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "8 passed" in result.stdout
