"""A laptop's services and a server it pushes to: rows as the laptop's own services wrote them.

A server test pushes what a laptop really ships (its outbox's new rows), written by the user
who pushes them, or those rows changed as a tampered laptop would change them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.domains.triage.views import TriageInput
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.outbox import wire_value
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput, ReferralInput
from clinic_app.server.authorise import Acting
from clinic_app.sync.protocol import Change, Status
from tests.support.server_push import PushServer, push_server

PASSWORD = "correct horse battery"
APPLIED = [(Status.APPLIED, None)]
#: Columns naming the user who wrote a row: the server holds them to the pushing user.
WRITERS = ("created_by", "updated_by", "author_id", "decided_by")


@dataclass
class Laptop:
    """A laptop with a clinician signed in, and the server it pushes to as that clinician."""

    services: Services
    user: CurrentUser
    server: PushServer
    acting: Acting

    def written(self, table: str, row_id: uuid.UUID) -> dict[str, Any]:
        """A new row as the laptop's outbox ships it, written by the user who pushes it here."""
        with self.services.context.store.sessions.begin() as session:
            fields = session.scalars(
                select(OutboxEntry.changed).where(
                    OutboxEntry.table_name == table,
                    OutboxEntry.row_id == row_id,
                    OutboxEntry.operation == "insert",
                )
            ).one()
        by = str(self.acting.user_id)
        return {**fields, **{name: by for name in WRITERS if fields.get(name) is not None}}

    def push(
        self, table: str, row_id: uuid.UUID, *, as_new: bool = False, **changes: Any
    ) -> list[tuple[Status, str | None]]:
        """Push the laptop's new row, with ``changes`` as a tampered laptop would make them.

        ``as_new`` pushes it under a new id (a second row like it).
        """
        fields = {
            **self.written(table, row_id),
            **{name: wire_value(value) for name, value in changes.items()},
        }
        pushed = uuid.uuid4() if as_new else row_id
        change = Change(uuid.uuid4(), table, pushed, "insert", 0, fields, self.acting.user_id)
        return self.server.push(self.acting, change)

    def patient(self, nhs_number: str, family: str) -> uuid.UUID:
        """A synthetic patient registered on the laptop and pushed."""
        registered = self.services.patients.register(
            SYSTEM,
            PatientInput(
                given_name="Harriet",
                family_name=family,
                date_of_birth="1961-07-04",
                sex="2",
                nhs_number=nhs_number,
            ),
        ).id
        assert self.push("patient", registered) == APPLIED
        return registered

    def referral(self, patient: uuid.UUID) -> uuid.UUID:
        """A referral of the patient made on the laptop and pushed."""
        made = self.services.referrals.create(
            SYSTEM,
            ReferralInput(
                patient_id=patient,
                source="gp",
                received_on=date.today().isoformat(),
                referrer_name="Dr A Hughes",
                reason="Knee pain",
                specialty="physiotherapy",
                priority="routine",
            ),
        )
        assert self.push("referral", made.id) == APPLIED
        return made.id

    def episode(self, patient: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
        """A referral of the patient triaged to an appointment on the laptop, all pushed.

        Returns:
            The referral and the episode of care the triage opened.
        """
        referral = self.referral(patient)
        decision = self.services.triage.triage(
            self.user,
            referral,
            TriageInput(outcome="appointment", priority="routine", pathway="physiotherapy"),
        )
        assert decision.episode_id is not None
        assert self.push("triage_decision", decision.id) == APPLIED
        assert self.push("episode_of_care", decision.episode_id) == APPLIED
        return referral, decision.episode_id


@contextmanager
def laptop(services: Services, folder: Path) -> Iterator[Laptop]:
    """A laptop with a clinician signed in, and a new server in ``folder`` with them."""
    services.users.add(
        SYSTEM, username="physio", display_name="Physio", role=Role.CLINICIAN, password=PASSWORD
    )
    server = push_server(folder, (("physio", Role.CLINICIAN),))
    try:
        yield Laptop(
            services, services.auth.login("physio", PASSWORD), server, server.acting["physio"]
        )
    finally:
        server.engine.dispose()
