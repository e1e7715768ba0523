"""Lines the heavy suites want in the closing summary of every run (seeds, figures)."""

from __future__ import annotations

SUMMARY_LINES: list[str] = []
