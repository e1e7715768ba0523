"""A clinic site's contact details, kept on the server for the letters its clinicians print."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from clinic_app.kernel.errors import NotFound, ValidationError
from clinic_app.kernel.staff import Site
from clinic_app.server import users
from clinic_app.server.database import open_server_store


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    store = open_server_store(f"sqlite:///{tmp_path / 'server.db'}")
    yield store.engine
    store.engine.dispose()


def _site(engine: Engine, name: str) -> tuple[str | None, str | None, str | None, int]:
    with engine.connect() as conn:
        row = conn.execute(
            select(Site.address, Site.phone, Site.email, Site.row_version).where(Site.name == name)
        ).one()
    return row.address, row.phone, row.email, row.row_version


def test_a_sites_contact_details_are_kept_tidy_and_changed_one_at_a_time(engine: Engine) -> None:
    with engine.begin() as conn:
        users.add_site(
            conn,
            "Northgate Health Centre",
            "rx1",
            address="Northgate Health Centre\n  12 North Street\nLeeds LS2 9JT ",
            phone=" 0113  496 0200 ",
        )
    assert _site(engine, "Northgate Health Centre") == (
        "Northgate Health Centre, 12 North Street, Leeds LS2 9JT",
        "0113 496 0200",
        None,
        1,
    )

    # Only what is given changes; a blank takes a detail off.
    with engine.begin() as conn:
        users.set_site_contact(conn, "Northgate Health Centre", email="msk.north@example.org")
    assert _site(engine, "Northgate Health Centre")[1:] == (
        "0113 496 0200",
        "msk.north@example.org",
        2,
    )
    with engine.begin() as conn:
        users.set_site_contact(conn, "Northgate Health Centre", phone="")
    assert _site(engine, "Northgate Health Centre")[1:3] == (None, "msk.north@example.org")


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ({"phone": "call reception"}, "site.phone_not_a_number"),
        ({"phone": "0113"}, "site.phone_not_a_number"),
        ({"phone": "0" * 41}, "site.phone_not_a_number"),
        ({"email": "msk at example.org"}, "site.email_not_an_address"),
        ({"email": "msk@example"}, "site.email_not_an_address"),
        ({"address": "x" * 301}, "site.address_too_long"),
    ],
)
def test_contact_details_that_are_not_what_they_say_are_refused(
    engine: Engine, given: dict[str, str], code: str
) -> None:
    with engine.begin() as conn:
        users.add_site(conn, "Southfield Clinic")
    with engine.begin() as conn, pytest.raises(ValidationError) as refused:
        users.set_site_contact(conn, "Southfield Clinic", **given)
    assert refused.value.code == code
    with engine.begin() as conn, pytest.raises(ValidationError):
        users.add_site(conn, "Eastgate Clinic", **given)
    assert _site(engine, "Southfield Clinic") == (None, None, None, 1)


def test_numbers_as_people_write_them_are_taken(engine: Engine) -> None:
    with engine.begin() as conn:
        users.add_site(conn, "Westgate Clinic")
        for number in (
            "0113 496 0300",
            "(0113) 496 0300",
            "+44 113 496 0300",
            "0113 496 0300 ext 12",
        ):
            users.set_site_contact(conn, "Westgate Clinic", phone=number)
        with pytest.raises(NotFound):
            users.set_site_contact(conn, "No Such Clinic", phone="0113 496 0300")
    assert _site(engine, "Westgate Clinic")[1] == "0113 496 0300 ext 12"


def test_the_site_command_says_what_it_needs_in_plain_words(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'server.db'}"

    def site(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "clinic_app.server.cli", "site", *args, "--db", db],
            capture_output=True,
            text=True,
            env={**os.environ, "ONESTOP_OPERATOR": "test.operator"},
            check=False,
        )

    assert site("add", "Northgate Health Centre", "--phone", "0113 496 0200").returncode == 0
    nothing = site("contact", "Northgate Health Centre")
    assert nothing.returncode == 2
    assert "Give what changes: --address, --phone or --email." in nothing.stderr
    bad = site("contact", "Northgate Health Centre", "--phone", "ring reception")
    assert bad.returncode != 0
    assert "Give the telephone number in digits" in bad.stderr
    assert "Traceback" not in bad.stderr
