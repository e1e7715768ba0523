"""The server's edges against a real server: limits, malformed input, sign-in, enrolment, files.

Every hostile request here was one an NHS security review sent; each must be refused with a
4xx and a code, and the server must go on serving.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from clinic_app.bootstrap import create_clinic
from clinic_app.container import Services
from clinic_app.kernel.errors import ClinicError, ValidationError
from clinic_app.kernel.security import keychain
from clinic_app.kernel.staff import User
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientInput
from clinic_app.sync.http import HttpTransport
from tests.support.canary_device import CANARIES
from tests.support.sync_server import SyncServer, free_port, server_command

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"
MIB = 1024 * 1024


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with SyncServer(postgres_url, tmp_path / "server.log") as running:
        yield running


@pytest.fixture
def laptop(server: SyncServer, tmp_path: Path) -> Iterator[Services]:
    services = create_clinic(tmp_path / "laptop.db")
    services.sync.enrol(SYSTEM, server.url, "clinic room 1")
    server.approve(services.context.device_id)
    yield services
    services.close()


def _token(services: Services) -> str:

    token = keychain.sync_token(services.context.device_id)
    assert token
    return token


def _register(services: Services, nhs_number: str, family: str) -> None:
    services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Ada",
            family_name=family,
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number=nhs_number,
        ),
    )


def _post(url: str, path: str, body: bytes, token: str | None = None, **headers: str) -> Any:
    sent = {"content-type": "application/json", **headers}
    if token:
        sent["authorization"] = f"Bearer {token}"
    return httpx.post(f"{url}{path}", content=body, headers=sent, timeout=60)


def test_a_user_added_before_the_first_start_leaves_pushes_working(
    postgres_url: str, tmp_path: Path
) -> None:
    server = SyncServer(postgres_url, tmp_path / "server.log")
    server.add_user("priya", "Priya Shah", "clinician", PASSWORD)  # before any start
    with server:
        services = create_clinic(tmp_path / "laptop.db")
        try:
            services.sync.enrol(SYSTEM, server.url, "room 1")
            server.approve(services.context.device_id)
            _register(services, "9990000018", "Lovelace")
            assert services.sync.sync_now().pushed == 1
            _register(services, "9990000026", "Byron")
            assert services.sync.sync_now().pushed == 1
        finally:
            services.close()


def test_bodies_over_the_limit_are_refused_and_unauthenticated_ones_never_read(
    server: SyncServer, laptop: Services
) -> None:
    big = b"[" + b"1," * (17 * MIB) + b"1]"  # 34 MiB: over the 32 MiB JSON limit
    assert _post(server.url, "/v1/push", big).status_code == 401
    refused = _post(server.url, "/v1/push", big, _token(laptop))
    assert (refused.status_code, refused.json()["error"]) == (413, "request.too_large")
    # Without a Content-Length (chunked), the body is counted as it arrives.
    chunked = httpx.post(
        f"{server.url}/v1/push",
        content=iter([big[i : i + MIB] for i in range(0, len(big), MIB)]),
        headers={"content-type": "application/json", "authorization": f"Bearer {_token(laptop)}"},
        timeout=60,
    )
    assert chunked.status_code == 413
    piece = httpx.put(
        f"{server.url}/v1/files/{'ab' * 32}",
        content=b"x" * (17 * MIB),
        headers={
            "content-type": "application/octet-stream",
            "authorization": f"Bearer {_token(laptop)}",
        },
        timeout=60,
    )
    assert piece.status_code == 413
    assert httpx.get(f"{server.url}/health").status_code == 200


def test_malformed_json_is_a_400_with_a_code_and_the_server_carries_on(
    server: SyncServer, laptop: Services
) -> None:
    token = _token(laptop)
    batch = {
        "protocol": 1,
        "batch_key": str(uuid.uuid4()),
        "changes": [
            {
                "key": str(uuid.uuid4()),
                "table": "patient",
                "row_id": str(uuid.uuid4()),
                "operation": "update",
                "base_version": 1,
                "fields": {"family_name": "PLACEHOLDER"},
            }
        ],
    }
    text = json.dumps(batch)
    cases = {
        "deep": b"[" * 100_000 + b"]" * 100_000,
        # Nested past the server's limit inside a change's value, the only place a push
        # may nest at all.
        "deep value": text.replace('"PLACEHOLDER"', "[" * 40 + "]" * 40).encode(),
        "lone surrogate": text.replace("PLACEHOLDER", "\\ud800").encode(),
        "not utf-8": text.replace("PLACEHOLDER", "caf\xe9").encode("latin-1"),
        "nan": text.replace('"PLACEHOLDER"', "NaN").encode(),
        "version beyond 64 bits": text.replace('"base_version": 1', f'"base_version": {2**63}')
        .replace('"PLACEHOLDER"', '"x"')
        .encode(),
    }
    for name, body in cases.items():
        answer = _post(server.url, "/v1/push", body, token)
        assert answer.status_code == 400, name
        assert answer.json()["error"] == "sync.bad_message", name
    # A number no column holds is that one change's fault: refused alone, with a reason.
    huge = _post(server.url, "/v1/push", text.replace('"PLACEHOLDER"', str(10**30)).encode(), token)
    assert huge.status_code == 200
    assert [(r["status"], r["reason"]) for r in huge.json()["results"]] == [
        ("rejected", "sync.bad_value")
    ]
    # Deep nesting before any token: refused without being parsed.
    assert _post(server.url, "/v1/devices/me", cases["deep"]).status_code in (401, 405)
    for cursor in (2**63, 10**30):
        pulled = httpx.get(
            f"{server.url}/v1/pull",
            params={"cursor": cursor},
            headers={"authorization": f"Bearer {token}"},
        )
        assert 400 <= pulled.status_code < 500, cursor
    assert laptop.sync.sync_now() is not None  # the server still serves this laptop


def test_content_types_are_checked(server: SyncServer, laptop: Services) -> None:
    token = _token(laptop)
    answer = _post(server.url, "/v1/login", b"{}", token, **{"content-type": "text/plain"})
    assert (answer.status_code, answer.json()["error"]) == (415, "request.content_type")
    piece = httpx.put(
        f"{server.url}/v1/files/{'ab' * 32}",
        content=b"abc",
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    assert piece.status_code == 415


def test_resolve_authenticates_before_reading_the_body(server: SyncServer) -> None:
    answer = _post(server.url, f"/v1/conflicts/{uuid.uuid4()}/resolve", b"not json at all")
    assert answer.status_code == 401


def test_sign_in_locks_out_after_repeated_failures_and_a_disabled_account_says_nothing_more(
    server: SyncServer, laptop: Services
) -> None:
    token = _token(laptop)
    server.add_user("priya", "Priya Shah", "clinician", PASSWORD)
    server.add_user("omar", "Omar Haddad", "clinician", PASSWORD)

    def login(username: str, password: str) -> httpx.Response:
        body = json.dumps({"username": username, "password": password}).encode()
        return _post(server.url, "/v1/login", body, token)

    for _ in range(5):
        assert login("priya", "wrong password!!").json()["error"] == "auth.failed"
    locked = login("priya", PASSWORD)
    assert (locked.status_code, locked.json()["error"]) == (401, "auth.locked_out")
    assert login("omar", PASSWORD).status_code == 200  # another user is not locked out
    server.set_user_active("omar", active=False)
    right, wrong = login("omar", PASSWORD), login("omar", "wrong password!!")
    unknown = login("nobody", PASSWORD)
    assert (right.status_code, right.json()) == (wrong.status_code, wrong.json())
    assert (right.status_code, right.json()) == (unknown.status_code, unknown.json())
    # A name no account can have (a NUL, which PostgreSQL cannot even compare) is the same
    # plain refusal, not a server error.
    for odd in ("pri\x00ya", "\u00f6Y\u0000\U00069c00", "omar\x1b[2J"):
        assert (login(odd, PASSWORD).status_code, login(odd, PASSWORD).json()) == (
            unknown.status_code,
            unknown.json(),
        ), repr(odd)


def test_enrolment_is_rate_limited_and_names_are_kept_printable(
    server: SyncServer, tmp_path: Path
) -> None:
    fake = "\x1b[2K\r" + "0" * 36 + "  approved  last seen never  Trusted laptop"
    statuses = []
    for number in range(12):
        body = json.dumps({"device_id": str(uuid.uuid4()), "name": fake if number == 0 else "x"})
        statuses.append(_post(server.url, "/v1/devices", body.encode()).status_code)
    assert statuses[:10] == [201] * 10
    assert statuses[10:] == [429, 429]
    listed = subprocess.run(
        server_command("device", "list", "--db", server.db_url),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "\x1b" not in listed
    assert "\r" not in listed
    assert len(listed.splitlines()) == 10


def test_server_and_device_files_are_private(
    server: SyncServer, laptop: Services, tmp_path: Path
) -> None:
    (tmp_path / "scan.bin").write_bytes(os.urandom(5000))

    data = (tmp_path / "scan.bin").read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    transport = HttpTransport(server.url, _token(laptop))
    try:
        transport.upload_piece(sha, 0, data[:100])
        transport.upload_piece(sha, 100, data[100:])
        transport.complete_file(sha, len(data))
    finally:
        transport.close()
    private: list[Path] = [server.files, server.files / "partial", server.files / sha[:2]]
    private += [server.files / sha[:2] / sha, tmp_path / "laptop.db"]
    backup = laptop.store.backup(SYSTEM, tmp_path / "copy.onestop", "a long backup phrase")
    private.append(backup.path)
    for path in private:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path.name} is {oct(mode)}"


def test_sqlite_server_database_is_private(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'trial.db'}"
    before = os.umask(0o022)  # a machine whose default makes files world-readable
    try:
        with SyncServer(url, tmp_path / "server.log"):
            pass
    finally:
        os.umask(before)
    assert stat.S_IMODE((tmp_path / "trial.db").stat().st_mode) & 0o077 == 0


def test_plain_http_only_on_loopback_or_with_the_lab_flag(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'trial.db'}"
    refused = subprocess.run(
        server_command("serve", "--db", url, "--host", "0.0.0.0", "--port", str(free_port())),
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert "HTTPS" in refused.stderr
    port = free_port()
    log = tmp_path / "lab.log"
    with log.open("wb") as out:
        lab = subprocess.Popen(
            server_command(
                "serve",
                "--db",
                url,
                "--host",
                "0.0.0.0",
                "--port",
                str(port),
                "--insecure-http-for-lab",
            ),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert "INSECURE" in log.read_text()
    finally:
        lab.terminate()
        lab.wait(timeout=10)
    with pytest.raises(ClinicError) as insecure:
        HttpTransport("http://10.20.30.40:8765", allow_insecure_http=False)
    assert insecure.value.code == "sync.insecure_url"
    HttpTransport("http://10.20.30.40:8765", allow_insecure_http=True).close()
    HttpTransport("https://10.20.30.40:8765").close()
    HttpTransport("http://127.0.0.1:8765").close()


def test_an_authority_file_missing_or_not_a_certificate_is_said_plainly(tmp_path: Path) -> None:
    not_a_certificate = tmp_path / "server-ca.pem"
    not_a_certificate.write_text("this is a note, not a certificate\n")
    for ca_file in (tmp_path / "missing.pem", not_a_certificate):
        with pytest.raises(ValidationError) as refused:
            HttpTransport("https://sync.example.nhs.uk", ca_file=ca_file)
        assert refused.value.code == "sync.ca_unreadable"
        assert refused.value.field == "ca_file"


def test_no_log_line_of_a_sync_round_with_errors_names_a_patient(
    server: SyncServer, tmp_path: Path
) -> None:

    device = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.support.canary_device",
            server.url,
            server.db_url,
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        cwd=Path(__file__).resolve().parents[3],
    )
    server.stop()
    reached = [line for line in device.stdout.splitlines() if line.startswith("REACHED ")]
    assert reached, device.stderr[-3000:]
    assert int(reached[0].split()[1]) >= 2  # the store clash and the thread at least
    assert device.returncode != 0  # the uncaught error on the main thread happened
    logs = {"device stderr": device.stderr, "server log": server.log_text()}
    assert "Uncaught error" in device.stderr
    assert "IntegrityError" in device.stderr  # the clash is logged, by type
    assert '"event": "push"' in logs["server log"]
    for where, text in logs.items():
        for canary in CANARIES.values():
            assert canary not in text, f"{canary!r} in the {where}"
        assert "Zebrowsk" not in text
        assert "9990012318" not in text.replace(" ", "")


def _local_hash(services: Services, username: str) -> str:
    with services.context.store.engine.connect() as conn:
        found = conn.execute(select(User.password_hash).where(User.username == username))
        return str(found.scalar_one())


def test_a_laptop_holds_password_hashes_only_of_users_who_signed_in_on_it(
    server: SyncServer, laptop: Services, tmp_path: Path
) -> None:
    other = create_clinic(tmp_path / "other.db")
    try:
        other.sync.enrol(SYSTEM, server.url, "clinic room 2")
        server.approve(other.context.device_id)
        server.add_user("priya", "Priya Shah", "clinician", PASSWORD)
        server.add_user("omar", "Omar Haddad", "clinician", PASSWORD)
        for device in (laptop, other):
            device.sync.sync_now()
            for name in ("priya", "omar"):
                assert not _local_hash(device, name).startswith("scrypt$"), name
        assert laptop.auth.login("priya", PASSWORD).username == "priya"
        other.sync.sync_now()
        assert _local_hash(laptop, "priya").startswith("scrypt$")
        assert not _local_hash(laptop, "omar").startswith("scrypt$")
        assert not _local_hash(other, "priya").startswith("scrypt$")
        server.stop()
        assert laptop.auth.login("priya", PASSWORD).username == "priya"  # offline, here only
    finally:
        other.close()
