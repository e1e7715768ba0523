r"""A Windows Installer database (WiX source) for a one-folder bundle, per machine.

The same .wxs builds with WiX 3 (candle and light, on a Windows runner) and with msitools'
wixl (on Linux, where the tests build it). Everything that identifies the product is derived,
never random, so two builds of one version are the same product and a new version replaces the
old one:

- the upgrade code is fixed for the product, for ever (it is how Windows finds older versions);
- the product code is worked out from the upgrade code and the version: the same for one
  version, different for the next, which is what a major upgrade needs;
- each component's GUID is worked out from the upgrade code and the file's path in the bundle,
  so a file keeps its component across versions (Windows Installer's component rules).

The installer writes only inside its install folder and one Start-menu shortcut. A clinic's
store lives in each user's own data folder (``%LOCALAPPDATA%\OneStop MSK``, from
platformdirs), which the installer never names: uninstalling leaves clinic data in place.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from xml.sax.saxutils import quoteattr

from installers.packaging.app import app_version

#: Fixed for ever: Windows finds earlier versions of the app by it. Never change it.
APP_UPGRADE_CODE = uuid.UUID("6b1f4a52-3c7e-4a8e-9d62-0c1f0d4b9a11")

_WIX_NAMESPACE = "http://schemas.microsoft.com/wix/2006/wi"
#: The longest path Windows programs can open without long-path support turned on.
_MAX_PATH = 259
_MSI_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?$")


class InstallerError(RuntimeError):
    """The installer cannot be made from what it was given; the message says why."""


@dataclass(frozen=True)
class Product:
    """What the installer installs: its name, folder, version and identity."""

    name: str
    manufacturer: str
    version: str
    upgrade_code: uuid.UUID
    #: The folder under Program Files.
    folder: str
    #: The program in the bundle that the Start-menu shortcut opens (None: no shortcut).
    program: str | None
    #: What the shortcut passes to the program.
    arguments: str = ""
    #: An .ico for the shortcut and for Apps & features (None: Windows' default icon).
    icon: Path | None = None

    @property
    def product_code(self) -> uuid.UUID:
        """The same for one version of the product, different for the next."""
        return uuid.uuid5(self.upgrade_code, f"product/{self.version}")

    def component_guid(self, relative: PurePosixPath) -> uuid.UUID:
        """A file's component GUID: stable across versions for the same path."""
        return uuid.uuid5(self.upgrade_code, f"component/{relative.as_posix().lower()}")


def msi_version(version: str) -> str:
    """The version as Windows Installer takes it: numbers major.minor.build only.

    Raises:
        InstallerError: the version is not plain numbers (a pre-release such as 1.0rc1), or a
            part is larger than Windows Installer allows (255.255.65535).
    """
    match = _MSI_VERSION.match(version)
    if match is None:
        raise InstallerError(
            f"version {version!r} is not major.minor[.build] in plain numbers, "
            "which is all a Windows Installer version can be"
        )
    parts = [int(part or 0) for part in match.groups()]
    if parts[0] > 255 or parts[1] > 255 or parts[2] > 65535:
        raise InstallerError(f"version {version!r} is beyond 255.255.65535")
    return ".".join(str(part) for part in parts)


def app_product(
    *, icon: Path | None = None, version: str | None = None, program: str = "onestop.exe"
) -> Product:
    """The app as Windows sees it, at the version in pyproject.toml."""
    return Product(
        name="OneStop MSK",
        manufacturer="OneStop MSK",
        version=msi_version(version or app_version()),
        upgrade_code=APP_UPGRADE_CODE,
        folder="OneStop MSK",
        program=program,
        arguments="run",
        icon=icon,
    )


def bundle_files(bundle: Path) -> list[PurePosixPath]:
    """Every file in the bundle, as paths relative to it, in a stable order.

    Raises:
        InstallerError: the bundle is empty or holds something other than files and folders.
    """
    if not bundle.is_dir():
        raise InstallerError(f"{bundle} is not a folder")
    files = []
    for path in sorted(bundle.rglob("*")):
        if path.is_symlink():
            # Windows Installer cannot create links; a bundle for Windows has none.
            raise InstallerError(f"{path} is a symbolic link, which an MSI cannot install")
        if path.is_file():
            files.append(PurePosixPath(path.relative_to(bundle).as_posix()))
    if not files:
        raise InstallerError(f"{bundle} holds no files")
    return files


def _id(kind: str, relative: PurePosixPath) -> str:
    # MSI identifiers: letters, digits, '_' and '.', at most 72 characters. Paths are neither.
    digest = hashlib.sha256(relative.as_posix().encode()).hexdigest()[:32]
    return f"{kind}_{digest}"


@dataclass
class _Folder:
    name: str
    relative: PurePosixPath
    files: list[PurePosixPath]
    folders: dict[str, _Folder]


def _tree(files: list[PurePosixPath]) -> _Folder:
    top = _Folder("", PurePosixPath("."), [], {})
    for relative in files:
        folder = top
        for part in relative.parts[:-1]:
            folder = folder.folders.setdefault(part, _Folder(part, folder.relative / part, [], {}))
        folder.files.append(relative)
    return top


