"""Reading a medicine pack's GS1 DataMatrix as USB scanners type it: orders, separators, dates."""

from __future__ import annotations

import logging
import time
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic_app.domains.injections.pack import (
    AMBIGUOUS,
    BAD_CHECK_DIGIT,
    EMPTY,
    EXPIRY_UNREADABLE,
    MAX_LENGTH,
    NO_GTIN,
    TOO_LONG,
    UNREADABLE,
    PackReading,
    looks_like_pack,
    read_pack,
)

GS = "\x1d"
GTIN = "05012345678900"  # GS1 UK prefix, check digit 0
OTHER_GTIN = "05011223344555"
EXPIRY = "270531"
BATCH = "AB12C"
SERIAL = "7XK2Q9P4M3"
ALL_CODES = {AMBIGUOUS, BAD_CHECK_DIGIT, EMPTY, EXPIRY_UNREADABLE, NO_GTIN, TOO_LONG, UNREADABLE}

WHOLE_PACK = PackReading(gtin=GTIN, batch=BATCH, expiry=date(2027, 5, 31), serial=SERIAL)

GTIN_E = f"01{GTIN}"
EXPIRY_E = f"17{EXPIRY}"
BATCH_E = f"10{BATCH}"
SERIAL_E = f"21{SERIAL}"


# ---------------------------------------------------------------- as a scanner sends them

# The orders seen on packs: fixed-length fields need no separator after them, a batch or
# serial that is not last ends with one.
ORDERS_WITH_SEPARATORS = [
    pytest.param(f"{GTIN_E}{EXPIRY_E}{BATCH_E}{GS}{SERIAL_E}", id="gtin-expiry-batch-serial"),
    pytest.param(f"{GTIN_E}{SERIAL_E}{GS}{BATCH_E}{GS}{EXPIRY_E}", id="gtin-serial-batch-expiry"),
    pytest.param(f"{GTIN_E}{SERIAL_E}{GS}{EXPIRY_E}{BATCH_E}", id="gtin-serial-expiry-batch"),
    pytest.param(f"{GTIN_E}{BATCH_E}{GS}{EXPIRY_E}{SERIAL_E}", id="gtin-batch-expiry-serial"),
    pytest.param(f"{EXPIRY_E}{GTIN_E}{BATCH_E}{GS}{SERIAL_E}", id="expiry-gtin-batch-serial"),
    pytest.param(f"{SERIAL_E}{GS}{GTIN_E}{EXPIRY_E}{BATCH_E}", id="serial-gtin-expiry-batch"),
]


@pytest.mark.parametrize("scanned", ORDERS_WITH_SEPARATORS)
@pytest.mark.parametrize("prefix", ["]d2", ""], ids=["prefix", "no-prefix"])
def test_every_order_reads_with_group_separators(scanned: str, prefix: str) -> None:
    assert read_pack(prefix + scanned) == WHOLE_PACK


@pytest.mark.parametrize("scanned", ORDERS_WITH_SEPARATORS)
def test_a_separator_after_fixed_length_fields_and_at_the_ends_is_accepted(scanned: str) -> None:
    padded = f"{GS}{scanned.replace(EXPIRY_E, EXPIRY_E + GS)}{GS}"

    assert read_pack(padded) == WHOLE_PACK


@pytest.mark.parametrize("prefix", ["]d2", "]C1", "]Q3"])
def test_gs1_symbology_prefixes_are_taken_off(prefix: str) -> None:
    assert read_pack(f"{prefix}{GTIN_E}{EXPIRY_E}{BATCH_E}{GS}{SERIAL_E}") == WHOLE_PACK


@pytest.mark.parametrize("separator", ["|", "^", "~", "@", "]", "\u2194", "\u241d"])
def test_a_visible_separator_a_scanner_is_set_to_send_is_read_as_one(separator: str) -> None:
    scanned = f"]d2{GTIN_E}{SERIAL_E}{separator}{BATCH_E}{separator}{EXPIRY_E}"

    assert read_pack(scanned) == WHOLE_PACK


@pytest.mark.parametrize(
    "around",
    [("  ", "\r\n"), ("", "\n"), ("\t", "\t"), (" ", "\r")],
    ids=["spaces-crlf", "lf", "tabs", "space-cr"],
)
def test_whitespace_around_the_scan_is_ignored(around: tuple[str, str]) -> None:
    before, after = around
    scanned = f"{before}]d2{GTIN_E}{EXPIRY_E}{BATCH_E}{GS}{SERIAL_E}{after}"

    assert read_pack(scanned) == WHOLE_PACK


