"""A laptop holding a record holds every registration merged into it, however many merges away.

Registrations merged in are the patient's record as much as the survivor: their entries show
on the survivor's timeline and open from it. The server's scope follows merges all the way (A
into B, then B into C: a laptop holding C holds A and B).
"""

from __future__ import annotations

from clinic_app.container import Services
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.nhs_number import synthetic_numbers
from clinic_app.people.views import PatientInput
from clinic_app.server.scope import _linked
from tests.support.merges import merged_by_sync


def test_scope_follows_a_chain_of_merges_all_the_way(services: Services) -> None:
    numbers = synthetic_numbers(4, start=70_000)
    first, second, third, other = (
        services.patients.register(
            SYSTEM,
            PatientInput(
                given_name="Iris",
                family_name=family,
                date_of_birth="1950-01-02",
                sex="2",
                nhs_number=next(numbers),
            ),
        ).id
        for family in ("Lund", "Lund", "Lund", "Okoro")
    )
    merged_by_sync(services, survivor=second, merged=first)
    merged_by_sync(services, survivor=third, merged=second)
    with services.context.store.engine.connect() as conn:
        assert _linked(conn, {third}) == {first, second}
        assert _linked(conn, {first}) == {second, third}
        assert _linked(conn, {other}) == set()
