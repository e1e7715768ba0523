"""A child process for the receive-spool crash test: the app's Storage SCP, until it is killed.

Run as ``python -m tests.support.spool_receiver``. It reads its order, one JSON object on
stdin::

    {"store": "<path>", "key": "<64 hex>", "audit_key": "<64 hex>", "port": <port>,
     "worker": <true to take the spool into the store, false to only answer>}

opens the store as the app does (``bootstrap.open_clinic``, the keys in an in-memory
keychain, as the parent's keychain cannot be shared), starts the receive spool and a Storage
SCP writing into it, and reports on stdout, one unbuffered line each:

    ready        listening
    answered     an object was queued: the scanner is being answered Success
    kept         the worker took an object into the store
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

import keyring

from clinic_app.bootstrap import open_clinic
from clinic_app.domains.imaging.dicom.receive import StorageReceiver
from clinic_app.domains.imaging.service.spool import SPOOL_FOLDER, ReceiveSpool, spool_key
from clinic_app.kernel.security import keychain
from tests.support.memory_keyring import MemoryKeyring


def _say(line: str) -> None:
    # One write(2) per line, never buffered: a line the parent reads was written before a kill.
    os.write(sys.stdout.fileno(), f"{line}\n".encode("ascii"))


def main() -> None:
    """Answer scanners until killed."""
    order = json.loads(sys.stdin.readline())
    path = Path(order["store"])
    backend = MemoryKeyring()
    backend.set_password(keychain.SERVICE, keychain.store_key_name(path), order["key"])
    backend.set_password(keychain.SERVICE, keychain.audit_key_name(path), order["audit_key"])
    keyring.set_keyring(backend)
    services = open_clinic(path)
    key = spool_key(path)
    assert key is not None
    spool = ReceiveSpool(services.imaging, path.parent / SPOOL_FOLDER, key)
    if order["worker"]:
        taken = services.imaging.take_in

        def take_in_and_say(file: object) -> object:
            kept = taken(file)  # type: ignore[arg-type]
            _say("kept")
            return kept

        services.imaging.take_in = take_in_and_say  # type: ignore[method-assign]
        spool.start()

    def receive(received: bytes | Path) -> None:
        spool.receive(received)
        _say("answered")

    receiver = StorageReceiver(
        receive, port=int(order["port"]), incoming=spool.open_incoming, ae_title="ONESTOP"
    )
    receiver.start()
    _say("ready")
    threading.Event().wait()


if __name__ == "__main__":
    main()
