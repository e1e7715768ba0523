"""Sending to the service's PACS, and asking it back whether the images arrived.

Two ways to send: DICOM C-STORE, or DICOMweb STOW-RS. Either way an image counts as archived
only once the PACS answers a query for it (C-FIND at image level), never on the strength of
a "sent" alone.
"""

from __future__ import annotations

import io
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import httpx
from pydicom.dataset import Dataset
from pynetdicom import AE
from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind  # type: ignore[attr-defined]

from clinic_app.kernel.errors import ClinicError

SUCCESS = 0x0000
PENDING = (0xFF00, 0xFF01)


@dataclass(frozen=True)
class PacsTarget:
    """Where the PACS listens (DICOM) and, for STOW-RS, its DICOMweb root."""

    ae_title: str
    host: str
    port: int
    calling_ae: str = "ONESTOP"
    dicomweb_url: str | None = None


def _check_reachable(target: PacsTarget) -> None:
    """Refuse early when nothing listens at the PACS's address.

    pynetdicom leaves its socket open when a connection is refused; trying a plain
    connection first keeps a PACS that is down from leaking a socket per retry.
    """
    try:
        with socket.create_connection((target.host, target.port), timeout=10):
            pass
    except OSError as error:
        raise ClinicError("pacs.unreachable", reason=type(error).__name__) from None


def send_c_store(target: PacsTarget, datasets: Iterable[Dataset]) -> dict[str, int]:
    """C-STORE each object in one association; the status per SOP Instance UID.

    Raises:
        ClinicError: ``pacs.unreachable`` when no association can be made.
    """
    objects = list(datasets)
    _check_reachable(target)
    ae = AE(ae_title=target.calling_ae)
    for syntax_pair in {(str(d.SOPClassUID), str(d.file_meta.TransferSyntaxUID)) for d in objects}:
        ae.add_requested_context(syntax_pair[0], syntax_pair[1])
    association = ae.associate(target.host, target.port, ae_title=target.ae_title)
    if not association.is_established:
        raise ClinicError("pacs.unreachable")
    statuses: dict[str, int] = {}
    try:
        for ds in objects:
            status = association.send_c_store(ds)
            statuses[str(ds.SOPInstanceUID)] = int(status.Status) if status else 0xA700
    finally:
        association.release()
    return statuses


def send_stow_rs(target: PacsTarget, datasets: Iterable[Dataset]) -> int:
    """STOW-RS all objects in one multipart request; the HTTP status.

    Raises:
        ClinicError: ``pacs.no_dicomweb`` or ``pacs.unreachable``.
    """
    if not target.dicomweb_url:
        raise ClinicError("pacs.no_dicomweb")
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for ds in datasets:
        part = io.BytesIO()
        ds.save_as(part, enforce_file_format=True)
        body.write(f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode())
        body.write(part.getvalue())
        body.write(b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    try:
        response = httpx.post(
            f"{target.dicomweb_url.rstrip('/')}/studies",
            content=body.getvalue(),
            headers={
                "Content-Type": (
                    f'multipart/related; type="application/dicom"; boundary={boundary}'
                ),
                "Accept": "application/dicom+json",
            },
            timeout=60,
        )
    except httpx.HTTPError as error:
        raise ClinicError("pacs.unreachable", reason=type(error).__name__) from error
    return response.status_code


def confirmed(target: PacsTarget, study_uid: str, sop_uids: Iterable[str]) -> set[str]:
    """Which of the study's SOP Instance UIDs the PACS says it holds (C-FIND, image level).

    Raises:
        ClinicError: ``pacs.unreachable``.
    """
    wanted = set(sop_uids)
    _check_reachable(target)
    ae = AE(ae_title=target.calling_ae)
    ae.add_requested_context(StudyRootQueryRetrieveInformationModelFind)
    association = ae.associate(target.host, target.port, ae_title=target.ae_title)
    if not association.is_established:
        raise ClinicError("pacs.unreachable")
    query = Dataset()
    query.QueryRetrieveLevel = "IMAGE"
    query.StudyInstanceUID = study_uid
    query.SeriesInstanceUID = ""
    query.SOPInstanceUID = ""
    found: set[str] = set()
    try:
        for status, identifier in association.send_c_find(
            query, StudyRootQueryRetrieveInformationModelFind
        ):
            if status and int(status.Status) in PENDING and identifier is not None:
                found.add(str(identifier.SOPInstanceUID))
    finally:
        association.release()
    return found & wanted
