"""``onestop-server``: run the central server, and approve or revoke devices.

The database is a URL: PostgreSQL for a real deployment
(``postgresql+psycopg://user@host/db``), or an SQLite file for a one-machine trial
(``sqlite:///path/server.db``). Its schema is brought up to date on every start (under a
lock, so several instances may start at once), or once by ``migrate`` before they start.
Every command takes its settings from ``--config FILE`` (TOML; see
:mod:`clinic_app.server.config`), and the command line overrides the file.

The server logs to standard error (the journal, under systemd) and, given ``--log-file``
or ``log_file``, to a file as well, which it reopens after logrotate moves it away.

The server speaks HTTPS (``--cert`` and ``--key``); plain HTTP is served only on loopback,
or with ``--insecure-http-for-lab``, which logs a warning. Everything it writes is created
readable by its own account only, but a log file, which its group may read too.
"""

from __future__ import annotations

import argparse
import gc
import ipaddress
import json
import logging
import os
import sys
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from clinic_app.kernel.errors import ClinicError, FormErrors, ValidationError
from clinic_app.kernel.logs import configure_logging, log_to_file
from clinic_app.server import audit_cli, deprivation_cli, devices
from clinic_app.server.config import (
    DEFAULT_CONFIG,
    DEFAULTS,
    LOG_LEVELS,
    allowed_proxies,
    log_file_path,
    read_config,
)
from clinic_app.server.config import WORDS as CONFIG_WORDS
from clinic_app.server.database import open_server_store
from clinic_app.server.exports import command as export_command
from clinic_app.server.limits import MIB, ServerLimits

log = logging.getLogger("onestop.server")

_WORDS = {
    "user.exists": "A user with that name already exists.",
    "user.not_found": "There is no user with that name.",
    "user.supervisor_role": "The named supervisor does not have the supervisor role.",
    "device.not_found": "There is no device with that id.",
    "device.revoked": "That device was revoked; it must enrol again under a new id.",
    "settings.unknown_setting": (
        "There is no setting called {name}. 'onestop-server settings list' shows them."
    ),
    "settings.not_saved": "The setting was not saved ({reason}). Nothing was changed.",
    "dicom.unknown_setting": (
        "There is no DICOM setting called {field}. 'onestop-server settings list' shows them."
    ),
    "dicom.bad_ae_title": (
        "The {field} must be 1 to 16 plain characters (letters, digits, spaces, punctuation; "
        "no backslash), and not only spaces."
    ),
    "dicom.bad_port": "The {field} must be a whole number from 1 to 65535.",
    "dicom.same_port": "The worklist port must not be the same as the storage port.",
    "dicom.bad_pacs_method": "The PACS method must be c-store or stow-rs.",
    "dicom.bad_host": "The {field} must be a host name or address, with no spaces.",
    "dicom.bad_url": "The {field} must be a web address starting with http:// or https://.",
    "dicom.url_needed": (
        "Sending by STOW-RS needs the PACS's DICOMweb address: set dicom.pacs_dicomweb_url first."
    ),
    "dicom.bad_scanner": (
        "dicom.scanners is a JSON list of scanners, each with ae_title and address (and an "
        'optional name), e.g. [{"ae_title": "POCUS1", "address": "192.168.10.21"}].'
    ),
    "dicom.bad_scanner_ae_title": (
        "Each scanner's AE title must be 1 to 16 plain characters (no backslash), not only spaces."
    ),
    "dicom.bad_scanner_address": (
        "Each scanner's address must be an IP address or a network (192.168.10.0/24)."
    ),
    "dicom.bad_scanner_name": "Each scanner's name must be at most 64 characters.",
    "dicom.duplicate_scanner": "The same scanner (AE title and address) is listed twice.",
    "dicom.bad_clip_compression": "dicom.clip_compression must be lossless or lossy.",
    "dicom.bad_clip_quality": "dicom.clip_quality must be a whole number from 50 to 95.",
    "service_rules.unknown_rule": "There is no waiting-time rule called {rule}.",
    "service_rules.not_a_whole_number": "The {field} must be a whole number.",
    "service_rules.out_of_range": "The {field} must be from {minimum} to {maximum} (not {value}).",
    "service_rules.not_yes_or_no": "The {field} must be on or off.",
    "service_rules.unknown_unit": "{field} is not a unit; use working_days or calendar_days.",
    "text.too_long": "The {field} must be at most {max_length} characters.",
    "site.not_found": "There is no site with that name. 'onestop-server site list' shows them.",
    "site.name_required": "Give the site a name of up to 200 characters.",
    "site.address_too_long": "Give the site's address in up to 300 characters.",
    "site.phone_not_a_number": "Give the telephone number in digits, e.g. 0113 496 0100.",
    "site.email_not_an_address": "Give the email address in full, e.g. msk@example.org.",
    "sync.scope_setting_invalid": (
        "That value does not fit the sync scope rule {rule}: the switches are on or off, and "
        "recent_days is a whole number of days from 0 to 3650."
    ),
    **export_command.WORDS,
    **deprivation_cli.WORDS,
    **CONFIG_WORDS,
}


