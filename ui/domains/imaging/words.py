"""Imaging's words for its error codes: images, clips, the scanners and the PACS."""

from __future__ import annotations

from clinic_app.kernel.errors import ClinicError
from ui.common.wording import MessageWords, WordTable, tr


def _clip_too_long(error: ClinicError) -> str:
    limit = error.params.get("max_frames")
    if isinstance(limit, int):
        return tr(
            "This clip is too long to keep: the most the app keeps at this picture size is "
            "{limit} frames. Shorten the clip on the scanner or phone and import it again."
        ).format(limit=limit)
    return tr("This clip is too long to keep. Shorten it and import it again.")


def _unsupported_compression(error: ClinicError) -> str:
    syntax = error.params.get("syntax")
    if isinstance(syntax, str) and syntax:
        return tr(
            "This DICOM file is compressed as {syntax}, which the app cannot open. The file "
            "is not damaged; nothing was kept. Ask for it to be sent from the scanner "
            "uncompressed, as JPEG-LS or as JPEG 2000."
        ).format(syntax=syntax)
    return tr(
        "This DICOM file is compressed in a way the app cannot open. The file is not "
        "damaged; nothing was kept. Ask for it to be sent from the scanner uncompressed, as "
        "JPEG-LS or as JPEG 2000."
    )


# Messages that need the error's parameters.
_BUILT: dict[str, MessageWords] = {
    "video.too_long": _clip_too_long,
    "dicom.unsupported_compression": _unsupported_compression,
}

