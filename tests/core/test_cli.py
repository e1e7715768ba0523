"""The ``onestop`` administration commands, as an IT lead runs them.

Each test calls ``clinic_app.cli.main`` (or the ``onestop`` launcher) in this process, so
the in-memory keychain of ``tests/conftest.py`` is shared, and checks what the lead would
see: the exit status and the words printed. Secrets are given on standard input
(``--password-stdin``, ``--passphrase-stdin``).
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
import sqlcipher3
from sqlalchemy import select, text

from clinic_app import cli
from clinic_app.bootstrap import create_clinic, open_clinic
from clinic_app.container import Services
from clinic_app.demo import DEMO_USERS, demo_password, seed_demo
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.errors import AuthenticationFailed
from clinic_app.kernel.security import audit, keychain
from clinic_app.kernel.staff import User
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.nhs_number import synthetic_numbers
from tests.support.memory_keyring import MemoryKeyring
from ui import launcher

ROOT = Path(__file__).resolve().parents[2]
SQLITE_HEADER = b"SQLite format 3\x00"
PASSPHRASE = "river stones at dawn"
OTHER_PASSPHRASE = "harbour lights in fog"


@dataclass(frozen=True)
class Outcome:
    """What a command left on the terminal."""

    code: int
    out: str
    err: str


Onestop = Callable[..., Outcome]


@pytest.fixture
def onestop(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Onestop:
    """Run ``onestop ARGS``; ``stdin`` is what is typed (passwords, passphrases)."""

    def run(*argv: str | Path, stdin: str | None = None, entry: Callable = cli.main) -> Outcome:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin or ""))
        code = entry([str(word) for word in argv])
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run


def _files(folder: Path) -> dict[str, bytes]:
    """Every file in a folder and its bytes: to show a command changed nothing."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _init(onestop: Onestop, store: Path) -> None:
    result = onestop("--store", store, "init")
    assert result.code == 0, result.err


def _add_user(
    onestop: Onestop,
    store: Path,
    name: str,
    role: str,
    password: str,
    *extra: str,
    options: tuple[str, ...] = (),
) -> Outcome:
    return onestop(
        "--store",
        store,
        *options,
        "user",
        "add",
        name,
        "--name",
        name.title(),
        "--role",
        role,
        "--password-stdin",
        *extra,
        stdin=password + "\n",
    )


def _seed_demo(onestop: Onestop, store: Path, patients: int = 30) -> Outcome:
    _init(onestop, store)
    result = onestop("--store", store, "seed-demo", "--patients", str(patients))
    assert result.code == 0, result.err
    return result


def _backup(onestop: Onestop, store: Path, destination: Path, passphrase: str) -> Outcome:
    return onestop(
        "--store", store, "backup", destination, "--passphrase-stdin", stdin=passphrase + "\n"
    )


def _restore(onestop: Onestop, store: Path, backup: Path, passphrase: str, *extra: str) -> Outcome:
    return onestop(
        "--store",
        store,
        "restore",
        backup,
        "--passphrase-stdin",
        *extra,
        stdin=passphrase + "\n",
    )


@contextmanager
def _opened(store: Path) -> Iterator[Services]:
    services = open_clinic(store)
    try:
        yield services
    finally:
        services.close()


def _scalar(store: Path, query: str) -> object:
    with _opened(store) as services, services.context.store.engine.connect() as conn:
        return conn.execute(text(query)).scalar_one()


def _actions(store: Path) -> list[str]:
    with _opened(store) as services, services.context.store.sessions() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def _actions_on(store: Path, username: str) -> list[str]:
    with _opened(store) as services, services.context.store.sessions() as session:
        user_id = session.scalars(select(User.id).where(User.username == username)).one()
        query = select(AuditEntry.action).where(AuditEntry.entity_id == user_id)
        return list(session.scalars(query.order_by(AuditEntry.seq)))


@contextmanager
def _sqlcipher(path: Path, key_literal: str) -> Iterator[sqlcipher3.Connection]:
    """An encrypted file opened directly with SQLCipher (``key_literal`` is SQL)."""
    with closing(sqlcipher3.connect(str(path))) as conn:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {key_literal}")
        yield conn


@contextmanager
def _backup_file(path: Path, passphrase: str) -> Iterator[sqlcipher3.Connection]:
    """A backup opened with its passphrase."""
    with _sqlcipher(path, f"'{passphrase}'") as conn:
        yield conn


# 1. init -------------------------------------------------------------------------------


