"""The SBOM (CycloneDX 1.6) and licence list of a one-folder bundle, and the licence check.

    python -m installers.packaging.licences BUNDLE --out DIR [--name NAME]

writes ``DIR/NAME.cdx.json`` and ``DIR/NAME-licences.md`` for any PyInstaller one-folder bundle
(the app's, the server's), run with the Python environment the bundle was built from, and exits
with status 1, naming them, when a component is unknown, refused or GPL-only
(installers/licences/README.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from installers.packaging.inventory import REPOSITORY, Component, inventory
from installers.packaging.licence_rule import (
    ALLOWLIST,
    UNKNOWN,
    Entry,
    Finding,
    check,
    entry_for,
    gpl_free_choice,
    load_allowlist,
)

SPEC_VERSION = "1.6"
#: The project's own licence: the app's and the server's packages are under it.
PROPRIETARY = "LicenseRef-Proprietary"
OWN_CODE = "the project's own code in this package, under the package's licence"
_KIND_TITLES = {
    "runtime": "Python and PyInstaller",
    "python": "Python distributions",
    "library": "Native libraries carried by wheels",
    "debian": "Libraries copied from the build machine (Debian packages)",
    "unattributed": "Files no component explains",
}


@dataclass(frozen=True)
class Report:
    """A bundle's components with their reviewed entries, and what breaks the rule."""

    name: str
    components: list[Component]
    entries: dict[tuple[str, str], Entry | None]
    findings: list[Finding]
    licence: str = PROPRIETARY  # the package's own, as a whole

    @property
    def under_the_gpl(self) -> bool:
        """Whether the package as a whole is GPL (the video add-on), so GPL parts may ship."""
        return not gpl_free_choice(self.licence)

    @property
    def failures(self) -> list[Finding]:
        """The findings that stop the package: all of them, or only unknown ones under the GPL.

        Refusals keep what is GPL out of the proprietary packages; a GPL package lists those
        components with their licences instead (:func:`markdown`).
        """
        if not self.under_the_gpl:
            return self.findings
        return [finding for finding in self.findings if finding.cause == UNKNOWN]

    def licence_of(self, component: Component) -> str:
        """The reviewed licence expression, or "" for a component the allowlist lacks."""
        entry = self.entries[component.key]
        return entry.licence if entry else ""

    def counts(self) -> Counter[str]:
        """How many components ship under each licence expression ("unknown" when unlisted)."""
        return Counter(self.licence_of(component) or "unknown" for component in self.components)


def review(
    bundle: Path, *, name: str = "", allowlist: Path = ALLOWLIST, licence: str = PROPRIETARY
) -> Report:
    """The bundle's components, each with its allowlist entry, and the rule's findings.

    ``licence`` is the package's own licence (the root of the SBOM); a GPL one lets GPL
    components ship (:attr:`Report.failures`).
    """
    components = inventory(bundle, project_root=REPOSITORY)
    entries = load_allowlist(allowlist)
    reviewed = {c.key: entry_for(entries, c.kind, c.name) for c in components}
    for key, entry in reviewed.items():
        if entry is not None and entry.licence == PROPRIETARY and licence != PROPRIETARY:
            # The project's own code in a package under other terms (the video add-on's
            # worker, GPL like the add-on) is under the package's licence.
            reviewed[key] = replace(entry, licence=licence, checked=OWN_CODE)
    return Report(
        name=name or bundle.name,
        components=components,
        entries=reviewed,
        findings=check([c.key for c in components], entries),
        licence=licence,
    )


def cyclonedx(report: Report, *, version: str) -> dict[str, object]:
    """The report as a CycloneDX 1.6 document: one component per bundle component."""
    root = f"package:{report.name}"
    listed = []
    for component in report.components:
        entry = report.entries[component.key]
        item: dict[str, object] = {
            "type": "library",
            "bom-ref": f"{component.kind}:{component.name}",
            "name": component.name,
        }
        if component.version:
            item["version"] = component.version
        if component.purl:
            item["purl"] = component.purl
        if entry is not None:
            item["licenses"] = [{"expression": entry.licence}]
        properties = [{"name": "onestop:kind", "value": component.kind}]
        if entry is not None:
            properties.append({"name": "onestop:licence-checked", "value": entry.checked})
        if component.declared:
            properties.append({"name": "onestop:declared-licence", "value": component.declared})
        item["properties"] = properties
        item["evidence"] = {"occurrences": [{"location": path} for path in component.files]}
        if component.parts:
            item["components"] = component.parts
        listed.append(item)
    return {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tools": {
                "components": [{"type": "application", "name": "installers.packaging.licences"}]
            },
            "component": {
                "type": "application",
                "bom-ref": root,
                "name": report.name,
                "version": version,
                "licenses": [{"expression": report.licence}],
            },
        },
        "components": listed,
        "dependencies": [
            {"ref": root, "dependsOn": [str(item["bom-ref"]) for item in listed]},
        ],
    }


