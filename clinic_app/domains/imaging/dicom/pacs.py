"""Sending to the service's PACS, and asking it back whether the images arrived.

Two ways to send: DICOM C-STORE, or DICOMweb STOW-RS. Either way an image counts as archived
only once the PACS answers a query for it (C-FIND at image level, or QIDO-RS for a PACS
reached by DICOMweb), never on the strength of a "sent" alone.

C-STORE proposes each object's stored transfer syntax and, beside it, Explicit and Implicit
VR Little Endian: a PACS that takes only uncompressed images gets them decompressed (the SOP
Instance UID kept). What a PACS refuses is told by its status (PS3.4 B.2.3, PS3.18 Failure
Reason), as one of the errors of :func:`refusal`. DICOMweb goes through dicomweb-client
(``store_instances``, ``search_for_instances``); its HTTP errors become ``pacs.*`` codes here.
"""

from __future__ import annotations

import copy
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import requests
from dicomweb_client import DICOMwebClient
from pydicom.dataset import Dataset, FileMetaDataset, validate_file_meta
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom import AE
from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind  # type: ignore[attr-defined]

from clinic_app.domains.imaging.dicom.reading import decoding_plugin
from clinic_app.kernel.errors import ClinicError, ExternalServiceError

SUCCESS = 0x0000
PENDING = (0xFF00, 0xFF01)
#: Not a DICOM status: the PACS accepted no way (SOP class and transfer syntax) to send it.
NO_CONTEXT = -1
#: Not a DICOM status: the PACS gave no answer to a C-STORE (the association broke).
NO_ANSWER = -2
_UNCOMPRESSED = (ExplicitVRLittleEndian, ImplicitVRLittleEndian)


# Store statuses (PS3.4 B.2.3, PS3.7 C, PS3.18 Failure Reason) by range, and what each is:
# None is stored (warnings still store the object).
_STATUS_RANGES: tuple[tuple[int, int, Callable[[], ClinicError] | None], ...] = (
    (SUCCESS, SUCCESS, None),
    (0x0001, 0x0001, None),
    (0xB000, 0xBFFF, None),
    (NO_ANSWER, NO_ANSWER, lambda: ExternalServiceError("pacs.cut_off")),
    # SOP class, or transfer syntax, not supported (0xC122: PS3.18's Failure Reason).
    (NO_CONTEXT, NO_CONTEXT, lambda: ExternalServiceError("pacs.refused_kind")),
    (0x0122, 0x0122, lambda: ExternalServiceError("pacs.refused_kind")),
    (0xC122, 0xC122, lambda: ExternalServiceError("pacs.refused_kind")),
    (0x0124, 0x0124, lambda: ExternalServiceError("pacs.refused_not_allowed")),
    (0xA700, 0xA7FF, lambda: ExternalServiceError("pacs.refused_full")),
    (0xA900, 0xA9FF, lambda: ExternalServiceError("pacs.refused_invalid")),
    (0xC000, 0xCFFF, lambda: ExternalServiceError("pacs.refused_invalid")),
)


def refusal(status: int) -> ClinicError | None:
    """What a store status (C-STORE, or a STOW-RS Failure Reason) refuses; None if stored."""
    for low, high, refused in _STATUS_RANGES:
        if low <= status <= high:
            return refused() if refused is not None else None
    return ExternalServiceError("pacs.refused")


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


def _propose(ae: AE, objects: list[Dataset]) -> None:
    """The stored syntax of each kind of object, and uncompressed beside it."""
    proposed: set[tuple[str, tuple[UID, ...]]] = set()
    for ds in objects:
        sop_class, stored = str(ds.SOPClassUID), UID(str(ds.file_meta.TransferSyntaxUID))
        wanted = [stored] if stored.is_compressed else [stored, *_UNCOMPRESSED]
        contexts = [tuple(dict.fromkeys(wanted))]
        if stored.is_compressed:
            contexts.append(_UNCOMPRESSED)
        for syntaxes in contexts:
            if (sop_class, syntaxes) not in proposed:
                proposed.add((sop_class, syntaxes))
                ae.add_requested_context(sop_class, list(syntaxes))


def _as_accepted(ds: Dataset, accepted: set[tuple[str, str]]) -> Dataset | None:
    """``ds`` in a transfer syntax the PACS accepted for its class, or None if there is none."""
    sop_class, stored = str(ds.SOPClassUID), UID(str(ds.file_meta.TransferSyntaxUID))
    if (sop_class, stored) in accepted:
        return ds
    if not any((sop_class, syntax) in accepted for syntax in _UNCOMPRESSED):
        return None
    if not stored.is_compressed:
        return ds  # pynetdicom converts between the uncompressed syntaxes itself
    plain = copy.deepcopy(ds)
    # Decompressed to Explicit VR Little Endian; the same object, so the same SOP Instance UID.
    # The decoder is the one the app reads this syntax with (never libjpeg, see reading.py).
    plain.decompress(generate_instance_uid=False, decoding_plugin=decoding_plugin(stored))
    return plain


