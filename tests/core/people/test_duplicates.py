"""Possible duplicate patients: flagged when a pull brings a second one, merged by a person."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from clinic_app.bootstrap import create_clinic
from clinic_app.container import Services
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.errors import Conflict, PermissionDenied, ValidationError
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import AlertKind, Role
from clinic_app.people.duplicates import duplicate_id, matches_of
from clinic_app.people.model import PatientDuplicate, PatientMerge
from clinic_app.people.views import PatientInput, ReferralInput
from clinic_app.sync.client import SyncClient
from clinic_app.sync.protocol import PulledRow, PullPage
from clinic_app.sync.wire import synced_table

PASSWORD = "correct horse battery"


class _Pages:
    """A server that hands out the pages a test gives it (only pull is used)."""

    def __init__(self) -> None:
        self.pages: list[PullPage] = []

    def pull(self, cursor: int, limit: int) -> PullPage:
        return self.pages.pop(0) if self.pages else PullPage((), cursor, False, cursor)


def _register(services: Services, nhs: str, family: str = "Lovelace", **more: Any) -> uuid.UUID:
    return services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Ada",
            family_name=family,
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number=nhs,
            **more,
        ),
    ).id


def _refer(services: Services, patient_id: uuid.UUID, reason: str) -> None:
    services.referrals.create(
        SYSTEM,
        ReferralInput(
            patient_id=patient_id,
            source="gp",
            received_on="2025-03-03",
            referrer_name="Dr A Hughes",
            reason=reason,
            specialty="physiotherapy",
        ),
    )


def _rows(services: Services, table: str, column: str, value: uuid.UUID) -> list[PulledRow]:
    """Rows of another device's store as its server would send them."""
    synced = synced_table(table)
    with services.context.store.engine.connect() as conn:
        found = conn.execute(select(synced.table).where(synced.table.c[column] == value))
        return [
            PulledRow(1, table, row["id"], synced.encode(row)) for row in found.mappings().all()
        ]


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Services]:
    services = create_clinic(tmp_path / "other-clinic.db")
    yield services
    services.close()


def _people(services: Services) -> dict[str, Any]:
    for username, role in (("lead", Role.SUPERVISOR), ("physio", Role.CLINICIAN)):
        services.users.add(
            SYSTEM, username=username, display_name=username, role=role, password=PASSWORD
        )
    return {
        "lead": services.auth.login("lead", PASSWORD),
        "physio": services.auth.login("physio", PASSWORD),
    }


def _one_patient_with_both_histories(
    services: Services,
    people: dict[str, Any],
    here: uuid.UUID,
    there: uuid.UUID,
    pair_id: uuid.UUID,
) -> None:
    assert services.duplicates.open_duplicates(people["lead"]) == []
    with pytest.raises(Conflict):
        services.duplicates.merge(people["lead"], pair_id, here, "again")
    # One patient is found, and opening either record opens the survivor with both histories.
    found = services.patients.search(people["physio"], "Lovelace")
    assert [p.id for p in found] == [here]
    for opened in (here, there):
        record = services.patients.open(people["physio"], opened)
        assert record.id == here
        assert record.merged_ids == (there,)
        assert sorted(r.reason for r in record.referrals) == ["Knee pain", "Shoulder pain"]
        assert [a.text for a in record.alerts] == ["Latex"]
    timeline = services.timeline.for_patient(people["physio"], there)
    assert timeline.patient_id == here
    details = sorted(e.detail or "" for g in timeline.episodes for e in g.entries)
    assert details == ["Knee pain", "Shoulder pain"]


