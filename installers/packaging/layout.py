"""What every package here lays out alike: the bundle under /opt, its documents, its control file.

Each package carries, in /usr/share/doc/<package>/, its copyright file, its changelog, and the
SBOM (``<package>.cdx.json``, CycloneDX) and licence list (``licences.md``) of the very bundle
it ships; a bundle that breaks the licence rule (installers/licences/README.md) is not packaged.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterable
from pathlib import Path

from installers.packaging import deb
from installers.packaging.licences import PROPRIETARY, Report, review, write

MAINTAINER = "OneStop MSK team <team@example.org>"


class LicenceRuleError(deb.PackageBuildError):
    """A bundle holds components the licence rule refuses; the message names each one."""


def reviewed(bundle: Path, package: str, *, licence: str = PROPRIETARY) -> Report:
    """The licence review of ``bundle`` as ``package``; raises when a component fails it."""
    report = review(bundle, name=package, licence=licence)
    if report.failures:
        named = "\n".join(f"  {finding}" for finding in report.failures)
        raise LicenceRuleError(
            f"{package} is not built: its bundle breaks the licence rule\n{named}"
        )
    return report


def copy_bundle(bundle: Path, staging: Path, package: str) -> Path:
    """Empties ``staging``; puts the bundle in opt/<package>, stripped, with no foreign RUNPATH."""
    shutil.rmtree(staging, ignore_errors=True)
    target = staging / "opt" / package
    shutil.copytree(bundle, target, symlinks=True)
    deb.strip_libraries(target)
    deb.remove_foreign_runpaths(target)
    return target


def add_documents(
    staging: Path, package: str, files: Path, report: Report, *, version: str
) -> Path:
    """The package's doc folder (copyright, changelog, SBOM, licence list) and lintian overrides.

    ``files`` is the package's folder of Debian files (copyright, changelog, lintian-overrides).
    Returns the doc folder.
    """
    docs = staging / "usr" / "share" / "doc" / package
    docs.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(files / "copyright", docs / "copyright")
    with (
        (docs / "changelog.gz").open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as packed,
    ):
        packed.write((files / "changelog").read_bytes())
    write(report, docs, version=version, listing_name="licences.md")
    overrides = staging / "usr" / "share" / "lintian" / "overrides"
    overrides.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(files / "lintian-overrides", overrides / package)
    return docs


def write_control(
    staging: Path,
    *,
    package: str,
    version: str,
    section: str,
    relations: dict[str, str],
    description: str,
    conffiles: Iterable[str] = (),
    scripts: Iterable[Path] = (),
) -> None:
    """DEBIAN/: the control file, conffiles, maintainer scripts, md5sums; permissions set.

    ``relations`` are the fields after the common ones (Depends, Recommends, Enhances). Call it
    last: Installed-Size and md5sums are of the payload as it then is.
    """
    deb.normalise_permissions(staging)
    control = staging / "DEBIAN"
    control.mkdir(mode=0o755)
    fields = {
        "Package": package,
        "Version": version,
        "Section": section,
        "Priority": "optional",
        "Architecture": "amd64",
        "Maintainer": MAINTAINER,
        "Installed-Size": str(deb.installed_size_kib(staging)),
        **relations,
    }
    lines = "".join(f"{name}: {value}\n" for name, value in fields.items())
    (control / "control").write_text(lines + description, encoding="utf-8")
    listed = [f"/{path}\n" for path in conffiles]
    if listed:
        (control / "conffiles").write_text("".join(listed), encoding="utf-8")
    copied = [control / script.name for script in scripts]
    for script, target in zip(scripts, copied, strict=True):
        shutil.copyfile(script, target)
    deb.write_md5sums(staging)
    deb.normalise_permissions(control)
    for target in copied:
        target.chmod(0o755)


def copy_into(source: Path, folder: Path) -> None:
    """Copies one file into ``folder`` (made if missing), keeping its name."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, folder / source.name)


def build_staged(staging: Path, out_dir: Path, *, compression: str) -> Path:
    """Builds the .deb of a laid-out ``staging`` folder in ``out_dir``, then removes the folder."""
    try:
        return deb.build_deb(staging, out_dir, compression=compression)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
