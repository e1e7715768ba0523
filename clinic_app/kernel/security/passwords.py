"""Slow password hashing (scrypt) so a stolen store does not give up passwords quickly."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# scrypt cost: n=2**15, r=8 takes ~0.1 s and 32 MiB on a laptop core, inside the OWASP
# Password Storage Cheat Sheet's recommended minimum (n=2**17, r=8, p=1 or equivalents).
_LOG2_N = 15
_R = 8
_P = 1
_KEY_BYTES = 32
_MAXMEM = 64 * 1024 * 1024
_SCHEME = "scrypt"


def _derive(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=1 << log2_n,
        r=r,
        p=p,
        maxmem=_MAXMEM,
        dklen=_KEY_BYTES,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """Hash a password for storage: ``scrypt$log2n$r$p$salt$hash`` (base64 parts)."""
    salt = secrets.token_bytes(16)
    digest = _derive(password, salt, _LOG2_N, _R, _P)
    return f"{_SCHEME}${_LOG2_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True if ``password`` matches ``stored``; false for a malformed stored value."""
    try:
        scheme, log2_n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != _SCHEME:
            return False
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(digest_b64)
        actual = _derive(password, salt, int(log2_n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def needs_rehash(stored: str) -> bool:
    """True if ``stored`` was made with weaker settings than today's."""
    parts = stored.split("$")
    return len(parts) != 6 or parts[:4] != [_SCHEME, str(_LOG2_N), str(_R), str(_P)]


MIN_PASSWORD_LENGTH = 10


def password_problems(password: str, username: str) -> list[str]:
    """Codes for what is wrong with a new password (empty list when it is acceptable).

    Length over complexity, following NCSC password guidance; the user name is refused.
    """
    problems: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append("password.too_short")
    if password.strip().casefold() == username.strip().casefold():
        problems.append("password.same_as_username")
    return problems