def _folder_xml(folder: _Folder, product: Product, indent: str) -> Iterator[str]:
    for relative in folder.files:
        component, file_id = _id("c", relative), _id("f", relative)
        guid = product.component_guid(relative)
        yield f'{indent}<Component Id="{component}" Guid="{{{str(guid).upper()}}}" Win64="yes">'
        # Relative to the bundle: wixl runs in it, WiX 3's light is given it as its bind path.
        source = quoteattr(str(Path(relative)))
        name = quoteattr(relative.name)
        if product.program is not None and relative == PurePosixPath(product.program):
            yield f'{indent}  <File Id="{file_id}" Name={name} Source={source} KeyPath="yes">'
            icon = ' Icon="AppIcon"' if product.icon is not None else ""
            arguments = f" Arguments={quoteattr(product.arguments)}" if product.arguments else ""
            yield (
                f'{indent}    <Shortcut Id="StartMenuShortcut" Directory="ProgramMenuFolder"'
                f' Name={quoteattr(product.name)} WorkingDirectory="INSTALLDIR"'
                f' Advertise="yes"{arguments}{icon}/>'
            )
            yield f"{indent}  </File>"
        else:
            yield f'{indent}  <File Id="{file_id}" Name={name} Source={source} KeyPath="yes"/>'
        yield f"{indent}</Component>"
    for name, sub in sorted(folder.folders.items()):
        yield f'{indent}<Directory Id="{_id("d", sub.relative)}" Name={quoteattr(name)}>'
        yield from _folder_xml(sub, product, indent + "  ")
        yield f"{indent}</Directory>"


def _from_bundle(path: Path, bundle: Path) -> str:
    return os.path.relpath(path.resolve(), bundle.resolve())


def wxs(bundle: Path, product: Product) -> str:
    """The WiX source that installs every file of ``bundle`` under Program Files.

    Raises:
        InstallerError: the bundle cannot be installed as it is (see ``bundle_files``), a
            path would be too long for Windows once installed, or the program the shortcut
            opens is not in it.
    """
    files = bundle_files(bundle)
    for relative in files:
        installed = f"C:\\Program Files\\{product.folder}\\{PureWindowsPath(relative)}"
        if len(installed) > _MAX_PATH:
            raise InstallerError(
                f"{relative} would be {len(installed)} characters long installed, beyond"
                f" Windows' {_MAX_PATH}: the app could not open it"
            )
    if product.program is not None and PurePosixPath(product.program) not in files:
        raise InstallerError(f"{product.program} is not in {bundle}")
    name, manufacturer = quoteattr(product.name), quoteattr(product.manufacturer)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<Wix xmlns="{_WIX_NAMESPACE}">',
        f'  <Product Id="{{{str(product.product_code).upper()}}}" Name={name}'
        f' Language="1033" Codepage="65001" Version="{product.version}"'
        f' Manufacturer={manufacturer} UpgradeCode="{{{str(product.upgrade_code).upper()}}}">',
        '    <Package InstallerVersion="500" Compressed="yes" InstallScope="perMachine"'
        ' SummaryCodepage="65001"/>',
        # A newer version removes the older one first; an older one refuses to go over a newer.
        f'    <MajorUpgrade DowngradeErrorMessage="A newer version of {product.name}'
        ' is already installed."/>',
        '    <Media Id="1" Cabinet="app.cab" EmbedCab="yes"/>',
        '    <Property Id="ARPNOMODIFY" Value="1"/>',
    ]
    if product.icon is not None:
        lines += [
            # Like every source path here, relative to the bundle (see _folder_xml).
            f'    <Icon Id="AppIcon" SourceFile={quoteattr(_from_bundle(product.icon, bundle))}/>',
            '    <Property Id="ARPPRODUCTICON" Value="AppIcon"/>',
        ]
    lines += [
        '    <Directory Id="TARGETDIR" Name="SourceDir">',
        '      <Directory Id="ProgramMenuFolder"/>',
        '      <Directory Id="ProgramFiles64Folder">',
        f'        <Directory Id="INSTALLDIR" Name={quoteattr(product.folder)}>',
        *_folder_xml(_tree(files), product, "          "),
        "        </Directory>",
        "      </Directory>",
        "    </Directory>",
        f'    <Feature Id="Main" Title={name} Level="1">',
        *(f'      <ComponentRef Id="{_id("c", relative)}"/>' for relative in files),
        "    </Feature>",
        "  </Product>",
        "</Wix>",
        "",
    ]
    return "\n".join(lines)


def build_msi(bundle: Path, product: Product, out_dir: Path, *, wixl: str = "wixl") -> Path:
    """Writes the .wxs beside the MSI and builds it with wixl; returns the MSI.

    Raises:
        InstallerError: wixl failed; the message carries its output.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    source = out_dir / f"{msi_file_stem(product)}.wxs"
    source.write_text(wxs(bundle, product), encoding="utf-8")
    msi = out_dir / f"{msi_file_stem(product)}.msi"
    done = subprocess.run(
        [wixl, "-a", "x64", "-o", str(msi.resolve()), str(source.resolve())],
        cwd=bundle,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise InstallerError(f"wixl failed:\n{done.stdout}{done.stderr}")
    return msi


def msi_file_stem(product: Product) -> str:
    """The installer's file name without extension: OneStop-MSK-0.1.0."""
    return f"{product.name.replace(' ', '-')}-{product.version}"
