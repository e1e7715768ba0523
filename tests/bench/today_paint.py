"""The day list's first paint after sign-in, timed in the app's own window (offscreen).

The password is given once the store has opened behind the sign-in window, as when a
person types it. The clock starts when the sign-in screen's view model says the password
was right (before the window reacts: the day list is read and the workspace drawn with it)
and stops when the day list's table has painted its rows and the event loop is free again.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

#: How long after the store has opened the password is given: less than a person takes to
#: type one, and long enough for the sign-in window to settle.
TYPING_MS = 1000


def time_first_paint(store: Path, key: str, username: str, rows: int) -> float:
    """Milliseconds from a successful sign-in to the painted day list of ``rows`` rows."""
    import keyring
    from PySide6.QtCore import QEvent, QObject, QTimer

    from clinic_app.demo import demo_password
    from tests.support.memory_keyring import MemoryKeyring
    from ui import runtime
    from ui.domains.appointments.day.view import DayView

    keyring.set_keyring(MemoryKeyring())

    def open_services() -> object:
        from clinic_app import bootstrap
        from clinic_app.kernel.security import keychain

        keyring.set_password(keychain.SERVICE, keychain.store_key_name(store), key)
        return bootstrap.open_clinic(store)

    application, window, services = runtime.start_deferred(
        open_services,  # type: ignore[arg-type]
        runtime.DefaultSettings(idle_lock_seconds=0),
    )
    window.resize(1366, 768)
    times: dict[str, float] = {}

    class PaintWatch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and "painted" not in times:
                view = watched.parent()
                while view is not None and not isinstance(view, DayView):
                    view = view.parent()
                if view is not None and view.model.rowCount() >= rows:
                    times["painted"] = time.perf_counter()
                    QTimer.singleShot(0, done)
            return False

    watch = PaintWatch()

    def done() -> None:
        times["free"] = time.perf_counter()
        application.quit()

    def watch_tables() -> None:
        for view in window.findChildren(DayView):
            view.table.viewport().installEventFilter(watch)

    def signed_in(_user: Any) -> None:
        times["signed_in"] = time.perf_counter()

    # The clock starts before the window's own reaction to the sign-in.
    window.login_vm.signed_in.disconnect(window._on_login_signed_in)
    window.login_vm.signed_in.connect(signed_in)
    window.login_vm.signed_in.connect(window._on_login_signed_in)
    window.login_vm.signed_in.connect(lambda _user: watch_tables())

    def shown() -> None:
        # As a person signs in: the sign-in window has been up while they typed, long
        # enough for the store to open behind it (and for its opening work to finish).
        services.opened()
        QTimer.singleShot(
            TYPING_MS, lambda: window.login_vm.sign_in(username, demo_password(username))
        )

    QTimer.singleShot(0, shown)
    QTimer.singleShot(120_000, application.quit)  # never hang a benchmark run
    application.exec()
    window.shutdown()
    opened = services.opened()
    if opened is not None:
        opened.close()
    if "free" not in times:
        raise RuntimeError("the day list was never painted with its rows")
    return (times["free"] - times["signed_in"]) * 1000


def main() -> None:
    """One timing in a fresh process: ``python -m tests.bench.today_paint STORE ROWS``.

    The store's key comes in ``ONESTOP_BENCH_KEY`` (not on the command line); prints the
    milliseconds.
    """
    import os
    import sys

    from tests.bench.common import private_home

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    key = os.environ["ONESTOP_BENCH_KEY"]
    store, rows = Path(sys.argv[1]), int(sys.argv[2])
    private_home()
    print(f"{time_first_paint(store, key, 'clinician', rows):.1f}")


if __name__ == "__main__":
    main()
