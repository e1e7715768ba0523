"""Sealed files: what is written comes back, and nothing of it lies on disk in the clear."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from clinic_app.kernel.sealed_file import (
    HEADER_SIZE,
    PIECE,
    SealedFile,
    SealedFileError,
    SealedWriter,
    derive_key,
)

KEY = derive_key(bytes(range(32)), "test")


def _written(path: Path, data: bytes, rng: random.Random) -> SealedWriter:
    writer = SealedWriter(path, KEY)
    position = 0
    while position < len(data):
        step = rng.randint(1, 300_000)
        writer.write(data[position : position + step])
        position += step
    writer.finish()
    writer.close()
    return writer


@pytest.mark.parametrize("size", [0, 1, PIECE - 1, PIECE, PIECE + 1, 3 * PIECE + 12_345])
def test_what_is_written_in_any_pieces_reads_back_whole_and_at_any_place(
    tmp_path: Path, size: int
) -> None:
    rng = random.Random(size)
    data = rng.randbytes(size)
    path = tmp_path / "sealed"
    _written(path, data, rng)

    assert path.stat().st_mode & 0o777 == 0o600
    sealed = SealedFile(path, KEY)
    assert sealed.size == size
    with sealed.open() as stream:
        assert stream.read() == data
        for _ in range(20):
            start = rng.randrange(0, size + 1)
            stream.seek(start)
            assert stream.read(5000) == data[start : start + 5000]


def test_nothing_written_is_on_disk_in_the_clear(tmp_path: Path) -> None:
    rng = random.Random(3)
    # Easy to spot if it leaked: a run of one repeated, readable line.
    data = b"LOVELACE^Ada 9990000018 " * 200_000
    path = tmp_path / "sealed"
    _written(path, data, rng)
    on_disk = path.read_bytes()
    assert b"LOVELACE" not in on_disk
    assert b"9990000018" not in on_disk


@pytest.mark.parametrize("damage", ["flipped byte", "cut at a piece", "last piece gone"])
def test_a_changed_or_cut_file_is_refused_when_read(tmp_path: Path, damage: str) -> None:
    data = random.Random(5).randbytes(3 * PIECE)
    path = tmp_path / "sealed"
    _written(path, data, random.Random(6))
    sealed = bytearray(path.read_bytes())
    if damage == "flipped byte":
        sealed[HEADER_SIZE + PIECE + 100] ^= 1
    elif damage == "cut at a piece":
        del sealed[HEADER_SIZE + 2 * (PIECE + 16) :]
    else:
        del sealed[-(PIECE + 16) :]
    path.write_bytes(bytes(sealed))

    with pytest.raises(SealedFileError), SealedFile(path, KEY).open() as stream:
        stream.read()


def test_another_key_reads_nothing(tmp_path: Path) -> None:
    path = tmp_path / "sealed"
    _written(path, b"scan", random.Random(1))
    with (
        pytest.raises(SealedFileError),
        SealedFile(path, derive_key(os.urandom(32), "x")).open() as s,
    ):
        s.read()


def test_an_unfinished_file_is_never_readable(tmp_path: Path) -> None:
    path = tmp_path / "sealed"
    writer = SealedWriter(path, KEY)
    writer.write(random.Random(2).randbytes(2 * PIECE + 10))
    writer.close()
    with pytest.raises(SealedFileError), SealedFile(path, KEY).open() as stream:
        stream.read()
