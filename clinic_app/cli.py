"""``onestop`` administration: store, users, demo, backup and restore, audit check.

Works with no display and no network.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import sqlalchemy

from clinic_app import bootstrap
from clinic_app.container import Services
from clinic_app.demo import seed_demo
from clinic_app.kernel.backup import check_passphrase, restore_store
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError, FormErrors, StoreError, ValidationError
from clinic_app.kernel.logs import configure_logging
from clinic_app.kernel.security import audit, keychain
from clinic_app.kernel.store import sqlite_url
from clinic_app.kernel.uow import command_line
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.users import PROFESSIONAL_BODIES, PROFESSIONS
from clinic_app.sync.protocol import UNTRUSTED_CERTIFICATE

# Words for the command line. The app's screens have their own, richer table in
# ui/common/errors.py; these cover what an administrator meets here.
MESSAGES: dict[str, str] = {
    "store.missing": "There is no store at {path}. Create one with 'onestop init'.",
    "store.exists": "A store already exists at {path}. Nothing was changed.",
    "store.wrong_key": (
        "The store at {path} could not be opened with this computer's key: the key is "
        "wrong or the file is not a OneStop store. Nothing was changed."
    ),
    "store.key_missing": (
        "The keychain has no key for the store at {path}, so it cannot be opened. It was "
        "not replaced. Restore the key, or restore the store from a backup."
    ),
    "store.unreadable": "The store at {path} could not be read ({detail}).",
    "keychain.insecure_backend": (
        "No secure keychain is available (found {backend}). Install and unlock the system "
        "keychain, or for development only use --insecure-dev-keyring."
    ),
    "keychain.unavailable": "The keychain could not be used ({reason}).",
    "keychain.key_exists": "The keychain already holds a key for this store location.",
    "backup.exists": "{destination} already exists; choose a new file name.",
    "backup.failed": "The backup could not be written. The store is unchanged.",
    "backup.missing": "There is no backup file at {backup}.",
    "backup.wrong_passphrase": "That passphrase does not open the backup.",
    "backup.damaged": "The backup file is damaged and was not restored.",
    "backup.empty": "The backup file {backup} is empty: it holds no store. Nothing was changed.",
    "backup.incomplete": (
        "The backup file {backup} is incomplete: the copy was cut short. Nothing was changed; "
        "use another backup."
    ),
    "backup.no_passphrase": "No passphrase was given, so the backup cannot be opened.",
    "store.empty": (
        "The store file at {path} is empty (0 bytes): the store it held is gone. It was "
        "left as it is and not replaced by a new one. Restore the store from a backup."
    ),
    "restore.failed": "The backup could not be written as a store. Nothing was changed.",
    "backup.passphrase_too_short": "The passphrase must be at least {minimum} characters.",
    "password.too_short": "The password must be at least 10 characters.",
    "password.same_as_username": "The password must not be the user name.",
    "password.mismatch": "The two passwords did not match.",
    "user.exists": "A user with that name already exists.",
    "user.not_found": "There is no user with that name.",
    "user.username_invalid": "User names use letters, digits, dots, hyphens or underscores.",
    "user.supervisor_role": "The named supervisor does not have the supervisor role.",
    "user.cannot_disable_self": "You cannot disable your own account.",
    "text.empty": "The {field} must not be empty.",
    "code.unknown": "That {field} is not one of the allowed values.",
    "wording_pack.wrong_version": "That pack is for another version of the questionnaire.",
    "wording_pack.missing_items": "The pack has no wording for some questions: {items}.",
    "wording_pack.extra_items": "The pack has wording for questions that do not exist: {items}.",
    "wording_pack.unknown_questionnaire": "The pack is for a questionnaire this app does not have.",
    "wording_pack.not_needed": "That questionnaire ships its own wording; no pack is needed.",
    "wording_pack.not_json": "The pack file is not valid JSON (line {line}).",
    "wording_pack.unreadable": "The pack file {name} could not be read.",
    "service_rules.unknown_rule": "There is no waiting-time rule called {rule}.",
    "service_rules.not_a_whole_number": "The {field} must be a whole number.",
    "service_rules.out_of_range": "The {field} must be from {minimum} to {maximum} (not {value}).",
    "service_rules.not_yes_or_no": "The {field} must be on or off.",
    "service_rules.unknown_unit": "{field} is not a unit; use working days or calendar days.",
    "user.managed_centrally": (
        "This device syncs with a server, so users are managed there: "
        "onestop-server user add|disable|enable."
    ),
    "sync.unreachable": "The server could not be reached. Nothing was lost; try again later.",
    # sync.unreachable when the server's certificate is not trusted here.
    "sync.untrusted_certificate": (
        "The server answered with a certificate this device does not trust. Nothing was sent "
        "or lost. Check the --ca file given at enrolment, or whether the server's certificate "
        "has expired or been replaced."
    ),
    "sync.not_set_up": "This device is not enrolled with a server: use 'onestop sync enrol'.",
    "sync.ca_unreadable": (
        "The --ca file is missing or holds no certificate: give the .pem or .crt file of the "
        "authority that signed the server's certificate."
    ),
    "sync.bad_url": "That is not a server address: give it as https://host[:port].",
    "sync.insecure_url": (
        "That address starts with http://, which would send records unencrypted: use https://."
    ),
    "device.exists": "The server already knows this device.",
    "device.not_approved": "The server has not approved this device yet.",
    "device.revoked": "The server has revoked this device; it can no longer sync.",
    "settings.on_and_off": "Switch {rule} either on or off, not both.",
    "settings.bad_assignment": "Write each new amount as RULE=NUMBER, e.g. appointment_routine=21.",
    "demo.store_not_empty": "The store already has users; a demo is only seeded into a new store.",
}


def _field_words(field: str) -> str:
    """A form field as words: ``appointment_routine.amount`` -> "amount of appointment_routine"."""
    owner, dot, part = field.rpartition(".")
    if not dot:
        return field.replace("_", " ")
    if owner == "near":
        return f"near threshold in {part.replace('_', ' ')}"
    return f"{part.replace('_', ' ')} of {owner}"


def message_for(error: ClinicError, **context: object) -> str:
    """Plain words for an error, falling back to its code."""
    template = MESSAGES.get(error.code)
    if error.code == "sync.unreachable" and error.params.get("reason") == UNTRUSTED_CERTIFICATE:
        template = MESSAGES["sync.untrusted_certificate"]
    values = {**error.params, **context}
    if isinstance(error, ValidationError) and error.field:
        values.setdefault("field", _field_words(error.field))
    if template is None:
        return f"The command could not be completed ({error.code})."
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template


def _read_secret(prompt: str, *, from_stdin: bool, confirm: bool, stdin: TextIO) -> str:
    if from_stdin:
        return stdin.readline().rstrip("\n")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again: ") != first:
        raise ValidationError("password.mismatch")
    return first


OPERATOR_VARIABLE = "ONESTOP_OPERATOR"
"""Environment variable naming the operator when ``--operator`` is not given."""


def _actor(args: argparse.Namespace) -> CurrentUser:
    """The named person at the command line, recorded as the operator in audit entries."""
    return command_line(args.operator)


def _operator(args: argparse.Namespace) -> str | None:
    given = getattr(args, "operator", None) or os.environ.get(OPERATOR_VARIABLE, "")
    name = "".join(c for c in given.strip() if c.isprintable())[:64]
    return name or None


def _open(args: argparse.Namespace) -> Services:
    return bootstrap.open_clinic(args.store, allow_insecure_keyring=args.insecure_dev_keyring)


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    """Create a new, empty encrypted store."""
    services = bootstrap.create_clinic(args.store, allow_insecure_keyring=args.insecure_dev_keyring)
    services.close()
    print(f"Created an encrypted store at {args.store}.", file=out)
    print("Its key is in this computer's keychain. Add a user with 'onestop user add'.", file=out)
    return 0


def cmd_user_add(args: argparse.Namespace, out: TextIO) -> int:
    """Add a user (password read twice, or once from standard input)."""
    password = _read_secret(
        "Password for the new user: ",
        from_stdin=args.password_stdin,
        confirm=True,
        stdin=sys.stdin,
    )
    services = _open(args)
    try:
        user = services.users.add(
            _actor(args),
            username=args.username,
            display_name=args.name,
            role=Role(args.role),
            password=password,
            professional_body=args.body,
            registration_number=args.registration,
            profession=args.profession,
            supervisor=args.supervisor,
            must_change_password=args.must_change,
        )
    finally:
        services.close()
    print(f"Added {user.username} ({user.role.value}).", file=out)
    return 0


def cmd_user_list(args: argparse.Namespace, out: TextIO) -> int:
    """List users."""
    services = _open(args)
    try:
        users = services.users.list(_actor(args))
    finally:
        services.close()
    for user in users:
        state = "active" if user.active else "disabled"
        supervisor = (
            f", supervised by {user.supervisor_username}" if user.supervisor_username else ""
        )
        print(
            f"{user.username:<16} {user.role.value:<12} {state:<9} {user.display_name}{supervisor}",
            file=out,
        )
    return 0


def cmd_user_active(args: argparse.Namespace, out: TextIO, *, active: bool) -> int:
    """Disable or re-enable a user."""
    services = _open(args)
    try:
        services.users.set_active(_actor(args), args.username, active=active)
    finally:
        services.close()
    print(f"{args.username} is now {'enabled' if active else 'disabled'}.", file=out)
    return 0


def cmd_user_reset(args: argparse.Namespace, out: TextIO) -> int:
    """Set a new password that must be changed at next sign-in."""
    password = _read_secret(
        "New password: ", from_stdin=args.password_stdin, confirm=True, stdin=sys.stdin
    )
    services = _open(args)
    try:
        services.users.reset_password(_actor(args), args.username, password)
    finally:
        services.close()
    print(f"The password of {args.username} was reset; they must change it at sign-in.", file=out)
    return 0


def cmd_seed_demo(args: argparse.Namespace, out: TextIO) -> int:
    """Fill a new store with the demo clinic."""
    services = _open(args)
    try:
        credentials = seed_demo(services, patients=args.patients, actor=_actor(args))
    finally:
        services.close()
    print(f"Seeded {args.patients} synthetic patients (NHS test numbers 999 ...).", file=out)
    for username, password, role in credentials.users:
        print(f"  {role:<12} user {username:<12} password {password}", file=out)
    return 0


def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    """Write an encrypted, consistent copy of the store."""
    passphrase = _read_secret(
        "Backup passphrase: ", from_stdin=args.passphrase_stdin, confirm=True, stdin=sys.stdin
    )
    check_passphrase(passphrase)
    services = _open(args)
    try:
        result = services.store.backup(_actor(args), args.destination, passphrase)
    finally:
        services.close()
    print(f"Backed up to {result.path} ({result.size_bytes:,} bytes, encrypted).", file=out)
    print("Keep the passphrase safe: without it the backup cannot be restored.", file=out)
    return 0


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    """Restore a backup as this computer's store (the old one is kept aside)."""
    passphrase = _read_secret(
        "Backup passphrase: ", from_stdin=args.passphrase_stdin, confirm=False, stdin=sys.stdin
    )
    target: Path = args.store
    bootstrap.prepare_keychain(allow_insecure=args.insecure_dev_keyring, store_path=target)
    kept: Path | None = None
    if target.exists():
        if not args.replace:
            raise StoreError("store.exists")
        kept = _aside_name(target)
    # A replacement laptop has no data folder yet.
    target.parent.mkdir(parents=True, exist_ok=True)
    key = keychain.store_key(target) or keychain.new_store_key(target)
    staging = target.with_name(target.name + ".restoring")
    staging.unlink(missing_ok=True)
    # Check and write the restore beside the store, then swap: a failed restore leaves the
    # old store in place. The staging copy is keyed with the store's own key.
    restore_store(args.backup, passphrase, staging, key)
    _take_audit_key(staging, key, target)
    if kept is not None:
        for suffix in ("", "-wal", "-shm"):
            old = Path(str(target) + suffix)
            if old.exists():
                old.replace(Path(str(kept) + suffix))
    staging.replace(target)
    services = _open(args)
    try:
        report = services.audit.verify(_actor(args))
    finally:
        services.close()
    print(f"Restored {args.backup} to {target}.", file=out)
    if kept is not None:
        print(f"The previous store was kept as {kept}.", file=out)
    print(
        f"Audit trail: {report.entries} entries, {'intact' if report.intact else 'NOT intact'}.",
        file=out,
    )
    return 0


