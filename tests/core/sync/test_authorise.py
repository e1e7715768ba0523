"""The server's table → action map covers every syncing table, and uses the shared definitions."""

from __future__ import annotations

import uuid

import pytest

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.kernel.security.permissions import PERMISSIONS, Action
from clinic_app.kernel.vocabulary import Role
from clinic_app.records.registry import record_type_for_table
from clinic_app.server.authorise import DEVICE_ACTIONS, TABLE_RULES, Acting, refusal
from clinic_app.sync.protocol import Change
from clinic_app.sync.wire import synced_tables


def test_every_syncing_table_has_one_rule() -> None:
    # A new syncing table must say here who may write it; until it does, it is refused.
    assert set(TABLE_RULES) == set(synced_tables())


def test_the_server_only_tables_are_users_sites_and_service_settings() -> None:
    only = {name for name, rule in TABLE_RULES.items() if rule.server_only}
    assert only == {"app_user", "site", "service_setting"}


def _change(table: str) -> Change:
    return Change(uuid.uuid4(), table, uuid.uuid4(), "insert", 0, {})


@pytest.mark.parametrize("role", list(Role))
def test_a_role_writes_a_table_only_with_an_action_its_permissions_hold(role: Role) -> None:
    acting = Acting(uuid.uuid4(), role)
    for name, rule in TABLE_RULES.items():
        # A record type's table is checked by its lifecycle too (its tests are below).
        if rule.server_only or record_type_for_table(name) is not None:
            continue
        # Signed, recorded or decided by the acting user, as the app writes it.
        own = dict.fromkeys(rule.own_columns, acting.user_id)
        allowed = refusal(acting, _change(name), None, own) is None
        assert allowed == bool(rule.insert & PERMISSIONS[role]), (role, name)


def test_the_device_alone_may_only_receive_and_archive_images() -> None:
    device = Acting(None, None)
    assert device.actions == DEVICE_ACTIONS == {Action.IMAGE_RECEIVE, Action.IMAGE_ARCHIVE}
    assert refusal(device, _change("patient"), None, {}) == "sync.not_allowed"
    assert refusal(device, _change("imaging_study"), None, {}) is None


def test_a_disabled_user_may_write_nothing() -> None:
    acting = Acting(uuid.uuid4(), Role.CLINICIAN, active=False)
    assert refusal(acting, _change("patient"), None, {}) == "sync.user_disabled"


@pytest.mark.parametrize(
    ("table", "column", "role"),
    [
        ("questionnaire_response", "recorded_by", Role.CLINICIAN),
        ("red_flag_screening", "recorded_by", Role.CLINICIAN),
        ("red_flag_action", "recorded_by", Role.CLINICIAN),
        ("red_flag_action", "done_by", Role.CLINICIAN),
        ("red_flag_resolution", "recorded_by", Role.CLINICIAN),
        ("triage_decision", "decided_by", Role.CLINICIAN),
    ],
)
def test_who_recorded_or_decided_is_the_pushing_user(table: str, column: str, role: Role) -> None:
    me, colleague = uuid.uuid4(), uuid.uuid4()
    change = Change(uuid.uuid4(), table, uuid.uuid4(), "insert", 0, {})

    assert refusal(Acting(me, role), change, None, {column: me}) is None
    # A modified laptop crediting (or blaming) a colleague: the figures count by these columns.
    assert refusal(Acting(me, role), change, None, {column: colleague}) == "sync.not_yours"


@pytest.mark.parametrize(
    ("table", "column", "role"),
    [
        ("appointment_clash", "second_appointment_id", Role.ADMIN),
        ("appointment_clash", "clinician_id", Role.ADMIN),
        ("image_instance", "attachment_id", Role.SONOGRAPHER),
        ("patient_alert", "patient_id", Role.CLINICIAN),
        ("scan_report", "author_id", Role.SUPERVISOR),
        ("letter_record", "site_id", Role.CLINICIAN),
    ],
)
def test_what_a_record_links_or_who_wrote_it_is_never_changed_once_set(
    table: str, column: str, role: Role
) -> None:
    acting = Acting(uuid.uuid4(), role)
    change = Change(uuid.uuid4(), table, uuid.uuid4(), "update", 1, {})
    stored = {column: uuid.uuid4(), "status": "open"}

    assert refusal(acting, change, stored, {column: uuid.uuid4()}) == "sync.record_moved"
    # Set where it was empty (an image given its study, say), it is a first setting.
    assert refusal(acting, change, {**stored, column: None}, {column: uuid.uuid4()}) != (
        "sync.record_moved"
    )
