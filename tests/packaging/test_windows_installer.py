"""The Windows MSI, built here with msitools' wixl from a synthetic one-folder bundle.

What Windows itself would do (install, upgrade, uninstall) cannot run here; what can is checked:
the installer's tables and payload, its identity across versions, and its signature.
"""

from __future__ import annotations

import base64
import datetime
import subprocess
import tomllib
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import IcoImagePlugin, Image

from installers import icons
from installers.packaging.app import app_version
from installers.windows import __main__ as windows_cli
from installers.windows import msi, signing
from tests.support.tools import required_program

ROOT = Path(__file__).resolve().parents[2]

# A bundle shaped like PyInstaller's: the program on top, everything else under _internal,
# with nested folders, spaces and letters outside ASCII in names.
BUNDLE_FILES = {
    "onestop.exe": b"MZ program",
    "_internal/python311.dll": b"MZ python",
    "_internal/PySide6/plugins/platforms/qwindows.dll": b"MZ qt platform",
    "_internal/resources/letters/GP letter.json": b'{"letter": true}',
    "_internal/données/Année 2026/résumé é.txt": "Zoë's naïve café".encode(),
    "_internal/empty-looking folder/.keep": b"",
}


def _bundle(folder: Path) -> Path:
    for relative, content in BUNDLE_FILES.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return folder