def words_for(error: ClinicError) -> str:
    """Plain words for a refused command, with the field and figures it names."""
    template = _WORDS.get(error.code)
    if template is None:
        return f"Refused ({error.code})."
    values = {**error.params}
    if isinstance(error, ValidationError) and error.field:
        values.setdefault("field", error.field.replace("_", " "))
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template


def is_loopback(host: str) -> bool:
    """True for a host name or address only this machine can reach."""
    if host.strip("[]").casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _limits(settings: Mapping[str, Any]) -> ServerLimits:
    return ServerLimits(
        max_json_bytes=settings["max_json_mib"] * MIB,
        max_piece_bytes=settings["max_piece_mib"] * MIB,
        max_file_bytes=settings["max_file_mib"] * MIB,
        max_partial_bytes=settings["max_uploads_mib"] * MIB,
        max_failed_logins=settings["max_failed_logins"],
        login_lockout_seconds=settings["login_lockout_seconds"],
        enrol_per_address=settings["enrol_per_address"],
        enrol_overall=settings["enrol_overall"],
    )


def serve_settings(args: argparse.Namespace) -> dict[str, Any]:
    """``serve``'s settings: the command line's, else the config file's, else the defaults."""
    given = {name: value for name, value in vars(args).items() if name in DEFAULTS}
    return {**DEFAULTS, **args.file_settings, **given, "database": args.db}


def _migrate(args: argparse.Namespace) -> int:
    from clinic_app.kernel.migrations import HEAD  # noqa: PLC0415

    open_server_store(args.db).close()
    print(f"The database's schema is at revision {HEAD}.")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415 - only the serve command needs it

    from clinic_app.server.app import create_app  # noqa: PLC0415
    from clinic_app.server.files import FileStore  # noqa: PLC0415

    settings = serve_settings(args)
    level = settings["log_level"]
    logging.getLogger().setLevel(level.upper())
    if settings["log_file"] is not None:
        log_file = Path(settings["log_file"].replace("{port}", str(settings["port"])))
        try:
            log_to_file(log_file, keep_stderr=settings["log_to_stderr"])
        except OSError as error:
            raise ClinicError(
                "config.log_file_unwritable", path=str(log_file), reason=error.strerror or ""
            ) from None
    cert, key, host = settings["cert"], settings["key"], settings["host"]
    if bool(cert) != bool(key):
        print("Give both --cert and --key for TLS, or neither.", file=sys.stderr)
        return 2
    if not cert and not is_loopback(host):
        if not settings["insecure_http_for_lab"]:
            print(
                "Outside this machine the server speaks HTTPS only: give --cert and --key "
                "(or, in a lab with no patient data, --insecure-http-for-lab).",
                file=sys.stderr,
            )
            return 2
        log.warning(
            "INSECURE: plain HTTP on %s for a lab (--insecure-http-for-lab); tokens and "
            "records cross the network unencrypted. Never use this with patient data.",
            host,
        )
    files = settings["files"]
    if files is None:
        if not args.db.startswith("sqlite:///"):
            print("Name the folder for files with --files DIR.", file=sys.stderr)
            return 2
        files = Path(args.db.removeprefix("sqlite:///")).with_suffix(".files")
    limits = _limits(settings)
    store = open_server_store(args.db)
    app = create_app(
        store.engine,
        FileStore(
            files,
            max_file_bytes=limits.max_file_bytes,
            max_partial_bytes=limits.max_partial_bytes,
        ),
        limits,
    )
    # What lives as long as the server (its code, model and app) is left out of later full
    # garbage collections: a push of thousands of rows triggers several, and each walked it all.
    gc.freeze()
    uvicorn.run(
        app,
        host=host,
        port=settings["port"],
        ssl_certfile=str(cert) if cert else None,
        ssl_keyfile=str(key) if key else None,
        # Only these proxies' X-Forwarded-For is believed (uvicorn's default: 127.0.0.1), so
        # behind a balancer the enrolment limits count each laptop's address, not its own.
        forwarded_allow_ips=settings["forwarded_allow_ips"],
        log_level="debug" if level == "debug" else "warning",
        log_config=None,  # uvicorn's lines go through the safe formatter too
        access_log=False,
        # Only what the limits allow in one request's headers and body is read.
        h11_max_incomplete_event_size=64 * 1024,
    )
    return 0


