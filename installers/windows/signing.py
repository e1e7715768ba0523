"""Authenticode: which certificates may sign a release, and signing with osslsigncode.

A release is signed on the Windows runner with signtool and the organisation's code-signing
certificate (build.ps1). Before that, ``release_certificate_problems`` must find nothing: a
self-signed or otherwise throwaway certificate never signs a release, and a missing
certificate fails the release rather than letting an unsigned installer out. Test builds are
signed here with osslsigncode and a certificate the test makes, to check the signature is
really in the file.
"""

from __future__ import annotations

import base64
import datetime
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

#: Where the release job finds the certificate: a PFX, base64-encoded, and its password.
PFX_VARIABLE = "WINDOWS_SIGNING_PFX_BASE64"
PASSWORD_VARIABLE = "WINDOWS_SIGNING_PFX_PASSWORD"


class SigningError(RuntimeError):
    """Signing was refused or failed; the message says why."""


@dataclass(frozen=True)
class SigningCertificate:
    """A PFX file's certificate chain, as read from it."""

    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]


def read_pfx(data: bytes, password: str) -> SigningCertificate:
    """The certificate and chain in a PFX (PKCS#12) file.

    Raises:
        SigningError: the file is not a PFX, the password is wrong, or it holds no certificate.
    """
    try:
        _key, certificate, chain = pkcs12.load_key_and_certificates(data, password.encode())
    except ValueError as error:
        raise SigningError(f"the PFX cannot be read (wrong password?): {error}") from error
    if certificate is None:
        raise SigningError("the PFX holds no certificate")
    return SigningCertificate(certificate, tuple(chain))


def _is_self_signed(certificate: x509.Certificate) -> bool:
    return certificate.issuer == certificate.subject


def release_certificate_problems(
    signing: SigningCertificate, *, now: datetime.datetime | None = None
) -> list[str]:
    """Why this certificate must not sign a release (empty: it may).

    Checks what can be checked without the Windows trust store, which signtool verify then
    checks on the runner: not self-signed, issued for code signing, in date, with its chain.
    """
    certificate = signing.certificate
    moment = now or datetime.datetime.now(datetime.UTC)
    problems = []
    if _is_self_signed(certificate):
        problems.append("the certificate is self-signed (a throwaway or test certificate)")
    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usages = None
    if usages is None or ExtendedKeyUsageOID.CODE_SIGNING not in usages:
        problems.append("the certificate is not issued for code signing")
    if not certificate.not_valid_before_utc <= moment <= certificate.not_valid_after_utc:
        problems.append(
            f"the certificate is valid only from {certificate.not_valid_before_utc:%Y-%m-%d}"
            f" to {certificate.not_valid_after_utc:%Y-%m-%d}"
        )
    if not _is_self_signed(certificate) and not signing.chain:
        problems.append("the PFX holds no issuing certificate (the chain is missing)")
    return problems


def release_certificate_from_environment(environ: dict[str, str]) -> SigningCertificate:
    """The release certificate from the CI secret, checked.

    Raises:
        SigningError: the secret is missing (a release is never unsigned), unreadable, or the
            certificate must not sign a release.
    """
    encoded = environ.get(PFX_VARIABLE, "").strip()
    if not encoded:
        raise SigningError(
            f"{PFX_VARIABLE} is not set: a release must be signed, and there is no certificate"
        )
    try:
        data = base64.b64decode(encoded, validate=True)
    except ValueError as error:
        raise SigningError(f"{PFX_VARIABLE} is not base64") from error
    signing = read_pfx(data, environ.get(PASSWORD_VARIABLE, ""))
    problems = release_certificate_problems(signing)
    if problems:
        raise SigningError("this certificate must not sign a release: " + "; ".join(problems))
    return signing


def sign_with_osslsigncode(
    target: Path,
    *,
    pfx: Path,
    password: str,
    release: bool,
    timestamp_url: str | None = None,
    description: str = "OneStop MSK",
    osslsigncode: str = "osslsigncode",
) -> None:
    """Signs an .exe or .msi in place (SHA-256, RFC 3161 timestamp when a URL is given).

    Raises:
        SigningError: a release with a certificate that must not sign one, or without a
            timestamp (a release signature must outlive its certificate); or osslsigncode
            failed.
    """
    if release:
        problems = release_certificate_problems(read_pfx(pfx.read_bytes(), password))
        if problems:
            raise SigningError("this certificate must not sign a release: " + "; ".join(problems))
        if not timestamp_url:
            raise SigningError("a release signature needs an RFC 3161 timestamp server")
    signed = target.with_name(target.name + ".signed")
    with tempfile.TemporaryDirectory() as private:
        # The password goes through a file only this user can read, never the command line.
        password_file = Path(private) / "password"
        password_file.write_text(password, encoding="utf-8")
        argv = [osslsigncode, "sign", "-pkcs12", str(pfx), "-readpass", str(password_file)]
        argv += ["-h", "sha256", "-n", description]
        if timestamp_url:
            argv += ["-ts", timestamp_url]
        argv += ["-in", str(target), "-out", str(signed)]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        signed.unlink(missing_ok=True)
        raise SigningError(f"osslsigncode failed:\n{done.stdout}{done.stderr}")
    signed.replace(target)