def _table(msi_file: Path, table: str) -> list[dict[str, str]]:
    exported = subprocess.run(
        [required_program("msiinfo"), "export", str(msi_file), table],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    names = exported[0].split("\t")
    return [dict(zip(names, line.split("\t"), strict=False)) for line in exported[3:]]


def _payload(built: Path) -> list[str]:
    """The installer's files, as paths under Program Files."""
    return subprocess.run(
        [required_program("msiextract"), "-l", str(built)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()


def _build(tmp_path: Path, version: str, name: str) -> Path:
    required_program("wixl")
    bundle = tmp_path / "bundle"
    if not bundle.exists():
        _bundle(bundle)
    return msi.build_msi(bundle, msi.app_product(version=version), tmp_path / name)


def test_every_file_of_the_bundle_is_installed_at_its_path(tmp_path: Path) -> None:
    built = _build(tmp_path, app_version(), "out")
    listed = _payload(built)
    assert sorted(listed) == sorted(f"OneStop MSK/{relative}" for relative in BUNDLE_FILES)

    unpacked = tmp_path / "unpacked"
    subprocess.run(
        [required_program("msiextract"), "-C", str(unpacked), str(built)],
        capture_output=True,
        check=True,
    )
    for relative, content in BUNDLE_FILES.items():
        assert (unpacked / "OneStop MSK" / relative).read_bytes() == content, relative


def test_it_installs_for_the_whole_machine_with_a_start_menu_shortcut_only(
    tmp_path: Path,
) -> None:
    built = _build(tmp_path, app_version(), "out")
    properties = {row["Property"]: row["Value"] for row in _table(built, "Property")}
    assert properties["ALLUSERS"] == "1"
    assert properties["ProductName"] == "OneStop MSK"

    summary = subprocess.run(
        [required_program("msiinfo"), "suminfo", str(built)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Template: x64;1033" in summary

    directories = {row["Directory"]: row for row in _table(built, "Directory")}
    assert directories["INSTALLDIR"]["Directory_Parent"] == "ProgramFiles64Folder"
    assert directories["INSTALLDIR"]["DefaultDir"] == "OneStop MSK"
    assert "DesktopFolder" not in directories

    (shortcut,) = _table(built, "Shortcut")
    assert shortcut["Directory_"] == "ProgramMenuFolder"
    assert shortcut["Name"] == "OneStop MSK"
    assert shortcut["Arguments"] == "run"
    program = next(row for row in _table(built, "File") if row["FileName"] == "onestop.exe")
    assert shortcut["Component_"] == program["Component_"]


def test_uninstalling_removes_only_what_it_installed_and_never_clinic_data(
    tmp_path: Path,
) -> None:
    built = _build(tmp_path, app_version(), "out")
    # Windows Installer removes exactly the files and shortcut in its tables. Nothing here
    # deletes or creates anything else (the store lives in %LOCALAPPDATA%\OneStop MSK).
    for table in ("RemoveFile", "Registry", "CreateFolder", "CustomAction"):
        assert _table(built, table) == [], table
    directories = {row["Directory"]: row["Directory_Parent"] for row in _table(built, "Directory")}
    outside = {"TARGETDIR", "ProgramFiles64Folder", "ProgramMenuFolder"}
    for directory in set(directories) - outside:
        parent = directory
        while parent != "INSTALLDIR":
            parent = directories[parent]
            assert parent not in outside, f"{directory} is outside the install folder"
    assert not {"LocalAppDataFolder", "AppDataFolder", "PersonalFolder"} & set(directories)


def test_a_new_version_replaces_the_old_and_the_same_version_is_the_same_product(
    tmp_path: Path,
) -> None:
    first = _build(tmp_path, "0.1.0", "first")
    again = _build(tmp_path, "0.1.0", "again")
    newer = _build(tmp_path, "0.2.0", "newer")

    def identity(built: Path) -> tuple[str, str, str]:
        properties = {row["Property"]: row["Value"] for row in _table(built, "Property")}
        return (
            properties["ProductCode"].upper(),
            properties["UpgradeCode"].upper(),
            properties["ProductVersion"],
        )

    upgrade_code = f"{{{str(msi.APP_UPGRADE_CODE).upper()}}}"
    assert identity(first) == identity(again)
    assert identity(first)[1] == identity(newer)[1] == upgrade_code
    assert identity(first)[0] != identity(newer)[0]
    assert identity(newer)[2] == "0.2.0"
    # A major upgrade: the newer version finds and removes every older one by the upgrade code.
    upgrades = _table(newer, "Upgrade")
    assert {row["UpgradeCode"].upper() for row in upgrades} == {upgrade_code}
    assert any(row["VersionMax"] == "0.2.0" for row in upgrades)
    # Files keep their components (and component GUIDs) from one version to the next.
    components = {row["Component"]: row["ComponentId"] for row in _table(first, "Component")}
    assert components == {
        row["Component"]: row["ComponentId"] for row in _table(newer, "Component")
    }


def test_the_version_comes_from_pyproject(tmp_path: Path) -> None:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        version = tomllib.load(handle)["project"]["version"]
    built = _build(tmp_path, app_version(), "out")
    properties = {row["Property"]: row["Value"] for row in _table(built, "Property")}
    assert properties["ProductVersion"] == msi.msi_version(version)


@pytest.mark.parametrize("version", ["1.0rc1", "1.0.0.post1", "256.0.0", "1.2.65536", "v1"])
def test_a_version_windows_installer_cannot_take_is_refused(version: str) -> None:
    with pytest.raises(msi.InstallerError):
        msi.msi_version(version)


def test_a_bundle_the_installer_cannot_install_is_refused(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path / "bundle")
    (bundle / "link.dll").symlink_to(bundle / "onestop.exe")
    with pytest.raises(msi.InstallerError, match="symbolic link"):
        msi.wxs(bundle, msi.app_product())
    (bundle / "link.dll").unlink()
    too_deep = bundle / "_internal" / ("folder " * 30).strip() / ("name " * 20 + ".dll")
    too_deep.parent.mkdir(parents=True)
    too_deep.write_bytes(b"MZ")
    with pytest.raises(msi.InstallerError, match="beyond Windows' 259"):
        msi.wxs(bundle, msi.app_product())
    too_deep.unlink()
    (bundle / "onestop.exe").unlink()
    with pytest.raises(msi.InstallerError, match=r"onestop\.exe is not in"):
        msi.wxs(bundle, msi.app_product())


ICON_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
<rect width="64" height="64" rx="12" fill="#005EB8"/><circle cx="32" cy="32" r="16" fill="#fff"/>
</svg>"""


def test_the_icon_is_drawn_from_the_svg_and_shown_in_apps_and_features(tmp_path: Path) -> None:
    svg = tmp_path / "app.svg"
    svg.write_text(ICON_SVG, encoding="utf-8")
    ico = icons.write_ico(svg, tmp_path / "app.ico")
    with IcoImagePlugin.IcoImageFile(ico) as drawn:
        assert drawn.info["sizes"] == set(icons.ICO_SIZES)
        largest = drawn.ico.getimage((256, 256)).convert("RGBA")
    pixels = np.asarray(largest)
    assert tuple(pixels[128, 128]) == (255, 255, 255, 255)  # the white circle
    assert tuple(pixels[20, 128][:3]) == (0, 94, 184)  # on NHS blue
    assert pixels[0, 0][3] == 0  # the rounded corner is transparent
    icns = icons.write_icns(svg, tmp_path / "app.icns")
    with Image.open(icns) as drawn:
        assert (512, 512, 2) in drawn.info["sizes"]

    bundle = _bundle(tmp_path / "bundle")
    built = msi.build_msi(bundle, msi.app_product(icon=ico), tmp_path / "out")
    properties = {row["Property"]: row["Value"] for row in _table(built, "Property")}
    assert properties["ARPPRODUCTICON"] == "AppIcon"
    (shortcut,) = _table(built, "Shortcut")
    assert shortcut["Icon_"] == "AppIcon"
    assert [row["Name"] for row in _table(built, "Icon")] == ["AppIcon"]


def test_an_svg_qt_cannot_draw_is_refused(tmp_path: Path) -> None:
    svg = tmp_path / "broken.svg"
    svg.write_text("<svg", encoding="utf-8")
    with pytest.raises(icons.IconError):
        icons.write_ico(svg, tmp_path / "app.ico")


# ------------------------------------------------------------------------------ signing


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(
    subject: str,
    key: rsa.RSAPrivateKey,
    *,
    issuer: tuple[str, rsa.RSAPrivateKey] | None = None,
    code_signing: bool = True,
    ca: bool = False,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    issuer_name, issuer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if code_signing:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _pfx(
    path: Path, key: rsa.RSAPrivateKey, certificate: x509.Certificate, chain: list[x509.Certificate]
) -> Path:
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"test",
            key,
            certificate,
            chain or None,
            serialization.BestAvailableEncryption(b"throwaway"),
        )
    )
    return path


def _throwaway(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed code-signing certificate made for this test: its PFX and its PEM."""
    key = _key()
    certificate = _certificate("OneStop MSK test signing", key)
    pem = tmp_path / "throwaway.pem"
    pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return _pfx(tmp_path / "throwaway.pfx", key, certificate, []), pem


def _verify(target: Path, ca: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [required_program("osslsigncode"), "verify", "-CAfile", str(ca), "-in", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_test_build_is_signed_and_osslsigncode_sees_the_signature(tmp_path: Path) -> None:
    built = _build(tmp_path, app_version(), "out")
    pfx, pem = _throwaway(tmp_path)
    assert _verify(built, pem).returncode != 0  # unsigned: nothing to verify

    signing.sign_with_osslsigncode(built, pfx=pfx, password="throwaway", release=False)

    verified = _verify(built, pem)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OneStop MSK test signing" in verified.stdout
    assert "sha256" in verified.stdout.lower()
    # The signed file is still a whole installer.
    listed = _payload(built)
    assert len(listed) == len(BUNDLE_FILES)


def test_a_release_is_never_signed_with_a_throwaway_certificate(tmp_path: Path) -> None:
    built = _build(tmp_path, app_version(), "out")
    before = built.read_bytes()
    pfx, _pem = _throwaway(tmp_path)
    with pytest.raises(signing.SigningError, match="self-signed"):
        signing.sign_with_osslsigncode(
            built,
            pfx=pfx,
            password="throwaway",
            release=True,
            timestamp_url="http://timestamp.example",
        )
    assert built.read_bytes() == before


def test_the_release_job_fails_without_a_certificate_or_with_a_throwaway_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(signing.PFX_VARIABLE, raising=False)
    assert windows_cli.main(["check-release-certificate"]) == 1
    assert "is not set" in capsys.readouterr().err

    pfx, _pem = _throwaway(tmp_path)
    monkeypatch.setenv(signing.PFX_VARIABLE, base64.b64encode(pfx.read_bytes()).decode())
    monkeypatch.setenv(signing.PASSWORD_VARIABLE, "throwaway")
    assert windows_cli.main(["check-release-certificate"]) == 1
    assert "self-signed" in capsys.readouterr().err

    monkeypatch.setenv(signing.PASSWORD_VARIABLE, "wrong")
    assert windows_cli.main(["check-release-certificate"]) == 1
    assert "cannot be read" in capsys.readouterr().err


def test_a_certificate_issued_for_code_signing_by_a_ca_may_sign_a_release(tmp_path: Path) -> None:
    ca_key, key = _key(), _key()
    ca = _certificate("Test issuing CA", ca_key, code_signing=False, ca=True)
    issued = _certificate("NHS Trust code signing", key, issuer=("Test issuing CA", ca_key))
    signing_certificate = signing.read_pfx(
        _pfx(tmp_path / "issued.pfx", key, issued, [ca]).read_bytes(), "throwaway"
    )
    assert signing.release_certificate_problems(signing_certificate) == []

    not_for_code = _certificate(
        "Web server", key, issuer=("Test issuing CA", ca_key), code_signing=False
    )
    problems = signing.release_certificate_problems(signing.SigningCertificate(not_for_code, (ca,)))
    assert problems == ["the certificate is not issued for code signing"]
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=60)
    assert "valid only" in signing.release_certificate_problems(signing_certificate, now=later)[0]


def test_the_shortcut_opens_the_windowed_program_when_there_is_one(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path / "bundle")
    (bundle / "onestop-window.exe").write_bytes(b"MZ windowed")
    source = tmp_path / "app.wxs"
    assert (
        windows_cli.main(
            ["wxs", str(bundle), "--out", str(source), "--program", "onestop-window.exe"]
        )
        == 0
    )
    namespace = {"wix": "http://schemas.microsoft.com/wix/2006/wi"}
    document = ElementTree.parse(source)
    (shortcut_file,) = [
        file
        for file in document.iterfind(".//wix:File", namespace)
        if file.find("wix:Shortcut", namespace) is not None
    ]
    assert shortcut_file.get("Name") == "onestop-window.exe"
    assert (
        windows_cli.main(["wxs", str(bundle), "--out", str(source), "--program", "missing.exe"])
        == 1
    )