def test_a_pulled_second_registration_is_kept_flagged_and_merged_by_a_supervisor(
    services: Services, other: Services
) -> None:
    people = _people(services)
    here = _register(services, "9990000018", alerts=[(AlertKind.ALLERGY, "Latex")])
    _refer(services, here, "Knee pain")
    there = _register(other, "999 000 0018", postcode="LS1 4AP")
    _refer(other, there, "Shoulder pain")

    pages = _Pages()
    client = SyncClient(services.context.store, pages)  # type: ignore[arg-type]
    brought = _rows(other, "patient", "id", there) + _rows(other, "referral", "patient_id", there)
    pages.pages.append(PullPage(tuple(brought), 2, False, 2))
    report = client.pull()

    # The pull stored both rows and moved on; the pair waits for a person.
    assert report.pulled == 2
    listed = services.duplicates.open_duplicates(people["lead"])
    assert [(d.matched_on, {d.first.id, d.second.id}) for d in listed] == [
        ("nhs_number", {here, there})
    ]
    assert listed[0].on_server is False
    with pytest.raises(Conflict) as waiting:
        services.duplicates.merge(people["lead"], listed[0].id, here, "Same person")
    assert waiting.value.code == "duplicate.not_on_server"

    # The server flagged the same pair under the same id; its row replaces the device's note.
    server_row = {
        "id": str(duplicate_id(here, there)),
        "first_patient_id": str(min(here, there)),
        "second_patient_id": str(max(here, there)),
        "matched_on": "nhs_number",
        "status": "open",
        "row_version": 1,
    }
    with services.context.store.engine.connect() as conn:
        note = dict(conn.execute(select(PatientDuplicate.__table__)).mappings().one())
    row = {**synced_table("patient_duplicate").encode(note), **server_row}
    pages.pages.append(PullPage((PulledRow(3, "patient_duplicate", note["id"], row),), 3, False))
    client.pull()
    (pair,) = services.duplicates.open_duplicates(people["lead"])
    assert pair.on_server is True

    with pytest.raises(PermissionDenied):
        services.duplicates.merge(people["physio"], pair.id, here, "Same person")
    with pytest.raises(ValidationError) as no_reason:
        services.duplicates.merge(people["lead"], pair.id, here, "  ")
    assert no_reason.value.field == "reason"
    with pytest.raises(ValidationError) as stranger:
        services.duplicates.merge(people["lead"], pair.id, uuid.uuid4(), "Same person")
    assert stranger.value.code == "merge.survivor_not_in_pair"

    services.duplicates.merge(people["lead"], pair.id, here, "Same NHS number and address")

    _one_patient_with_both_histories(services, people, here, there, pair.id)

    with services.context.store.sessions() as session:
        merge = session.scalars(select(PatientMerge)).one()
        assert (merge.survivor_id, merge.merged_id) == (here, there)
        assert merge.merged_by == people["lead"].id
        assert merge.reason == "Same NHS number and address"
        queued = {row.table_name for row in session.scalars(select(OutboxEntry))}
        assert {"patient_merge", "patient_duplicate"} <= queued
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "patient.merge", AuditEntry.user_id == people["lead"].id)
        )
        assert audited == 2


def test_the_rule_matches_the_same_person_without_a_number_but_never_two_numbers(
    services: Services,
) -> None:
    first = _register(services, "9990000018")
    without = _register(services, "")
    other_number = _register(services, "9990000026")
    someone_else = _register(services, "", family="Byron")
    with services.context.store.engine.connect() as conn:
        assert matches_of(conn, without) == sorted(
            [(first, "demographics"), (other_number, "demographics")]
        )
        # Two different NHS numbers are two people, however alike their details.
        assert matches_of(conn, first) == [(without, "demographics")]
        assert matches_of(conn, someone_else) == []


def test_not_the_same_person_is_recorded_and_the_pair_never_offered_again(
    services: Services, other: Services
) -> None:
    people = _people(services)
    here = _register(services, "")
    there = _register(other, "", postcode="LS1 4AP")
    pages = _Pages()
    client = SyncClient(services.context.store, pages)  # type: ignore[arg-type]
    pages.pages.append(PullPage(tuple(_rows(other, "patient", "id", there)), 1, False, 1))
    client.pull()
    # The server's flag of the same pair, as the next page brings it.
    with services.context.store.engine.connect() as conn:
        note = dict(conn.execute(select(PatientDuplicate.__table__)).mappings().one())
    assert note["matched_on"] == "demographics"
    row = {**synced_table("patient_duplicate").encode(note), "row_version": 1}
    pages.pages.append(PullPage((PulledRow(2, "patient_duplicate", note["id"], row),), 2, False))
    client.pull()

    with pytest.raises(PermissionDenied):
        services.duplicates.dismiss(people["physio"], note["id"], "Twins")
    services.duplicates.dismiss(people["lead"], note["id"], "Different people: twins")
    assert services.duplicates.open_duplicates(people["lead"]) == []
    # The other clinic's record comes again (an edit): the pair stays dismissed.
    pages.pages.append(PullPage(tuple(_rows(other, "patient", "id", there)), 3, False))
    client.pull()
    assert services.duplicates.open_duplicates(people["lead"]) == []
    found = services.patients.search(people["physio"], "Lovelace")
    assert {p.id for p in found} == {here, there}
    with services.context.store.sessions() as session:
        kept = session.get(PatientDuplicate, note["id"])
        assert kept is not None
        assert (kept.status, kept.resolved_by) == ("dismissed", people["lead"].id)
        assert kept.resolution_reason == "Different people: twins"
