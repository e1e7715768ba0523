"""Services still being opened on a background thread while the sign-in window is up.

Opening the store means importing the core (SQLAlchemy above all) and reading the key from
the OS keychain: most of a second. The sign-in window does not need any of it to appear, so
the app shows it first and opens the store meanwhile. A service call made before the store
is open waits for it; one made after opening failed raises that failure, which the screen
that made the call words like any other error.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, Signal

_log = logging.getLogger(__name__)


class _Forward:
    """Stands for one service (``auth``, ``patients`` ...) until the real one exists."""

    def __init__(self, owner: DeferredServices, name: str) -> None:
        self._owner = owner
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(getattr(self._owner.wait(), self._name), attribute)


class DeferredServices(QObject):
    """A services container whose store opens on a background thread.

    ``ready`` fires on the UI thread once the store is open, ``failed`` (with the error)
    if it could not be opened.
    """

    ready = Signal()
    failed = Signal(object)

    def __init__(self, open_services: Callable[[], Any], config: Any) -> None:
        super().__init__()
        self._future: Future[Any] = Future()
        self._config = config
        self._thread = threading.Thread(
            target=self._open, args=(open_services,), name="open-store", daemon=True
        )

    def start(self) -> None:
        """Begin opening the store (connect to ``ready`` and ``failed`` first)."""
        self._thread.start()

    def _open(self, open_services: Callable[[], Any]) -> None:
        try:
            services = open_services()
        except BaseException as error:  # noqa: BLE001 - handed to the UI thread, not lost
            self._future.set_exception(error)
            self.failed.emit(error)
            return
        self._future.set_result(services)
        self.ready.emit()
        # While the user types their password: the first list they land on finds its
        # queries ready. A failure here only loses the head start.
        prepare = getattr(services, "prepare_first_reads", None)
        if prepare is not None:
            try:
                prepare()
            except Exception as error:  # noqa: BLE001 - the list reads for itself when asked
                _log.warning(
                    "The first page's queries could not be readied (%s)", type(error).__name__
                )

    def wait(self) -> Any:
        """The open services, waiting for them if need be (raises if opening failed)."""
        return self._future.result()

    def is_ready(self) -> bool:
        """True once the store is open."""
        return self._future.done() and self._future.exception() is None

    def opened(self) -> Any | None:
        """The services if the store opened, else None (for closing them at exit)."""
        if self._thread.ident is None:
            return None  # never started
        self._thread.join()
        return None if self._future.exception() is not None else self._future.result()

    @property
    def config(self) -> Any:
        """Settings the window reads before the store is open (the defaults)."""
        return self._config

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return _Forward(self, name)