def _device(args: argparse.Namespace) -> int:
    store = open_server_store(args.db)
    try:
        if args.action == "list":
            with store.engine.connect() as conn:
                for device in devices.list_devices(conn):
                    seen = device.last_seen_at.isoformat() if device.last_seen_at else "never"
                    name = devices.shown_name(device.name)
                    print(f"{device.id}  {device.status:<9} last seen {seen}  {name}")
            return 0
        status = devices.APPROVED if args.action == "approve" else devices.REVOKED
        with store.engine.begin() as conn:
            devices.decide(
                conn, uuid.UUID(args.device_id), status, by=f"{args.operator} (command line)"
            )
        print(f"Device {args.device_id} is now {status}.")
        return 0
    finally:
        store.close()


def _user(args: argparse.Namespace) -> int:
    from clinic_app.kernel.vocabulary import Role  # noqa: PLC0415
    from clinic_app.server import users  # noqa: PLC0415

    store = open_server_store(args.db)
    try:
        with store.engine.begin() as conn:
            if args.action == "add":
                if not args.name or not args.role:
                    print("Give --name and --role for a new user.", file=sys.stderr)
                    return 2
                password = sys.stdin.readline().rstrip("\n") if args.password_stdin else ""
                if not args.password_stdin:
                    import getpass  # noqa: PLC0415

                    password = getpass.getpass("Password for the new user: ")
                users.add_user(
                    conn,
                    username=args.username,
                    display_name=args.name,
                    role=Role(args.role),
                    password=password,
                    professional_body=args.body,
                    registration_number=args.registration,
                    profession=args.profession,
                    supervisor=args.supervisor,
                )
                print(f"Added {args.username}; devices get them at their next sync.")
            elif args.action == "set-role":
                if not args.role:
                    print("Give the new role with --role.", file=sys.stderr)
                    return 2
                users.set_role(conn, args.username, Role(args.role))
                print(f"{args.username} is now {args.role}, on each device at its next sync.")
            elif args.action == "set-site":
                users.set_site(conn, args.username, users.site_named(conn, args.site))
                print(f"{args.username} works at {args.site or 'no site'} from the next sync.")
            elif args.action == "set-supervisor":
                users.set_supervisor(conn, args.username, args.supervisor)
                print(f"Supervisor of {args.username} set, on each device at its next sync.")
            else:
                users.set_active(conn, args.username, active=args.action == "enable")
                print(f"{args.username} is now {args.action}d everywhere at the next sync.")
        return 0
    finally:
        store.close()


def _site(args: argparse.Namespace) -> int:
    from clinic_app.server import users  # noqa: PLC0415

    store = open_server_store(args.db)
    try:
        if args.action == "list":
            with store.engine.connect() as conn:
                for site_id, name, ods in users.sites(conn):
                    print(f"{site_id}  {ods or '-':<8} {devices.shown_name(name)}")
            return 0
        if not args.name:
            print(f"Name the site: site {args.action} NAME.", file=sys.stderr)
            return 2
        contact = {"address": args.address, "phone": args.phone, "email": args.email}
        if args.action == "contact" and all(value is None for value in contact.values()):
            print("Give what changes: --address, --phone or --email.", file=sys.stderr)
            return 2
        with store.engine.begin() as conn:
            if args.action == "contact":
                users.set_site_contact(conn, args.name, **contact)
                print(f"{args.name}'s letters give these from the next sync.")
                return 0
            users.add_site(conn, args.name, args.ods, **contact)
        print(f"Added {args.name}; devices get it at their next sync.")
        return 0
    finally:
        store.close()


