"""Importing the published postcode and deprivation files, and looking a decile up."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from clinic_app.container import Services
from clinic_app.domains.deprivation.figures import (
    decile_for,
    imd_decile,
    normalise_postcode,
    postcode_deciles,
)
from clinic_app.domains.deprivation.model import DeprivationLsoa, DeprivationPostcode
from clinic_app.domains.deprivation.service import import_imd, import_postcodes, imports
from clinic_app.kernel.errors import ValidationError
from clinic_app.people.model import Patient
from tests.core.deprivation.extracts import IOD2025_HEADER, iod, nspl, onspd

POSTCODES = [
    ("LS1 4AP", "E01033010"),
    ("LS6 2AB", "E01011333"),
    ("BD9 4QR", "E01010656"),
    ("CF10 1AA", "W01001939"),  # Wales: an LSOA, but not in the English index
    ("GY1 1AA", ""),  # Guernsey: no LSOA at all
]
INDEX = [("E01033010", 2), ("E01011333", 9), ("E01010656", 1)]


@pytest.fixture
def loaded(services: Services, tmp_path: Path) -> Services:
    engine = services.context.store.engine
    import_postcodes(engine, nspl(tmp_path / "NSPL_2011.csv", POSTCODES), by="lead")
    import_imd(engine, iod(tmp_path / "File_7_IoD2019.csv", INDEX), by="lead")
    return services


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("ls1 4ap", "LS1 4AP"),
        ("LS14AP", "LS1 4AP"),
        ("  sw1a  1aa ", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("GIR0AA", "GIR 0AA"),
        ("LS1", None),
        ("", None),
        (None, None),
        ("LS1 4A!", None),
    ],
)
def test_postcodes_are_kept_upper_case_with_one_space(typed: str | None, kept: str | None) -> None:
    assert normalise_postcode(typed) == kept


def test_a_postcode_finds_its_areas_decile_however_it_is_typed(loaded: Services) -> None:
    with loaded.context.store.sessions() as session:
        assert imd_decile(session, "LS1 4AP") == 2
        assert imd_decile(session, "ls6  2ab") == 9
        assert imd_decile(session, "BD94QR") == 1


def test_no_decile_outside_the_index_or_the_lookup(loaded: Services) -> None:
    with loaded.context.store.sessions() as session:
        assert imd_decile(session, "CF10 1AA") is None  # a Welsh LSOA
        assert imd_decile(session, "GY1 1AA") is None  # no LSOA
        assert imd_decile(session, "YO1 7HH") is None  # not in the lookup
        assert imd_decile(session, "not a postcode") is None


def test_no_decile_before_anything_is_imported(services: Services) -> None:
    with services.context.store.sessions() as session:
        assert imd_decile(session, "LS1 4AP") is None
    assert imports(services.context.store.engine) == []


def test_what_was_imported_is_recorded(loaded: Services) -> None:
    found = {result.kind: result for result in imports(loaded.context.store.engine)}

    assert found["postcodes"].rows == len(POSTCODES)
    assert found["postcodes"].edition == "lsoa11"
    assert found["imd"].rows == len(INDEX)
    assert found["imd"].edition == "IoD2019"


def test_patients_group_by_decile_in_one_statement(demo: Services, tmp_path: Path) -> None:
    with demo.context.store.sessions() as session:
        postcodes = sorted({p for p in session.scalars(select(Patient.postcode)) if p is not None})
    assert len(postcodes) > 10, "the demo clinic's patients have postcodes"
    # Every other postcode is in the lookup, each in an LSOA of its own, deciles 1..10 in turn.
    known = postcodes[::2]
    lsoas = [f"E01{n:06d}" for n in range(len(known))]
    engine = demo.context.store.engine
    import_postcodes(engine, nspl(tmp_path / "pc.csv", list(zip(known, lsoas, strict=True))))
    import_imd(engine, iod(tmp_path / "iod.csv", [(c, n % 10 + 1) for n, c in enumerate(lsoas)]))
    decile_of = {p: n % 10 + 1 for n, p in enumerate(known)}

    with demo.context.store.sessions() as session:
        patients = list(session.scalars(select(Patient.postcode)))
        decile = decile_for(Patient.postcode).label("decile")
        grouped = {
            d: n
            for d, n in session.execute(
                select(decile, func.count()).select_from(Patient).group_by(decile)
            )
        }
        deciles = postcode_deciles().subquery()
        joined = {
            d: n
            for d, n in session.execute(
                select(deciles.c.imd_decile, func.count())
                .select_from(Patient)
                .outerjoin(deciles, deciles.c.postcode == Patient.postcode)
                .group_by(deciles.c.imd_decile)
            )
        }
    expected: dict[int | None, int] = {}
    for postcode in patients:
        key = decile_of.get(postcode) if postcode else None
        expected[key] = expected.get(key, 0) + 1
    assert grouped == expected
    assert joined == expected
    assert None in expected, "some patients have no decile"


def test_the_index_on_2021_lsoas_is_read_through_the_2021_column(
    services: Services, tmp_path: Path
) -> None:
    # The same code names a different area in each census: the 2021 index must not be
    # joined through a postcode's 2011 LSOA.
    engine = services.context.store.engine
    import_postcodes(
        engine,
        onspd(
            tmp_path / "ONSPD.csv",
            [("LS1 4AP", "E01000001", "E01000002"), ("LS6 2AB", "E01000002", "E01000003")],
        ),
    )
    result = import_imd(
        engine,
        iod(tmp_path / "IoD2025.csv", [("E01000002", 4), ("E01000003", 7)], IOD2025_HEADER),
    )

    assert (result.edition, result.lsoa_vintage) == ("IoD2025", "2021")
    with services.context.store.sessions() as session:
        assert imd_decile(session, "LS1 4AP") == 4
        assert imd_decile(session, "LS6 2AB") == 7


def test_big_files_go_in_batches_with_progress(services: Services, tmp_path: Path) -> None:
    letters = "ABDEFGHJL"
    rows = [(f"LS{n // 81 + 1} {n % 9 + 1}{letters[n // 9 % 9]}A", "E01000001") for n in range(250)]
    seen: list[int] = []

    result = import_postcodes(
        services.context.store.engine,
        nspl(tmp_path / "pc.csv", rows),
        progress=seen.append,
        batch_size=100,
    )

    assert result.rows == 250
    assert seen == [100, 200, 250]


def _stored(services: Services) -> tuple[list[str], list[str]]:
    with services.context.store.sessions() as session:
        return (
            list(
                session.scalars(
                    select(DeprivationPostcode.postcode).order_by(DeprivationPostcode.postcode)
                )
            ),
            list(
                session.scalars(
                    select(DeprivationLsoa.lsoa_code).order_by(DeprivationLsoa.lsoa_code)
                )
            ),
        )


@pytest.mark.parametrize(
    ("rows", "code", "line"),
    [
        ([("E01000001", 3), ("E01000002", 11)], "deprivation.bad_decile", 3),
        ([("E01000001", 3), ("E01000002", "")], "deprivation.bad_decile", 3),
        ([("E01000001", 3), ("W01000002", 4)], "deprivation.bad_lsoa", 3),
        ([("E01000001", 3), ("E01000002", 4), ("E01000001", 5)], "deprivation.listed_twice", 4),
    ],
)
def test_a_malformed_index_names_the_line_and_leaves_the_data(
    loaded: Services, tmp_path: Path, rows: list[tuple[str, object]], code: str, line: int
) -> None:
    before = _stored(loaded)

    with pytest.raises(ValidationError) as refused:
        import_imd(loaded.context.store.engine, iod(tmp_path / "bad.csv", rows), batch_size=2)

    assert (refused.value.code, refused.value.params["line"]) == (code, line)
    assert _stored(loaded) == before
    with loaded.context.store.sessions() as session:
        assert imd_decile(session, "LS1 4AP") == 2


def test_a_postcode_listed_twice_in_another_batch_is_named(
    loaded: Services, tmp_path: Path
) -> None:
    rows = [
        ("LS1 1AA", "E01000001"),
        ("LS1 1AB", "E01000001"),
        ("LS1 1AD", "E01000001"),
        ("LS1 1AB", "E01000002"),
    ]
    before = _stored(loaded)

    with pytest.raises(ValidationError) as refused:
        import_postcodes(loaded.context.store.engine, nspl(tmp_path / "pc.csv", rows), batch_size=2)

    assert refused.value.code == "deprivation.listed_twice"
    assert refused.value.params == {"line": 5, "value": "LS1 1AB"}
    assert _stored(loaded) == before


def test_a_malformed_postcode_file_names_the_line(loaded: Services, tmp_path: Path) -> None:
    path = nspl(tmp_path / "pc.csv", [("LS1 1AA", "E01000001"), ("LS1 1AB", "E01000001")])
    text = path.read_text(encoding="utf-8").splitlines()
    text.insert(2, '"LS1 1AD","LS1  1AD"')  # a row cut short
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    before = _stored(loaded)

    with pytest.raises(ValidationError) as refused:
        import_postcodes(loaded.context.store.engine, path)

    assert refused.value.code == "deprivation.wrong_width"
    assert refused.value.params["line"] == 3
    assert _stored(loaded) == before


def test_a_file_without_the_published_columns_is_refused(
    services: Services, tmp_path: Path
) -> None:
    no_lsoa = nspl(tmp_path / "pc.csv", [("LS1 1AA", "")], header=["pcd", "pcd2", "pcds", "doterm"])
    with pytest.raises(ValidationError) as refused:
        import_postcodes(services.context.store.engine, no_lsoa)
    assert refused.value.params == {"line": 1, "column": "lsoa11 or lsoa21"}

    wrong = tmp_path / "iod.csv"
    wrong.write_text("lsoa,decile\nE01000001,3\n", encoding="utf-8")
    with pytest.raises(ValidationError) as refused:
        import_imd(services.context.store.engine, wrong)
    assert refused.value.code == "deprivation.missing_column"

    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ValidationError) as refused:
        import_imd(services.context.store.engine, empty)
    assert refused.value.code == "deprivation.empty_file"
