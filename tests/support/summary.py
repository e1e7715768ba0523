"""Lines the heavy suites want in the closing summary of every run (seeds, figures).

A test appends to :data:`SUMMARY_LINES`; the line travels with that test's report (so it
reaches the summary when the tests run in several worker processes too) and is printed at
the end of the run, whatever the outcome.
"""

from __future__ import annotations

SUMMARY_LINES: list[str] = []
#: The key under which a report carries its lines.
REPORT_KEY = "onestop-summary"
