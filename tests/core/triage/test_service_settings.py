"""A service's own waiting-time settings: stored over the defaults, used by the worklist."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from clinic_app import cli
from clinic_app.bootstrap import open_clinic
from clinic_app.container import Services
from clinic_app.domains.triage.content import waiting_times
from clinic_app.domains.triage.rules import NearThresholds, TargetState
from clinic_app.domains.triage.views import WorklistItem
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import FormErrors, PermissionDenied
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.security import audit
from clinic_app.kernel.session import Actor
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput, ReferralInput

PASSWORD = "correct horse battery"
RECEIVED = date(2025, 3, 10)  # a Monday, no bank holiday for weeks either side
TODAY = date(2025, 3, 12)
RETURN = "return_incomplete"  # 5 working days by default
ROUTINE = "appointment_routine"  # 28 calendar days by default
PRIORITY = "appointment_priority"  # 14 calendar days by default
TRIAGE_ALL = "triage_all_referrals"  # off by default
NOTHING_CHANGED: dict[str, dict[str, object]] = {"amounts": {}, "active": {}, "near": {}}


@dataclass
class Clinic:
    services: Services
    admin: CurrentUser
    clinician: CurrentUser


def _user(services: Services, name: str, role: Role) -> CurrentUser:
    services.users.add(
        SYSTEM, username=name, display_name=name.title(), role=role, password=PASSWORD
    )
    return services.auth.login(name, PASSWORD)


@pytest.fixture
def clinic(services: Services) -> Clinic:
    return Clinic(
        services=services,
        admin=_user(services, "lead", Role.ADMIN),
        clinician=_user(services, "physio", Role.CLINICIAN),
    )


def _routine_referral(services: Services) -> None:
    patient = services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Harriet",
            family_name="Ashworth",
            date_of_birth="1961-07-04",
            sex="2",
            nhs_number="9990000018",
        ),
    )
    services.referrals.create(
        SYSTEM,
        ReferralInput(
            patient_id=patient.id,
            source="gp",
            received_on=RECEIVED.isoformat(),
            referrer_name="Dr A Hughes",
            reason="Knee pain",
            specialty="physiotherapy",
            priority="routine",
        ),
    )


def _only_item(clinic: Clinic) -> WorklistItem:
    [item] = clinic.services.triage.worklist(clinic.admin, today=TODAY)
    return item


def _targets(item: WorklistItem) -> dict[str, tuple[date | None, int | None]]:
    return {t.rule_id: (t.due, t.days_left) for t in item.targets}


def _stored(services: Services) -> ServiceSetting | None:
    with services.context.store.sessions() as session:
        return session.get(ServiceSetting, setting_id("waiting_times"))


# ---------------------------------------------------------------- reading and the worklist


def test_defaults_apply_until_the_service_changes_something(clinic: Clinic) -> None:
    """With nothing stored, everyone reads the shipped rules and no changes."""
    shipped = waiting_times()
    for actor in (clinic.admin, clinic.clinician):
        assert clinic.services.settings.waiting_times(actor) == shipped
        assert clinic.services.settings.changed_waiting_times(actor) == NOTHING_CHANGED
    assert _stored(clinic.services) is None


def test_a_changed_amount_moves_the_worklist_due_date(clinic: Clinic) -> None:
    """A new amount changes the target's due date and days left on the worklist."""
    _routine_referral(clinic.services)
    settings = clinic.services.settings
    item = _only_item(clinic)
    assert _targets(item) == {ROUTINE: (date(2025, 4, 7), 26), RETURN: (date(2025, 3, 17), 3)}
    assert (item.due, item.days_left) == (date(2025, 3, 17), 3)

    settings.set_waiting_times(clinic.admin, {RETURN: 10})
    item = _only_item(clinic)
    assert _targets(item) == {ROUTINE: (date(2025, 4, 7), 26), RETURN: (date(2025, 3, 24), 8)}
    assert (item.due, item.days_left) == (date(2025, 3, 24), 8)

    # A shorter appointment target becomes the most pressing one, and is near its due date.
    settings.set_waiting_times(clinic.admin, {ROUTINE: 3})
    item = _only_item(clinic)
    assert _targets(item)[ROUTINE] == (date(2025, 3, 13), 1)
    assert (item.due, item.days_left, item.state) == (date(2025, 3, 13), 1, TargetState.NEAR)

    # With no near window, the same target is simply open.
    settings.set_waiting_times(clinic.admin, near={"calendar_days": 0})
    assert _only_item(clinic).state is TargetState.OK


