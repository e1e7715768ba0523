"""How the service's DICOM network is set up: the app's own listeners and the PACS it sends to.

One ``service_setting`` row (key ``dicom``) holds what the service changed from the
defaults, so every device of the service listens and sends the same way. Only someone who
manages the service's settings may change it; every change is audited.

The same row says how clips are kept (``clip_compression``, ``clip_quality``). Stills are
always lossless. Clips are lossless (JPEG-LS) unless the service lead chooses ``lossy``
(JPEG baseline at ``clip_quality``), and lossless is the default because the choice is the
service's, not the software's: the Royal College of Radiologists' guidance on retention and
storage of images (BFCR(06)4, 2006, on compression) neither forbids nor endorses lossy
compression, asks that the levels chosen keep images clinically useful and that the algorithm
be one DICOM supports, and places the decision at the level of the institution. No UK body
(RCR, BMUS/BSUS) was found giving a compression level for ultrasound cine, so the app sets
none clinically: the quality offered (50 to 95, 90 when not chosen) is an engineering setting,
and the README's clip benchmark shows what each choice stores per second of clip. A lossy
clip says so as PS3.3 C.7.6.1.1.5 requires (Lossy Image Compression ``01``, its ratio and
method ``ISO_10918_1``), after any lossy step before it (an MP4's codec).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import asdict, fields, replace
from typing import Any
from urllib.parse import urlparse

from sqlalchemy.orm import Session

from clinic_app.domains.imaging.dicom.clip_jpeg import QUALITY_MAX, QUALITY_MIN, ClipCompression
from clinic_app.domains.imaging.views import DicomSettings, KnownScanner
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import FormErrors, ValidationError
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.kernel.uow import Context, Mode, UnitOfWork

DICOM_SETTINGS = "dicom"
PACS_METHODS = ("c-store", "stow-rs")
#: How clips may be kept: JPEG-LS lossless, or JPEG baseline (lossy).
CLIP_COMPRESSIONS = ("lossless", "lossy")
# AE titles (PS3.5 AE): up to 16 characters of the default repertoire, no backslash or
# control characters, and not only spaces.
_AE_TITLE = re.compile(r"^[\x20-\x5b\x5d-\x7e]{1,16}$")
#: The longest friendly name of a scanner.
SCANNER_NAME_MAX = 64


_NAMES = frozenset(field.name for field in fields(DicomSettings))


def _good_ae_title(value: str) -> bool:
    return bool(_AE_TITLE.match(value)) and bool(value.strip())


def _good_address(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _check_scanners(scanners: tuple[KnownScanner, ...], errors: dict[str, str]) -> None:
    """Put the first thing wrong with the allow-list into ``errors`` (nothing when it is fine)."""
    seen: set[tuple[str, str]] = set()
    for scanner in scanners:
        if not _good_ae_title(scanner.ae_title):
            errors["scanners"] = "dicom.bad_scanner_ae_title"
        elif not _good_address(scanner.address):
            errors["scanners"] = "dicom.bad_scanner_address"
        elif len(scanner.name) > SCANNER_NAME_MAX:
            errors["scanners"] = "dicom.bad_scanner_name"
        else:
            key = (scanner.ae_title, str(ipaddress.ip_network(scanner.address, strict=False)))
            if key not in seen:
                seen.add(key)
                continue
            errors["scanners"] = "dicom.duplicate_scanner"
        return


def _network_problems(settings: DicomSettings) -> dict[str, str]:
    """Addresses: the PACS's, the one the listeners use, and the scanners let in."""
    errors: dict[str, str] = {}
    if settings.pacs_host and (len(settings.pacs_host) > 253 or " " in settings.pacs_host):
        errors["pacs_host"] = "dicom.bad_host"
    if not settings.listen_host or " " in settings.listen_host:
        errors["listen_host"] = "dicom.bad_host"
    _check_scanners(settings.scanners, errors)
    return errors


def _clip_problems(settings: DicomSettings) -> dict[str, str]:
    errors: dict[str, str] = {}
    if settings.clip_compression not in CLIP_COMPRESSIONS:
        errors["clip_compression"] = "dicom.bad_clip_compression"
    quality = settings.clip_quality
    if (
        isinstance(quality, bool)
        or not isinstance(quality, int)
        or not QUALITY_MIN <= quality <= QUALITY_MAX
    ):
        errors["clip_quality"] = "dicom.bad_clip_quality"
    return errors


def clip_compression(settings: DicomSettings) -> ClipCompression:
    """How the service keeps clips, as the encoder takes it."""
    return ClipCompression(
        lossy=settings.clip_compression == "lossy", quality=settings.clip_quality
    )


def _check(settings: DicomSettings) -> None:
    errors: dict[str, str] = {}
    for name in ("ae_title", "pacs_ae_title", "worklist_station"):
        value = getattr(settings, name)
        if (value or name == "ae_title") and not _good_ae_title(value):
            errors[name] = "dicom.bad_ae_title"
    errors.update(_network_problems(settings))
    for name in ("storage_port", "worklist_port", "pacs_port"):
        value = getattr(settings, name)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
            errors[name] = "dicom.bad_port"
    if "worklist_port" not in errors and settings.storage_port == settings.worklist_port:
        errors["worklist_port"] = "dicom.same_port"
    if settings.pacs_method not in PACS_METHODS:
        errors["pacs_method"] = "dicom.bad_pacs_method"
    errors.update(_clip_problems(settings))
    url = settings.pacs_dicomweb_url
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in {"http", "https"} or not parsed.netloc:
            errors["pacs_dicomweb_url"] = "dicom.bad_url"
    elif settings.pacs_method == "stow-rs" and settings.pacs_host:
        errors["pacs_dicomweb_url"] = "dicom.url_needed"
    if errors:
        raise FormErrors(
            [ValidationError(code, field=field) for field, code in sorted(errors.items())]
        )