def test_init_creates_an_encrypted_store_and_never_replaces_one(
    onestop: Onestop, store_path: Path
) -> None:
    result = onestop("--store", store_path, "init")
    assert result.code == 0, result.err
    assert f"Created an encrypted store at {store_path}" in result.out
    header = store_path.read_bytes()[:16]
    assert header != SQLITE_HEADER, "the store is a plain SQLite file"
    assert stat.S_IMODE(store_path.stat().st_mode) == 0o600
    before = _files(store_path.parent)

    again = onestop("--store", store_path, "init")
    assert again.code == 2
    assert "already exists" in again.err
    assert "Nothing was changed" in again.err
    assert _files(store_path.parent) == before
    # The key was not replaced either: the store still opens.
    assert onestop("--store", store_path, "user", "list").code == 0


# 2. users ------------------------------------------------------------------------------


def test_user_add_and_list(onestop: Onestop, store_path: Path) -> None:
    _init(onestop, store_path)
    added = _add_user(onestop, store_path, "hmarsh", "supervisor", "supervises ultrasound")
    assert (added.code, added.out.strip()) == (0, "Added hmarsh (supervisor).")
    added = _add_user(
        onestop,
        store_path,
        "pshah",
        "clinician",
        "first contact physio",
        "--body",
        "HCPC",
        "--registration",
        "PH999001",
    )
    assert (added.code, added.out.strip()) == (0, "Added pshah (clinician).")
    added = _add_user(
        onestop, store_path, "slee", "trainee", "learning pocus", "--supervisor", "hmarsh"
    )
    assert (added.code, added.out.strip()) == (0, "Added slee (trainee).")

    refused = _add_user(
        onestop, store_path, "tokafor", "trainee", "learning pocus", "--supervisor", "pshah"
    )
    assert refused.code == 2
    assert refused.err.strip() == "The named supervisor does not have the supervisor role."
    refused = _add_user(
        onestop, store_path, "tokafor", "trainee", "learning pocus", "--supervisor", "nobody"
    )
    assert (refused.code, refused.err.strip()) == (2, "There is no user with that name.")
    refused = _add_user(onestop, store_path, "jpatel", "admin", "short")
    assert refused.code == 2
    assert refused.err.strip() == "The password must be at least 10 characters."
    refused = _add_user(onestop, store_path, "pshah", "clinician", "another good password")
    assert (refused.code, refused.err.strip()) == (2, "A user with that name already exists.")

    listed = onestop("--store", store_path, "user", "list")
    assert listed.code == 0
    lines = {line.split()[0]: line for line in listed.out.splitlines()}
    assert sorted(lines) == ["hmarsh", "pshah", "slee"]
    assert lines["pshah"].split()[1:3] == ["clinician", "active"]
    assert lines["hmarsh"].split()[1:3] == ["supervisor", "active"]
    assert lines["slee"].split()[1:3] == ["trainee", "active"]
    assert lines["slee"].endswith("supervised by hmarsh")
    assert "supervised by" not in lines["pshah"]

    assert _actions_on(store_path, "hmarsh") == ["user.add"]
    assert _actions_on(store_path, "slee") == ["user.add"]
    # Refused commands wrote nothing: no fourth user, no entry for one.
    assert _actions(store_path).count("user.add") == 3


def test_user_disable_enable_and_reset_password(onestop: Onestop, store_path: Path) -> None:
    _init(onestop, store_path)
    assert _add_user(onestop, store_path, "pshah", "clinician", "first contact physio").code == 0
    assert _add_user(onestop, store_path, "slee", "sonographer", "learning pocus").code == 0

    disabled = onestop("--store", store_path, "user", "disable", "pshah")
    assert (disabled.code, disabled.out.strip()) == (0, "pshah is now disabled.")
    assert "disabled" in onestop("--store", store_path, "user", "list").out
    with _opened(store_path) as services, pytest.raises(AuthenticationFailed) as refusal:
        services.auth.login("pshah", "first contact physio")
    assert refusal.value.code == "auth.disabled"

    enabled = onestop("--store", store_path, "user", "enable", "pshah")
    assert (enabled.code, enabled.out.strip()) == (0, "pshah is now enabled.")
    with _opened(store_path) as services:
        assert services.auth.login("pshah", "first contact physio").username == "pshah"

    reset = onestop(
        "--store",
        store_path,
        "user",
        "reset-password",
        "slee",
        "--password-stdin",
        stdin="a brand new password\n",
    )
    assert reset.code == 0
    assert "slee was reset; they must change it at sign-in" in reset.out
    short = onestop(
        "--store", store_path, "user", "reset-password", "slee", "--password-stdin", stdin="x\n"
    )
    assert (short.code, short.err.strip()) == (2, "The password must be at least 10 characters.")
    with _opened(store_path) as services:
        assert services.auth.login("slee", "a brand new password").username == "slee"
        with pytest.raises(AuthenticationFailed):
            services.auth.login("slee", "learning pocus")
        with services.context.store.sessions() as session:
            user = session.scalars(select(User).where(User.username == "slee")).one()
            assert user.must_change_password

    unknown = onestop("--store", store_path, "user", "disable", "nobody")
    assert (unknown.code, unknown.err.strip()) == (2, "There is no user with that name.")

    assert _actions_on(store_path, "pshah") == ["user.add", "user.disable", "user.enable"]
    assert _actions_on(store_path, "slee") == ["user.add", "user.password_reset"]


