"""Files sealed at rest: encrypted and authenticated as they are written, read back in pieces.

For bytes that must reach the disk before the store can take them (an object a scanner is
pushing) and must never lie there in the clear. A sealed file is a header (a magic string
and a random salt) and then the file's bytes in pieces of 1 MiB, each sealed with AES-256-GCM
under a key made for this file alone (HKDF-SHA256 of the caller's key and the salt). A
piece's nonce is its number and whether it is the last, so pieces cannot be reordered,
dropped or cut off at the end without the reader noticing. Nothing is written in the clear:
the bytes of a piece not yet full wait in memory, and a file is only whole once
:meth:`SealedWriter.finish` has sealed its last piece and synced it to disk.
"""

from __future__ import annotations

import hashlib
import io
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"OSSEAL01"
_SALT = 16
HEADER_SIZE = len(MAGIC) + _SALT
#: Bytes of the file in each sealed piece (the last may hold fewer).
PIECE = 1 << 20
_TAG = 16


#: While a file is written, what has reached the disk so far is synced every so often on a
#: thread of its own, so the sync at the end waits only for the last few megabytes.
_SYNC_EVERY = 16 * PIECE
_syncer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sealed-file-sync")


def _sync_and_close(descriptor: int) -> None:
    try:
        os.fdatasync(descriptor)
    finally:
        os.close(descriptor)


class SealedFileError(OSError):
    """A sealed file that is not whole: cut short, changed, or sealed under another key."""


def derive_key(secret: bytes, purpose: str) -> bytes:
    """A 256-bit key for one purpose, made from a secret kept elsewhere (the store's key)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode("utf-8")
    ).derive(secret)


def _cipher(key: bytes, salt: bytes) -> AESGCM:
    file_key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=b"onestop sealed file"
    ).derive(key)
    return AESGCM(file_key)


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class SealedWriter:
    """Writes a new sealed file (mode 0600) a piece at a time as bytes are handed to it.

    ``name``, ``write``, ``file.flush`` and ``close`` are what a temporary file offers, so a
    library that writes a temporary file can be handed one of these instead.
    """

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        salt = os.urandom(_SALT)
        self._header = MAGIC + salt
        self._cipher = _cipher(key, salt)
        self._buffer = bytearray()
        self._index = 0
        self.size = 0
        self.finished = False
        self._written_since_sync = 0
        self._syncing: Future[None] | None = None
        self._fd: int | None = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        self._write_out(self._header)

    @property
    def name(self) -> str:
        """The file's path, as a temporary file names it."""
        return str(self.path)

    @property
    def file(self) -> SealedWriter:
        """Itself (a temporary file's underlying file object)."""
        return self

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Take more of the file's bytes; full pieces are sealed and written at once."""
        if self._fd is None or self.finished:
            raise ValueError("write to a closed sealed file")
        piece = bytes(data)
        self._buffer += piece
        self.size += len(piece)
        # A full piece waits until more arrives: only then is it known not to be the last.
        while len(self._buffer) > PIECE:
            with memoryview(self._buffer) as whole:
                self._seal(whole[:PIECE], last=False)
            del self._buffer[:PIECE]
            self._written_since_sync += PIECE
            if self._written_since_sync >= _SYNC_EVERY:
                self._written_since_sync = 0
                self._sync_in_background()
        return len(piece)

    def flush(self) -> None:
        """Nothing to do: bytes of a piece not yet full are never written in the clear."""

    def finish(self) -> None:
        """Seal the last piece and sync the file to disk; the file is then whole."""
        if self.finished:
            return
        if self._fd is None:
            raise ValueError("finish a closed sealed file")
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        if self._syncing is not None:
            self._syncing.result()
        os.fsync(self._fd)
        os.close(self._fd)
        self._fd = None
        self.finished = True

    def close(self) -> None:
        """Stop writing; a file never finished stays unreadable (and its holder removes it)."""
        self._buffer.clear()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _sync_in_background(self) -> None:
        """Start syncing what is written so far, so :meth:`finish` has little left to wait for."""
        if self._syncing is not None and not self._syncing.done():
            return
        assert self._fd is not None
        # A duplicate of the descriptor: the writer may close its own before the sync ends.
        self._syncing = _syncer.submit(_sync_and_close, os.dup(self._fd))

    def _seal(self, piece: bytes | memoryview, *, last: bool) -> None:
        self._write_out(self._cipher.encrypt(_nonce(self._index, last), piece, self._header))
        self._index += 1

    def _write_out(self, data: bytes) -> None:
        assert self._fd is not None
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]


