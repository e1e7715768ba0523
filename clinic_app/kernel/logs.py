"""Logging for the app and the server, set up once, and never carrying a patient's details.

Exception messages can quote what a user typed or a row's values (a database error quotes its
SQL parameters: a name, an NHS number, a date of birth). So a log line about an error keeps
the error's type, code and stack frames, never its message; arguments that are exceptions are
logged by type; and SQLAlchemy's engine loggers, which print statements with their
parameters at INFO, are held at WARNING whatever anyone sets. Errors nobody caught (on any
thread) go through the same formatter instead of Python's default traceback printer.

The server may also write its lines to a file (:func:`log_to_file`) that logrotate rotates:
the file is reopened by name whenever it was moved away, so no line is lost and no
copy-and-truncate is needed.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from clinic_app.kernel.errors import ClinicError

_CHAIN_LIMIT = 5
_CONFIGURED = "_onestop_logging"
_LINE = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: A log file's mode when the server creates it: the same as logrotate's ``create 0640``, so
#: the log readers' group (adm, from the folder's set-group-id bit) can read it at once.
LOG_FILE_MODE = 0o640
#: Loggers that would print SQL parameters if let below WARNING.
#: Libraries whose lines below a warning are not logged. Alembic's one line per migration is
#: replaced by one line for the whole upgrade (``kernel.migrate.ensure_schema``).
_QUIET = (
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "sqlalchemy.orm",
    "sqlalchemy.dialects",
    "alembic",
)


def describe_for_log(error: BaseException) -> str:
    """Type, code and stack frames of an error and its causes, without any message text."""
    parts: list[str] = []
    current: BaseException | None = error
    seen: set[int] = set()
    while current is not None and id(current) not in seen and len(seen) < _CHAIN_LIMIT:
        seen.add(id(current))
        kind = f"{type(current).__module__}.{type(current).__qualname__}"
        code = f" [{current.code}]" if isinstance(current, ClinicError) else ""
        parts.append(f"{kind}{code}")
        for frame in traceback.extract_tb(current.__traceback__):
            parts.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
        current = current.__cause__ or current.__context__
        if current is not None:
            parts.append("caused by:")
    return "\n".join(parts)


def _safe_argument(value: object) -> object:
    if isinstance(value, BaseException):
        code = f" [{value.code}]" if isinstance(value, ClinicError) else ""
        return f"{type(value).__qualname__}{code}"
    return value


class SafeFormatter(logging.Formatter):
    """Formats a record with exceptions reduced to their type and frames."""

    def format(self, record: logging.LogRecord) -> str:
        """The line, with exception arguments by type and no stack text."""
        if isinstance(record.args, tuple):
            record.args = tuple(_safe_argument(value) for value in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _safe_argument(value) for key, value in record.args.items()}
        if isinstance(record.msg, BaseException):
            record.msg = str(_safe_argument(record.msg))
        record.stack_info = None
        # Another handler's formatter may have cached the full traceback, message and all,
        # on the record: the error is described again here, safely.
        record.exc_text = None
        return super().format(record)

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's own name
        """Type, code and frames of the error: never its message."""
        error = ei[1] if isinstance(ei, tuple) and len(ei) > 1 else None
        return describe_for_log(error) if isinstance(error, BaseException) else ""


class _NoEngineChatter(logging.Filter):
    """Drops SQLAlchemy's statement and parameter lines, whichever logger they reach."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith(_QUIET) and record.levelno < logging.WARNING)


def _log_uncaught(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)
        return
    logging.getLogger("onestop").error(
        "Uncaught error:\n%s", describe_for_log(error.with_traceback(trace))
    )


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None:
        return
    name = args.thread.name if args.thread is not None else "?"
    logging.getLogger("onestop").error(
        "Uncaught error on thread %s:\n%s", name, describe_for_log(args.exc_value)
    )


def _safe(handler: logging.Handler) -> logging.Handler:
    handler.setFormatter(SafeFormatter(_LINE))
    handler.addFilter(_NoEngineChatter())
    return handler


class _ReopenedLogFile(logging.handlers.WatchedFileHandler):
    """Reopens its file by name once it was moved away; a file it creates is 0640."""

    def _open(self) -> Any:
        # Created here with the mode set outright: the process's umask (0077) would leave the
        # file readable by the server's account alone until logrotate's first rotation.
        try:
            created = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            os.fchmod(created, LOG_FILE_MODE)
            os.close(created)
        return super()._open()


def log_to_file(path: Path, *, keep_stderr: bool = True) -> None:
    """Send every log line (through the same safe formatter) to ``path`` as well.

    The file is opened for appending, and reopened by name before a line is written when
    logrotate has moved it away. Call after :func:`configure_logging`.

    Args:
        path: the log file; its folder must exist.
        keep_stderr: False stops the lines going to standard error too.

    Raises:
        OSError: the file could not be opened for appending.
    """
    handler = _safe(_ReopenedLogFile(path, encoding="utf-8"))
    root = logging.getLogger()
    if not keep_stderr:
        for stream_handler in list(root.handlers):
            if type(stream_handler) is logging.StreamHandler:
                root.removeHandler(stream_handler)
    root.addHandler(handler)


def configure_logging(level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """Send every log line through the safe formatter; later calls change nothing.

    Args:
        level: the root logger's level.
        stream: where lines go (standard error by default).
    """
    root = logging.getLogger()
    if getattr(root, _CONFIGURED, False):
        return
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(_safe(logging.StreamHandler(stream or sys.stderr)))
    root.setLevel(level)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
    setattr(root, _CONFIGURED, True)
