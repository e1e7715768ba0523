"""The ``onestop`` command: the app itself (``run``, ``demo``) and the administration commands.

The administration commands live in the Qt-free core; only ``run`` and ``demo`` load Qt.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from clinic_app import bootstrap, cli
from clinic_app.demo import DEMO_USERS, demo_password, seed_demo
from clinic_app.errors import ClinicError
from clinic_app.security import keychain

DEMO_FOLDER = "demo-clinic"


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _add_app_commands(parser: argparse.ArgumentParser) -> None:
    commands = next(
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    run = commands.add_parser("run", help="open the clinic app")
    run.set_defaults(app="run")
    demo = commands.add_parser(
        "demo", help="open the app on a demo clinic (synthetic patients, a user per role)"
    )
    demo.add_argument("--patients", type=int, default=500, help="synthetic patients to create")
    demo.add_argument(
        "--screens",
        type=Path,
        default=None,
        help="save screenshots of every screen to this folder instead of opening a window "
        "(the default when there is no display)",
    )
    demo.set_defaults(app="demo")


def _demo_store(args: argparse.Namespace) -> Path:
    if args.store is not None:
        return Path(args.store).resolve()
    return (bootstrap.data_dir() / DEMO_FOLDER / bootstrap.STORE_FILE).resolve()


def run_demo(args: argparse.Namespace) -> int:
    """Create (once) and open the demo clinic, or render its screens when headless."""
    path = _demo_store(args)
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
        from ui import app  # noqa: PLC0415 - Qt only when the app is really wanted

        headless = args.screens is not None or not _has_display()
        if headless:
            out = (args.screens or Path("demo-screens")).resolve()
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            paths = app.render_screens(services, out, credentials)
            print(f"No display: saved {len(paths)} screenshots in {out}")
            for shot in paths:
                print(f"  {shot.name}")
            return 0
        return app.run_app(services)
    finally:
        services.close()


def run_app(args: argparse.Namespace) -> int:
    """Open the app on this computer's store."""
    from ui import app  # noqa: PLC0415

    path = (args.store or bootstrap.default_store_path()).resolve()
    services = bootstrap.open_clinic(path, allow_insecure_keyring=args.insecure_dev_keyring)
    try:
        return app.run_app(services)
    finally:
        services.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``onestop``."""
    parser = cli.build_parser()
    _add_app_commands(parser)
    args = parser.parse_args(argv)
    mode = getattr(args, "app", None)
    if mode is None:
        if getattr(args, "run", None) is None:
            parser.print_help()
            return 0
        return cli.run_command(args)
    try:
        return run_demo(args) if mode == "demo" else run_app(args)
    except ClinicError as error:
        store = args.store or bootstrap.default_store_path()
        print(cli.message_for(error, path=store), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
