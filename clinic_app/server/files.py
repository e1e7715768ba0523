"""The server's files, named by SHA-256: uploads arrive in pieces and are checked when whole.

A piece must start where the bytes received so far end, so a cut upload resumes from
there and a piece sent twice is harmless. Only a file whose bytes hash to its name is
kept; rows that name a file are taken only once it is kept.

An upload in progress never grows past the cap on one file, and all uploads in progress
together never past theirs. Folders are created 0700 and files 0600: only the server's own
account reads them.

Several server instances (or threads) may share the folder: a piece is checked and appended,
and an upload is checked and kept, only while holding an exclusive ``flock`` on its partial
file, so two pieces for the same file never both pass the offset check, and a piece never
lands in a file another instance has just kept or dropped. (On NFS the folder must be mounted
with locking; see docs/server.md.)
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from clinic_app.kernel.errors import ClinicError, Conflict, NotFound
from clinic_app.sync.files import check_sha256

_READ = 1024 * 1024
_GIB = 1024 * 1024 * 1024


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)


class FileStore:
    """Content-addressed files in one folder (``partial/`` holds uploads in progress)."""

    def __init__(
        self, root: Path, *, max_file_bytes: int = 4 * _GIB, max_partial_bytes: int = 16 * _GIB
    ) -> None:
        self.root = root
        self.max_file_bytes = max_file_bytes
        self.max_partial_bytes = max_partial_bytes
        _private_folder(root)
        _private_folder(root / "partial")

    def _partial_total(self) -> int:
        with os.scandir(self.root / "partial") as entries:
            return sum(entry.stat().st_size for entry in entries if entry.is_file())

    def path(self, sha256: str) -> Path:
        """Where a complete file is kept."""
        name = check_sha256(sha256)
        return self.root / name[:2] / name

    def _partial(self, sha256: str) -> Path:
        return self.root / "partial" / check_sha256(sha256)

    def has(self, sha256: str) -> bool:
        """True once the file is whole and checked."""
        return self.path(sha256).is_file()

    def received(self, sha256: str) -> int:
        """Bytes received so far (the whole size once complete)."""
        if self.has(sha256):
            return self.path(sha256).stat().st_size
        partial = self._partial(sha256)
        return partial.stat().st_size if partial.is_file() else 0

    @contextmanager
    def _locked_partial(self, sha256: str) -> Iterator[int | None]:
        """The partial file, open and locked (None once the file is kept whole).

        The lock is taken on the open file; if another holder renamed it into place (kept)
        or dropped it meanwhile, the lock is on a file no longer at the partial's path, so
        it is opened again.
        """
        partial = self._partial(sha256)
        while True:
            if self.has(sha256):
                yield None
                return
            fd = os.open(partial, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    same = os.stat(partial).st_ino == os.fstat(fd).st_ino
                except FileNotFoundError:
                    same = False
                if same and self.has(sha256):
                    # Kept whole by another holder between the check above and this open,
                    # which made an empty partial again: not wanted.
                    if os.fstat(fd).st_size == 0:
                        partial.unlink(missing_ok=True)
                    yield None
                    return
                if same:
                    yield fd
                    return
            finally:
                os.close(fd)  # closing lets the lock go

    def append(self, sha256: str, offset: int, data: bytes) -> int:
        """Add a piece at ``offset``; the bytes received afterwards.

        Raises:
            Conflict: ``file.wrong_offset`` (param ``received``) when the piece does not start
                where the received bytes end; the device resumes from ``received``.
        """
        with self._locked_partial(sha256) as fd:
            if fd is None:
                return self.received(sha256)
            received = os.fstat(fd).st_size
            if offset != received:
                if offset + len(data) <= received:
                    return received  # a piece sent again: already here
                raise Conflict("file.wrong_offset", received=received)
            if received + len(data) > self.max_file_bytes:
                raise ClinicError("file.too_large", limit=self.max_file_bytes)
            if self._partial_total() + len(data) > self.max_partial_bytes:
                raise ClinicError("file.uploads_full", limit=self.max_partial_bytes)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
            return received + len(data)

    def complete(self, sha256: str, size: int) -> None:
        """Check the received bytes against the name and keep the file.

        Raises:
            ClinicError: ``file.incomplete`` or ``file.hash_mismatch`` (the bytes are dropped,
                and the device sends them again).
        """
        partial = self._partial(sha256)
        if self.has(sha256):
            return
        if not partial.is_file():
            if self.has(sha256):
                return  # kept meanwhile by another instance
            raise ClinicError("file.incomplete", received=0)
        with self._locked_partial(sha256) as fd:
            if fd is None:
                return  # kept meanwhile by another instance
            received = os.fstat(fd).st_size
            if received != size:
                raise ClinicError("file.incomplete", received=received)
            digest = hashlib.sha256()
            with partial.open("rb") as source:
                while piece := source.read(_READ):
                    digest.update(piece)
            if digest.hexdigest() != sha256:
                partial.unlink()
                raise ClinicError("file.hash_mismatch")
            target = self.path(sha256)
            _private_folder(target.parent)
            partial.replace(target)

    def open(self, sha256: str) -> Path:
        """The path of a complete file, to send.

        Raises:
            NotFound: ``file.not_found``.
        """
        if not self.has(sha256):
            raise NotFound("file.not_found")
        return self.path(sha256)
