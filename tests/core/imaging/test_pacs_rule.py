"""One rule decides whether a study goes to the PACS: asked for by a person, or by a report."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.domains.imaging.model import ImageInstance, ImagingStudy, PacsSend
from clinic_app.domains.imaging.service.pacs import pacs_refusal
from clinic_app.domains.reports.model import ScanReportDicom
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError, Conflict
from clinic_app.kernel.session import Actor
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from tests.core.reports.test_reports import PASSWORD, _content, _study, _user


@pytest.fixture
def sonographer(services: Services) -> CurrentUser:
    return _user(services, "tom", Role.SONOGRAPHER)


def _set_up_pacs(services: Services) -> None:
    services.dicom_settings.change(
        SYSTEM, pacs_ae_title="PACS", pacs_host="127.0.0.1", pacs_port=11112
    )


def _refusal(services: Services, study_id: uuid.UUID, *, resend: bool = False) -> str | None:
    with services.context.store.sessions() as session:
        study = session.get(ImagingStudy, study_id)
        assert study is not None
        refusal: ClinicError | None = pacs_refusal(session, study, resend=resend)
        return refusal.code if refusal is not None else None


def _sends(services: Services, study_id: uuid.UUID) -> list[tuple[str, bool]]:
    with services.context.store.sessions() as session:
        study = session.get(ImagingStudy, study_id)
        assert study is not None
        rows = session.scalars(select(PacsSend).where(PacsSend.study_id == study_id)).all()
        return [(row.state, study.archived_at is None) for row in rows]


def _sign_a_report(services: Services, actor: CurrentUser, image_id: uuid.UUID, study: uuid.UUID):  # type: ignore[no-untyped-def]
    report = services.reports.start(actor, study)
    services.reports.save(actor, report.id, _content(image_id))
    signed = services.reports.sign(actor, report.id, PASSWORD)
    with services.context.store.sessions() as session:
        kept = session.scalars(
            select(ScanReportDicom).where(ScanReportDicom.report_id == signed.id)
        ).one()
        assert session.get(ImageInstance, kept.sr_instance_id) is not None
    return signed


def _archive(services: Services, study_id: uuid.UUID) -> None:
    """As the sender does once the PACS confirms it holds every image."""
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id)
        study = session.get(ImagingStudy, study_id)
        assert study is not None
        study.archived_at = utcnow()
        for send in session.scalars(select(PacsSend).where(PacsSend.study_id == study_id)):
            send.state = "archived"


def test_without_a_pacs_nothing_is_queued_by_a_person_or_a_report(
    services: Services, sonographer: CurrentUser
) -> None:
    image = _study(services, sonographer)
    assert image.study_id is not None
    assert _refusal(services, image.study_id) == "pacs.not_configured"
    _sign_a_report(services, sonographer, image.id, image.study_id)
    assert _sends(services, image.study_id) == []


def test_an_educational_study_is_never_queued_even_by_its_report(
    services: Services, sonographer: CurrentUser
) -> None:
    _set_up_pacs(services)
    image = _study(services, sonographer)
    assert image.study_id is not None
    services.pacs.set_purpose(sonographer, image.study_id, "educational")
    for resend in (False, True):
        assert _refusal(services, image.study_id, resend=resend) == "pacs.educational"
    with pytest.raises(Conflict) as refused:
        services.pacs.send_study(sonographer, image.study_id)
    assert refused.value.code == "pacs.educational"
    _sign_a_report(services, sonographer, image.id, image.study_id)
    assert _sends(services, image.study_id) == []


def test_a_study_already_archived_goes_again_only_with_its_report(
    services: Services, sonographer: CurrentUser
) -> None:
    _set_up_pacs(services)
    image = _study(services, sonographer)
    assert image.study_id is not None
    assert _refusal(services, image.study_id) is None
    services.pacs.send_study(sonographer, image.study_id)
    services.pacs.send_study(sonographer, image.study_id)  # asked again: still one request
    assert _sends(services, image.study_id) == [("waiting", True)]

    _archive(services, image.study_id)
    assert _refusal(services, image.study_id) == "pacs.already_archived"
    assert _refusal(services, image.study_id, resend=True) is None
    with pytest.raises(Conflict) as refused:
        services.pacs.send_study(sonographer, image.study_id)
    assert refused.value.code == "pacs.already_archived"

    # The report signed after the study was archived sends it again, and it waits for the
    # PACS to confirm the report too.
    _sign_a_report(services, sonographer, image.id, image.study_id)
    assert sorted(_sends(services, image.study_id)) == [("archived", True), ("waiting", True)]
