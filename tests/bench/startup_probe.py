"""Child process of the start-up benchmark: start, show a window, report, quit.

``python -m tests.bench.startup_probe bare`` shows an empty PySide6 main window (the
baseline). ``... app STORE`` starts the clinic app the way ``onestop run`` does, on an
existing store whose key arrives on standard input, and shows the sign-in window; with
``--login USER PASSWORD`` it then signs in through the sign-in screen's view model and waits
for the workspace. Each line it prints is ``EVENT rss_kib``; the parent timestamps them.
"""

from __future__ import annotations

import sys
from pathlib import Path


def rss_kib() -> int:
    """Resident set size of this process, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def report(event: str) -> None:
    """Tell the parent that ``event`` happened, with the memory in use now."""
    sys.stdout.write(f"{event} {rss_kib()}\n")
    sys.stdout.flush()


def bare() -> int:
    """The baseline: an empty main window of the same size, nothing else."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1280, 800)
    window.show()
    QTimer.singleShot(0, lambda: (report("SHOWN"), app.quit()))
    return app.exec()


def clinic(store: Path, login: tuple[str, str] | None) -> int:
    """The app's own start-up path (as ``onestop run``): sign-in window first, store behind."""
    import keyring

    from tests.support.memory_keyring import MemoryKeyring

    key = sys.stdin.readline().strip()
    keyring.set_keyring(MemoryKeyring())

    from PySide6.QtCore import QTimer

    from ui import runtime
    from ui.app import WindowState

    def open_services() -> object:
        from clinic_app import bootstrap
        from clinic_app.kernel.security import keychain

        keyring.set_password(keychain.SERVICE, keychain.store_key_name(store), key)
        return bootstrap.open_clinic(store)

    application, window, services = runtime.start_deferred(
        open_services,  # type: ignore[arg-type]
        runtime.DefaultSettings(idle_lock_seconds=0),
    )

    def after_login() -> None:
        if window.state is WindowState.WORKING and window.runner.is_idle():
            report("SIGNED_IN")
            application.quit()
        else:
            QTimer.singleShot(10, after_login)

    def shown() -> None:
        report("SHOWN")
        if login is None:
            application.quit()
            return
        window.login_vm.sign_in(*login)
        QTimer.singleShot(10, after_login)

    QTimer.singleShot(0, shown)
    status = application.exec()
    window.shutdown()
    opened = services.opened()
    if opened is not None:
        opened.close()
    return status


def main(argv: list[str]) -> int:
    """Pick the mode from the command line."""
    if argv[0] == "bare":
        return bare()
    login = (argv[3], argv[4]) if len(argv) >= 5 and argv[2] == "--login" else None
    return clinic(Path(argv[1]), login)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
