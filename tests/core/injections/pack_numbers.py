"""Pack codes for tests: GS1's example numbers, never a real product's."""

from __future__ import annotations

from biip.checksums import gs1_standard_check_digit

#: GS1's own company prefix for examples (0950600...), so no test code is a real product's.
EXAMPLE_PREFIX = "0950600"


def example_gtin(item: int) -> str:
    """A test GTIN-14 from GS1's example range, its check digit computed (not a real pack)."""
    body = f"{EXAMPLE_PREFIX}{item:06d}"
    return body + str(gs1_standard_check_digit(body))


def with_wrong_check_digit(gtin: str) -> str:
    """The same number with its last digit changed, so it no longer adds up."""
    return gtin[:-1] + str((int(gtin[-1]) + 1) % 10)


def scanned(gtin: str, batch: str = "AB1234", expiry: str = "270531", serial: str = "S123") -> str:
    """A pack's whole DataMatrix as a scanner types it: GTIN, expiry, batch, serial."""
    return f"]d201{gtin}17{expiry}10{batch}\x1d21{serial}"
