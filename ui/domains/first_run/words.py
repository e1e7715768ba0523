"""The words for the first-run set-up's codes: the server, its certificate, the first admin."""

from __future__ import annotations

from ui.common.wording import WordTable

_WORDS: dict[str, str] = {
    "first_run.no_answer": (
        "No server answered at that address. Check the address with IT support, or try again "
        "in a few minutes if the service's server may be down."
    ),
    "first_run.untrusted_certificate": (
        "The server's certificate is not one this laptop trusts, so nothing was sent to it. "
        "If your service uses its own certificate authority, choose its file below."
    ),
    "first_run.not_the_service": (
        "Something answered at that address, but it is not your service's OneStop server. "
        "Check the address with IT support."
    ),
    "first_run.too_many_enrolments": (
        "The server has had too many new laptops from this network just now. Wait ten "
        "minutes, then try again."
    ),
    "first_run.ca_unreadable": (
        "That file is not a certificate authority this laptop can read. Choose the .pem or "
        ".crt file IT support gave you."
    ),
    "password.mismatch": "The two passwords are not the same. Type the password again.",
}

WORDS = WordTable(__name__, messages=_WORDS)