def test_switching_a_rule_off_removes_its_target(clinic: Clinic) -> None:
    """A rule switched off gives no target; one switched on adds its target."""
    _routine_referral(clinic.services)
    settings = clinic.services.settings
    rules = settings.set_waiting_times(clinic.admin, active={RETURN: False})
    assert RETURN not in {r.rule_id for r in rules.active_rules}
    item = _only_item(clinic)
    assert set(_targets(item)) == {ROUTINE}
    assert (item.due, item.days_left) == (date(2025, 4, 7), 26)

    settings.set_waiting_times(clinic.admin, active={TRIAGE_ALL: True})
    assert set(_targets(_only_item(clinic))) == {ROUTINE, TRIAGE_ALL}


# ---------------------------------------------------------------- checking what is set


def test_every_bad_value_is_reported_and_nothing_is_stored(clinic: Clinic) -> None:
    """Each bad value gives one FormErrors entry, and the previous settings stay."""
    settings = clinic.services.settings
    settings.set_waiting_times(clinic.admin, {ROUTINE: 21})
    before = settings.changed_waiting_times(clinic.admin)
    stored_before = _stored(clinic.services)
    assert stored_before is not None

    with pytest.raises(FormErrors) as caught:
        settings.set_waiting_times(
            clinic.admin,
            {
                RETURN: "five",
                ROUTINE: 0,
                PRIORITY: 366,  # calendar days: at most 365
                "triage_urgent_priority_tier2": True,  # a switch is not an amount
                "no_such_rule": 3,
            },
            active={TRIAGE_ALL: "yes", "also_missing": True},
            near={"working_days": 66, "fortnights": 1},
        )
    found = [(e.code, e.field) for e in caught.value.errors]
    assert sorted(found) == sorted(
        [
            ("service_rules.not_a_whole_number", f"{RETURN}.amount"),
            ("service_rules.out_of_range", f"{ROUTINE}.amount"),
            ("service_rules.out_of_range", f"{PRIORITY}.amount"),
            ("service_rules.not_a_whole_number", "triage_urgent_priority_tier2.amount"),
            ("service_rules.unknown_rule", "no_such_rule.amount"),
            ("service_rules.not_yes_or_no", f"{TRIAGE_ALL}.active"),
            ("service_rules.unknown_rule", "also_missing.active"),
            ("service_rules.out_of_range", "near.working_days"),
            ("service_rules.unknown_unit", "near.fortnights"),
        ]
    )
    ranges = {e.field: e.params for e in caught.value.errors if e.code.endswith("out_of_range")}
    assert ranges[f"{PRIORITY}.amount"] == {"value": 366, "minimum": 1, "maximum": 365}
    assert ranges["near.working_days"] == {"value": 66, "minimum": 0, "maximum": 65}

    with pytest.raises(FormErrors) as caught:
        settings.set_waiting_times(clinic.admin, {RETURN: 6}, reset=["no_such_rule", ROUTINE])
    assert [(e.code, e.field) for e in caught.value.errors] == [
        ("service_rules.unknown_rule", "no_such_rule.reset")
    ]

    assert settings.changed_waiting_times(clinic.admin) == before
    assert settings.waiting_times(clinic.admin).rule(ROUTINE).amount == 21
    assert settings.waiting_times(clinic.admin).rule(RETURN).amount == 5
    stored_after = _stored(clinic.services)
    assert stored_after is not None
    assert (stored_after.value, stored_after.row_version) == (
        stored_before.value,
        stored_before.row_version,
    )


def test_only_changes_from_the_defaults_are_stored(clinic: Clinic) -> None:
    """Values equal to the shipped defaults are left out of the stored setting."""
    settings = clinic.services.settings
    settings.set_waiting_times(
        clinic.admin, {ROUTINE: 28}, active={TRIAGE_ALL: False}, near={"working_days": 1}
    )
    assert settings.changed_waiting_times(clinic.admin) == NOTHING_CHANGED

    settings.set_waiting_times(
        clinic.admin,
        {ROUTINE: 28, RETURN: 7},
        active={RETURN: True, TRIAGE_ALL: True},
        near={"calendar_days": 5},
    )
    expected = {"amounts": {RETURN: 7}, "active": {TRIAGE_ALL: True}, "near": {"calendar_days": 5}}
    assert settings.changed_waiting_times(clinic.admin) == expected
    row = _stored(clinic.services)
    assert row is not None
    assert (row.key, row.value) == ("waiting_times", expected)

    # Setting a value back to its default drops it from what is stored.
    settings.set_waiting_times(clinic.admin, {RETURN: 5}, active={TRIAGE_ALL: False})
    assert settings.changed_waiting_times(clinic.admin) == {
        "amounts": {},
        "active": {},
        "near": {"calendar_days": 5},
    }


