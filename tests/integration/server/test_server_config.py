"""The server's config file: settings from the file, the command line over it, plain errors."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from clinic_app.server.cli import _settings_file, build_parser, serve_settings
from tests.support.sync_server import free_port

pytestmark = pytest.mark.timeout(120)


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "server.toml"
    path.write_text(text)
    return path


def _server(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clinic_app.server.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _parsed(*argv: str) -> argparse.Namespace:
    args = build_parser().parse_args(argv)
    args.file_settings = _settings_file(args)
    return args


def test_the_command_line_overrides_the_file_and_the_file_the_defaults(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        'database = "sqlite:////srv/a.db"\nport = 9000\nhost = "0.0.0.0"\n'
        'forwarded_allow_ips = ["10.0.0.5", "10.0.1.0/24"]\nenrol_per_address = 3\n',
    )
    settings = serve_settings(_parsed("serve", "--config", str(path), "--port", "9100"))

    assert settings["port"] == 9100  # the command line
    assert settings["host"] == "0.0.0.0"  # the file
    assert settings["database"] == "sqlite:////srv/a.db"
    assert settings["forwarded_allow_ips"] == "10.0.0.5,10.0.1.0/24"
    assert settings["enrol_per_address"] == 3
    assert settings["max_failed_logins"] == 5  # the default
    assert settings["log_level"] == "info"


def test_the_log_file_and_whether_stderr_keeps_the_lines_come_from_the_file_or_the_command_line(
    tmp_path: Path,
) -> None:
    path = _config(
        tmp_path,
        'database = "sqlite:////srv/a.db"\nlog_file = "/var/log/onestop-server/{port}.log"\n'
        "log_to_stderr = false\n",
    )
    from_file = serve_settings(_parsed("serve", "--config", str(path)))
    assert from_file["log_file"] == "/var/log/onestop-server/{port}.log"
    assert from_file["log_to_stderr"] is False

    given = ("serve", "--db", "sqlite:////srv/a.db")
    assert serve_settings(_parsed(*given))["log_file"] is None
    assert serve_settings(_parsed(*given))["log_to_stderr"] is True
    on_the_line = serve_settings(
        _parsed(*given, "--log-file", "/srv/logs/server.log", "--no-log-to-stderr")
    )
    assert on_the_line["log_file"] == "/srv/logs/server.log"
    assert on_the_line["log_to_stderr"] is False


def test_a_log_file_that_cannot_be_opened_stops_the_server_with_a_sentence(
    tmp_path: Path,
) -> None:
    database = f"sqlite:///{tmp_path}/server.db"
    relative = _server("serve", "--db", database, "--log-file", "server.log")
    assert relative.returncode == 2
    assert "the log file must be a full path starting with /" in relative.stderr

    missing = tmp_path / "no-such-folder" / "server.log"
    result = _server("serve", "--db", database, "--log-file", str(missing))
    assert result.returncode == 2
    assert f"The log file {missing} could not be opened for writing: No such file" in (
        result.stderr
    )
    assert "Traceback" not in relative.stderr + result.stderr
    assert not (tmp_path / "server.db").exists()  # stopped before opening the database


def test_db_on_the_command_line_overrides_the_file(tmp_path: Path) -> None:
    path = _config(tmp_path, 'database = "sqlite:////srv/a.db"\n')
    args = _parsed("device", "list", "--config", str(path), "--db", "sqlite:////srv/b.db")
    assert args.db == "sqlite:////srv/b.db"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('port = "80"\n', "port must be a whole number from 1 to 65535"),
        ("port = 70000\n", "port must be a whole number from 1 to 65535"),
        ("prot = 80\n", "a setting this server does not know: prot"),
        ('files = "relative/folder"\n', "files must be a full path starting with /"),
        ('forwarded_allow_ips = ["10.0.0.300"]\n', "'10.0.0.300', which is not an address"),
        ('log_level = "loud"\n', "log_level must be one of debug, info, warning, error"),
        ("insecure_http_for_lab = 1\n", "insecure_http_for_lab must be true or false"),
        ('log_file = "server.log"\n', "log_file must be a full path starting with /"),
        ('log_file = "/var/log/{name}.log"\n', "log_file may hold {port} (the instance's port)"),
        ('log_file = "/var/log/onestop-server/"\n', "log_file must name a file, not a folder"),
        ('log_to_stderr = "no"\n', "log_to_stderr must be true or false"),
        ("port = 80\nport = 81\n", "is not valid TOML"),
        ('database = "x\n', "is not valid TOML: "),
    ],
)
def test_a_bad_file_stops_the_server_with_a_sentence_naming_the_setting(
    tmp_path: Path, text: str, words: str
) -> None:
    path = _config(tmp_path, 'database = "sqlite:////srv/a.db"\n' + text)
    result = _server("serve", "--config", str(path))

    assert result.returncode == 2
    assert words in result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_missing_file_and_a_missing_database_are_said_plainly(tmp_path: Path) -> None:
    missing = _server("serve", "--config", str(tmp_path / "nowhere.toml"))
    assert missing.returncode == 2
    assert "could not be read: No such file or directory" in missing.stderr

    no_database = _server("device", "list", "--config", str(_config(tmp_path, "port = 80\n")))
    assert no_database.returncode == 2
    assert "Name the database" in no_database.stderr
    assert "Traceback" not in missing.stderr + no_database.stderr


def test_a_server_runs_from_its_config_file_and_commands_find_the_database_there(
    tmp_path: Path,
) -> None:
    port = free_port()
    path = _config(
        tmp_path,
        f'database = "sqlite:///{tmp_path}/server.db"\nfiles = "{tmp_path}/files"\n'
        f'port = {port}\nlog_level = "warning"\n',
    )
    with (tmp_path / "server.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "clinic_app.server.cli", "serve", "--config", str(path)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(300):
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not answer")
        assert (tmp_path / "files" / "partial").is_dir()
        listed = _server("device", "list", "--config", str(path))
        assert listed.returncode == 0, listed.stderr
    finally:
        server.terminate()
        server.wait(10)
