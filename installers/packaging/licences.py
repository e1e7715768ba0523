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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from installers.packaging.inventory import REPOSITORY, Component, inventory
from installers.packaging.licence_rule import (
    ALLOWLIST,
    Entry,
    Finding,
    check,
    entry_for,
    load_allowlist,
)

SPEC_VERSION = "1.6"
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

    def licence_of(self, component: Component) -> str:
        """The reviewed licence expression, or "" for a component the allowlist lacks."""
        entry = self.entries[component.key]
        return entry.licence if entry else ""

    def counts(self) -> Counter[str]:
        """How many components ship under each licence expression ("unknown" when unlisted)."""
        return Counter(self.licence_of(component) or "unknown" for component in self.components)


def review(bundle: Path, *, name: str = "", allowlist: Path = ALLOWLIST) -> Report:
    """The bundle's components, each with its allowlist entry, and the rule's findings."""
    components = inventory(bundle, project_root=REPOSITORY)
    entries = load_allowlist(allowlist)
    return Report(
        name=name or bundle.name,
        components=components,
        entries={c.key: entry_for(entries, c.kind, c.name) for c in components},
        findings=check([c.key for c in components], entries),
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
                "licenses": [{"expression": "LicenseRef-Proprietary"}],
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
        f"{len(report.components)} components; the rule and the reviewed licences are in "
        "installers/licences/.",
        "",
        "## Components by licence",
        "",
        "| licence | components |",
        "| --- | --- |",
    ]
    lines += [f"| {licence} | {count} |" for licence, count in sorted(report.counts().items())]
    lines += ["", "## Findings", ""]
    lines += [f"- {finding}" for finding in report.findings] or ["None: every component passes."]
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


def write(report: Report, out: Path, *, version: str) -> tuple[Path, Path]:
    """Writes the SBOM and the licence list into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    sbom = out / f"{report.name}.cdx.json"
    sbom.write_text(json.dumps(cyclonedx(report, version=version), indent=1) + "\n")
    listing = out / f"{report.name}-licences.md"
    listing.write_text(markdown(report, version=version), encoding="utf-8")
    return sbom, listing


def main(argv: list[str] | None = None) -> int:
    """The command line: write both files, print the findings, 1 when there are any."""
    parser = argparse.ArgumentParser(prog="python -m installers.packaging.licences")
    parser.add_argument("bundle", type=Path, help="a PyInstaller one-folder bundle")
    parser.add_argument("--out", type=Path, required=True, help="folder for the two files")
    parser.add_argument("--name", default="", help="the package's name (default: the folder's)")
    parser.add_argument("--allowlist", type=Path, default=ALLOWLIST)
    arguments = parser.parse_args(argv)
    report = review(arguments.bundle, name=arguments.name, allowlist=arguments.allowlist)
    sbom, listing = write(report, arguments.out, version=_project_version())
    sys.stdout.write(f"{len(report.components)} components: {sbom}, {listing}\n")
    for finding in report.findings:
        sys.stderr.write(f"licence check: {finding}\n")
    return 1 if report.findings else 0


def _project_version() -> str:
    import tomllib  # noqa: PLC0415 - only here

    data = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    return str(data["project"]["version"])


if __name__ == "__main__":
    sys.exit(main())