# Everything that is not about one field.
_WORDS: dict[str, str] = {
    "dicom.unreadable": (
        "This file could not be read as a DICOM image: it is not DICOM, or it is damaged. "
        "Nothing was kept. Export it from the scanner again."
    ),
    "dicom.no_pixels": (
        "This DICOM file has no image in it (it may be a report or a list). Nothing was kept."
    ),
    "dicom.unknown_transfer_syntax": (
        "This DICOM file is compressed in a way the app cannot read. Nothing was kept. "
        "Export it from the scanner uncompressed, or as JPEG-LS."
    ),
    "dicom.waiting_for_patient": (
        "This scan is already on this computer, waiting for a patient. Open Images waiting "
        "for a patient, compare what the file says with this record, and assign it there."
    ),
    "dicom.wrong_patient": (
        "This image names a different patient from the record that is open. Nothing was "
        "kept. Check whose scan it is before importing it."
    ),
    "dicom.registered_twice": (
        "This patient's NHS number is on two registrations that have not been merged yet, so "
        "the image cannot be filed safely. Nothing was kept. Merge them under Service, "
        "Possible duplicate patients, then import it again."
    ),
    "dicom.no_nhs_number": (
        "This patient has no NHS number, so their images cannot be labelled safely. Add the "
        "NHS number to the record first."
    ),
    "dicom.bad_body_part": "Choose the body part scanned.",
    "dicom.bad_laterality": "Choose the side scanned.",
    "dicom.bad_ae_title": (
        "An AE title is 1 to 16 letters, digits, spaces or symbols, without a backslash."
    ),
    "dicom.bad_port": "Enter a port number from 1 to 65535.",
    "dicom.same_port": "The worklist needs a different port from the one images arrive on.",
    "dicom.bad_pacs_method": "Choose how to send to the PACS.",
    "dicom.bad_host": "Enter a computer name or address, without spaces.",
    "dicom.bad_url": "Enter the full address, starting with https:// or http://.",
    "dicom.url_needed": "Sending by DICOMweb needs the PACS's DICOMweb address.",
    "image.unreadable": (
        "This picture could not be read. Only PNG and JPEG pictures can be imported; "
        "nothing was kept."
    ),
    "image.unknown_kind": (
        "The app imports DICOM files, PNG or JPEG pictures and MP4 clips. This file is none "
        "of these, so nothing was kept."
    ),
    "image.not_found": "That image could not be found. It may have been assigned elsewhere.",
    "image.study_not_found": "That study could not be found. Open the patient's imaging again.",
    "image.already_assigned": (
        "Someone has already assigned this image to a patient. The list has been refreshed."
    ),
    "image.bad_annotation": "That mark could not be kept. Draw it again on the image.",
    "video.unreadable": (
        "This clip could not be read: it may be damaged, cut short, or not an MP4. Nothing "
        "was kept."
    ),
    "video.no_video": "This file has no video in it. Nothing was kept.",
    "video.bad_timing": (
        "This clip's frame rate could not be worked out, so it could not be played back "
        "truthfully. Nothing was kept."
    ),
    "video.no_decoder": (
        "Video clips can't be imported on this laptop: the video add-on is not installed. "
        "Ask IT. Nothing was kept."
    ),
    "video.timed_out": (
        "This clip took too long to read, so the app stopped. Nothing was kept. Try again; "
        "if it happens again, shorten the clip."
    ),
    "video.cancelled": "The clip's import was stopped. Nothing was kept.",
    "pacs.not_configured": (
        "No PACS is set up for the service yet. An admin sets it under Service, DICOM and PACS."
    ),
    "pacs.educational": (
        "This study is marked educational, and educational studies never go to the PACS."
    ),
    "pacs.already_archived": "This study is already archived in the PACS.",
    "pacs.already_sent": (
        "This study has already been sent to the PACS, so it cannot be made educational."
    ),
    "pacs.no_images": "This study has no images to send.",
    "pacs.identity_not_here": (
        "The PACS holds this study under another registration of this patient, which this "
        "computer does not have. Nothing was sent. Send it from a computer that holds that "
        "registration, or ask the PACS team to merge the two patients there."
    ),
    "dicom.not_a_clip": "A clip needs at least one frame. Record it again.",
    "dicom.not_a_still": "That was not a single picture. Capture it again.",
    "dicom.not_rgb": "The video frame was not in a form the app can keep. Capture it again.",
    "dicom.bad_frame_time": "The clip's frame rate could not be kept. Record it again.",
    "dicom.bad_sex": "The patient's recorded sex could not be written into the image.",
    "dicom.bad_conversion_type": "The app could not say how this image was made. Try again.",
    "dicom.unknown_setting": "That setting is not one the app knows.",
    "pacs.bad_purpose": "Choose clinical or educational.",
    "pacs.no_dicomweb": "Sending by DICOMweb needs the PACS's DICOMweb address.",
    "pacs.refused": (
        "The PACS refused some of the images. The study stays queued; ask PACS support to "
        "check why it is refusing them."
    ),
    "pacs.not_confirmed": (
        "The PACS took the images but does not yet list them all. The app asks again later."
    ),
    "pacs.withdrawn": "This study was made educational, so it was not sent to the PACS.",
    "pacs.unreachable": (
        "The PACS did not answer. The study stays queued, and the app tries again by itself."
    ),
    # Scanners let in (the allow-list on the DICOM and PACS settings).
    "dicom.bad_scanner": "Each scanner needs an AE title and an address.",
    "dicom.bad_scanner_ae_title": (
        "Each scanner's AE title is 1 to 16 letters, digits, spaces or symbols, without a "
        "backslash, exactly as set on the scanner."
    ),
    "dicom.bad_scanner_address": (
        "Each scanner's address is an IP address such as 192.168.10.21, or a network such as "
        "192.168.10.0/24 when the scanner is given a different address each day."
    ),
    "dicom.bad_scanner_name": "Keep each scanner's name to 64 characters.",
    "dicom.duplicate_scanner": "The same scanner is listed twice. Remove one of them.",
    # The same object twice, and what a PACS refuses.
    "dicom.duplicate_instance": (
        "A different image with the same identifier is already held, so this one was not "
        "kept. Ask the scanner's supplier why two images share an identifier."
    ),
    "pacs.refused_kind": (
        "The PACS does not take this kind of image, even uncompressed. The study stays "
        "queued; ask PACS support to accept ultrasound and secondary capture images."
    ),
    "pacs.refused_full": (
        "The PACS refused the images because it is out of space or busy. The study stays "
        "queued, and the app tries again by itself."
    ),
    "pacs.refused_invalid": (
        "The PACS refused the images as not valid for it. The study stays queued; ask PACS "
        "support to check what it expects."
    ),
    "pacs.refused_not_allowed": (
        "The PACS says this computer may not store images there. The study stays queued; "
        "ask PACS support to allow it."
    ),
    "pacs.cut_off": (
        "The PACS broke off while the images were being sent, without saying why. PACS "
        "systems often do this when they do not know this computer's AE title. The study "
        "stays queued; ask PACS support to check."
    ),
    "pacs.association_refused": (
        "The PACS answered but would not accept a connection from this computer: it may not "
        "know this computer's AE title. The study stays queued; ask PACS support to add it."
    ),
    # Checking what arrives: each names the real reason a file is refused.
    "dicom.truncated": (
        "This DICOM file is cut short: part of its image is missing, perhaps because a copy "
        "or transfer stopped early. Nothing was kept. Export it from the scanner again."
    ),
    "dicom.bad_dimensions": (
        "This DICOM file does not say how big its picture is, or gives a size no picture "
        "can have. Nothing was kept. Export it from the scanner again."
    ),
    "dicom.bad_value": (
        "One of this DICOM file's details is written in a form DICOM does not allow (for "
        "example a number with letters in it), so it could not be read safely. Nothing was "
        "kept. Ask the scanner's supplier to check what it writes."
    ),
    "image.too_large": (
        "This picture is far larger than any scan (it declares more pixels than the app "
        "will open safely). Nothing was kept."
    ),
    # How clips are kept (lossless or lossy JPEG), on the DICOM and PACS settings.
    "dicom.bad_clip_compression": "Choose whether clips are kept exactly or made smaller.",
    "dicom.bad_clip_quality": "Enter a clip quality from 50 to 95.",
    # The receive spool: an object answered as received that could not be kept after.
    "dicom.spool_damaged": (
        "An image a scanner sent was received, but its copy waiting on this computer was "
        "damaged before it could be added to the record. It has been set aside, not lost; "
        "ask the scanner to send it again."
    ),
}

WORDS = WordTable(__name__, messages=_WORDS, builders=_BUILT)
