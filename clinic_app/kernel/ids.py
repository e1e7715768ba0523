"""Identifiers: UUIDv7 made on the device, and ids read back from text.

A UUIDv7 is time-ordered, so new rows sort last in an index.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_last_seq = 0

_SEQ_BITS = 12
_SEQ_MAX = (1 << _SEQ_BITS) - 1


def uuid7() -> uuid.UUID:
    """Return a new RFC 9562 version 7 UUID.

    The 12-bit ``rand_a`` field counts up within one millisecond (RFC 9562 section 6.2,
    method 1), so ids made on one device are strictly increasing even in a tight loop.
    """
    global _last_ms, _last_seq  # noqa: PLW0603 - one monotonic counter per process
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms = now_ms
            _last_seq = secrets.randbits(_SEQ_BITS - 1)  # leave room to count up
        else:
            _last_seq += 1
            if _last_seq > _SEQ_MAX:  # counter spent: borrow the next millisecond
                _last_ms += 1
                _last_seq = 0
        ms, seq = _last_ms, _last_seq
    rand_b = secrets.randbits(62)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= seq << 64
    value |= 0b10 << 62
    value |= rand_b
    return uuid.UUID(int=value)


#: Ids read lately, by their text: a sync batch names the same user, device and patient in
#: row after row. Kept small, and emptied when full.
_IDS_READ: dict[str, uuid.UUID] = {}
_IDS_KEPT = 1024


def read_uuid(text: str) -> uuid.UUID:
    """``uuid.UUID(text)``, worked out once for an id met again soon after.

    Raises:
        ValueError: the text is no id.
    """
    found = _IDS_READ.get(text)
    if found is None:
        found = uuid.UUID(text)
        if len(_IDS_READ) >= _IDS_KEPT:
            _IDS_READ.clear()
        _IDS_READ[text] = found
    return found