# 3. seed-demo --------------------------------------------------------------------------


def test_seed_demo_prints_the_demo_users_once(onestop: Onestop, store_path: Path) -> None:
    seeded = _seed_demo(onestop, store_path, patients=30)
    assert "Seeded 30 synthetic patients" in seeded.out
    for username, _shown, role, _body, _boss in DEMO_USERS:
        line = next(line for line in seeded.out.splitlines() if f"user {username} " in line)
        assert role.value in line
        assert line.split()[-1] == demo_password(username)
    assert _scalar(store_path, "SELECT count(*) FROM patient") == 30
    assert _scalar(store_path, "SELECT count(*) FROM patient WHERE nhs_number NOT LIKE '999%'") == 0

    again = onestop("--store", store_path, "seed-demo", "--patients", "30")
    assert again.code == 2
    assert again.err.strip() == (
        "The store already has users; a demo is only seeded into a new store."
    )
    assert _scalar(store_path, "SELECT count(*) FROM patient") == 30


# 4. backup -----------------------------------------------------------------------------


def test_backup_is_an_encrypted_complete_copy(
    onestop: Onestop, store_path: Path, tmp_path: Path
) -> None:
    _seed_demo(onestop, store_path)
    destination = tmp_path / "backups" / "monday.onestop-backup"
    destination.parent.mkdir()

    result = _backup(onestop, store_path, destination, PASSPHRASE)
    assert result.code == 0, result.err
    assert f"Backed up to {destination}" in result.out
    assert "encrypted" in result.out
    assert "Keep the passphrase safe" in result.out
    assert [p.name for p in destination.parent.iterdir()] == [destination.name]  # no partial
    assert destination.read_bytes()[:16] != SQLITE_HEADER

    with _backup_file(destination, PASSPHRASE) as backup:
        assert backup.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert backup.execute("SELECT count(*) FROM patient").fetchone() == (30,)
        users = {row[0] for row in backup.execute("SELECT username FROM app_user")}
        assert users == {name for name, *_ in DEMO_USERS}
    # Neither the wrong passphrase nor this computer's store key opens it.
    key = keychain.store_key(store_path)
    for wrong in (f"'{OTHER_PASSPHRASE}'", f"\"x'{key}'\""):
        with (
            _sqlcipher(destination, wrong) as backup,
            pytest.raises(sqlcipher3.DatabaseError),
        ):
            backup.execute("SELECT count(*) FROM sqlite_master").fetchone()

    assert _actions(store_path).count("store.backup") == 1


def test_backup_refuses_a_short_passphrase_and_an_existing_file(
    onestop: Onestop, store_path: Path, tmp_path: Path
) -> None:
    _seed_demo(onestop, store_path)
    folder = tmp_path / "backups"
    folder.mkdir()

    short = _backup(onestop, store_path, folder / "short.bak", "too short")
    assert short.code == 2
    assert short.err.strip() == "The passphrase must be at least 12 characters."
    assert list(folder.iterdir()) == []

    existing = folder / "existing.bak"
    existing.write_bytes(b"last week's backup, not to be overwritten")
    before = _files(folder)
    refused = _backup(onestop, store_path, existing, PASSPHRASE)
    assert refused.code == 2
    assert refused.err.strip() == f"{existing} already exists; choose a new file name."
    assert _files(folder) == before

    missing = _backup(onestop, tmp_path / "nowhere.db", folder / "new.bak", PASSPHRASE)
    assert missing.code == 2
    assert "There is no store" in missing.err
    assert _files(folder) == before
    assert "store.backup" not in _actions(store_path)


# 5. backup while the app is writing ----------------------------------------------------

