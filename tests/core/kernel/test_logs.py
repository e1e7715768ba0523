"""Log lines carry an error's type and frames, never its text, and never SQL parameters."""

from __future__ import annotations

import io
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from clinic_app.kernel.logs import LOG_FILE_MODE, SafeFormatter, describe_for_log, log_to_file

CANARY = "Zebrowskaya 9990012318"


def _formatted(record_call: object) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(SafeFormatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("onestop.test.safe")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        assert callable(record_call)
        record_call(logger)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_an_exception_keeps_its_type_and_frames_not_its_message() -> None:
    def fail(logger: logging.Logger) -> None:
        try:
            raise ValueError(CANARY)
        except ValueError as error:
            logger.exception("saving failed")
            logger.error("saving failed: %s", error)
            logger.warning("saving failed: %r", error)

    line = _formatted(fail)
    assert "ValueError" in line
    assert "in fail" in line
    assert "Zebrowskaya" not in line
    assert "9990012318" not in line


def test_a_database_error_does_not_show_its_parameters(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE p (nhs TEXT UNIQUE)"))
        conn.execute(text("INSERT INTO p VALUES (:n)"), {"n": CANARY})
    with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
        conn.execute(text("INSERT INTO p VALUES (:n)"), {"n": CANARY})
    assert CANARY in str(caught.value)  # the message does carry it: that is the danger
    described = describe_for_log(caught.value)
    assert "IntegrityError" in described
    assert "Zebrowskaya" not in described


@pytest.fixture
def root_handlers() -> Iterator[list[logging.Handler]]:
    """The root logger's handlers as they were, put back (and the added ones closed) after."""
    root = logging.getLogger()
    before = list(root.handlers)
    yield before
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    for handler in before:
        if handler not in root.handlers:
            root.addHandler(handler)


class _PlainLines(logging.Handler):
    """Another library's handler, with Python's own formatter (which quotes error messages)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_a_log_file_is_made_0640_whatever_the_umask_and_keeps_errors_to_their_type(
    tmp_path: Path, root_handlers: list[logging.Handler]
) -> None:
    stderr = logging.StreamHandler(io.StringIO())
    plain = _PlainLines()
    for handler in (stderr, plain):
        logging.getLogger().addHandler(handler)
    path = tmp_path / "server.log"
    mask = os.umask(0o077)
    try:
        log_to_file(path, keep_stderr=False)
    finally:
        os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == LOG_FILE_MODE == 0o640
    assert stderr not in logging.getLogger().handlers  # the file only
    logger = logging.getLogger("onestop.test.file")
    try:
        raise ValueError(CANARY)
    except ValueError:
        logger.exception("saving failed")
    path.rename(tmp_path / "server.log.1")
    logger.warning("after the move")

    moved, new = (tmp_path / "server.log.1").read_text(), path.read_text()
    assert CANARY in plain.lines[0]  # it formatted the record first, message and all
    assert "ValueError" in moved
    assert "Zebrowskaya" not in moved
    assert "after the move" in new
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
