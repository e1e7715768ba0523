"""A bounded schemathesis run against the real server: no request gets a 5xx.

Every route is fuzzed without a token and with an approved device's token, valid and invalid
bodies alike. The run is bounded in examples and time (well under a minute on two cores)
and its seed is printed, so a failure is replayed with ``--seed``.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from clinic_app.bootstrap import create_clinic
from clinic_app.kernel.security import keychain
from clinic_app.kernel.uow import SYSTEM
from tests.support.postgres import running_in_ci
from tests.support.server_openapi import server_openapi
from tests.support.sync_server import SyncServer

pytestmark = pytest.mark.timeout(300)
MAX_EXAMPLES = 12
MAX_SECONDS = 40


def _schemathesis() -> str:
    beside = Path(sys.executable).with_name("schemathesis")
    found = str(beside) if beside.is_file() else shutil.which("schemathesis")
    if found is None:
        if running_in_ci():
            pytest.fail("schemathesis is not installed (it is a dev dependency)")
        pytest.skip("schemathesis is not installed")
    return found


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with SyncServer(postgres_url, tmp_path / "server.log") as running:
        yield running


def test_no_fuzzed_request_gets_a_server_error(server: SyncServer, tmp_path: Path) -> None:
    command = _schemathesis()
    laptop = create_clinic(tmp_path / "laptop.db")
    try:
        laptop.sync.enrol(SYSTEM, server.url, "fuzzing laptop")
        server.approve(laptop.context.device_id)
        token = keychain.sync_token(laptop.context.device_id)
    finally:
        laptop.close()
    assert token
    schema = tmp_path / "openapi.json"
    schema.write_text(json.dumps(server_openapi()))
    seed = int(os.environ.get("ONESTOP_FUZZ_SEED") or random.randrange(2**31))
    print(f"schemathesis seed {seed} (ONESTOP_FUZZ_SEED={seed} replays it)")
    runs = []
    for headers in ([], ["-H", f"Authorization: Bearer {token}"]):
        runs.append(
            subprocess.run(
                [
                    command,
                    "run",
                    str(schema),
                    "--url",
                    server.url,
                    "--checks",
                    "not_a_server_error",
                    "--max-examples",
                    str(MAX_EXAMPLES),
                    "--max-time",
                    str(MAX_SECONDS // 2),
                    "--seed",
                    str(seed),
                    "--workers",
                    "1",
                    "--request-timeout",
                    "20",
                    "--no-color",
                    *headers,
                ],
                capture_output=True,
                text=True,
                timeout=240,
                check=False,
                cwd=tmp_path,  # its cache stays with the test
            )
        )
    for run in runs:
        print(run.stdout[-4000:])
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "Traceback" not in server.log_text()