def test_the_last_field_needs_no_separator_after_it() -> None:
    reading = read_pack(f"{GTIN_E}{EXPIRY_E}{BATCH_E}")

    assert reading == PackReading(gtin=GTIN, batch=BATCH, expiry=date(2027, 5, 31))
    assert reading.ok


# ---------------------------------------------------------------- separators lost


@pytest.mark.parametrize(
    "scanned",
    [
        pytest.param(f"{GTIN_E}{EXPIRY_E}{BATCH_E}{SERIAL_E}", id="batch-then-serial"),
        pytest.param(f"{GTIN_E}{SERIAL_E}{BATCH_E}{EXPIRY_E}", id="serial-batch-expiry"),
        pytest.param(f"]d2{GTIN_E}{SERIAL_E}{EXPIRY_E}{BATCH_E}", id="serial-expiry-batch"),
        pytest.param(f"{GTIN_E}{BATCH_E}{EXPIRY_E}{SERIAL_E}", id="batch-expiry-serial"),
    ],
)
def test_lost_separators_are_inferred_from_what_a_pack_carries(scanned: str) -> None:
    reading = read_pack(scanned)

    assert (reading.gtin, reading.batch, reading.expiry, reading.serial) == (
        GTIN,
        BATCH,
        date(2027, 5, 31),
        SERIAL,
    )
    assert reading.ok
    assert reading.separators_inferred


def test_a_split_needing_no_guess_is_not_flagged_as_inferred() -> None:
    # The serial is last and the batch ends where the expiry, a fixed-length field, starts.
    reading = read_pack(f"{GTIN_E}{BATCH_E}{GS}{EXPIRY_E}{SERIAL_E}")

    assert reading == WHOLE_PACK
    assert not reading.separators_inferred


def test_lost_separators_with_two_possible_splits_leave_batch_and_serial_empty() -> None:
    # "10A21B21XY" is batch "A21B" and serial "XY", or batch "A" and serial "B21XY".
    reading = read_pack(f"{GTIN_E}{EXPIRY_E}10A21B21XY")

    assert reading.problems == (AMBIGUOUS,)
    assert reading.gtin == GTIN
    assert reading.expiry == date(2027, 5, 31)
    assert reading.batch is None
    assert reading.serial is None
    assert reading.separators_inferred


def test_sent_separators_are_trusted_over_digits_that_look_like_a_field() -> None:
    # A batch that holds "21..." is not split when the scanner sends separators.
    reading = read_pack(f"{GTIN_E}{EXPIRY_E}10AB21CD{GS}{SERIAL_E}")

    assert reading == PackReading(
        gtin=GTIN, batch="AB21CD", expiry=date(2027, 5, 31), serial=SERIAL
    )
    assert not reading.separators_inferred


# ---------------------------------------------------------------- typed by hand


@pytest.mark.parametrize(
    "typed",
    [
        f"(01){GTIN}(17){EXPIRY}(10){BATCH}(21){SERIAL}",
        f"(01) {GTIN} (17) {EXPIRY} (10) {BATCH} (21) {SERIAL}",
        f" (21){SERIAL}(01){GTIN}(10){BATCH}(17){EXPIRY}\n",
    ],
    ids=["packed", "spaced", "other-order"],
)
def test_the_printed_form_typed_by_hand_reads(typed: str) -> None:
    reading = read_pack(typed)

    assert reading == WHOLE_PACK
    assert not reading.separators_inferred


@pytest.mark.parametrize(
    "typed",
    [f"(01){GTIN}(17)", f"(01){GTIN}(99", f"x(01){GTIN}", f"(01){GTIN}(01){GTIN}", f"(1){GTIN}"],
    ids=["empty-value", "unclosed", "text-before", "twice", "unknown-ai"],
)
def test_a_broken_printed_form_is_unreadable(typed: str) -> None:
    assert read_pack(typed).problems == (UNREADABLE,)


# ---------------------------------------------------------------- expiry


@pytest.mark.parametrize(
    ("yymmdd", "expected"),
    [
        ("270200", date(2027, 2, 28)),
        ("280200", date(2028, 2, 29)),
        ("271200", date(2027, 12, 31)),
        ("270400", date(2027, 4, 30)),
        ("270415", date(2027, 4, 15)),
    ],
)
def test_day_00_is_the_last_day_of_the_month(yymmdd: str, expected: date) -> None:
    assert read_pack(f"]d2{GTIN_E}17{yymmdd}{BATCH_E}").expiry == expected


@pytest.mark.parametrize("yymmdd", ["271331", "270231", "270031"], ids=["month-13", "feb-31", "m0"])
def test_an_expiry_that_is_no_date_is_reported_and_the_rest_kept(yymmdd: str) -> None:
    reading = read_pack(f"]d2{GTIN_E}17{yymmdd}{BATCH_E}{GS}{SERIAL_E}")

    assert reading.problems == (EXPIRY_UNREADABLE,)
    assert reading.expiry is None
    assert (reading.gtin, reading.batch, reading.serial) == (GTIN, BATCH, SERIAL)