def _settings(args: argparse.Namespace) -> int:
    from clinic_app.server import settings  # noqa: PLC0415 - loads every domain's definitions

    store = open_server_store(args.db)
    try:
        if args.action == "list":
            with store.engine.connect() as conn:
                for name, value, changed in settings.setting_lines(conn):
                    shown = json.dumps(value, ensure_ascii=False)
                    print(f"{name} = {shown}{'' if changed else '  (default)'}")
            return 0
        if not args.name or args.value is None:
            print("Give the setting and its value: settings set NAME VALUE.", file=sys.stderr)
            return 2
        with store.engine.begin() as conn:
            change = settings.set_setting(conn, args.name, args.value)
        args.setting_key = change.key
        print(f"{change.name} set; every device gets it at its next sync.")
        return 0
    finally:
        store.close()


def _add_serve(commands: Any) -> None:
    """The ``serve`` command and its options."""
    serve = commands.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--db", help="database URL")
    # Options left out of the command line are absent (SUPPRESS): the config file's value, or
    # the default, is taken for them (serve_settings).
    given = argparse.SUPPRESS
    serve.add_argument("--host", default=given, help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=given, help="port (default 8765)")
    serve.add_argument(
        "--files",
        type=Path,
        default=given,
        help="folder for files (default beside an SQLite database)",
    )
    serve.add_argument("--cert", type=Path, default=given, help="TLS certificate (PEM)")
    serve.add_argument("--key", type=Path, default=given, help="TLS private key (PEM)")
    serve.add_argument(
        "--forwarded-allow-ips",
        type=_proxies_option,
        default=given,
        help="load balancers trusted to give the client's address in X-Forwarded-For "
        "(comma-separated addresses or networks; default 127.0.0.1)",
    )
    serve.add_argument("--log-level", choices=LOG_LEVELS, default=given, help="default info")
    serve.add_argument(
        "--log-file",
        type=_log_file_option,
        default=given,
        help="also write the log to this file, reopened after logrotate moves it "
        "({port} in the name stands for the port; default: standard error only)",
    )
    serve.add_argument(
        "--no-log-to-stderr",
        dest="log_to_stderr",
        action="store_false",
        default=given,
        help="with --log-file, write the log to the file only",
    )
    serve.add_argument(
        "--insecure-http-for-lab",
        action="store_true",
        default=given,
        help="serve plain HTTP beyond loopback (a lab without patient data only)",
    )
    for option, words in (
        ("--max-json-mib", "largest JSON request"),
        ("--max-piece-mib", "largest upload piece"),
        ("--max-file-mib", "largest file"),
        ("--max-uploads-mib", "all unfinished uploads"),
        ("--max-failed-logins", "failed sign-ins before lockout"),
        ("--login-lockout-seconds", "lockout length"),
        ("--enrol-per-address", "enrolments per address per 10 min"),
        ("--enrol-overall", "enrolments in all per 10 min"),
    ):
        value = DEFAULTS[option.removeprefix("--").replace("-", "_")]
        serve.add_argument(option, type=int, default=given, help=f"{words} (default {value})")
    serve.set_defaults(run=_serve)


