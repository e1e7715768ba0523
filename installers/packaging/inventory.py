"""What a PyInstaller one-folder bundle is made of, file by file, as components with an origin.

Every file in the bundle is given to one component:

* ``python``: a distribution installed where the bundle was built, found through the files its
  RECORD lists (extension modules, data, metadata) and through the modules in the bundle's
  archive; the project's own packages are the project's distribution.
* ``library``: a native library a wheel carries beside its Python code: an auditwheel
  ``*.libs`` folder (its hash dropped from the name), Qt's libraries and plug-ins in PySide6.
* ``debian``: a library PyInstaller copied from the build machine, named by the Debian
  package that installed it (``dpkg -S``).
* ``runtime``: the Python interpreter and its standard library; PyInstaller's boot loader.

A file none of these explain is listed as ``unattributed``, which the licence rule refuses.
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

REPOSITORY = Path(__file__).resolve().parents[2]
CONTENTS = "_internal"

# auditwheel renames a vendored library libfoo.so.1 to libfoo-<8 hex digits>.so.1 (once or twice).
_WHEEL_HASH = re.compile(r"-[0-9a-f]{8}(?=-|$)")
_SHARED = re.compile(r"\.so(\.|$)")
_BOOT_MODULES = ("pyimod", "pyiboot", "pyi_rth_", "_pyi_rth_")
_SYSCONFIG = "_sysconfigdata_"
_32_BITS = 2**32
_PART_FIELDS = ("type", "name", "version", "purl")


@dataclass
class Component:
    """One thing in a bundle with a licence of its own."""

    kind: str
    name: str
    version: str = ""
    files: list[str] = field(default_factory=list)
    declared: str = ""  # what the component's own metadata says, for the reader
    purl: str = ""
    parts: list[dict[str, object]] = field(default_factory=list)  # from a wheel's own SBOM

    @property
    def key(self) -> tuple[str, str]:
        """The component's kind and name, as the allowlist knows it."""
        return (self.kind, self.name)


def contents_of(bundle: Path) -> Path:
    """The folder holding a one-folder bundle's files (PyInstaller 6 puts them in _internal)."""
    inner = bundle / CONTENTS
    return inner if inner.is_dir() else bundle


def library_name(relative: str) -> str:
    """A wheel-carried library's name: its folder and file name without version or hash."""
    path = PurePosixPath(relative)
    stem = _WHEEL_HASH.sub("", path.name.split(".so")[0])
    return str(path.parent / stem)


def inventory(bundle: Path, *, project_root: Path = REPOSITORY) -> list[Component]:
    """The components of ``bundle``, every file given to one of them."""
    contents = contents_of(bundle)
    files = sorted(
        path.relative_to(contents).as_posix()
        for path in contents.rglob("*")
        if path.is_file() and not path.is_symlink()
    )
    components: dict[tuple[str, str], Component] = {}

    def add(kind: str, name: str, relative: str) -> Component:
        found = components.setdefault((kind, name), Component(kind, name))
        found.files.append(relative)
        return found

    owners = _record_owners()
    distributions = importlib.metadata.packages_distributions()
    project = _project(project_root)
    python_version = f"{sys.version_info.major}.{sys.version_info.minor}"
    host: list[str] = []
    for relative in files:
        kind, name = _origin(relative, owners, project, python_version)
        if kind == "debian?":
            host.append(relative)
        else:
            add(kind, name, relative)
    for executable in _executables(bundle, contents):
        add("runtime", "pyinstaller", executable.relative_to(bundle).as_posix())
        modules, scripts = _archived_modules(executable)
        for module in modules:
            kind, name = _module_origin(module, owners, project, distributions)
            add(kind, name, f"{executable.name}:{module}")
        for module in scripts:
            # The entry script is the project's; PyInstaller's run-time hooks are its own.
            boot = module.startswith(_BOOT_MODULES)
            kind, name = ("runtime", "pyinstaller") if boot else ("python", project[0])
            add(kind, name, f"{executable.name}:{module}")
    for relative, package in _debian_packages(contents, host).items():
        add("debian", package, relative) if package else add("unattributed", relative, relative)
    _describe(components, project)
    return sorted(components.values(), key=lambda component: component.key)