BASE_PATIENTS = 500  # a store of some size, so a backup takes a moment to copy
WRITER_USER = "clinician"  # a demo user
WRITER_START = 10_000  # position in the synthetic NHS number sequence, after the demo's
WRITER_LIMIT = 20_000
WRITER_PAUSE = 0.005  # seconds between registrations
BACKUPS_WHILE_WRITING = 5
GAP_WRITES = 10

_PATIENTS_WITHOUT_INSERT = """
SELECT count(*) FROM patient p WHERE NOT EXISTS (
    SELECT 1 FROM sync_outbox o
    WHERE o.table_name = 'patient' AND o.row_id = p.id AND o.operation = 'insert')
"""
_ALERTS_WITHOUT_INSERT = """
SELECT count(*) FROM patient_alert a WHERE NOT EXISTS (
    SELECT 1 FROM sync_outbox o
    WHERE o.table_name = 'patient_alert' AND o.row_id = a.id AND o.operation = 'insert')
"""
_INSERTS_WITHOUT_ROW = """
SELECT count(*) FROM sync_outbox o
WHERE (o.table_name = 'patient' AND NOT EXISTS (SELECT 1 FROM patient p WHERE p.id = o.row_id))
   OR (o.table_name = 'patient_alert'
       AND NOT EXISTS (SELECT 1 FROM patient_alert a WHERE a.id = o.row_id))
"""
_REGISTERED = """
SELECT entity_id FROM audit_entry WHERE action = 'patient.register' AND patient_id = entity_id
"""


class LiveWriter:
    """``tests/support/live_writer.py`` in a child process, its output read as it comes."""

    def __init__(self, store: Path, folder: Path) -> None:
        key = keychain.store_key(store)
        assert key is not None
        self.stop_file = folder / "stop-writing"
        self.errors = folder / "writer.stderr"
        self.lines: list[str] = []
        with self.errors.open("wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.support.live_writer"],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        order = {
            "store": str(store),
            "key": key,
            "audit_key": keychain.audit_key(Path(store)),
            "username": WRITER_USER,
            "password": demo_password(WRITER_USER),
            "start": WRITER_START,
            "limit": WRITER_LIMIT,
            "stop": str(self.stop_file),
            "pause": WRITER_PAUSE,
        }
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(json.dumps(order).encode("utf-8") + b"\n")
        stdin.close()

    def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        for raw in stdout:
            self.lines.append(raw.decode("ascii").rstrip("\n"))

    @property
    def acked(self) -> int:
        """Registrations that had returned, as far as read so far."""
        return sum(line.startswith("ack ") for line in list(self.lines))

    def wait_for_acks(self, count: int, timeout: float = 20.0) -> None:
        """Wait until ``count`` registrations have returned."""
        deadline = time.monotonic() + timeout
        while self.acked < count:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.finish()
                pytest.fail(f"the writer stopped or stalled:\n{self.stderr()}")
            time.sleep(0.01)

    def stderr(self) -> str:
        """What the writer said on stderr (last part)."""
        return self.errors.read_text(encoding="utf-8", errors="replace")[-4000:]

    def finish(self) -> int:
        """Ask it to stop, wait for it and close its pipes; return its exit status."""
        self.stop_file.touch()
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._reader.join(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return code


def test_backups_taken_while_the_app_writes_are_consistent(
    onestop: Onestop, store_path: Path, tmp_path: Path
) -> None:
    _seed_demo(onestop, store_path, patients=BASE_PATIENTS)
    writer = LiveWriter(store_path, tmp_path)
    taken: list[tuple[Path, int]] = []  # each backup, and the writes returned before it began
    try:
        writer.wait_for_acks(5)
        for number in range(BACKUPS_WHILE_WRITING):
            destination = tmp_path / f"during-{number}.bak"
            acked_before = writer.acked
            result = _backup(onestop, store_path, destination, PASSPHRASE)
            assert result.code == 0, result.err
            taken.append((destination, acked_before))
            # The writer goes on between backups (with room for output not read yet).
            writer.wait_for_acks(writer.acked + GAP_WRITES)
    finally:
        code = writer.finish()
    assert code == 0, f"the writer failed while backups were taken:\n{writer.stderr()}"
    assert writer.lines[0] == "ready"
    assert writer.lines[-1] == f"done {writer.acked}"
    written = list(synthetic_numbers(writer.acked, start=WRITER_START))
    writes = set(written)

    counts = []
    for number, (backup, acked_before) in enumerate(taken):
        where = f"backup {number}"
        with _backup_file(backup, PASSPHRASE) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], where
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == [], where
            for label, query in (
                ("patients without their outbox insert", _PATIENTS_WITHOUT_INSERT),
                ("alerts without their outbox insert", _ALERTS_WITHOUT_INSERT),
                ("outbox inserts without their row", _INSERTS_WITHOUT_ROW),
            ):
                assert conn.execute(query).fetchone() == (0,), f"{where}: {label}"
            patients = dict(conn.execute("SELECT nhs_number, id FROM patient").fetchall())
            registered = {row[0] for row in conn.execute(_REGISTERED)}
        new = [nhs for nhs in patients if nhs in writes]
        assert len(patients) == BASE_PATIENTS + len(new), f"{where}: demo patients missing"
        # Every registration in the copy is whole: its patient row and its audit entry.
        assert registered == {patients[nhs] for nhs in new}, f"{where}: half a registration"
        # One writer, one patient at a time: a snapshot holds a run from its first write,
        # including every write that had returned before the backup began.
        assert set(new) == set(written[: len(new)]), f"{where}: not a prefix of the writes"
        assert len(new) >= acked_before, f"{where}: lost writes made before it began"
        counts.append(len(new))

        restored = tmp_path / f"restored-{number}" / "clinic.db"
        restored.parent.mkdir()
        result = _restore(onestop, restored, backup, PASSPHRASE)
        assert result.code == 0, f"{where}: {result.err}"
        assert re.search(r"Audit trail: \d+ entries, intact\.", result.out), where
        with _opened(restored) as services, services.context.store.sessions() as session:
            report = audit.verify(session)
        assert report.intact, f"{where}: {report.problems[:5]}"

    # Each backup is a different moment of the writing, and writing went on after the last.
    assert counts == sorted(set(counts)), f"backups were not taken while writing: {counts}"
    assert counts[-1] < writer.acked, "the writer did not go on writing after the backups"
    assert _actions(store_path).count("store.backup") == BACKUPS_WHILE_WRITING