# ---------------------------------------------------------------- what is wrong


def test_a_wrong_check_digit_gives_no_gtin_and_says_so() -> None:
    reading = read_pack(f"]d201{GTIN[:-1]}7{EXPIRY_E}{BATCH_E}{GS}{SERIAL_E}")

    assert reading.problems == (BAD_CHECK_DIGIT,)
    assert reading.gtin is None
    assert (reading.batch, reading.serial) == (BATCH, SERIAL)


def test_a_code_without_a_gtin_says_so() -> None:
    reading = read_pack(f"{EXPIRY_E}{BATCH_E}{GS}{SERIAL_E}")

    assert reading.problems == (NO_GTIN,)
    assert (reading.batch, reading.serial) == (BATCH, SERIAL)


@pytest.mark.parametrize(
    "scanned",
    [
        f"]d201{GTIN[:9]}",
        f"{GTIN_E}1727",
        f"{GTIN_E}{EXPIRY_E}10",
        f"{GTIN_E}{EXPIRY_E}{BATCH_E}{GS}21",
    ],
    ids=["in-gtin", "in-expiry", "no-batch", "no-serial"],
)
def test_a_truncated_scan_is_unreadable(scanned: str) -> None:
    assert read_pack(scanned) == PackReading(problems=(UNREADABLE,))


@pytest.mark.parametrize(
    "text",
    ["hello world", "AB12C", "https://example.org/01/05012345678900", "]d1HELLO", "]C0123"],
)
def test_text_that_is_not_a_gs1_code_is_unreadable(text: str) -> None:
    assert read_pack(text) == PackReading(problems=(UNREADABLE,))


def test_a_field_that_appears_twice_is_unreadable() -> None:
    assert read_pack(f"{GTIN_E}{GS}01{OTHER_GTIN}").problems == (UNREADABLE,)


@pytest.mark.parametrize("text", ["", "   ", "\r\n", GS, f" {GS}|{GS} ", "]d2", "]"])
def test_empty_input_says_so(text: str) -> None:
    assert read_pack(text) == PackReading(problems=(EMPTY,))


@pytest.mark.parametrize(
    "text",
    [
        "x" * (MAX_LENGTH + 1),
        GTIN_E * 1000,
        "10" * 100_000,
        f"]d2{GTIN_E}{EXPIRY_E}{BATCH_E}{GS}{SERIAL_E}" + " " * MAX_LENGTH,
    ],
    ids=["letters", "gtins", "digits", "padded"],
)
def test_very_long_input_is_refused_quickly(text: str) -> None:
    started = time.perf_counter()
    reading = read_pack(text)
    elapsed = time.perf_counter() - started

    assert reading == PackReading(problems=(TOO_LONG,))
    assert elapsed < 0.05
    assert not looks_like_pack(text)


@pytest.mark.parametrize(
    "text",
    [
        "10" + "21" * 127,
        "10" + "1" * 254,
        GTIN_E + "10" + "2110" * 58,
        GTIN_E + EXPIRY_E + "10" + "1021" * 55,
        GS.join(["10" + "2110" * 4] * 12),
    ],
)
def test_input_just_under_the_limit_that_could_split_many_ways_is_read_quickly(text: str) -> None:
    assert len(text) <= MAX_LENGTH
    started = time.perf_counter()
    reading = read_pack(text)

    assert time.perf_counter() - started < 0.5
    assert reading.gtin in {None, GTIN}


# ---------------------------------------------------------------- the pack's linear barcode


def test_a_bare_ean_13_gives_the_gtin_alone() -> None:
    assert read_pack(GTIN[1:]) == PackReading(gtin=GTIN)
    assert read_pack(f"]E0{GTIN[1:]}") == PackReading(gtin=GTIN)


def test_a_bare_gtin_with_a_wrong_check_digit_says_so() -> None:
    assert read_pack(GTIN[1:-1] + "3") == PackReading(problems=(BAD_CHECK_DIGIT,))


# ---------------------------------------------------------------- a scan or typing


@pytest.mark.parametrize(
    "text",
    [
        f"]d2{GTIN_E}{EXPIRY_E}{BATCH_E}{GS}{SERIAL_E}",
        f"{GTIN_E}{EXPIRY_E}{BATCH_E}{SERIAL_E}",
        f"(01){GTIN}(17){EXPIRY}",
        f"01{GTIN[:-1]}7{EXPIRY_E}",
        "]d2",
        GTIN[1:],
    ],
    ids=["datamatrix", "lost-separators", "typed-printed-form", "bad-check-digit", "prefix", "ean"],
)
def test_scans_look_like_a_pack(text: str) -> None:
    assert looks_like_pack(text)