def _origin(
    relative: str,
    owners: dict[str, str],
    project: tuple[str, set[str]],
    python_version: str,
) -> tuple[str, str]:
    top = relative.split("/", 1)[0]
    package = top.split(".", 1)[0]
    interpreter = (f"python{python_version}", "base_library.zip")
    if top in interpreter or relative.startswith("libpython"):
        origin = ("runtime", "cpython")
    elif _is_wheel_library(relative):
        origin = ("library", library_name(relative))
    elif relative in owners:
        origin = ("python", owners[relative])
    elif package in project[1]:
        origin = ("python", project[0])
    elif top.endswith((".dist-info", ".egg-info")):
        # Metadata PyInstaller copied for a distribution whose RECORD does not list it.
        origin = ("python", _canonical(top.rsplit("-", 1)[0]))
    elif "/" not in relative and _SHARED.search(relative):
        origin = ("debian?", relative)
    else:
        origin = ("unattributed", relative)
    return origin


def _is_wheel_library(relative: str) -> bool:
    parts = relative.split("/")
    if len(parts) < 2 or not _SHARED.search(parts[-1]):
        return False
    return parts[0].endswith(".libs") or relative.startswith(
        ("PySide6/Qt/lib/", "PySide6/Qt/plugins/")
    )


def _module_origin(
    module: str,
    owners: dict[str, str],
    project: tuple[str, set[str]],
    distributions: Mapping[str, list[str]],
) -> tuple[str, str]:
    top = module.split(".", 1)[0]
    if module.startswith(_BOOT_MODULES):
        return ("runtime", "pyinstaller")
    if top in project[1]:
        return ("python", project[0])
    path = module.replace(".", "/")
    for candidate in (f"{path}.py", f"{path}/__init__.py"):
        owner = owners.get(candidate)
        if owner is not None:
            return ("python", owner)
    if top in sys.stdlib_module_names or top.startswith(_SYSCONFIG):
        return ("runtime", "cpython")
    for name in distributions.get(top, []):
        return ("python", _canonical(name))
    return ("unattributed", f"module {module}")


def _record_owners() -> dict[str, str]:
    """Each file a distribution's RECORD lists, with that distribution's name (first one wins)."""
    owners: dict[str, str] = {}
    for distribution in importlib.metadata.distributions():
        name = _canonical(str(distribution.metadata["Name"]))
        for listed in distribution.files or []:
            owners.setdefault(PurePosixPath(str(listed)).as_posix(), name)
    return owners


def _project(root: Path) -> tuple[str, set[str]]:
    """The project's distribution name and its top-level packages, from pyproject.toml."""
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    name = _canonical(str(data["project"]["name"]))
    found = data.get("tool", {}).get("setuptools", {}).get("packages", {}).get("find", {})
    tops = {str(pattern).rstrip("*").split(".")[0] for pattern in found.get("include", [])}
    return name, tops


def _executables(bundle: Path, contents: Path) -> Iterable[Path]:
    if contents == bundle:
        return []
    return sorted(path for path in bundle.iterdir() if path.is_file() and _is_elf(path))


def _is_elf(path: Path) -> bool:
    with path.open("rb") as opened:
        return opened.read(4) == b"\x7fELF"


def _archived_modules(executable: Path) -> tuple[list[str], list[str]]:
    """The modules and the scripts in an executable's archive (read with PyInstaller's reader)."""
    from PyInstaller.archive.readers import (  # type: ignore[import-untyped]  # noqa: PLC0415
        CArchiveReader,  # a build tool, imported only here
    )

    archive = CArchiveReader(str(executable))
    modules = {name for name, entry in archive.toc.items() if entry[-1] in {"m", "M"}}
    scripts = {name for name, entry in archive.toc.items() if entry[-1] == "s"}
    for name, entry in archive.toc.items():
        if entry[-1] == "z":
            modules.update(archive.open_embedded_archive(name).toc)
    return sorted(modules), sorted(scripts)


