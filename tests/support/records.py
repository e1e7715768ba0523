"""A scan report record type with one more section, for tests that sections drive the output."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from clinic_app.domains.reports.record import SCAN_REPORT
from clinic_app.records.registry import register
from clinic_app.records.sections import Concept, Section

#: A section the scan report does not have (yet): the probe and settings used.
TECHNIQUE = Section(
    "technique",
    "Technique",
    max_length=2000,
    empty_words="Not recorded.",
    sr_heading=(
        Concept("55111-9", "LN", "Current Procedure Descriptions"),
        Concept("121065", "DCM", "Procedure Description"),
    ),
)


@contextmanager
def scan_report_with(section: Section, after: str) -> Iterator[None]:
    """The scan report registered with ``section`` after the one kept under ``after``."""
    keys = [s.key for s in SCAN_REPORT.sections]
    where = keys.index(after) + 1
    sections = (*SCAN_REPORT.sections[:where], section, *SCAN_REPORT.sections[where:])
    register(dataclasses.replace(SCAN_REPORT, sections=sections), replace=True)
    try:
        yield
    finally:
        register(SCAN_REPORT, replace=True)