def test_reset_returns_a_rule_or_the_near_thresholds_to_the_default(clinic: Clinic) -> None:
    """Reset of a rule clears its amount and switch; reset of near clears both thresholds."""
    settings = clinic.services.settings
    settings.set_waiting_times(
        clinic.admin,
        {RETURN: 7, ROUTINE: 21},
        active={RETURN: False},
        near={"working_days": 2, "calendar_days": 7},
    )
    rules = settings.set_waiting_times(clinic.admin, reset=[RETURN])
    shipped = waiting_times()
    assert rules.rule(RETURN) == shipped.rule(RETURN)
    assert rules.rule(ROUTINE).amount == 21
    assert rules.near == NearThresholds(working_days=2, calendar_days=7)

    rules = settings.set_waiting_times(clinic.admin, reset=["near", ROUTINE])
    assert rules == shipped
    assert settings.waiting_times(clinic.clinician) == shipped
    assert settings.changed_waiting_times(clinic.admin) == NOTHING_CHANGED

    # A reset and a new amount in one change: the new amount wins.
    rules = settings.set_waiting_times(clinic.admin, {RETURN: 9}, reset=[RETURN])
    assert rules.rule(RETURN).amount == 9


def test_clinicians_may_read_but_not_change_the_settings(clinic: Clinic) -> None:
    """Changing the targets needs settings.manage, which only the admin has."""
    with pytest.raises(PermissionDenied) as caught:
        clinic.services.settings.set_waiting_times(clinic.clinician, {ROUTINE: 21})
    assert caught.value.params["action"] == "settings.manage"
    with pytest.raises(PermissionDenied):
        clinic.services.settings.set_waiting_times(clinic.clinician, reset=["near"])
    assert _stored(clinic.services) is None
    assert clinic.services.settings.waiting_times(clinic.clinician) == waiting_times()


def test_a_change_is_audited_and_queued_for_sync(clinic: Clinic) -> None:
    """Each change adds an audit entry (trail intact) and an outbox entry for the row."""
    settings = clinic.services.settings
    settings.set_waiting_times(clinic.admin, {ROUTINE: 21})
    settings.set_waiting_times(clinic.admin, reset=[ROUTINE])
    row_id = setting_id("waiting_times")
    with clinic.services.context.store.sessions() as session:
        entries = list(
            session.execute(
                select(AuditEntry.user_id, AuditEntry.entity).where(
                    AuditEntry.action == "settings.waiting_times"
                )
            )
        )
        queued = [
            row.operation
            for row in session.scalars(
                select(OutboxEntry)
                .where(OutboxEntry.table_name == "service_setting", OutboxEntry.row_id == row_id)
                .order_by(OutboxEntry.seq)
            )
        ]
        report = audit.verify(session)
    assert entries == [(clinic.admin.id, "service_setting")] * 2
    assert queued == ["insert", "update"]
    assert report.intact, report.problems


def test_the_setting_row_id_comes_from_its_key() -> None:
    """Two devices saving the same setting make the same row id."""
    assert setting_id("waiting_times") == setting_id("waiting_times")
    assert setting_id("waiting_times") != setting_id("other_setting")


def test_a_setting_for_a_rule_no_longer_shipped_does_not_block_changes(clinic: Clinic) -> None:
    """A leftover setting for a retired rule is ignored when the admin changes another rule."""
    with clinic.services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=clinic.services.context.device_id)
        session.add(
            ServiceSetting(
                id=setting_id("waiting_times"),
                key="waiting_times",
                value={"amounts": {"retired_rule": 4}, "active": {}, "near": {}},
            )
        )
    # Reading tolerates it, as rules_in_force documents.
    assert clinic.services.settings.waiting_times(clinic.admin) == waiting_times()
    rules = clinic.services.settings.set_waiting_times(clinic.admin, {ROUTINE: 21})
    assert rules.rule(ROUTINE).amount == 21


# ---------------------------------------------------------------- the command


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


Onestop = Callable[..., Outcome]


@pytest.fixture
def onestop(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, store_path: Path
) -> Onestop:
    """Run ``onestop --store STORE settings waiting-times ARGS`` on a new store."""

    def run(*argv: str) -> Outcome:
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        code = cli.main(["--store", str(store_path), "settings", "waiting-times", *argv])
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    assert cli.main(["--store", str(store_path), "init"]) == 0
    capsys.readouterr()
    return run


