"""The ``onestop`` command: the app itself (``run``, ``demo``) and the administration commands.

The administration commands live in the Qt-free core and start without Qt. ``run`` shows
the sign-in window before it imports the core: the store opens behind it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

APP_COMMANDS = ("run", "demo")
DEMO_FOLDER = "demo-clinic"


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _app_parser() -> argparse.ArgumentParser:
    """Options of the app commands (the administration commands have their own)."""
    parser = argparse.ArgumentParser(prog="onestop")
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--insecure-dev-keyring", action="store_true")
    commands = parser.add_subparsers(dest="app", required=True)
    common = _common_options()
    run = commands.add_parser("run", parents=[common], help="open the clinic app")
    run.add_argument(
        "--idle-lock-minutes",
        type=int,
        default=5,
        choices=range(1, 61),
        metavar="MINUTES",
        help="lock the screen after this many minutes without input (1 to 60, default 5)",
    )
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="open the app on a demo clinic (synthetic patients, a user per role)",
    )
    demo.add_argument("--patients", type=int, default=500, help="synthetic patients to create")
    demo.add_argument(
        "--screens",
        type=Path,
        default=None,
        help="save screenshots of every screen to this folder instead of opening a window "
        "(the default when there is no display)",
    )
    return parser


def _common_options() -> argparse.ArgumentParser:
    """``--store`` and ``--insecure-dev-keyring`` after the command name too."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", type=Path, default=argparse.SUPPRESS)
    common.add_argument("--insecure-dev-keyring", action="store_true", default=argparse.SUPPRESS)
    return common


def _full_help() -> int:
    from clinic_app import cli  # noqa: PLC0415

    parser = cli.build_parser()
    commands = next(
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    commands.add_parser("run", help="open the clinic app")
    commands.add_parser("demo", help="open the app on a demo clinic (see 'onestop demo -h')")
    parser.print_help()
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """Create (once) and open the demo clinic, or render its screens when headless."""
    from clinic_app import bootstrap  # noqa: PLC0415 - the demo needs the store at once
    from clinic_app.demo import DEMO_USERS, demo_password, seed_demo  # noqa: PLC0415
    from clinic_app.kernel.security import keychain  # noqa: PLC0415

    path = (
        Path(args.store).resolve()
        if args.store is not None
        else (bootstrap.data_dir() / DEMO_FOLDER / bootstrap.STORE_FILE).resolve()
    )
    insecure = args.insecure_dev_keyring or not keychain.backend_is_safe()
    if insecure and not args.insecure_dev_keyring:
        print(
            "No secure system keychain was found. The demo clinic keeps its key in a plain "
            "file beside its store: fine for synthetic patients, never for real ones."
        )
    if path.exists():
        services = bootstrap.open_clinic(path, allow_insecure_keyring=insecure)
        credentials = [(n, demo_password(n), role.value) for n, _, role, _, _ in DEMO_USERS]
    else:
        print(f"Creating the demo clinic with {args.patients} synthetic patients ...")
        services = bootstrap.create_clinic(path, allow_insecure_keyring=insecure)
        credentials = seed_demo(services, patients=args.patients).users
    print(f"Demo store: {path}")
    print("Sign in as any of these demo users:")
    for username, password, role in credentials:
        print(f"  {role:<12} user name: {username:<12} password: {password}")
    try:
        headless = args.screens is not None or not _has_display()
        if headless:
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from ui import runtime, screenshots  # noqa: PLC0415 - Qt only when really wanted

        if headless:
            out = (args.screens or Path("demo-screens")).resolve()
            paths = screenshots.render_screens(services, out, credentials)
            print(f"No display: saved {len(paths)} screenshots in {out}")
            for shot in paths:
                print(f"  {shot.name}")
            return 0
        return runtime.run_app(services)
    finally:
        services.close()


def run_app(args: argparse.Namespace) -> int:
    """Open the app on this computer's store: sign-in window first, store behind it."""
    from clinic_app.kernel import places  # noqa: PLC0415 - light: the core loads later
    from ui import runtime  # noqa: PLC0415

    store: Path | None = args.store
    insecure: bool = args.insecure_dev_keyring

    def open_services() -> Any:
        from clinic_app import bootstrap  # noqa: PLC0415 - on the background thread

        return bootstrap.open_clinic(store, allow_insecure_keyring=insecure)

    settings = runtime.DefaultSettings(idle_lock_seconds=args.idle_lock_minutes * 60)
    if not (store or places.default_store_path()).exists():
        # No clinic data on this computer yet: set it up in the app, then sign in.
        return runtime.run_first_run(
            store, open_services, settings, allow_insecure_keyring=insecure
        )
    return runtime.run_deferred(open_services, settings)


def _command_word(arguments: list[str]) -> str | None:
    """The subcommand named in ``arguments``, skipping global options and their values."""
    takes_value = False
    for word in arguments:
        if takes_value:
            takes_value = False
        elif word == "--store":
            takes_value = True
        elif not word.startswith("-"):
            return word
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``onestop``."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    from clinic_app.kernel.logs import configure_logging  # noqa: PLC0415

    os.umask(0o077)  # the store, backups and exports readable by this user only
    configure_logging()
    if not arguments or arguments in (["-h"], ["--help"]):
        return _full_help()
    if _command_word(arguments) not in APP_COMMANDS:
        from clinic_app import cli  # noqa: PLC0415 - administration never loads Qt

        return cli.main(arguments)
    args = _app_parser().parse_args(arguments)
    try:
        return run_demo(args) if args.app == "demo" else run_app(args)
    except Exception as error:
        from clinic_app import bootstrap, cli  # noqa: PLC0415
        from clinic_app.kernel.errors import ClinicError  # noqa: PLC0415

        if not isinstance(error, ClinicError):
            raise
        print(
            cli.message_for(error, path=args.store or bootstrap.default_store_path()),
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
