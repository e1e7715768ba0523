"""Who may talk to the app's listeners: the service's scanners, by AE title and address.

An association is refused when it is asked for (A-ASSOCIATE-RJ, "calling AE title not
recognised"), before any image or worklist query is seen. A refusal is logged with the
caller's AE title and address only: nothing a refused caller sends is read.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from typing import Any

from pynetdicom import AE, evt
from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

from clinic_app.domains.imaging.views import KnownScanner

log = logging.getLogger(__name__)

# A-ASSOCIATE-RJ (PS3.8 9.3.4): rejected-permanent, by the service user, calling AE title
# not recognised. There is no reason code for an address; this is the nearest.
_REJECTED_PERMANENT = 0x01
_SERVICE_USER = 0x01
_CALLING_AE_NOT_RECOGNISED = 0x03

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _plain(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        found = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None
    # An IPv4 caller reaching an IPv6 socket shows as ::ffff:a.b.c.d.
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found


class ScannerGate:
    """Lets in only the listed scanners; ``None`` lets in every caller.

    ``None`` is for a listener a test or a script builds for itself; the app's listeners
    are always given the service's list, and an empty list lets nobody in.
    """

    def __init__(self, scanners: Iterable[KnownScanner] | None, listener: str) -> None:
        self._listener = listener
        self._open = scanners is None
        self._allowed: list[tuple[str, _Network]] = [
            (scanner.ae_title.strip(), ipaddress.ip_network(scanner.address, strict=False))
            for scanner in scanners or ()
        ]

    def allows(self, ae_title: str, address: str) -> bool:
        """True when this AE title, calling from this address, is a listed scanner."""
        if self._open:
            return True
        caller = _plain(address)
        if caller is None:
            return False
        title = ae_title.strip()
        return any(
            title == allowed and caller.version == network.version and caller in network
            for allowed, network in self._allowed
        )

    def _on_requested(self, event: Any) -> None:
        # Never raise out of an event handler: a failure here refuses the caller.
        try:
            title = str(event.assoc.requestor.primitive.calling_ae_title)
            address = str(event.assoc.requestor.address)
        except (AttributeError, TypeError, ValueError):
            title, address = "", ""
        if self.allows(title, address):
            return
        log.warning(
            "DICOM %s listener refused an association: AE title %r from %s",
            self._listener,
            title[:16],
            address,
        )
        event.assoc.acse.send_reject(_REJECTED_PERMANENT, _SERVICE_USER, _CALLING_AE_NOT_RECOGNISED)
        # As pynetdicom does after its own refusals: the association's thread ends here.
        event.assoc.kill()

    def handlers(self) -> list[tuple[Any, Any]]:
        """The event handlers a listener starts with to keep its door."""
        return [(evt.EVT_REQUESTED, self._on_requested)]


def offer_verification(ae: AE) -> None:
    """Answer C-ECHO (Verification, PS3.4 A), which scanners use to test the link."""
    ae.add_supported_context(Verification)