def _lines_by_rule(out: str) -> dict[str, str]:
    return {line.split()[1]: line for line in out.splitlines() if line[:3] in {"on ", "off"}}


def _changed(store_path: Path) -> dict[str, dict[str, object]]:
    services = open_clinic(store_path)
    try:
        return services.settings.changed_waiting_times(SYSTEM)
    finally:
        services.close()


def test_command_prints_the_targets_in_force(onestop: Onestop, store_path: Path) -> None:
    """With no options the command lists every rule and the near thresholds."""
    shown = onestop()
    assert shown.code == 0, shown.err
    lines = _lines_by_rule(shown.out)
    assert set(lines) == {rule.rule_id for rule in waiting_times().rules}
    assert lines[ROUTINE].split()[:4] == ["on", ROUTINE, "28", "calendar"]
    assert lines[TRIAGE_ALL].split()[:4] == ["off", TRIAGE_ALL, "2", "working"]
    assert "changed by this service" not in shown.out
    assert "Saved" not in shown.out
    assert "Highlighted as near: 1 working days or 3 calendar days before due." in shown.out
    assert _changed(store_path) == NOTHING_CHANGED


def test_command_saves_changes_and_resets_them(onestop: Onestop, store_path: Path) -> None:
    """--set, --on, --off and --near-* are saved; --reset puts them back."""
    saved = onestop(
        "--set",
        f"{ROUTINE}=21",
        "--off",
        RETURN,
        "--on",
        TRIAGE_ALL,
        "--near-working-days",
        "2",
    )
    assert saved.code == 0, saved.err
    assert saved.out.startswith("Saved.")
    lines = _lines_by_rule(saved.out)
    assert lines[ROUTINE].split()[:3] == ["on", ROUTINE, "21"]
    assert lines[RETURN].startswith("off")
    assert lines[TRIAGE_ALL].startswith("on ")
    for rule in (ROUTINE, RETURN, TRIAGE_ALL):
        assert lines[rule].endswith("(changed by this service)"), rule
    assert not lines[PRIORITY].endswith("(changed by this service)")
    assert "Highlighted as near: 2 working days or 3 calendar days" in saved.out
    assert _changed(store_path) == {
        "amounts": {ROUTINE: 21},
        "active": {RETURN: False, TRIAGE_ALL: True},
        "near": {"working_days": 2},
    }
    assert _lines_by_rule(onestop().out)[ROUTINE].split()[2] == "21"

    reset = onestop("--reset", ROUTINE, "--reset", RETURN, "--reset", TRIAGE_ALL, "--reset", "near")
    assert reset.code == 0, reset.err
    assert "changed by this service" not in reset.out
    assert _changed(store_path) == NOTHING_CHANGED


def test_command_errors_are_plain_words_with_exit_code_2(
    onestop: Onestop, store_path: Path
) -> None:
    """Bad values are each named in words on stderr, exit 2, and nothing is saved."""
    assert onestop("--set", f"{PRIORITY}=10").code == 0
    bad = onestop(
        "--set",
        f"{ROUTINE}=soon",
        "--set",
        f"{RETURN}=0",
        "--near-calendar-days",
        "400",
    )
    assert bad.code == 2
    assert bad.out == ""
    assert set(bad.err.splitlines()) == {
        f"The amount of {ROUTINE} must be a whole number.",
        f"The amount of {RETURN} must be from 1 to 65 (not 0).",
        "The near threshold in calendar days must be from 0 to 365 (not 400).",
    }
    for argv, words in (
        (("--set", "no_such_rule=3"), "There is no waiting-time rule called no_such_rule."),
        (("--reset", "no_such_rule"), "There is no waiting-time rule called no_such_rule."),
        (("--off", "no_such_rule"), "There is no waiting-time rule called no_such_rule."),
        (("--set", ROUTINE), "Write each new amount as RULE=NUMBER"),
        (("--near-working-days", "-1"), "The near threshold in working days must be a whole"),
    ):
        result = onestop(*argv)
        assert result.code == 2, argv
        assert result.err.startswith(words), (argv, result.err)
        assert "Traceback" not in result.err
    assert _changed(store_path) == {"amounts": {PRIORITY: 10}, "active": {}, "near": {}}


def test_command_refuses_a_superscript_digit_in_plain_words(onestop: Onestop) -> None:
    """A character str.isdigit accepts but int() does not is still a plain-word error."""
    result = onestop("--set", f"{ROUTINE}=²")
    assert result.code == 2
    assert result.err.startswith(f"The amount of {ROUTINE} must be a whole number.")
