"""Each domain words the error codes its own core package raises, and no code is worded twice."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pytest

import ui.domains
from tests.ui import error_codes
from ui.common import errors
from ui.common import words as common_words
from ui.common.wording import WordTable
from ui.shell import registry

# Worded codes the scan cannot see, with the table they belong to: what a screen meets but
# no call in the sources names whole.
_NOT_SEEN_BY_THE_SCAN = {
    # Kept as a PACS queue row's last error, shown with the queue.
    "pacs.not_confirmed": "ui.domains.imaging.words",
    "pacs.withdrawn": "ui.domains.imaging.words",
    "pacs.identity_not_here": "ui.domains.imaging.words",
    # Built from the section's key: f"report.{section.key}_empty".
    "report.findings_empty": "ui.domains.reports.words",
    "report.impression_empty": "ui.domains.reports.words",
    # A refusal of the video add-on, a separate program, relayed as it gave it.
    "video.no_video": "ui.domains.imaging.words",
    # Raised by the sync server and relayed by the device's sync transport as they are.
    "file.incomplete": "ui.domains.sync.words",
    "file.wrong_offset": "ui.domains.sync.words",
    "sync.batch_key_reused": "ui.domains.sync.words",
    # The server's reasons for a change it did not take, listed on the sync screen.
    "sync.server_only": "ui.domains.sync.words",
    "sync.not_allowed": "ui.domains.sync.words",
    "sync.not_author": "ui.domains.sync.words",
    "sync.not_yours": "ui.domains.sync.words",
    "sync.own_record": "ui.domains.sync.words",
    "sync.record_moved": "ui.domains.sync.words",
    "sync.not_removable": "ui.domains.sync.words",
    "sync.adds_to_unsigned": "ui.domains.sync.words",
    "sync.not_named_reviewer": "ui.domains.sync.words",
    "sync.step_refused": "ui.domains.sync.words",
    "sync.user_disabled": "ui.domains.sync.words",
    "sync.not_signable": "ui.domains.sync.words",
    "sync.seal_broken": "ui.domains.sync.words",
    "sync.pack_code_listed": "ui.domains.sync.words",
    "sync.patient_not_held": "ui.domains.sync.words",
    "sync.wrong_patient": "ui.domains.sync.words",
    "sync.merge_not_a_pair": "ui.domains.sync.words",
    "sync.step_columns": "ui.domains.sync.words",
    "sync.merge_dismissed": "ui.domains.sync.words",
    "sync.nobody_named": "ui.domains.sync.words",
    "sync.alert_kept": "ui.domains.sync.words",
    # A pack scan's problems: returned in a reading (PackReading.problems), never raised.
    **{
        f"pack.{problem}": "ui.domains.injections.words"
        for problem in (
            "empty",
            "too_long",
            "unreadable",
            "ambiguous",
            "no_gtin",
            "bad_check_digit",
            "expiry_unreadable",
        )
    },
    # Relayed from the server's scope routes when a laptop asks for another clinic's record.
    "sync.scope_needs_user": "ui.domains.sync.words",
    # Relayed from the server's figures routes to the service figures dashboard.
    "figures.bad_month": "ui.domains.figures.words",
    "figures.bad_scope": "ui.domains.figures.words",
    "figures.not_allowed": "ui.domains.figures.words",
    # Relayed from any server route that acts for a user (the figures' among them).
    "auth.no_user_token": error_codes.COMMON,
    "sync.user_token_unknown": "ui.domains.sync.words",
    # The codes a record type served by the shared sections kit declares in its lifecycle
    # (tests/support/example_record does); no such record type is in the core yet.
    "record.signed": error_codes.COMMON,
    "record.not_author": error_codes.COMMON,
    "record.required_to_sign": error_codes.COMMON,
    # Raised nowhere today; kept while their screens may still meet them.
    "conflict.stale": error_codes.COMMON,
    "interpreter_language.required": "ui.domains.people.words",
}


def _raised() -> dict[str, list[str]]:
    found = error_codes.core_codes()
    for code, places in error_codes.ui_codes().items():
        found.setdefault(code, []).extend(places)
    return found


_RAISED = _raised()


def _domain_table(name: str) -> str:
    """The domain's table a table belongs to: a part kept apart (``leaflet_words``) is its."""
    package, _dot, module = name.rpartition(".")
    return f"{package}.words" if module.endswith(registry.PART_WORDS) else name


