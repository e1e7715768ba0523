"""The deprivation import and the joins the figures use, on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from clinic_app.container import Services
from clinic_app.domains.deprivation.figures import decile_for, imd_decile
from clinic_app.domains.deprivation.model import DeprivationPostcode
from clinic_app.domains.deprivation.service import import_postcodes
from clinic_app.figures.engine import Request, compute
from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.store import Store, open_url_store
from clinic_app.kernel.uow import SYSTEM, AppConfig, Context
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.model import Patient
from clinic_app.people.views import PatientInput
from clinic_app.server.cli import main
from tests.core.deprivation.extracts import iod, nspl

pytestmark = pytest.mark.postgres

PASSWORD = "correct horse battery"
PATIENTS = (("9990000018", "ls1 4ap"), ("9990000026", "LS6 2AB"), ("9990000034", "YO1 7HH"))


@pytest.fixture
def pg_services(postgres_url: str) -> Iterator[Services]:
    store: Store = open_url_store(postgres_url)
    yield Services.build(Context(store=store, device_id=uuid7(), config=AppConfig()))
    store.close()


def test_the_server_command_imports_into_postgresql_and_patients_group_by_decile(
    pg_services: Services, postgres_url: str, tmp_path: Path
) -> None:
    services = pg_services
    services.users.add(
        SYSTEM, username="lead", display_name="Lead", role=Role.ADMIN, password=PASSWORD
    )
    lead = services.auth.login("lead", PASSWORD)
    for number, postcode in PATIENTS:
        services.patients.register(
            lead,
            PatientInput(
                given_name="Alex",
                family_name="Example",
                date_of_birth="12/03/1975",
                sex="2",
                nhs_number=number,
                postcode=postcode,
            ),
        )
    postcodes = nspl(tmp_path / "NSPL.csv", [("LS1 4AP", "E01033010"), ("LS6 2AB", "E01011333")])
    index = iod(tmp_path / "File_7.csv", [("E01033010", 2), ("E01011333", 9)])

    code = main(
        [
            "deprivation",
            "import",
            "--db",
            postgres_url,
            "--postcodes",
            str(postcodes),
            "--imd",
            str(index),
        ]
    )

    assert code == 0
    with services.context.store.sessions() as session:
        assert imd_decile(session, "LS1 4AP") == 2
        decile = decile_for(Patient.postcode).label("decile")
        grouped = {
            d: n
            for d, n in session.execute(
                select(decile, func.count()).select_from(Patient).group_by(decile)
            )
        }
    assert grouped == {2: 1, 9: 1, None: 1}


def test_a_postcode_listed_twice_is_named_and_postgresql_keeps_the_old_rows(
    pg_services: Services, tmp_path: Path
) -> None:
    engine = pg_services.context.store.engine
    import_postcodes(engine, nspl(tmp_path / "good.csv", [("LS1 4AP", "E01033010")]))
    rows = [("LS1 1AA", "E01000001"), ("LS1 1AB", "E01000001"), ("LS1 1AA", "E01000002")]

    with pytest.raises(ValidationError) as refused:
        import_postcodes(engine, nspl(tmp_path / "bad.csv", rows), batch_size=2)

    assert refused.value.params == {"line": 4, "value": "LS1 1AA"}
    with pg_services.context.store.sessions() as session:
        assert list(session.scalars(select(DeprivationPostcode.postcode))) == ["LS1 4AP"]


def test_the_friends_and_family_counts_on_postgresql(pg_services: Services) -> None:
    services = pg_services
    services.users.add(
        SYSTEM, username="one", display_name="One", role=Role.CLINICIAN, password=PASSWORD
    )
    one = services.auth.login("one", PASSWORD)
    patient = services.patients.register(
        one,
        PatientInput(
            given_name="Alex",
            family_name="Example",
            date_of_birth="12/03/1975",
            sex="2",
            nhs_number="9990000018",
        ),
    )
    for answer in ("very_good", "good", "poor", "dont_know"):
        services.experience.record(one, patient.id, answer, "Words never exported.")
    month = datetime.now(UTC).date()

    with services.context.store.sessions() as session:
        counted = compute(session, Request("patient_experience_positive", month, month))

    [row] = counted.rows
    assert (row.numerator, row.denominator, row.value) == (2, 4, 0.5)