def markdown(report: Report, *, version: str) -> str:
    """The licence list a person reads: counts, findings, then every component by kind."""
    lines = [
        f"# Licences of {report.name} {version}",
        "",
        f"The package is under {report.licence}.",
        "",
        f"{len(report.components)} components; the rule and the reviewed licences are in "
        "installers/licences/.",
        "",
        "## Components by licence",
        "",
        "| licence | components |",
        "| --- | --- |",
    ]
    lines += [f"| {licence} | {count} |" for licence, count in sorted(report.counts().items())]
    if report.under_the_gpl:
        shipped = [finding for finding in report.findings if finding not in report.failures]
        lines += ["", "## Under the GPL", ""]
        lines += [
            f"The package as a whole is {report.licence}, so these components, which a "
            "proprietary package may not carry, ship here under their own licences:",
            "",
        ]
        by_key = {component.key: component for component in report.components}
        licences = [report.licence_of(by_key[f.kind, f.name]) for f in shipped]
        lines += [
            f"- {f.kind} {f.name}: {licence}" for f, licence in zip(shipped, licences, strict=True)
        ] or ["None."]
    lines += ["", "## Findings", ""]
    lines += [f"- {finding}" for finding in report.failures] or ["None: every component passes."]
    for kind, title in _KIND_TITLES.items():
        chosen = [c for c in report.components if c.kind == kind]
        if not chosen:
            continue
        lines += ["", f"## {title}", "", "| name | version | licence | files | checked |"]
        lines += ["| --- | --- | --- | --- | --- |"]
        for component in chosen:
            entry = report.entries[component.key]
            checked = entry.checked if entry else "not reviewed"
            licence = report.licence_of(component) or "unknown"
            lines.append(
                f"| {component.name} | {component.version} | {licence} | "
                f"{len(component.files)} | {checked} |"
            )
    return "\n".join(lines) + "\n"


def write(report: Report, out: Path, *, version: str, listing_name: str = "") -> tuple[Path, Path]:
    """Writes the SBOM and the licence list (``NAME-licences.md`` unless named) into ``out``.

    Returns their paths.
    """
    out.mkdir(parents=True, exist_ok=True)
    sbom = out / f"{report.name}.cdx.json"
    sbom.write_text(json.dumps(cyclonedx(report, version=version), indent=1) + "\n")
    listing = out / (listing_name or f"{report.name}-licences.md")
    listing.write_text(markdown(report, version=version), encoding="utf-8")
    return sbom, listing


def main(argv: list[str] | None = None) -> int:
    """The command line: write both files, print the findings, 1 when there are any."""
    parser = argparse.ArgumentParser(prog="python -m installers.packaging.licences")
    parser.add_argument("bundle", type=Path, help="a PyInstaller one-folder bundle")
    parser.add_argument("--out", type=Path, required=True, help="folder for the two files")
    parser.add_argument("--name", default="", help="the package's name (default: the folder's)")
    parser.add_argument("--allowlist", type=Path, default=ALLOWLIST)
    parser.add_argument(
        "--licence", default=PROPRIETARY, help="the package's own licence (a GPL one lets GPL in)"
    )
    arguments = parser.parse_args(argv)
    report = review(
        arguments.bundle,
        name=arguments.name,
        allowlist=arguments.allowlist,
        licence=arguments.licence,
    )
    sbom, listing = write(report, arguments.out, version=_project_version())
    sys.stdout.write(f"{len(report.components)} components: {sbom}, {listing}\n")
    for finding in report.failures:
        sys.stderr.write(f"licence check: {finding}\n")
    return 1 if report.failures else 0


def _project_version() -> str:
    import tomllib  # noqa: PLC0415 - only here

    data = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    return str(data["project"]["version"])


if __name__ == "__main__":
    sys.exit(main())