def _misplaced(
    tables: Iterable[WordTable], raised: Mapping[str, list[str]], unseen: Mapping[str, str]
) -> list[str]:
    """What is worded in the wrong table, or not worded by the table it belongs in."""
    owners = error_codes.owners(dict(raised))
    belongs = {code: min(names) for code, names in owners.items()} | dict(unseen)
    problems = [
        f"{code} is raised by peers {sorted(names)} (word it in a layer below both)"
        for code, names in sorted(owners.items())
        if len(names) > 1
    ]
    worded: set[tuple[str, str]] = set()
    for table in tables:
        owner = _domain_table(table.name)
        for code in sorted(table.codes()):
            worded.add((code, owner))
            where = ", ".join(raised.get(code, ["nowhere the scan sees"]))
            if code not in belongs:
                problems.append(f"{code} is worded in {table.name} but raised {where}")
            elif belongs[code] != owner:
                problems.append(
                    f"{code} is worded in {table.name} but belongs in {belongs[code]} "
                    f"(raised in {where})"
                )
    problems += [
        f"{code} has no words in {name} (raised in {', '.join(raised[code])})"
        for code, name in sorted(belongs.items())
        if (code, name) not in worded and code in raised
    ]
    return problems


def test_the_registered_tables_are_the_common_one_and_every_domain_s() -> None:
    registered = {table.name for table in errors.registered_words().tables}

    assert registered == {error_codes.COMMON, *registry.word_modules()}
    assert "ui.domains.imaging.words" in registered


def test_each_domain_words_exactly_the_codes_its_own_core_package_raises() -> None:
    problems = _misplaced(errors.registered_words().tables, _RAISED, _NOT_SEEN_BY_THE_SCAN)

    assert not problems, "codes worded in the wrong table:\n" + "\n".join(problems)


def test_a_code_worded_in_another_domain_s_table_is_named() -> None:
    stray = WordTable("ui.domains.triage.words", messages={"dicom.bad_port": "Enter a port."})
    tables = [t for t in errors.registered_words().tables if t.name != stray.name]
    imaging = next(t for t in tables if t.name == "ui.domains.imaging.words")
    without_port = WordTable(
        imaging.name,
        messages={code: w for code, w in imaging.messages.items() if code != "dicom.bad_port"},
        builders=imaging.builders,
    )
    tables = [without_port if t is imaging else t for t in tables]

    problems = _misplaced([*tables, stray], _RAISED, _NOT_SEEN_BY_THE_SCAN)

    assert any(
        p.startswith(
            "dicom.bad_port is worded in ui.domains.triage.words but belongs in "
            "ui.domains.imaging.words"
        )
        for p in problems
    ), problems
    assert any(
        p.startswith("dicom.bad_port has no words in ui.domains.imaging.words") for p in problems
    )


def test_codes_the_scan_cannot_see_are_still_unseen() -> None:
    # Once the scan sees one, its place is checked like any other's: drop it from the list.
    assert sorted(set(_NOT_SEEN_BY_THE_SCAN) & set(_RAISED)) == []


def test_two_tables_wording_one_code_are_refused() -> None:
    first = WordTable("ui.domains.first.words", messages={"class.full": "This class is full."})
    second = WordTable(
        "ui.domains.second.words", fields={"class.full": lambda error, label: "It is full."}
    )

    with pytest.raises(
        ValueError,
        match=r"class\.full \(in ui\.domains\.first\.words and ui\.domains\.second\.words\)",
    ):
        errors.merge_words([first, second])