def build_parser() -> argparse.ArgumentParser:
    """The ``onestop-server`` argument parser."""
    parser = argparse.ArgumentParser(prog="onestop-server", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_serve(commands)
    migrate = commands.add_parser(
        "migrate", help="bring the database's schema up to date, then stop"
    )
    migrate.add_argument("--db", help="database URL")
    migrate.set_defaults(run=_migrate)
    device = commands.add_parser("device", help="list, approve or revoke devices")
    device.add_argument("action", choices=["list", "approve", "revoke"])
    device.add_argument("device_id", nargs="?")
    device.add_argument("--db", required=True, help="database URL")
    device.set_defaults(run=_device)
    user = commands.add_parser("user", help="manage users, for every device")
    user.add_argument(
        "action", choices=["add", "disable", "enable", "set-role", "set-supervisor", "set-site"]
    )
    user.add_argument("username")
    user.add_argument("--db", required=True, help="database URL")
    user.add_argument("--name", help="name as shown on screens and letters")
    user.add_argument(
        "--role", choices=["clinician", "sonographer", "trainee", "supervisor", "admin"]
    )
    user.add_argument("--body", help="professional body")
    user.add_argument("--registration", help="professional registration number")
    user.add_argument("--profession", help="what they are by training (e.g. physiotherapist)")
    user.add_argument("--supervisor", help="user name of a trainee's supervisor")
    user.add_argument("--site", help="the site they work at, by name (set-site; '' for none)")
    user.add_argument("--password-stdin", action="store_true")
    user.set_defaults(run=_user)
    site = commands.add_parser("site", help="the service's clinic sites (every device gets them)")
    site.add_argument("action", choices=["add", "contact", "list"])
    site.add_argument("name", nargs="?", help="the site's name, e.g. Northgate Health Centre")
    site.add_argument("--ods", help="the site's ODS code")
    site.add_argument("--address", help="its postal address, printed on its letters")
    site.add_argument("--phone", help="its telephone number, printed on its letters")
    site.add_argument("--email", help="its email address, printed on its letters")
    site.add_argument("--db", required=True, help="database URL")
    site.set_defaults(run=_site)
    setting = commands.add_parser(
        "settings", help="the service's settings (every device gets them by sync)"
    )
    setting.add_argument("action", choices=["list", "set"])
    setting.add_argument("name", nargs="?", help="e.g. dicom.pacs_host")
    setting.add_argument("value", nargs="?", help='the new value ("" for a default sentence)')
    setting.add_argument("--db", required=True, help="database URL")
    setting.set_defaults(run=_settings)
    export_command.register(commands)
    deprivation_cli.register(commands)
    audit_cli.register(commands)
    for command in commands.choices.values():
        _take_database_from_config(command)
    return parser


def _log_file_option(value: str) -> str:
    try:
        return log_file_path(value)
    except ValueError as bad:
        raise argparse.ArgumentTypeError(f"the log file {bad}") from None


def _proxies_option(value: str) -> str:
    try:
        return allowed_proxies(value)
    except ValueError as bad:
        raise argparse.ArgumentTypeError(str(bad)) from None


def _take_database_from_config(command: argparse.ArgumentParser) -> None:
    """Give a command ``--config``, and let its database come from there instead of ``--db``."""
    # argparse has no public way to make one option optional once it was added.
    for action in command._actions:
        if action.dest == "db":
            action.required = False
            action.help = "database URL (or 'database' in the config file)"
            command.add_argument(
                "--config",
                type=Path,
                help=f"the server's config file (TOML; {DEFAULT_CONFIG} when it exists and "
                "no --db is given)",
            )
            return


def _settings_file(args: argparse.Namespace) -> dict[str, Any]:
    """The config file's settings, with the database taken from it when --db was not given."""
    path = args.config
    if path is None and args.db is None and DEFAULT_CONFIG.is_file():
        path = DEFAULT_CONFIG
    settings = read_config(path) if path is not None else {}
    if args.db is None:
        args.db = settings.get("database")
        if args.db is None:
            raise ClinicError("config.no_database")
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``onestop-server``."""
    os.umask(0o077)  # database, files and logs readable by the server's account only
    configure_logging()
    args = build_parser().parse_args(argv)
    if getattr(args, "action", None) in {"approve", "revoke"} and not args.device_id:
        print("Name the device: onestop-server device approve DEVICE_ID --db URL", file=sys.stderr)
        return 2
    try:
        if hasattr(args, "db"):
            args.file_settings = _settings_file(args)
        return int(args.run(args))
    except FormErrors as problems:
        for problem in problems.errors:
            print(words_for(problem), file=sys.stderr)
        return 2
    except ClinicError as error:
        print(words_for(error), file=sys.stderr)
        return 2
    except ValueError:
        print("That is not a device id.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
