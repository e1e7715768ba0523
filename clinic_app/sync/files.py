"""A device's file bytes: kept in chunks in the encrypted store, read back in order."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator

from sqlalchemy import Connection, delete, func, insert, select

from clinic_app.kernel.attachments import AttachmentChunk
from clinic_app.kernel.errors import ClinicError

#: Bytes per stored chunk.
CHUNK_SIZE = 1024 * 1024
#: Tables whose rows name a file by its SHA-256 in this column.
FILE_COLUMNS = {"attachment": "sha256"}
_SHA256 = re.compile(r"[0-9a-f]{64}")


def check_sha256(value: str) -> str:
    """``value`` if it is a lower-case hex SHA-256.

    Raises:
        ClinicError: ``file.bad_name``.
    """
    if not _SHA256.fullmatch(value):
        raise ClinicError("file.bad_name")
    return value


def stored_size(conn: Connection, sha256: str) -> int:
    """How many bytes of a file this device holds (0 if none)."""
    size = conn.execute(
        select(func.sum(func.length(AttachmentChunk.data))).where(AttachmentChunk.sha256 == sha256)
    ).scalar()
    return int(size or 0)


def store_bytes(conn: Connection, sha256: str, pieces: Iterable[bytes]) -> int:
    """Keep a file's bytes (replacing any partial copy); checks the SHA-256 as it goes.

    Raises:
        ClinicError: ``file.hash_mismatch`` (nothing is kept then).
    """
    conn.execute(delete(AttachmentChunk).where(AttachmentChunk.sha256 == sha256))
    digest = hashlib.sha256()
    number = size = 0
    buffer = b""
    for piece in pieces:
        buffer += piece
        while len(buffer) >= CHUNK_SIZE:
            chunk, buffer = buffer[:CHUNK_SIZE], buffer[CHUNK_SIZE:]
            digest.update(chunk)
            conn.execute(insert(AttachmentChunk).values(sha256=sha256, number=number, data=chunk))
            number += 1
            size += len(chunk)
    if buffer or number == 0:
        digest.update(buffer)
        conn.execute(insert(AttachmentChunk).values(sha256=sha256, number=number, data=buffer))
        size += len(buffer)
    if digest.hexdigest() != sha256:
        raise ClinicError("file.hash_mismatch")
    return size


def read_bytes(conn: Connection, sha256: str, start: int = 0) -> Iterator[bytes]:
    """A file's bytes from ``start``, a chunk at a time."""
    position = 0
    for (data,) in conn.execute(
        select(AttachmentChunk.data)
        .where(AttachmentChunk.sha256 == sha256)
        .order_by(AttachmentChunk.number)
    ):
        end = position + len(data)
        if end > start:
            yield data[max(0, start - position) :]
        position = end


def read_piece(conn: Connection, sha256: str, offset: int, size: int) -> bytes:
    """Up to ``size`` bytes of a file from ``offset`` (fewer at its end)."""
    first = offset // CHUNK_SIZE
    last = (offset + size - 1) // CHUNK_SIZE
    data = b"".join(
        conn.execute(
            select(AttachmentChunk.data)
            .where(
                AttachmentChunk.sha256 == sha256,
                AttachmentChunk.number >= first,
                AttachmentChunk.number <= last,
            )
            .order_by(AttachmentChunk.number)
        ).scalars()
    )
    start = offset - first * CHUNK_SIZE
    return data[start : start + size]