def test_two_tables_wording_one_code_for_one_field_are_refused() -> None:
    first = WordTable("ui.domains.first.words", for_field={("code.required", "sex"): "A."})
    second = WordTable("ui.domains.second.words", for_field={("code.required", "sex"): "B."})

    with pytest.raises(ValueError, match=r"code\.required for sex"):
        errors.merge_words([first, second])


def test_a_table_wording_a_registered_code_is_refused_and_changes_nothing() -> None:
    before = errors.registered_words()
    clash = WordTable("ui.domains.elsewhere.words", faults=frozenset({"dicom.bad_port"}))

    with pytest.raises(ValueError, match=r"dicom\.bad_port"):
        errors.register_words(clash)
    assert errors.registered_words() is before


def test_one_table_may_word_a_code_by_its_field_and_as_a_message() -> None:
    book = errors.merge_words([common_words.WORDS, *registry.discover_words()])

    assert "patient.duplicate_nhs_number" in book.fields
    assert "patient.duplicate_nhs_number" in book.messages


def test_registering_again_doubles_nothing() -> None:
    before = errors.registered_words()

    registry.register_words()

    assert errors.registered_words() is before


@pytest.fixture
def new_domain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A domain folder the app has never seen, beside the real ones."""
    folder = tmp_path / "classes"
    folder.mkdir()
    (folder / "__init__.py").write_text('"""Group classes."""\n', encoding="utf-8")
    monkeypatch.setattr(ui.domains, "__path__", [*ui.domains.__path__, str(tmp_path)])
    yield folder
    for name in [n for n in sys.modules if n.startswith("ui.domains.classes")]:
        del sys.modules[name]


def test_a_new_domain_s_words_are_found_without_editing_a_list(new_domain: Path) -> None:
    (new_domain / "words.py").write_text(
        textwrap.dedent(
            '''
            """Group classes' words for their error codes."""

            from ui.common.wording import WordTable

            WORDS = WordTable(__name__, messages={"class.full": "This class is full."})
            '''
        ),
        encoding="utf-8",
    )
    importlib.invalidate_caches()

    assert "ui.domains.classes.words" in registry.word_modules()
    book = errors.merge_words([common_words.WORDS, *registry.discover_words()])
    assert book.messages["class.full"] == "This class is full."
    assert "dicom.bad_port" in book.messages


def test_a_domain_s_words_kept_apart_are_found_as_part_of_its_table(new_domain: Path) -> None:
    (new_domain / "words.py").write_text(
        '"""Words."""\n\nfrom ui.common.wording import WordTable\n\n'
        'WORDS = WordTable(__name__, messages={"class.full": "This class is full."})\n',
        encoding="utf-8",
    )
    (new_domain / "register_words.py").write_text(
        '"""Words kept apart."""\n\nfrom ui.common.wording import WordTable\n\n'
        'WORDS = WordTable(__name__, messages={"class.closed": "This class is closed."})\n',
        encoding="utf-8",
    )
    (new_domain / "wordsmith.py").write_text('"""Not words."""\n', encoding="utf-8")
    importlib.invalidate_caches()

    found = [name for name in registry.word_modules() if ".classes." in name]
    assert found == ["ui.domains.classes.register_words", "ui.domains.classes.words"]
    book = errors.merge_words([common_words.WORDS, *registry.discover_words()])
    assert book.messages["class.closed"] == "This class is closed."
    assert _domain_table("ui.domains.classes.register_words") == "ui.domains.classes.words"
    assert "ui.domains.injections.leaflet_words" in registry.word_modules()


def test_a_words_module_without_a_table_is_refused(new_domain: Path) -> None:
    (new_domain / "words.py").write_text('"""No table."""\n', encoding="utf-8")
    importlib.invalidate_caches()

    with pytest.raises(ValueError, match=r"ui\.domains\.classes\.words holds no WORDS table"):
        registry.discover_words()