def _take_audit_key(staging: Path, key: str, target: Path) -> None:
    """Move the audit key a backup carries into the keychain, out of the store."""
    engine = sqlalchemy.create_engine(sqlite_url(staging, key))
    try:
        with engine.begin() as conn:
            carried = conn.execute(
                sqlalchemy.text("SELECT value FROM store_meta WHERE key = :k"),
                {"k": audit.BACKUP_KEY_ROW},
            ).scalar()
            if carried is not None:
                keychain.set_audit_key(target, str(carried))
                conn.execute(
                    sqlalchemy.text("DELETE FROM store_meta WHERE key = :k"),
                    {"k": audit.BACKUP_KEY_ROW},
                )
    finally:
        engine.dispose()


def _aside_name(target: Path) -> Path:
    """A name to keep the current store under that nothing else has (never overwritten)."""
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    candidate = target.with_name(f"{target.name}.replaced-{stamp}")
    counter = 1
    while any(Path(str(candidate) + s).exists() for s in ("", "-wal", "-shm")):
        counter += 1
        candidate = target.with_name(f"{target.name}.replaced-{stamp}-{counter}")
    return candidate


def cmd_audit_verify(args: argparse.Namespace, out: TextIO) -> int:
    """Walk the audit chain; exit 1 if anything was changed, inserted or removed."""
    services = _open(args)
    try:
        report = services.audit_log.verify(_actor(args), online=not args.offline)
    finally:
        services.close()
    anchor = report.anchor
    if anchor is None:
        print("No head acknowledged by the server yet: the chain is checked on its own.", file=out)
    else:
        where = "read from the server" if anchor.source == "server" else "recorded here"
        print(f"Compared with the head the server acknowledged ({where}):", file=out)
        print(f"  {anchor.text()}", file=out)
    if report.intact:
        print(f"Audit trail intact: {report.entries} entries verified.", file=out)
        return 0
    print(
        f"AUDIT TRAIL NOT INTACT: {len(report.problems)} problem(s) in {report.entries} entries.",
        file=out,
    )
    for problem in report.problems:
        print(f"  entry {problem.seq}: {problem.kind.replace('_', ' ')}", file=out)
    return 1


