"""A person's choice in a conflict, applied without the checks a push of the same value gets."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.security import keychain
from clinic_app.records.registry import record_type_for_table
from clinic_app.records.seal import seal_refusal
from clinic_app.sync.protocol import Status
from tests.integration.sync.hostile_moves.helpers import change, push, stored, token
from tests.integration.sync.hostile_moves.test_hostile_reports import _new_report
from tests.support.server_push import sealed
from tests.support.sync_server import Device, SyncServer, sign_in
from tests.support.two_sites import PASSWORD

pytestmark = pytest.mark.timeout(300)


def _signing(row: Any, **values: Any) -> dict[str, Any]:
    """A change taking ``row`` to signed with ``values`` (by column), its seal matching."""
    signed_at = datetime.now(UTC).replace(microsecond=0)
    whole = {**dict(row), "status": "signed", "signed_at": signed_at, **values}
    fields = {
        "status": "signed",
        "signed_at": signed_at.isoformat(),
        "content_sha256": sealed("scan_report", whole)["content_sha256"],
    }
    fields.update({k: str(v) if isinstance(v, uuid.UUID) else v for k, v in values.items()})
    return fields


def test_a_conflict_choice_never_makes_a_report_signed_without_its_seal(
    server: SyncServer, north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """Choosing "signed" in a conflict on a report's status stores it signed, unsealed.

    Ann's signing of her own report (returned to her by Helen) arrives on a stale base: the
    status changed since, so the whole signing is held back and only the status is kept as a
    conflict (its seal, ``signed_at``, is neither taken nor kept). Ann then chooses "signed"
    through ``/v1/conflicts/{id}/resolve``: the choice is checked by the role and lifecycle
    rules only (``apply._choice_refusal`` → ``authorise.refusal``), not by the table's own
    checks and the seal check a push gets (``apply._checked``: ``seal_refusal``), and
    ``apply_change`` is run without ``acting``. The report is final with no signing time and no
    seal: every laptop shows it as altered, and its SR is never made. README: "a record
    pushed as signed must be one the app would have signed ... and a seal that matches what it
    covers (``sync.not_signable``, ``sync.seal_broken``)".
    """
    mine, _ = two_patients
    ann = north.actor.id
    server.add_user("helen", "Helen Example", "supervisor", PASSWORD)
    helen = sign_in(north, "helen", PASSWORD)
    as_helen = keychain.sync_token(north.device_id, helen.id)
    assert as_helen
    sign_in(north, "ann", PASSWORD)
    as_ann = token(north)
    # Ann's draft, sent to Helen for a second opinion and returned to her.
    report = _new_report(north, as_ann, mine, ann, supervisor_id=str(helen.id), signed_by=str(ann))
    first = stored(db, "scan_report", report)
    submitted = push(
        north, as_ann, change("scan_report", report, {"status": "submitted"}, base=1)
    ).results[0]
    assert submitted.status is Status.APPLIED, submitted
    returned = push(
        north, as_helen, change("scan_report", report, {"status": "returned"}, base=2)
    ).results[0]
    assert returned.status is Status.APPLIED, returned

    # Ann's signing, made before she pulled: sealed, on the first version's base.
    stale = push(
        north,
        as_ann,
        change(
            "scan_report",
            report,
            _signing({**dict(first), "status": "returned"}, signed_by=ann),
            base=1,
        ),
    ).results[0]
    assert stale.status is Status.CONFLICT, stale
    conflicts = [c for c in north.transport.conflicts() if c.get("row_id") == str(report)]
    assert [c["field"] for c in conflicts] == ["status"], conflicts

    with contextlib.suppress(ClinicError):  # refused: the report stays as it was
        north.transport.resolve_conflict(str(conflicts[0]["id"]), "signed", as_ann)

    row = stored(db, "scan_report", report)
    record_type = record_type_for_table("scan_report")
    assert record_type is not None
    assert row["status"] != "signed" or seal_refusal(record_type, dict(row), None) is None, (
        row["status"],
        row["signed_at"],
        row["content_sha256"],
    )