def _scanner(value: object) -> KnownScanner:
    """One allow-list entry, from its stored form (a mapping) or as given."""
    if isinstance(value, KnownScanner):
        entry = value
    elif isinstance(value, Mapping) and set(value) <= {"ae_title", "address", "name"}:
        entry = KnownScanner(
            ae_title=value.get("ae_title", ""),
            address=value.get("address", ""),
            name=value.get("name", ""),
        )
    else:
        raise FormErrors([ValidationError("dicom.bad_scanner", field="scanners")])
    texts = (entry.ae_title, entry.address, entry.name)
    if not all(isinstance(text, str) for text in texts):
        raise FormErrors([ValidationError("dicom.bad_scanner", field="scanners")])
    # AE titles are compared without their padding spaces (PS3.5 6.2).
    return KnownScanner(entry.ae_title.strip(), entry.address.strip(), entry.name.strip())


def _scanner_list(value: object) -> tuple[KnownScanner, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise FormErrors([ValidationError("dicom.bad_scanner", field="scanners")])
    return tuple(_scanner(entry) for entry in value)


def _in_force(stored: Mapping[str, Any]) -> DicomSettings:
    known = {name: value for name, value in stored.items() if name in _NAMES}
    if "scanners" in known:
        known["scanners"] = _scanner_list(known["scanners"])
    return replace(DicomSettings(), **known)


def _stored_form(settings: DicomSettings) -> dict[str, Any]:
    """The settings as stored (JSON): the allow-list as a list of mappings."""
    value = asdict(settings)
    value["scanners"] = [asdict(scanner) for scanner in settings.scanners]
    return value


def dicom_settings(session: Session) -> DicomSettings:
    """The settings in force: the defaults with what the service changed."""
    row = session.get(ServiceSetting, setting_id(DICOM_SETTINGS))
    return _in_force(row.value if row is not None and not row.deleted else {})


def _unknown_refused(changes: Mapping[str, Any]) -> None:
    unknown = sorted(set(changes) - _NAMES)
    if unknown:
        raise FormErrors([ValidationError("dicom.unknown_setting", field=name) for name in unknown])


def changed_dicom_settings(
    stored: Mapping[str, Any], changes: Mapping[str, Any]
) -> tuple[DicomSettings, dict[str, Any]]:
    """The settings in force after ``changes`` over the ``stored`` value, and the value to store.

    The one check of a change, wherever it is made (a device's settings screen, or the
    server's ``settings set``). The value to store holds only what differs from the defaults.

    Raises:
        FormErrors: as :meth:`DicomSettingsService.change`.
    """
    _unknown_refused(changes)
    cleaned: dict[str, Any] = {
        name: value.strip() if isinstance(value, str) else value for name, value in changes.items()
    }
    if "scanners" in cleaned:
        cleaned["scanners"] = _scanner_list(cleaned["scanners"])
    updated = replace(_in_force(stored), **cleaned)
    _check(updated)
    defaults = _stored_form(DicomSettings())
    return updated, {k: v for k, v in _stored_form(updated).items() if defaults[k] != v}


class DicomSettingsService:
    """Read and change the DICOM network settings."""

    def __init__(self, context: Context) -> None:
        self._uow = UnitOfWork(context)

    def current(self, actor: CurrentUser) -> DicomSettings:
        """The settings in force (any signed-in user may read them)."""
        with self._uow(actor, Action.STATUS_VIEW, mode=Mode.READ) as session:
            return dicom_settings(session)

    def change(self, actor: CurrentUser, **changes: Any) -> DicomSettings:
        """Change some settings; the rest stay as they are.

        Raises:
            FormErrors: every bad field at once (``dicom.bad_ae_title``, ``dicom.bad_port``,
                ``dicom.same_port``, ``dicom.bad_pacs_method``, ``dicom.bad_host``,
                ``dicom.bad_url``, ``dicom.url_needed``, ``dicom.unknown_setting``,
                ``dicom.bad_clip_compression``, ``dicom.bad_clip_quality``; for the
                ``scanners`` allow-list ``dicom.bad_scanner``, ``dicom.bad_scanner_ae_title``,
                ``dicom.bad_scanner_address``, ``dicom.bad_scanner_name``,
                ``dicom.duplicate_scanner``).
            PermissionDenied: for anyone who may not manage the service's settings.
        """
        _unknown_refused(changes)
        with self._uow(actor, Action.SETTINGS_MANAGE) as session:
            key_id = setting_id(DICOM_SETTINGS)
            row = session.get(ServiceSetting, key_id)
            stored = row.value if row is not None and not row.deleted else {}
            updated, value = changed_dicom_settings(stored, changes)
            if row is None:
                session.add(ServiceSetting(id=key_id, key=DICOM_SETTINGS, value=value))
            else:
                row.value = value
                row.deleted = False
            session.flush()
            self._uow.audit(
                session, actor, "settings.dicom", entity="service_setting", entity_id=key_id
            )
            return updated