# 6. restore ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def backup_of_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of a 30-patient demo store, made once: tests only read it."""
    folder = tmp_path_factory.mktemp("demo-backup")
    # Module set-up runs before each test's fresh keychain, which then replaces this one.
    keyring.set_keyring(MemoryKeyring())
    services = create_clinic(folder / "source" / "clinic.db")
    try:
        seed_demo(services, patients=30)
        services.store.backup(SYSTEM, folder / "demo.bak", PASSPHRASE)
    finally:
        services.close()
    return folder / "demo.bak"


def test_restore_into_a_new_store(onestop: Onestop, tmp_path: Path, backup_of_demo: Path) -> None:
    target = tmp_path / "new-laptop" / "clinic.db"
    target.parent.mkdir()
    result = _restore(onestop, target, backup_of_demo, PASSPHRASE)
    assert result.code == 0, result.err
    assert f"Restored {backup_of_demo} to {target}." in result.out
    assert re.search(r"Audit trail: \d+ entries, intact\.", result.out)
    assert "kept as" not in result.out
    assert target.read_bytes()[:16] != SQLITE_HEADER
    assert sorted(p.name for p in target.parent.iterdir()) == ["clinic.db"]
    assert _scalar(target, "SELECT count(*) FROM patient") == 30
    with _opened(target) as services:
        assert services.auth.login("clinician", demo_password("clinician")).username == (
            "clinician"
        )