@pytest.mark.parametrize("text", ["", "AB12C", "12345", "270531", "Depo-Medrone 40 mg/mL", "0105"])
def test_typing_does_not_look_like_a_pack(text: str) -> None:
    assert not looks_like_pack(text)


# ---------------------------------------------------------------- nothing leaks


def test_nothing_of_the_text_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    read_pack(f"]d2{GTIN_E}{EXPIRY_E}{BATCH_E}{GS}{SERIAL_E}")
    read_pack(f"{GTIN_E}17271399{BATCH_E}")
    read_pack("hello world")
    looks_like_pack(SERIAL)

    assert caplog.records == []


# ---------------------------------------------------------------- properties

# GS1 character set 82, without the parentheses that the printed form uses as delimiters.
_CSET_82 = "!\"%&'*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
_values = st.text(alphabet=_CSET_82, min_size=1, max_size=20)
_gtins = st.from_regex(r"[0-9]{13}", fullmatch=True).map(
    lambda body: (
        body
        + str((10 - sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(body)) % 10) % 10)
    )
)
_expiries = st.dates(min_value=date(2020, 1, 1), max_value=date(2060, 12, 31))


@settings(database=None, deadline=None, max_examples=300)
@given(text=st.text(max_size=300))
def test_random_text_never_raises(text: str) -> None:
    reading = read_pack(text)

    assert isinstance(reading, PackReading)
    assert set(reading.problems) <= ALL_CODES
    assert isinstance(looks_like_pack(text), bool)


@settings(database=None, deadline=None, max_examples=300)
@given(
    text=st.lists(
        st.sampled_from([*"0123456789", "10", "17", "21", "01", GS, "|", "A", "(", ")", "]d2"]),
        max_size=120,
    ).map("".join)
)
def test_text_made_of_code_pieces_never_raises(text: str) -> None:
    reading = read_pack(text)

    assert set(reading.problems) <= ALL_CODES
    if reading.gtin is not None:
        assert len(reading.gtin) == 14


@settings(database=None, deadline=None, max_examples=200)
@given(
    gtin=_gtins,
    expiry=_expiries,
    batch=_values,
    serial=_values,
    order=st.permutations(["01", "17", "10", "21"]),
    prefix=st.sampled_from(["]d2", ""]),
)
def test_any_pack_sent_with_separators_reads_back(
    gtin: str, expiry: date, batch: str, serial: str, *, order: list[str], prefix: str
) -> None:
    values = {"01": gtin, "17": expiry.strftime("%y%m%d"), "10": batch, "21": serial}
    scanned = prefix + "".join(f"{ai}{values[ai]}{GS}" for ai in order)
    printed = "".join(f"({ai}){values[ai]}" for ai in order)
    expected = PackReading(gtin=gtin, batch=batch, expiry=expiry, serial=serial)

    assert read_pack(scanned) == expected
    assert read_pack(printed) == expected


@settings(database=None, deadline=None, max_examples=300)
@given(
    gtin=_gtins,
    expiry=_expiries,
    batch=_values,
    serial=_values,
    order=st.permutations(["01", "17", "10", "21"]),
)
def test_a_pack_whose_separators_were_lost_is_read_right_or_not_at_all(
    gtin: str, expiry: date, batch: str, serial: str, order: list[str]
) -> None:
    values = {"01": gtin, "17": expiry.strftime("%y%m%d"), "10": batch, "21": serial}
    reading = read_pack("".join(f"{ai}{values[ai]}" for ai in order))

    # Every field read is the one on the pack; what could be split two ways is left empty.
    assert reading.gtin in {gtin, None}
    assert reading.expiry in {expiry, None}
    assert reading.batch in {batch, None}
    assert reading.serial in {serial, None}
    assert reading.problems in {(), (AMBIGUOUS,)}
    if not reading.problems:
        assert (reading.gtin, reading.batch, reading.expiry, reading.serial) == (
            gtin,
            batch,
            expiry,
            serial,
        )


def test_a_batch_holding_21_with_no_serial_is_split_but_flagged_for_checking() -> None:
    # Medicine packs carry a serial, so "10AB21CD" with no separators is read as batch "AB" and
    # serial "CD"; the reading says the split was inferred so the form shows it to be checked.
    reading = read_pack(f"{GTIN_E}{EXPIRY_E}10AB21CD")

    assert (reading.batch, reading.serial) == ("AB", "CD")
    assert reading.separators_inferred
