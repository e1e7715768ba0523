"""Log lines carry an error's type and frames, never its text, and never SQL parameters."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from clinic_app.kernel.logs import SafeFormatter, describe_for_log

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