def test_restore_on_a_new_laptop_creates_the_data_folder(
    onestop: Onestop, tmp_path: Path, backup_of_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A replacement laptop: no --store, and this user's data folder does not exist yet
    # ('onestop init' creates it; a restore must too, or at least say so in plain words).
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "new-profile" / "data"))
    result = onestop("restore", backup_of_demo, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert "Traceback" not in result.err
    assert result.code == 0, result.err
    target = tmp_path / "new-profile" / "data" / "OneStop MSK" / "clinic.db"
    assert f"Restored {backup_of_demo} to {target}." in result.out
    assert _scalar(target, "SELECT count(*) FROM patient") == 30


def test_restore_over_a_store_needs_replace_and_keeps_the_old_one(
    onestop: Onestop, store_path: Path, backup_of_demo: Path
) -> None:
    _init(onestop, store_path)
    assert _add_user(onestop, store_path, "localonly", "admin", "only on this laptop").code == 0
    old = store_path.read_bytes()
    before = _files(store_path.parent)

    refused = _restore(onestop, store_path, backup_of_demo, PASSPHRASE)
    assert refused.code == 2
    assert refused.err.strip() == f"A store already exists at {store_path}. Nothing was changed."
    assert _files(store_path.parent) == before

    replaced = _restore(onestop, store_path, backup_of_demo, PASSPHRASE, "--replace")
    assert replaced.code == 0, replaced.err
    kept = [p for p in store_path.parent.iterdir() if p.is_file() and p.name != "clinic.db"]
    assert len(kept) == 1, kept
    assert re.fullmatch(r"clinic\.db\.replaced-\d{8}T\d{6}Z", kept[0].name)
    assert kept[0].read_bytes() == old
    assert f"The previous store was kept as {kept[0]}." in replaced.out
    assert "intact" in replaced.out

    assert _scalar(store_path, "SELECT count(*) FROM patient") == 30
    users = onestop("--store", store_path, "user", "list").out
    assert "clinician" in users
    assert "localonly" not in users
    # The store that was kept aside still opens with this computer's key for the store.
    key = keychain.store_key(store_path)
    assert key is not None
    with _sqlcipher(kept[0], f"\"x'{key}'\"") as conn:
        assert conn.execute("SELECT username FROM app_user").fetchall() == [("localonly",)]


def test_a_second_replace_does_not_overwrite_the_store_kept_by_the_first(
    onestop: Onestop, store_path: Path, backup_of_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two restores in the same second (a script, or an impatient second attempt).
    frozen = cli.utcnow()
    monkeypatch.setattr(cli, "utcnow", lambda: frozen)
    _init(onestop, store_path)
    assert _add_user(onestop, store_path, "original", "admin", "the only original").code == 0
    original = store_path.read_bytes()

    assert _restore(onestop, store_path, backup_of_demo, PASSPHRASE, "--replace").code == 0
    second = _restore(onestop, store_path, backup_of_demo, PASSPHRASE, "--replace")
    assert second.code in (0, 2)
    kept = [p.read_bytes() for p in store_path.parent.glob("clinic.db.replaced-*")]
    assert original in kept, "the original store was overwritten by the second restore"


def test_restore_with_the_wrong_passphrase_changes_nothing(
    onestop: Onestop, store_path: Path, tmp_path: Path, backup_of_demo: Path
) -> None:
    _init(onestop, store_path)
    before = _files(store_path.parent)

    wrong = _restore(onestop, store_path, backup_of_demo, OTHER_PASSPHRASE, "--replace")
    assert wrong.code == 2
    assert wrong.err.strip() == "That passphrase does not open the backup."
    assert _files(store_path.parent) == before
    assert onestop("--store", store_path, "user", "list").code == 0

    fresh = tmp_path / "fresh" / "clinic.db"
    fresh.parent.mkdir()
    wrong = _restore(onestop, fresh, backup_of_demo, OTHER_PASSPHRASE)
    assert (wrong.code, wrong.err.strip()) == (2, "That passphrase does not open the backup.")
    assert list(fresh.parent.iterdir()) == []

    missing = _restore(onestop, fresh, tmp_path / "no-such.bak", PASSPHRASE)
    assert missing.code == 2
    assert missing.err.strip() == f"There is no backup file at {tmp_path / 'no-such.bak'}."
    assert list(fresh.parent.iterdir()) == []


def test_restore_recovers_a_store_whose_key_was_lost(
    onestop: Onestop, store_path: Path, backup_of_demo: Path
) -> None:
    _init(onestop, store_path)
    keychain.forget_store_key(store_path)
    assert onestop("--store", store_path, "user", "list").code == 2

    result = _restore(onestop, store_path, backup_of_demo, PASSPHRASE, "--replace")
    assert result.code == 0, result.err
    assert _scalar(store_path, "SELECT count(*) FROM patient") == 30


# 7. audit verify -----------------------------------------------------------------------


def test_audit_verify_reports_an_intact_trail_and_names_a_changed_entry(
    onestop: Onestop, demo: Services, store_path: Path
) -> None:
    intact = onestop("--store", store_path, "audit", "verify")
    assert intact.code == 0, intact.err
    assert re.fullmatch(
        r"No head acknowledged by the server yet: the chain is checked on its own\.\n"
        r"Audit trail intact: \d+ entries verified\.\n",
        intact.out,
    )

    with demo.context.store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_entry_no_update")
        seq = conn.exec_driver_sql("SELECT max(seq) FROM audit_entry").scalar_one()
        conn.exec_driver_sql("UPDATE audit_entry SET action = 'patient.view' WHERE seq = ?", (seq,))

    broken = onestop("--store", store_path, "audit", "verify")
    assert broken.code == 1
    assert "AUDIT TRAIL NOT INTACT: 1 problem(s)" in broken.out
    assert f"entry {seq}: changed" in broken.out


# 8. errors in plain words --------------------------------------------------------------


def test_a_missing_store_is_named_and_not_created(onestop: Onestop, tmp_path: Path) -> None:
    missing = tmp_path / "clinic.db"
    for command in (("user", "list"), ("audit", "verify"), ("seed-demo", "--patients", "3")):
        result = onestop("--store", missing, *command)
        assert result.code == 2
        assert result.err.strip() == (
            f"There is no store at {missing}. Create one with 'onestop init'."
        )
    assert list(tmp_path.iterdir()) == []


def test_a_store_without_its_key_is_refused_and_kept(onestop: Onestop, store_path: Path) -> None:
    _init(onestop, store_path)
    keychain.forget_store_key(store_path)
    before = _files(store_path.parent)
    for command in (("user", "list"), ("audit", "verify")):
        result = onestop("--store", store_path, *command)
        assert result.code == 2
        assert "The keychain has no key for the store" in result.err
        assert "cannot be opened. It was not replaced" in result.err
    again = onestop("--store", store_path, "init")
    assert again.code == 2
    assert "already exists" in again.err
    assert _files(store_path.parent) == before


@pytest.mark.parametrize("with_key", [False, True], ids=["no-key", "with-key"])
def test_a_file_that_is_not_a_store_is_refused_and_left_alone(
    onestop: Onestop, store_path: Path, with_key: bool
) -> None:
    if with_key:  # the keychain has a key for this place, but the file is something else
        _init(onestop, store_path)
    store_path.write_bytes(os.urandom(8192))
    before = _files(store_path.parent)

    result = onestop("--store", store_path, "user", "list")
    assert result.code == 2
    if with_key:
        assert "could not be opened with this computer's key" in result.err
        assert "Nothing was changed" in result.err
    else:
        assert "cannot be opened. It was not replaced" in result.err
    assert "Traceback" not in result.err
    assert _files(store_path.parent) == before


def test_an_unsafe_keychain_is_refused_in_plain_words(onestop: Onestop, store_path: Path) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    result = onestop("--store", store_path, "init")
    assert result.code == 2
    assert result.err.startswith("No secure keychain is available (found keyring.backends.fail")
    assert "--insecure-dev-keyring" in result.err
    assert not store_path.exists()


def test_output_goes_to_the_streams_in_use_when_the_command_runs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Anything that redirects sys.stdout/sys.stderr after clinic_app.cli was imported
    # (pytest's capsys, contextlib.redirect_stdout, a wrapper script) must see the output.
    code = cli.main(["--store", str(tmp_path / "clinic.db"), "user", "list"])
    captured = capsys.readouterr()
    assert code == 2
    assert "There is no store" in captured.err


# 9. the onestop launcher ---------------------------------------------------------------


def test_launcher_help_lists_admin_and_app_commands(onestop: Onestop) -> None:
    result = onestop("--help", entry=launcher.main)
    assert result.code == 0
    for command in ("init", "user", "seed-demo", "backup", "restore", "audit", "run", "demo"):
        assert re.search(rf"^\s+{command}\s", result.out, re.MULTILINE), command


def test_launcher_runs_admin_commands(onestop: Onestop, store_path: Path) -> None:
    _init(onestop, store_path)
    assert _add_user(onestop, store_path, "jpatel", "admin", "runs the service").code == 0
    result = onestop("--store", store_path, "user", "list", entry=launcher.main)
    assert result.code == 0
    assert result.out.split()[:3] == ["jpatel", "admin", "active"]


def test_store_option_is_accepted_after_the_command(onestop: Onestop, store_path: Path) -> None:
    # "--store PATH picks a store other than the default": also where people type it.
    _init(onestop, store_path)
    assert _add_user(onestop, store_path, "jpatel", "admin", "runs the service").code == 0
    result = onestop("user", "list", "--store", store_path, entry=launcher.main)
    assert result.code == 0
    assert result.out.split()[:3] == ["jpatel", "admin", "active"]


def test_admin_commands_do_not_load_qt(onestop: Onestop, tmp_path: Path) -> None:
    store = tmp_path / "clinic.db"
    # A keychain the child can reach too: the plain-file development keyring.
    keyring.set_keyring(keyring.backends.fail.Keyring())
    assert onestop("--store", store, "--insecure-dev-keyring", "init").code == 0
    added = _add_user(
        onestop, store, "jpatel", "admin", "runs the service", options=("--insecure-dev-keyring",)
    )
    assert added.code == 0, added.err
    argv = ["--store", str(store), "--insecure-dev-keyring", "user", "list"]
    script = (
        "import sys\n"
        "from ui.launcher import main\n"
        f"code = main({argv!r})\n"
        "print('exit', code, 'PySide6', 'PySide6' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    child = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    assert "jpatel" in child.stdout
    assert child.stdout.splitlines()[-1] == "exit 0 PySide6 False"


# 7. empty and cut-short files ------------------------------------------------------------


def test_restore_refuses_an_empty_or_cut_short_backup_in_its_own_words(
    onestop: Onestop, store_path: Path, backup_of_demo: Path, tmp_path: Path
) -> None:
    _init(onestop, store_path)
    before = _files(store_path.parent)
    whole = backup_of_demo.read_bytes()
    cases = {
        "empty": (b"", "is empty"),
        "cut mid-page": (whole[: len(whole) // 2 + 100], "is incomplete"),
        "cut at a page": (whole[: (len(whole) // 2) // 4096 * 4096], "damaged"),
    }
    (tmp_path / "backups").mkdir()
    for name, (content, words) in cases.items():
        backup = tmp_path / "backups" / f"{name}.bak"
        backup.write_bytes(content)
        result = _restore(onestop, store_path, backup, PASSPHRASE, "--replace")
        assert result.code == 2, name
        assert words in result.err, (name, result.err)
        assert "passphrase" not in result.err, name
        assert "Restored" not in result.out, name
        assert _files(store_path.parent) == before, name


def test_restore_with_no_passphrase_says_so_without_a_traceback(
    onestop: Onestop, tmp_path: Path, backup_of_demo: Path
) -> None:
    target = tmp_path / "new" / "clinic.db"
    result = _restore(onestop, target, backup_of_demo, "")
    assert result.code == 2
    assert "Traceback" not in result.err
    assert result.err.strip() == "No passphrase was given, so the backup cannot be opened."
    assert not target.exists()


def test_an_empty_store_file_is_refused_never_made_a_new_store(
    onestop: Onestop, store_path: Path
) -> None:
    _init(onestop, store_path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(store_path) + suffix).unlink(missing_ok=True)
    store_path.write_bytes(b"")
    result = onestop("--store", store_path, "user", "list")
    assert result.code == 2
    assert "is empty (0 bytes)" in result.err
    assert store_path.stat().st_size == 0


# 9. every command-line action names its operator ---------------------------------------


def test_a_command_without_a_named_operator_is_refused_and_changes_nothing(
    onestop: Onestop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "clinic.db"
    _init(onestop, store)
    before = _files(tmp_path)
    monkeypatch.delenv("ONESTOP_OPERATOR")
    refused = _add_user(onestop, store, "casey", "admin", "a long enough password")
    assert refused.code == 2
    assert "--operator NAME" in refused.err
    assert _files(tmp_path) == before


def test_the_named_operator_is_in_the_audit_entry(
    onestop: Onestop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "clinic.db"
    _init(onestop, store)
    added = _add_user(
        onestop,
        store,
        "casey",
        "admin",
        "a long enough password",
        options=("--operator", "m.okafor"),
    )
    assert added.code == 0, added.err
    monkeypatch.setenv("ONESTOP_OPERATOR", "r.shah")
    assert onestop("--store", store, "user", "disable", "casey").code == 0
    services = open_clinic(store)
    try:
        with services.context.store.sessions() as session:
            rows = session.execute(
                select(AuditEntry.action, AuditEntry.user_id, AuditEntry.operator).order_by(
                    AuditEntry.seq
                )
            ).all()
    finally:
        services.close()
    assert ("user.add", None, "m.okafor") in rows
    assert ("user.disable", None, "r.shah") in rows
    assert all(operator for _action, _user, operator in rows)


def test_enrolling_with_an_authority_file_that_is_no_certificate_says_so_plainly(
    onestop: Onestop, store_path: Path, tmp_path: Path
) -> None:
    _init(onestop, store_path)
    note = tmp_path / "server-ca.pem"
    note.write_text("not a certificate\n")
    for ca_file in (note, tmp_path / "missing.pem"):
        result = onestop(
            "--store",
            store_path,
            "sync",
            "enrol",
            "--server",
            "https://sync.example.nhs.uk",
            "--name",
            "Clinic laptop 1",
            "--ca",
            ca_file,
        )
        assert result.code == 2
        assert "The --ca file is missing or holds no certificate" in result.err, result.err
        assert "Traceback" not in result.err