def send_c_store(target: PacsTarget, datasets: Iterable[Dataset]) -> dict[str, int]:
    """C-STORE each object in one association; the status per SOP Instance UID.

    An object the PACS accepted no presentation context for has the status
    :data:`NO_CONTEXT`.

    Raises:
        ClinicError: ``pacs.unreachable`` when nothing answers, ``pacs.association_refused``
            when the PACS answers but will not talk to the app (its AE title unknown there).
    """
    objects = list(datasets)
    _check_reachable(target)
    ae = AE(ae_title=target.calling_ae)
    _propose(ae, objects)
    association = ae.associate(target.host, target.port, ae_title=target.ae_title)
    if association.is_rejected:
        raise ClinicError("pacs.association_refused")
    if not association.is_established:
        raise ClinicError("pacs.unreachable")
    accepted = {
        (str(context.abstract_syntax), str(context.transfer_syntax[0]))
        for context in association.accepted_contexts
    }
    # pynetdicom forgets, without closing, a socket the PACS closed first (a PACS breaking
    # off mid-send): kept here to be closed whatever happens.
    raw = association.dul.socket.socket if association.dul.socket else None
    statuses: dict[str, int] = {}
    try:
        for ds in objects:
            sendable = _as_accepted(ds, accepted)
            if sendable is None:
                statuses[str(ds.SOPInstanceUID)] = NO_CONTEXT
                continue
            status = association.send_c_store(sendable)
            statuses[str(ds.SOPInstanceUID)] = int(status.Status) if status else NO_ANSWER
    finally:
        association.release()
        if raw is not None:
            raw.close()
    return statuses


@dataclass(frozen=True)
class StowOutcome:
    """What a STOW-RS request came to: the HTTP status and the instances the PACS refused.

    Attributes:
        status: the HTTP status (200 all stored, 202 some refused, 409 none stored).
        failed: the Failure Reason (0008,1197) of each refused SOP Instance UID, from the
            response's Failed SOP Sequence (0008,1198).
    """

    status: int
    failed: dict[str, int]


def _client(target: PacsTarget, answers: list[requests.Response]) -> DICOMwebClient:
    """A DICOMweb client for the PACS that keeps every HTTP answer it gets."""
    if not target.dicomweb_url:
        raise ClinicError("pacs.no_dicomweb")
    session = requests.Session()
    session.hooks["response"].append(lambda response, *_, **__: answers.append(response))
    client = DICOMwebClient(target.dicomweb_url.rstrip("/"), session=session, timeout=60)
    # One attempt: the background sender retries on its own schedule, and a user waiting on
    # "Send now" is told at once that the PACS did not answer.
    client.set_http_retry_params(retry=False)
    return client


def _as_file(ds: Dataset) -> Dataset:
    """A shallow copy that encodes as a DICOM file (preamble, "DICM", complete file meta)."""
    part = copy.copy(ds)
    if not getattr(part, "preamble", None):
        part.preamble = b"\0" * 128
    meta = copy.copy(ds.file_meta) if "file_meta" in ds.__dict__ else FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    validate_file_meta(meta, enforce_standard=True)
    part.file_meta = meta
    return part


def _failed_sops(answer: Dataset) -> dict[str, int]:
    """The Failed SOP Sequence of a STOW-RS response (PS3.18 10.5.3), by SOP Instance UID."""
    return {
        str(item.get("ReferencedSOPInstanceUID", "")): int(item.get("FailureReason", 0x0110))
        for item in answer.get("FailedSOPSequence", [])
    }


def _body(response: requests.Response) -> Dataset:
    """A STOW-RS answer's DICOM JSON body (empty if it has none).

    Read here rather than by the client, which skips a body whose Content-Type has
    parameters (``application/dicom+json; charset=utf-8``) and raises on a 409 before reading.
    """
    try:
        body = response.json()
    except ValueError:
        return Dataset()
    return Dataset.from_json(body) if isinstance(body, dict) else Dataset()


def send_stow_rs(
    target: PacsTarget, datasets: Iterable[Dataset], study_uid: str | None = None
) -> StowOutcome:
    """STOW-RS all objects in one multipart request; the status and what was refused.

    With ``study_uid`` the objects are stored into that study (``POST /studies/{uid}``):
    the PACS refuses any that belong to another.

    Raises:
        ClinicError: ``pacs.no_dicomweb`` or ``pacs.unreachable``.
    """
    answers: list[requests.Response] = []
    client = _client(target, answers)
    try:
        client.store_instances([_as_file(ds) for ds in datasets], study_uid)
    except requests.HTTPError:
        pass  # 409 (none stored) and other refusals still carry the Failed SOP Sequence
    except requests.RequestException as error:
        raise ClinicError("pacs.unreachable", reason=type(error).__name__) from error
    return StowOutcome(answers[-1].status_code, _failed_sops(_body(answers[-1])))


def confirmed_dicomweb(target: PacsTarget, study_uid: str, sop_uids: Iterable[str]) -> set[str]:
    """Which of the study's SOP Instance UIDs the PACS lists by QIDO-RS (DICOMweb only).

    Raises:
        ClinicError: ``pacs.no_dicomweb``, ``pacs.unreachable``.
    """
    client = _client(target, [])  # the answers are the client's to read
    try:
        found = client.search_for_instances(
            study_uid, fields=["SOPInstanceUID"], get_remaining=True
        )
    except requests.HTTPError as error:
        if error.response is not None and error.response.status_code == 404:
            return set()  # the PACS holds nothing of the study
        code = error.response.status_code if error.response is not None else 0
        raise ClinicError("pacs.unreachable", reason=str(code)) from error
    except requests.RequestException as error:
        raise ClinicError("pacs.unreachable", reason=type(error).__name__) from error
    uids = {str(value) for item in found for value in item.get("00080018", {}).get("Value", [])}
    return uids & set(sop_uids)


def confirmed(target: PacsTarget, study_uid: str, sop_uids: Iterable[str]) -> set[str]:
    """Which of the study's SOP Instance UIDs the PACS says it holds (C-FIND, image level).

    Raises:
        ClinicError: ``pacs.unreachable``, ``pacs.association_refused``.
    """
    wanted = set(sop_uids)
    _check_reachable(target)
    ae = AE(ae_title=target.calling_ae)
    ae.add_requested_context(StudyRootQueryRetrieveInformationModelFind)
    association = ae.associate(target.host, target.port, ae_title=target.ae_title)
    if association.is_rejected:
        raise ClinicError("pacs.association_refused")
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
