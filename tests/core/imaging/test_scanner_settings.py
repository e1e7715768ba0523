"""The scanners let in, and where the listeners listen: kept as the service's DICOM settings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.demo import DEMO_SCANNER
from clinic_app.domains.imaging.service.settings import changed_dicom_settings
from clinic_app.domains.imaging.views import DicomSettings, KnownScanner
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import FormErrors, PermissionDenied
from clinic_app.kernel.settings import ServiceSetting
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.server.cli import words_for

PASSWORD = "correct horse battery"


def _user(services: Services, name: str, role: Role) -> CurrentUser:
    services.users.add(
        SYSTEM, username=name, display_name=name.title(), role=role, password=PASSWORD
    )
    return services.auth.login(name, PASSWORD)


def test_listeners_listen_on_this_laptop_only_and_let_nobody_in_until_told() -> None:
    settings = DicomSettings()
    assert settings.listen_host == "127.0.0.1"
    assert settings.scanners == ()


def test_the_service_lead_lists_scanners_and_every_device_reads_them_back(
    services: Services,
) -> None:
    lead = _user(services, "lee", Role.ADMIN)
    changed = services.dicom_settings.change(
        lead,
        scanners=[
            {"ae_title": " POCUS1 ", "address": "192.168.10.21", "name": "Knee clinic"},
            KnownScanner("WARD_US", "192.168.20.0/24"),
        ],
        listen_host="0.0.0.0",
    )
    expected = (
        KnownScanner("POCUS1", "192.168.10.21", "Knee clinic"),
        KnownScanner("WARD_US", "192.168.20.0/24", ""),
    )
    assert changed.scanners == expected
    assert services.dicom_settings.current(lead).scanners == expected
    with services.context.store.sessions() as session:
        stored = session.scalars(select(ServiceSetting).where(ServiceSetting.key == "dicom")).one()
        # Stored as plain JSON, so it syncs like every other setting.
        assert json.loads(json.dumps(stored.value))["scanners"][0] == {
            "ae_title": "POCUS1",
            "address": "192.168.10.21",
            "name": "Knee clinic",
        }
    services.dicom_settings.change(lead, scanners=[])
    assert services.dicom_settings.current(lead).scanners == ()


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.SONOGRAPHER, Role.SUPERVISOR])
def test_only_the_service_lead_changes_the_scanners(services: Services, role: Role) -> None:
    someone = _user(services, "sam", role)
    with pytest.raises(PermissionDenied):
        services.dicom_settings.change(someone, scanners=[KnownScanner("X", "10.0.0.1")])
    assert services.dicom_settings.current(someone).scanners == ()


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        ({"ae_title": "", "address": "10.0.0.1"}, "dicom.bad_scanner_ae_title"),
        ({"ae_title": "TOO_LONG_FOR_AN_AE", "address": "10.0.0.1"}, "dicom.bad_scanner_ae_title"),
        ({"ae_title": "BACK\\SLASH", "address": "10.0.0.1"}, "dicom.bad_scanner_ae_title"),
        ({"ae_title": "POCUS1", "address": ""}, "dicom.bad_scanner_address"),
        ({"ae_title": "POCUS1", "address": "scanner.local"}, "dicom.bad_scanner_address"),
        ({"ae_title": "POCUS1", "address": "10.0.0.300"}, "dicom.bad_scanner_address"),
        ({"ae_title": "POCUS1", "address": "10.0.0.1", "name": "x" * 65}, "dicom.bad_scanner_name"),
        ({"ae_title": "POCUS1", "address": "10.0.0.1", "colour": "red"}, "dicom.bad_scanner"),
        ("POCUS1@10.0.0.1", "dicom.bad_scanner"),
        ({"ae_title": 7, "address": "10.0.0.1"}, "dicom.bad_scanner"),
    ],
)
def test_a_bad_scanner_entry_is_refused_on_the_scanners_field(entry: Any, code: str) -> None:
    with pytest.raises(FormErrors) as refused:
        changed_dicom_settings({}, {"scanners": [entry]})
    assert [(e.code, e.field) for e in refused.value.errors] == [(code, "scanners")]
    # The server's settings command words it too.
    assert not words_for(refused.value.errors[0]).startswith("Refused")


def test_the_same_scanner_twice_is_refused_and_a_list_is_needed() -> None:
    twice = [KnownScanner("POCUS1", "10.0.0.1"), KnownScanner("POCUS1", "10.0.0.1/32")]
    with pytest.raises(FormErrors) as refused:
        changed_dicom_settings({}, {"scanners": twice})
    assert refused.value.errors[0].code == "dicom.duplicate_scanner"
    with pytest.raises(FormErrors):
        changed_dicom_settings({}, {"scanners": "POCUS1"})


def test_the_scheduled_station_must_be_an_ae_title() -> None:
    settings, stored = changed_dicom_settings({}, {"worklist_station": "US1"})
    assert (settings.worklist_station, stored) == ("US1", {"worklist_station": "US1"})
    with pytest.raises(FormErrors) as refused:
        changed_dicom_settings({}, {"worklist_station": "A\\B"})
    assert [(e.code, e.field) for e in refused.value.errors] == [
        ("dicom.bad_ae_title", "worklist_station")
    ]


def test_the_demo_clinic_lets_in_its_own_scanner(demo: Services) -> None:
    assert demo.dicom_settings.current(SYSTEM).scanners == (DEMO_SCANNER,)
