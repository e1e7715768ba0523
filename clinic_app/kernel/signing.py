"""Canonical JSON and its SHA-256 digest: what a signature over a clinical document covers."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(content: Any) -> bytes:
    """Encode ``content`` the same way every time: sorted keys, no spaces, UTF-8.

    The same content therefore gives the same bytes on every device and engine.
    """
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_digest(content: Any) -> str:
    """The SHA-256 digest (64 hex digits) of ``content`` in canonical JSON."""
    return hashlib.sha256(canonical_json(content)).hexdigest()