def common_options() -> argparse.ArgumentParser:
    """Options every subcommand also accepts after its name (``onestop user list --store X``).

    Their defaults are suppressed here, so they only override what the top-level parser set.
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", type=Path, default=argparse.SUPPRESS, help="store file")
    common.add_argument(
        "--operator",
        default=argparse.SUPPRESS,
        help=f"who is running the command, for the audit trail (or {OPERATOR_VARIABLE})",
    )
    common.add_argument(
        "--insecure-dev-keyring",
        action="store_true",
        default=argparse.SUPPRESS,
        help="development only: allow a keyring that does not protect secrets",
    )
    return common


def cmd_wording_pack_import(args: argparse.Namespace, out: TextIO) -> int:
    """Check a licensed questionnaire wording pack and keep it beside the store."""
    services = _open(args)
    try:
        name = services.questionnaires.import_wording_pack(_actor(args), args.pack)
    finally:
        services.close()
    print(f"Imported the licensed wording for {name}; the app shows it from now on.", file=out)
    return 0


def _whole(text: str) -> object:
    """A typed number as an int; anything else is passed on for the service to refuse."""
    digits = text.strip()
    # Only 0-9: str.isdigit() also accepts superscripts, which int() refuses.
    return int(digits) if digits.isascii() and digits.isdigit() else text


def cmd_settings_waiting_times(args: argparse.Namespace, out: TextIO) -> int:
    """Show the waiting-time targets in force, or change them."""
    amounts: dict[str, object] = {}
    for assignment in args.set:
        rule_id, equals, amount = assignment.partition("=")
        if not equals:
            raise ValidationError("settings.bad_assignment")
        amounts[rule_id.strip()] = _whole(amount)
    if both := sorted(set(args.on) & set(args.off)):
        raise ValidationError("settings.on_and_off", rule=", ".join(both))
    active = {rule: True for rule in args.on} | {rule: False for rule in args.off}
    near = {
        unit: _whole(value)
        for unit, value in (
            ("working_days", args.near_working_days),
            ("calendar_days", args.near_calendar_days),
        )
        if value is not None
    }
    services = _open(args)
    try:
        if amounts or active or near or args.reset:
            rules = services.settings.set_waiting_times(
                _actor(args), amounts, active=active, near=near, reset=args.reset
            )
            print("Saved. The worklist uses these targets from now on.", file=out)
        else:
            rules = services.settings.waiting_times(_actor(args))
        changed = services.settings.changed_waiting_times(_actor(args))
    finally:
        services.close()
    units = {"working_days": "working days", "calendar_days": "calendar days"}
    for rule in rules.rules:
        state = "on " if rule.active else "off"
        mark = (
            " (changed by this service)"
            if rule.rule_id in changed["amounts"] or rule.rule_id in changed["active"]
            else ""
        )
        print(
            f"{state} {rule.rule_id:<30} {rule.amount:>3} {units[rule.unit.value]:<13} "
            f"{rule.label}{mark}",
            file=out,
        )
    print(
        f"Highlighted as near: {rules.near.working_days} working days or "
        f"{rules.near.calendar_days} calendar days before due.",
        file=out,
    )
    return 0


def cmd_sync_enrol(args: argparse.Namespace, out: TextIO) -> int:
    """Enrol this device with a sync server."""
    services = _open(args)
    try:
        services.sync.enrol(_actor(args), args.server, args.name, args.ca)
        device = services.context.device_id
    finally:
        services.close()
    print(f"Enrolled this device ({device}) with {args.server}.", file=out)
    print(
        "It syncs once an administrator approves it on the server: "
        f"onestop-server device approve {device} --db DATABASE_URL",
        file=out,
    )
    return 0


def cmd_sync_now(args: argparse.Namespace, out: TextIO) -> int:
    """Push, pull and check once."""
    services = _open(args)
    try:
        report = services.sync.sync_now()
    finally:
        services.close()
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(report.statuses.items()))
    print(
        f"Sent {report.pushed} change(s){f' ({statuses})' if statuses else ''}; "
        f"received {report.pulled}.",
        file=out,
    )
    if report.repulled:
        print("The counts differed from the server's, so everything was fetched again.", file=out)
    return 0


def _add_sync_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    sync = commands.add_parser(
        "sync", parents=[common], help="sync with the central server"
    ).add_subparsers(dest="sync_command", metavar="ACTION", required=True)
    enrol = sync.add_parser("enrol", parents=[common], help="enrol this device with a server")
    enrol.add_argument("--server", required=True, help="the server's address, https://...")
    enrol.add_argument("--name", required=True, help="a name the administrator will recognise")
    enrol.add_argument("--ca", type=Path, help="certificate authority file for the server")
    enrol.set_defaults(run=cmd_sync_enrol)
    sync.add_parser("now", parents=[common], help="push, pull and check once").set_defaults(
        run=cmd_sync_now
    )


def cmd_settings_attestation(args: argparse.Namespace, out: TextIO) -> int:
    """Show the sentences people agree to when they sign or verify a report, or change them."""
    services = _open(args)
    try:
        if args.sign is not None or args.verify is not None:
            words = services.reports.set_attestation(
                _actor(args), sign=args.sign, verify=args.verify
            )
            print("Saved. Shown from the next signing on.", file=out)
        else:
            words = {
                kind: services.reports.attestation_for(_actor(args), kind)
                for kind in ("sign", "verify")
            }
    finally:
        services.close()
    print(f"Signing a report alone: {words['sign']}", file=out)
    print(f"Verifying a trainee's report: {words['verify']}", file=out)
    return 0


def _add_settings_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    settings = commands.add_parser(
        "settings", parents=[common], help="the service's own settings"
    ).add_subparsers(dest="settings_command", metavar="SETTING", required=True)
    targets = settings.add_parser(
        "waiting-times",
        parents=[common],
        help="show or change the waiting-time targets",
        description=(
            "With no options, show the targets in force. Amounts are in each rule's unit; "
            "--reset puts a rule (or 'near') back to the shipped, cited default."
        ),
    )
    targets.add_argument(
        "--set", action="append", default=[], metavar="RULE=AMOUNT", help="a new amount"
    )
    targets.add_argument("--on", action="append", default=[], metavar="RULE", help="switch on")
    targets.add_argument("--off", action="append", default=[], metavar="RULE", help="switch off")
    targets.add_argument("--near-working-days", metavar="N")
    targets.add_argument("--near-calendar-days", metavar="N")
    targets.add_argument("--reset", action="append", default=[], metavar="RULE")
    targets.set_defaults(run=cmd_settings_waiting_times)
    attestation = settings.add_parser(
        "attestation",
        parents=[common],
        help="show or change what people agree to when they sign or verify a scan report",
        description='With no options, show the sentences in force; "" puts the default back.',
    )
    attestation.add_argument("--sign", metavar="WORDS", help="for signing a report alone")
    attestation.add_argument("--verify", metavar="WORDS", help="for verifying a trainee's")
    attestation.set_defaults(run=cmd_settings_attestation)


def build_parser() -> argparse.ArgumentParser:
    """The ``onestop`` argument parser (app commands are added by the launcher)."""
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="onestop", description="OneStop MSK: clinic app and administration."
    )
    parser.add_argument(
        "--store", type=Path, default=None, help="store file (default: this user's data folder)"
    )
    parser.add_argument(
        "--operator",
        default=None,
        help=f"who is running the command, for the audit trail (or {OPERATOR_VARIABLE})",
    )
    parser.add_argument(
        "--insecure-dev-keyring",
        action="store_true",
        help="development only: allow a keyring that does not protect secrets",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser(
        parents=[common], name="init", help="create a new encrypted store"
    ).set_defaults(run=cmd_init)

    user = commands.add_parser(parents=[common], name="user", help="manage users").add_subparsers(
        dest="user_command", metavar="ACTION", required=True
    )
    add = user.add_parser(parents=[common], name="add", help="add a user")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="name as shown on screens and letters")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--body", choices=PROFESSIONAL_BODIES, help="professional body")
    add.add_argument("--registration", help="professional registration number")
    add.add_argument("--profession", choices=PROFESSIONS, help="what they are by training")
    add.add_argument("--supervisor", help="user name of a trainee's supervisor")
    add.add_argument("--must-change", action="store_true", help="change password at sign-in")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(run=cmd_user_add)
    user.add_parser(parents=[common], name="list", help="list users").set_defaults(
        run=cmd_user_list
    )
    for name, active in (("disable", False), ("enable", True)):
        sub = user.add_parser(name, parents=[common], help=f"{name} a user")
        sub.add_argument("username")
        sub.set_defaults(run=_with_active(active))
    reset = user.add_parser(parents=[common], name="reset-password", help="set a new password")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true")
    reset.set_defaults(run=cmd_user_reset)

    seed = commands.add_parser(
        parents=[common], name="seed-demo", help="fill a new store with the demo clinic"
    )
    seed.add_argument("--patients", type=int, default=500)
    seed.set_defaults(run=cmd_seed_demo)

    backup = commands.add_parser(
        parents=[common], name="backup", help="encrypted copy of the store, safe while in use"
    )
    backup.add_argument("destination", type=Path)
    backup.add_argument("--passphrase-stdin", action="store_true")
    backup.set_defaults(run=cmd_backup)

    restore = commands.add_parser(
        parents=[common], name="restore", help="restore a backup as this computer's store"
    )
    restore.add_argument("backup", type=Path)
    restore.add_argument(
        "--replace",
        action="store_true",
        help="keep the current store aside and restore over its place",
    )
    restore.add_argument("--passphrase-stdin", action="store_true")
    restore.set_defaults(run=cmd_restore)

    packs = commands.add_parser(
        "wording-pack", parents=[common], help="licensed questionnaire wording"
    ).add_subparsers(dest="pack_command", metavar="ACTION", required=True)
    pack_import = packs.add_parser(
        "import", parents=[common], help="check a licensed wording pack and use it"
    )
    pack_import.add_argument("pack", type=Path)
    pack_import.set_defaults(run=cmd_wording_pack_import)

    _add_settings_commands(commands, common)
    _add_sync_commands(commands, common)

    audit_cmd = commands.add_parser(
        parents=[common], name="audit", help="the audit trail"
    ).add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_cmd.add_parser(parents=[common], name="verify", help="check the hash chain")
    verify.add_argument(
        "--offline",
        action="store_true",
        help="do not ask the server for its head; compare with the copy recorded here",
    )
    verify.set_defaults(run=cmd_audit_verify)
    return parser


def _with_active(active: bool) -> Callable[[argparse.Namespace, TextIO], int]:
    def run(args: argparse.Namespace, out: TextIO) -> int:
        return cmd_user_active(args, out, active=active)

    return run


def run_command(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run a parsed administration command; errors become plain words and exit code 2.

    Output goes to the streams in use when the command runs (``sys.stdout``/``sys.stderr``
    unless others are given), so a caller that redirects them sees everything.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    args.operator = _operator(args)
    if args.operator is None:
        print(
            f"Name yourself for the audit trail: --operator NAME (or set {OPERATOR_VARIABLE}).",
            file=err,
        )
        return 2
    if args.store is None:
        args.store = bootstrap.default_store_path()
    args.store = args.store.resolve()
    try:
        code: int = args.run(args, out)
    except FormErrors as errors:
        for error in errors.errors:
            print(message_for(error), file=err)
        return 2
    except ClinicError as error:
        print(
            message_for(
                error,
                path=args.store,
                destination=getattr(args, "destination", ""),
                backup=getattr(args, "backup", ""),
            ),
            file=err,
        )
        return 2
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the administration commands."""
    configure_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "run", None) is None:
        parser.print_help()
        return 0
    return run_command(args)
