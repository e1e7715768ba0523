"""Debian packages from a staging folder, and what a frozen bundle needs before it goes in one."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

COMPRESSIONS = ("gzip", "xz")  # lintian cannot read zstd-compressed members
_ELF_MAGIC = b"\x7fELF"
_BATCH = 200


class PackageBuildError(RuntimeError):
    """A packaging tool failed; the message carries its output."""


def is_elf(path: Path) -> bool:
    """True for ELF files (programs and shared libraries), never following symlinks."""
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as file:
        return file.read(4) == _ELF_MAGIC


def elf_files(root: Path) -> Iterator[Path]:
    """Every ELF file under ``root``."""
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if is_elf(path):
                yield path


def is_shared_library(path: Path) -> bool:
    """True for ``*.so`` and ``*.so.N`` names."""
    return ".so" in path.name and (path.name.endswith(".so") or ".so." in path.name)


def _run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    finished = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    if finished.returncode != 0:
        raise PackageBuildError(
            f"{argv[0]} failed ({finished.returncode}): {finished.stderr.strip()[-2000:]}"
        )
    return finished  # type: ignore[no-any-return]


def _batches(paths: Iterable[Path]) -> Iterator[list[str]]:
    batch: list[str] = []
    for path in paths:
        batch.append(str(path))
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


#: Folders whose libraries stay as built. NumPy's wheel carries OpenBLAS and the Fortran
#: runtime rewritten by auditwheel (patchelf); stripped, they no longer load ("ELF load command
#: address/offset not page-aligned"), and every package here imports NumPy.
KEPT_AS_BUILT = frozenset({"numpy.libs"})


def strip_libraries(root: Path) -> int:
    """Strips debugging symbols from the shared libraries under ``root``; returns how many.

    Programs are left alone: a PyInstaller launcher carries its archive appended to the ELF
    image, and strip would cut it off. So are the libraries in :data:`KEPT_AS_BUILT`.
    """
    libraries = [
        path
        for path in elf_files(root)
        # A link is the library it names: stripped (or kept) there, not through the link.
        if is_shared_library(path) and not path.is_symlink() and not KEPT_AS_BUILT & set(path.parts)
    ]
    for batch in _batches(libraries):
        _run(["strip", "--strip-unneeded", "--remove-section=.comment", *batch])
    return len(libraries)


def runpath(path: Path) -> str:
    """The RUNPATH (or RPATH) of an ELF file, '' when it has none."""
    return _run(["patchelf", "--print-rpath", str(path)]).stdout.strip()


def remove_foreign_runpaths(root: Path) -> list[Path]:
    """Removes RUNPATHs that point outside the bundle (the build machine's folders).

    A path relative to the library (``$ORIGIN``) stays: the bundle needs those. Returns the
    files changed.
    """
    changed = []
    for path in elf_files(root):
        search = runpath(path)
        if search and any(not part.startswith("$ORIGIN") for part in search.split(":")):
            kept = ":".join(part for part in search.split(":") if part.startswith("$ORIGIN"))
            if kept:
                _run(["patchelf", "--set-rpath", kept, str(path)])
            else:
                _run(["patchelf", "--remove-rpath", str(path)])
            changed.append(path)
    return changed


def normalise_permissions(root: Path) -> None:
    """Folders 0755; programs and scripts 0755; everything else (libraries too) 0644."""
    for folder, names, files in os.walk(root):
        os.chmod(folder, 0o755)
        for name in files:
            path = Path(folder) / name
            if path.is_symlink():
                continue
            os.chmod(path, 0o755 if _is_program(path) else 0o644)
        for name in names:
            os.chmod(Path(folder) / name, 0o755)


def _is_program(path: Path) -> bool:
    if is_shared_library(path):
        return False
    with path.open("rb") as file:
        head = file.read(18)
    if head[:4] == _ELF_MAGIC:
        return int.from_bytes(head[16:18], "little") == 2  # ET_EXEC; ET_DYN is a library or PIE
    return head[:2] == b"#!" and bool(path.stat().st_mode & stat.S_IXUSR)


def installed_size_kib(root: Path, *, skip: str = "DEBIAN") -> int:
    """Installed-Size for the control file: the size of the payload in KiB."""
    total = 0
    for folder, names, files in os.walk(root):
        if Path(folder) == root and skip in names:
            names.remove(skip)
        for name in files:
            path = Path(folder) / name
            total += path.lstat().st_size if path.is_symlink() else path.stat().st_size
    return (total + 1023) // 1024


def write_md5sums(staging: Path) -> None:
    """DEBIAN/md5sums for every regular file of the payload."""
    lines = []
    for folder, names, files in os.walk(staging):
        if Path(folder) == staging and "DEBIAN" in names:
            names.remove("DEBIAN")
        names.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_symlink():
                continue
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            lines.append(f"{digest}  {path.relative_to(staging)}\n")
    (staging / "DEBIAN" / "md5sums").write_text("".join(lines), encoding="utf-8")


def build_deb(staging: Path, out_dir: Path, *, compression: str = "gzip") -> Path:
    """Builds a .deb from ``staging`` (which holds DEBIAN/control) into ``out_dir``.

    dpkg-deb runs under fakeroot, so every file belongs to root in the package whoever builds
    it. The file is named package_version_architecture.deb, from the control file.
    """
    if compression not in COMPRESSIONS:
        raise ValueError(f"compression must be one of {COMPRESSIONS}, not {compression!r}")
    if shutil.which("fakeroot") is None or shutil.which("dpkg-deb") is None:
        raise PackageBuildError("building a .deb needs dpkg-deb and fakeroot (Debian packages)")
    fields = control_fields(staging / "DEBIAN" / "control")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{fields['Package']}_{fields['Version']}_{fields['Architecture']}.deb"
    target.unlink(missing_ok=True)
    level = ["-z6"] if compression == "gzip" else ["-z6", "--threads-max=2"]
    _run(["fakeroot", "dpkg-deb", f"-Z{compression}", *level, "--build", str(staging), str(target)])
    return target


def control_fields(control: Path) -> dict[str, str]:
    """The single-line fields of a control file (continuation lines are ignored)."""
    fields = {}
    for line in control.read_text(encoding="utf-8").splitlines():
        if line and not line[0].isspace() and ":" in line:
            name, value = line.split(":", 1)
            fields[name] = value.strip()
    return fields


def control_field(package: Path, name: str) -> str:
    """One field of a built package's control file."""
    return _run(["dpkg-deb", "--field", str(package), name]).stdout.strip()
