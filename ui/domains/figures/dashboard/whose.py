"""Whose figures a user sees (kept apart so the screen's declaration loads nothing else)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Whose:
    """Whose figures a user sees: the whole service's (the lead), their own (a clinician)."""

    service: bool
    own: bool
