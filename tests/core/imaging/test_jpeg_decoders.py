"""Which pydicom plug-in decodes each compressed syntax: never libjpeg, which is GPL-3.0.

pylibjpeg-libjpeg may still be installed in a developer's environment; the app must not use
it even then, so that what is tested here is what the app bundle (which lacks it) does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.pixels.decoders.base import get_decoder
from pydicom.uid import (
    JPEG2000,
    UID,
    ExplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    JPEGLossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    JPEGLSNearLossless,
    RLELossless,
)

from clinic_app.domains.imaging.dicom import pacs
from clinic_app.domains.imaging.dicom.frames import FrameSource
from clinic_app.domains.imaging.dicom.reading import decoding_plugin
from clinic_app.kernel.errors import ValidationError

# What decodes each syntax once GDCM (python-gdcm) and the app's other decoders are installed.
EXPECTED = [
    (JPEGBaseline8Bit, "gdcm"),
    (JPEGExtended12Bit, "gdcm"),  # 8-bit only: 12-bit is refused before decoding
    (JPEGLossless, "gdcm"),
    (JPEGLosslessSV1, "gdcm"),
    (JPEGLSLossless, "pyjpegls"),
    (JPEGLSNearLossless, "pyjpegls"),
    (JPEG2000Lossless, "pylibjpeg"),  # pylibjpeg-openjpeg (BSD-2-Clause)
    (JPEG2000, "pylibjpeg"),
    (RLELossless, ""),  # pydicom's order: pylibjpeg-rle (MIT), then pydicom's own
]


@pytest.mark.parametrize(("syntax", "plugin"), EXPECTED, ids=[s.name for s, _ in EXPECTED])
def test_each_compression_is_decoded_by_a_plugin_the_app_may_ship(syntax: UID, plugin: str) -> None:
    assert decoding_plugin(syntax) == plugin


JPEG_FAMILY = [JPEGBaseline8Bit, JPEGLossless, JPEGLosslessSV1, JPEGLSLossless]


@pytest.mark.parametrize("syntax", JPEG_FAMILY, ids=[s.name for s in JPEG_FAMILY])
def test_with_only_libjpeg_installed_a_jpeg_is_refused_not_decoded_by_it(
    monkeypatch: pytest.MonkeyPatch, syntax: UID
) -> None:
    decoder = get_decoder(syntax)
    only_libjpeg = {k: v for k, v in decoder._available.items() if k == "pylibjpeg"}
    monkeypatch.setattr(decoder, "_available", only_libjpeg)
    with pytest.raises(ValidationError) as refused:
        decoding_plugin(syntax)
    assert refused.value.code == "dicom.unsupported_compression"
    assert refused.value.params["syntax"] == syntax.name


def test_a_12_bit_jpeg_kept_before_is_shown_as_a_compression_the_app_cannot_open() -> None:
    # Accepted when libjpeg read it; the viewer must not call it damaged now.
    found = get_testdata_file("JPGExtended.dcm")
    assert isinstance(found, str)
    with pytest.raises(ValidationError) as refused:
        FrameSource.open(Path(found).read_bytes())
    assert refused.value.code == "dicom.unsupported_compression"
    assert refused.value.params["syntax"] == JPEGExtended12Bit.name


def _lossless_jpeg() -> Dataset:
    found = get_testdata_file("JPGLosslessP14SV1_1s_1f_8b.dcm")
    assert isinstance(found, str)
    return dcmread(found)


def test_a_jpeg_decompressed_for_a_pacs_is_decoded_by_gdcm() -> None:
    ds = _lossless_jpeg()
    plain = pacs._as_accepted(ds, {(str(ds.SOPClassUID), str(ExplicitVRLittleEndian))})
    assert plain is not None
    assert plain.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
    assert plain.pixel_array.shape == (int(ds.Rows), int(ds.Columns))


def test_with_only_libjpeg_a_jpeg_for_a_pacs_is_not_decompressed_by_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decoder = get_decoder(JPEGLosslessSV1)
    only_libjpeg = {k: v for k, v in decoder._available.items() if k == "pylibjpeg"}
    monkeypatch.setattr(decoder, "_available", only_libjpeg)
    ds = _lossless_jpeg()
    with pytest.raises(ValidationError) as refused:
        pacs._as_accepted(ds, {(str(ds.SOPClassUID), str(ExplicitVRLittleEndian))})
    assert refused.value.code == "dicom.unsupported_compression"