def _debian_packages(contents: Path, relatives: list[str]) -> dict[str, str]:
    """Each host library's Debian package ("" when dpkg knows none), by its file name.

    The library's path on this machine comes from the linker's cache; with merged /usr a file
    in /usr/lib may be registered under /lib, or the reverse, so both are asked for. A name the
    cache lacks is searched for under any folder (slower: dpkg reads its whole database).
    """
    if not relatives:
        return {}
    names = {PurePosixPath(relative).name for relative in relatives}
    known = _linker_cache()
    queries = []
    for name in sorted(names):
        path = known.get(name)
        if path is None:
            queries.append(f"*/{name}")
            continue
        stripped = path.removeprefix("/usr")
        queries += [stripped, f"/usr{stripped}"]
    listed = subprocess.run(
        ["dpkg-query", "--search", *queries], capture_output=True, text=True, check=False
    ).stdout
    by_name: dict[str, set[str]] = {}
    for line in listed.splitlines():
        packages, _, path = line.partition(": ")
        if not path or packages.startswith("diversion"):
            continue
        for package in packages.split(", "):
            by_name.setdefault(PurePosixPath(path).name, set()).add(package.split(":")[0])
    return {
        relative: ", ".join(sorted(by_name.get(PurePosixPath(relative).name, set())))
        for relative in relatives
    }


def _linker_cache() -> dict[str, str]:
    """Library file names and their paths, from ``ldconfig -p`` (the first one listed wins)."""
    try:
        shown = subprocess.run(
            ["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return {}
    known: dict[str, str] = {}
    for line in shown.splitlines():
        name, arrow, path = line.strip().partition(" => ")
        # The cache lists each library once per word size: take this interpreter's.
        if arrow and ("64" in name) == (sys.maxsize > _32_BITS):
            known.setdefault(name.split(" ", 1)[0], path.strip())
    return known


def _describe(components: dict[tuple[str, str], Component], project: tuple[str, set[str]]) -> None:
    """Versions, declared licences and purls, from the build machine's metadata."""
    for component in components.values():
        if component.kind == "python":
            _describe_distribution(component, project)
        elif component.kind == "debian" and ", " not in component.name:
            component.version = _debian_field(component.name, "Version")
            component.purl = f"pkg:deb/debian/{component.name}@{component.version}"
        elif component.key == ("runtime", "cpython"):
            component.version = ".".join(map(str, sys.version_info[:3]))
            component.purl = f"pkg:generic/cpython@{component.version}"
        elif component.key == ("runtime", "pyinstaller"):
            component.version = _version("pyinstaller")
            component.purl = f"pkg:pypi/pyinstaller@{component.version}"


def _describe_distribution(component: Component, project: tuple[str, set[str]]) -> None:
    try:
        distribution = importlib.metadata.distribution(component.name)
    except importlib.metadata.PackageNotFoundError:
        return
    component.version = distribution.version
    component.purl = f"pkg:pypi/{component.name}@{component.version}"
    metadata = distribution.metadata
    declared = next(
        (
            found[0]
            for field in ("License-Expression", "License")
            if (found := metadata.get_all(field))
        ),
        "",
    )
    if not declared or len(declared) > 80:
        classifiers = metadata.get_all("Classifier") or []
        declared = "; ".join(c.split(" :: ")[-1] for c in classifiers if c.startswith("License"))
    component.declared = declared
    if component.name == project[0]:
        return
    for listed in distribution.files or []:
        if "/sboms/" in str(listed) and str(listed).endswith(".json"):
            component.parts += _sbom_components(Path(str(listed.locate())), component.name)


def _sbom_components(path: Path, owner: str) -> list[dict[str, object]]:
    """The components a wheel's own SBOM lists (auditwheel's, cargo's), but the wheel itself."""
    import json  # noqa: PLC0415 - only when a wheel carries one

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    listed = data.get("components", []) if isinstance(data, dict) else []
    parts: list[dict[str, object]] = []
    for item in listed:
        if not isinstance(item, dict) or _canonical(str(item.get("name", ""))) == owner:
            continue
        part = {key: value for key, value in item.items() if key in _PART_FIELDS}
        if part not in parts:  # auditwheel lists a package once per library taken from it
            parts.append(part)
    return parts


def _debian_field(package: str, name: str) -> str:
    shown = subprocess.run(
        ["dpkg-query", "--show", f"--showformat=${{{name}}}", package],
        capture_output=True,
        text=True,
        check=False,
    )
    return shown.stdout.strip()


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