class SealedFile:
    """A finished sealed file on disk, read back as a stream of its bytes (in the clear)."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self._key = key

    @property
    def size(self) -> int:
        """The length of the file's bytes (not of the sealed file).

        Raises:
            SealedFileError: the file is too short to be a sealed file.
        """
        return _layout(self.path.stat().st_size)[1]

    def open(self) -> BinaryIO:
        """The file's bytes, read a piece at a time; every piece is checked as it is read.

        Raises:
            SealedFileError: not a sealed file, or one that is not whole (when read).
        """
        return io.BufferedReader(_SealedReader(self.path, self._key), buffer_size=PIECE)

    def sha256(self) -> str:
        """SHA-256 of the file's bytes, every piece read and checked.

        Raises:
            SealedFileError: the file is not whole.
        """
        digest = hashlib.sha256()
        with self.open() as stream:
            while chunk := stream.read(PIECE):
                digest.update(chunk)
        return digest.hexdigest()

    @classmethod
    def seal(cls, path: Path, key: bytes, source: BinaryIO) -> SealedWriter:
        """Seal the bytes read from ``source`` into a new file at ``path`` (finished)."""
        writer = SealedWriter(path, key)
        try:
            while chunk := source.read(PIECE):
                writer.write(chunk)
            writer.finish()
        finally:
            writer.close()
        return writer


def _layout(file_size: int) -> tuple[int, int]:
    """The number of pieces and the length of the bytes, from a sealed file's size."""
    sealed = file_size - HEADER_SIZE
    if sealed < _TAG:
        raise SealedFileError("not a whole sealed file")
    pieces = -(-sealed // (PIECE + _TAG))
    return pieces, sealed - pieces * _TAG


class _SealedReader(io.RawIOBase):
    """A sealed file's bytes with random access; one opened piece is kept in memory."""

    def __init__(self, path: Path, key: bytes) -> None:
        super().__init__()
        self._file = path.open("rb")
        try:
            header = self._file.read(HEADER_SIZE)
            if len(header) != HEADER_SIZE or not header.startswith(MAGIC):
                raise SealedFileError("not a sealed file")
            self._pieces, self._size = _layout(os.fstat(self._file.fileno()).st_size)
        except BaseException:
            self._file.close()
            raise
        self._header = header
        # Readers ask a stream its name; never the sealed file's path, which holds no DICOM.
        self.name = f"<sealed {path.name}>"
        self._cipher = _cipher(key, header[len(MAGIC) :])
        self._position = 0
        self._opened: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(base + offset, 0)
        return self._position

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._position >= self._size:
            return 0
        index, within = divmod(self._position, PIECE)
        piece = self._piece(index)
        taken = piece[within : within + len(buffer)]
        buffer[: len(taken)] = taken
        self._position += len(taken)
        return len(taken)

    def _piece(self, index: int) -> bytes:
        if self._opened is not None and self._opened[0] == index:
            return self._opened[1]
        self._file.seek(HEADER_SIZE + index * (PIECE + _TAG))
        sealed = self._file.read(PIECE + _TAG)
        last = index == self._pieces - 1
        try:
            piece = self._cipher.decrypt(_nonce(index, last), sealed, self._header)
        except InvalidTag:
            raise SealedFileError("a sealed file is not whole") from None
        self._opened = (index, piece)
        return piece

    def close(self) -> None:
        if not self.closed:
            self._file.close()
            self._opened = None
        super().close()
