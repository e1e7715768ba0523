"""The CSDS extract of a month seeded through the services: tables, formats, links, no words."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import ClinicError, Conflict, ValidationError
from clinic_app.kernel.session import Actor
from clinic_app.people.model import Patient, PatientMerge
from clinic_app.people.views import PatientInput, ReferralInput
from clinic_app.server.exports.csds import csds_rows, open_in_month
from clinic_app.server.exports.definition import data_set
from clinic_app.server.exports.period import Month
from clinic_app.server.exports.write import check_rows, write_extract
from tests.core.datasets.checks import check_folder, nhs_check_digit_holds
from tests.core.datasets.seed import MARKER, NHS_NUMBERS, SITE_ODS, SeededMonth, with_tool_concept


def _export(seeded: SeededMonth, folder: Path) -> dict[str, list[dict[str, str]]]:
    """Every seeded month written to its own folder, checked, and the rows put together."""
    data = with_tool_concept(data_set("csds"))
    tables: dict[str, list[dict[str, str]]] = {}
    with seeded.services.context.store.engine.connect() as conn:
        for month in seeded.months:
            out = folder / month.label
            write_extract(data, csds_rows(conn, data, month), out)
            for table_id, rows in check_folder("csds", out).items():
                tables.setdefault(table_id, []).extend(rows)
    return tables


def _one_each(rows: list[dict[str, str]], field: str) -> list[dict[str, str]]:
    """Rows repeated across months (a referral open in both) counted once."""
    return list({row[field]: row for row in rows}.values())


def test_every_table_holds_the_month_in_the_declared_formats(
    seeded: SeededMonth, tmp_path: Path
) -> None:
    tables = _export(seeded, tmp_path)

    patients = _one_each(tables["CYP001"], "LOCAL PATIENT IDENTIFIER (EXTENDED)")
    assert sorted(row["NHS NUMBER"] for row in patients) == sorted(NHS_NUMBERS)
    assert all(nhs_check_digit_holds(row["NHS NUMBER"]) for row in patients)
    assert {row["NHS NUMBER STATUS INDICATOR CODE"] for row in patients} == {"02"}
    assert {(row["PERSON BIRTH DATE"], row["POSTCODE OF USUAL ADDRESS"]) for row in patients} == {
        ("1961-07-04", "LS1 4AP")
    }
    referrals = _one_each(tables["CYP101"], "SERVICE REQUEST IDENTIFIER")
    assert len(referrals) == 2
    assert {
        (r["PRIORITY TYPE CODE"], r["SOURCE OF REFERRAL FOR COMMUNITY"]) for r in referrals
    } == {
        ("1", "")  # no confirmed national code for the service's sources: left empty
    }
    contacts = sorted(tables["CYP201"], key=lambda row: row["ATTENDANCE STATUS"])
    assert [
        (
            row["ATTENDANCE STATUS"],
            row["CONSULTATION MEDIUM USED"],
            row["CLINICAL CONTACT DURATION OF CARE CONTACT"],
            row["ORGANISATION SITE IDENTIFIER (OF TREATMENT)"],
        )
        for row in contacts
    ] == [("3", "02", "", SITE_ODS), ("5", "01", "25", SITE_ODS)]
    assert sorted(row["PERSON SCORE"] for row in tables["CYP609"]) == ["28", "32"]
    [diagnosis] = tables["CYP607"]
    assert diagnosis["DIAGNOSIS SCHEME IN USE (COMMUNITY CARE)"] == "06"
    [onward] = tables["CYP105"]
    assert onward["ONWARD REFERRAL REASON (COMMUNITY CARE)"] == ""


def test_every_row_names_a_referral_and_a_patient_sent_with_it(
    seeded: SeededMonth, tmp_path: Path
) -> None:
    tables = _export(seeded, tmp_path)

    referrals = {row["SERVICE REQUEST IDENTIFIER"] for row in tables["CYP101"]}
    patients = {row["LOCAL PATIENT IDENTIFIER (EXTENDED)"] for row in tables["CYP001"]}
    for table_id in ("CYP201", "CYP609", "CYP607", "CYP105"):
        assert {row["SERVICE REQUEST IDENTIFIER"] for row in tables[table_id]} <= referrals
    assert {row["LOCAL PATIENT IDENTIFIER (EXTENDED)"] for row in tables["CYP101"]} <= patients
    # Identifiers are derived, never the rows' own ids.
    assert all(len(value) == 20 for value in referrals | patients)


def test_no_free_text_and_no_name_leaves(seeded: SeededMonth, tmp_path: Path) -> None:
    _export(seeded, tmp_path)

    for written in tmp_path.rglob("*.csv"):
        text = written.read_text(encoding="utf-8")
        assert MARKER not in text, written.name
        assert "Harriet" not in text
        assert "knee" not in text.casefold()


def test_a_questionnaire_with_no_confirmed_concept_is_not_sent(
    seeded: SeededMonth,
) -> None:
    shipped = data_set("csds")
    with seeded.services.context.store.engine.connect() as conn:
        rows = [csds_rows(conn, shipped, month)["CYP609"] for month in seeded.months]

    assert rows == [[] for _ in seeded.months]


def test_a_month_with_no_data_gives_every_file_with_its_headings_only(
    seeded: SeededMonth, tmp_path: Path
) -> None:
    data = data_set("csds")
    with seeded.services.context.store.engine.connect() as conn:
        rows = csds_rows(conn, data, Month.parse("2001-01"))
    written = write_extract(data, rows, tmp_path)

    assert [(done.path.name, done.rows) for done in written] == [
        (f"{table.name}.csv", 0) for table in data.tables
    ]
    assert all(rows == [] for rows in check_folder("csds", tmp_path).values())


def test_a_value_the_field_refuses_stops_the_extract_without_naming_it() -> None:
    table = data_set("csds").table("CYP001")
    row = {
        "LOCAL PATIENT IDENTIFIER (EXTENDED)": "A" * 20,
        "NHS NUMBER": "9990000019",  # its check digit does not hold
        "NHS NUMBER STATUS INDICATOR CODE": "02",
        "PERSON BIRTH DATE": "1961-07-04",
        "PERSON STATED GENDER CODE": "2",
        "ETHNIC CATEGORY": "99",
    }

    with pytest.raises(ClinicError) as refused:
        check_rows(table, [row])

    assert refused.value.code == "export.value_refused"
    assert refused.value.params == {
        "table": "CYP001MPI",
        "field": "NHS NUMBER",
        "row": 1,
        "problem": "format",
    }
    with pytest.raises(ClinicError) as unknown:
        check_rows(table, [{**row, "NHS NUMBER": "", "PERSON GIVEN NAME": "Harriet"}])
    assert unknown.value.code == "export.unknown_column"


def test_files_already_there_are_never_written_over(tmp_path: Path) -> None:
    data = data_set("csds")
    write_extract(data, {}, tmp_path)

    with pytest.raises(Conflict) as refused:
        write_extract(data, {}, tmp_path)
    assert refused.value.code == "export.file_exists"


@pytest.mark.parametrize("text", ["2027-13", "2027-1", "27-01", "January", ""])
def test_a_month_is_year_and_month(text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Month.parse(text)
    assert (refused.value.code, refused.value.field) == ("export.bad_month", "month")


def test_a_month_runs_midnight_to_midnight_in_the_clinics_time() -> None:
    summer = Month.parse("2027-07")
    assert (summer.first.isoformat(), summer.last.isoformat()) == ("2027-07-01", "2027-07-31")
    assert summer.starts.isoformat() == "2027-06-30T23:00:00+00:00"  # British Summer Time
    assert Month.parse("2027-12").ends.isoformat() == "2028-01-01T00:00:00+00:00"


def test_a_removed_patient_is_not_sent_nor_anything_under_their_referrals(
    seeded: SeededMonth, tmp_path: Path
) -> None:
    seen = seeded.patients[0]
    with seeded.services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=seeded.services.context.device_id)
        patient = session.get(Patient, seen)
        assert patient is not None
        patient.deleted = True

    tables = _export(seeded, tmp_path)

    assert {row["NHS NUMBER"] for row in tables["CYP001"]} == {NHS_NUMBERS[1]}
    assert len({row["SERVICE REQUEST IDENTIFIER"] for row in tables["CYP101"]}) == 1
    assert tables["CYP201"] == tables["CYP609"] == tables["CYP607"] == []
    assert len(tables["CYP105"]) == 1  # the other patient's onward referral


@pytest.mark.parametrize(
    ("received", "status", "discharged", "sent"),
    [
        ("2027-01-15", "triaged", None, True),  # received in the month
        ("2026-11-02", "accepted", None, True),  # still open from before
        ("2027-02-01", "received", None, False),  # received after it
        ("2026-11-02", "discharged", "2026-12-31", False),  # discharged before it
        ("2026-11-02", "discharged", "2027-01-01", True),  # discharged on its first day
        ("2026-11-02", "returned", None, False),  # returned, no episode: its own month only
        ("2027-01-20", "returned", None, True),
    ],
)
def test_a_referral_is_sent_for_every_month_it_isopen_in_month(
    received: str, status: str, discharged: str | None, sent: bool
) -> None:
    ended = date.fromisoformat(discharged) if discharged else None
    january = Month.parse("2027-01")

    assert open_in_month(january, date.fromisoformat(received), status, ended) is sent


def test_a_patient_without_an_nhs_number_is_sent_as_trace_required(
    seeded: SeededMonth,
) -> None:
    services, clinician = seeded.services, seeded.clinician
    unnumbered = services.patients.register(
        clinician,
        PatientInput(given_name="Ada", family_name="Lowe", date_of_birth="1950-01-02", sex="1"),
    )
    services.referrals.create(
        clinician,
        ReferralInput(
            patient_id=unnumbered.id,
            source="self",
            received_on=seeded.recorded_on.isoformat(),
            referrer_name="Ada Lowe",
            reason="Shoulder pain",
            specialty="physiotherapy",
        ),
    )
    month = next(m for m in seeded.months if m.holds(seeded.recorded_on))
    with services.context.store.engine.connect() as conn:
        patients = csds_rows(conn, data_set("csds"), month)["CYP001"]

    [row] = [row for row in patients if row["PERSON BIRTH DATE"] == "1950-01-02"]
    assert (row["NHS NUMBER"], row["NHS NUMBER STATUS INDICATOR CODE"]) == ("", "03")
    check_rows(data_set("csds").table("CYP001"), patients)  # every row fits its fields


def test_a_merged_record_is_sent_as_the_record_it_was_merged_into(
    seeded: SeededMonth, tmp_path: Path
) -> None:
    merged, survivor = seeded.patients
    with seeded.services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=seeded.services.context.device_id)
        session.add(
            PatientMerge(
                survivor_id=survivor, merged_id=merged, reason="Same person", merged_at=utcnow()
            )
        )

    tables = _export(seeded, tmp_path)

    [patient] = _one_each(tables["CYP001"], "LOCAL PATIENT IDENTIFIER (EXTENDED)")
    assert patient["NHS NUMBER"] == NHS_NUMBERS[1]
    assert {row["LOCAL PATIENT IDENTIFIER (EXTENDED)"] for row in tables["CYP101"]} == {
        patient["LOCAL PATIENT IDENTIFIER (EXTENDED)"]
    }
    assert len({row["SERVICE REQUEST IDENTIFIER"] for row in tables["CYP101"]}) == 2


def test_the_same_month_written_again_is_the_same_files(
    seeded: SeededMonth, tmp_path: Path
) -> None:
    # A resubmission names the same referrals, contacts and patients, in the same order.
    first, again = _export(seeded, tmp_path / "first"), _export(seeded, tmp_path / "again")

    assert first == again
    for written in (tmp_path / "first").rglob("*.csv"):
        twin = tmp_path / "again" / written.relative_to(tmp_path / "first")
        assert written.read_bytes() == twin.read_bytes()
