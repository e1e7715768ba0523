"""A real Orthanc PACS for one test, on free loopback ports, storage in a temporary folder.

Orthanc listens on every interface it can see; the test command runs the tests in a private
network namespace with nothing but loopback, so it is reachable from nowhere else.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

import httpx

from tests.support.sync_server import free_port

PLUGIN = Path("/usr/share/orthanc/plugins/libOrthancDicomWeb.so")
_START_SECONDS = 30.0


class Orthanc:
    """Starts Orthanc with DICOM and HTTP on free ports; stops it on exit."""

    def __init__(
        self,
        folder: Path,
        app_ae: str = "ONESTOP",
        *,
        accepted_syntaxes: list[str] | None = None,
        known_callers_only: bool = False,
        check_called_ae: bool = False,
    ) -> None:
        """Configure (not start) an Orthanc in ``folder``.

        ``accepted_syntaxes`` limits the transfer syntaxes its DICOM listener accepts (e.g.
        uncompressed only); ``known_callers_only`` refuses stores from unknown AE titles;
        ``check_called_ae`` rejects associations addressed to another AE title than its own.
        """
        self.folder = folder
        self.dicom_port = free_port()
        self.http_port = free_port()
        self.ae_title = "ORTHANC"
        self.url = f"http://127.0.0.1:{self.http_port}"
        self._process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        config = {
            "Name": "onestop-test-pacs",
            "StorageDirectory": str(folder / "storage"),
            "IndexDirectory": str(folder / "index"),
            "HttpPort": self.http_port,
            "DicomPort": self.dicom_port,
            "DicomAet": self.ae_title,
            "RemoteAccessAllowed": False,
            "AuthenticationEnabled": False,
            "DefaultEncoding": "Utf8",
            "DicomCheckCalledAet": check_called_ae,
            "UnknownSopClassAccepted": True,
            "DicomModalities": {"onestop": [app_ae, "127.0.0.1", 104]},
            "Plugins": [str(PLUGIN)] if PLUGIN.is_file() else [],
            "DicomWeb": {"Enable": True, "Root": "/dicom-web/"},
        }
        if accepted_syntaxes is not None:
            config["AcceptedTransferSyntaxes"] = accepted_syntaxes
        if known_callers_only:
            config["DicomAlwaysAllowStore"] = False
            config["DicomCheckModalityHost"] = True
        self.config = folder / "orthanc.json"
        self.config.write_text(json.dumps(config))

    def start(self) -> Orthanc:
        with (self.folder / "orthanc.log").open("ab") as log:
            self._process = subprocess.Popen(
                ["Orthanc", str(self.config)], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + _START_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError((self.folder / "orthanc.log").read_text()[-2000:])
            # Ready once both its REST API and its DICOM port answer: Orthanc may open the
            # one before the other, and a test's first association must not find it closed.
            try:
                if httpx.get(f"{self.url}/system", timeout=1).status_code == 200:
                    with socket.create_connection(("127.0.0.1", self.dicom_port), timeout=1):
                        return self
            except (httpx.HTTPError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError("Orthanc did not answer in time")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def get(self, path: str) -> object:
        return httpx.get(f"{self.url}{path}", timeout=10).json()

    def __enter__(self) -> Orthanc:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
