"""Distances in mm only where the image says how big a pixel is; marks kept as checked JSON."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset

from clinic_app.domains.imaging.dicom.capture import CaptureContext, new_uid, still
from clinic_app.domains.imaging.dicom.measure import (
    UNCALIBRATED,
    Annotation,
    Calibration,
    Measurement,
    Region,
    calibration_of,
)
from clinic_app.kernel.errors import ValidationError
from tests.support.us_image import (
    DATA_PW_SPECTRAL_DOPPLER,
    ONE_VIEW,
    SPATIAL_SPECTRAL,
    TWO_VIEWS_DIFFERENT_SCALE,
    TWO_VIEWS_SAME_SCALE,
    UNITS_CM_PER_S,
    UNITS_SECONDS,
    ScanRegion,
    us_image,
    us_multiframe,
)


def _with_regions(*regions: ScanRegion) -> Calibration:
    return calibration_of(us_image(regions=regions))


def _bare_image(rows: int = 100, columns: int = 200) -> Dataset:
    ds = Dataset()
    ds.Rows = rows
    ds.Columns = columns
    return ds


# --- US Region Calibration ------------------------------------------------------------------


def test_a_tissue_region_at_a_hundredth_of_a_cm_per_pixel_makes_100_pixels_10_mm() -> None:
    calibration = calibration_of(us_image(regions=ONE_VIEW))
    assert calibration.source == "us_regions"
    assert calibration.calibrated
    assert calibration.regions == (Region(40, 20, 279, 219, 0.1, 0.1),)
    across = calibration.measure((100.0, 100.0), (200.0, 100.0))
    assert across.status == "mm"
    assert across.pixels == pytest.approx(100.0)
    assert across.mm == pytest.approx(10.0)
    down = calibration.measure((150.0, 30.0), (150.0, 130.0))
    assert down.mm == pytest.approx(10.0)


def test_a_region_with_different_scales_across_and_down_measures_each_direction_with_its_own() -> (
    None
):
    calibration = _with_regions(ScanRegion(0, 0, 319, 239, 0.01, 0.02))
    assert calibration.measure((10, 10), (110, 10)).mm == pytest.approx(10.0)
    assert calibration.measure((10, 10), (10, 110)).mm == pytest.approx(20.0)
    # 30 columns at 0.1 mm and 40 rows at 0.2 mm: sqrt(3^2 + 8^2) mm.
    oblique = calibration.measure((10, 10), (40, 50))
    assert oblique.pixels == pytest.approx(50.0)
    assert oblique.mm == pytest.approx(math.sqrt(73.0))


def test_negative_deltas_count_by_their_size() -> None:
    calibration = _with_regions(ScanRegion(0, 0, 319, 239, -0.01, -0.01))
    assert calibration.measure((0, 0), (0, 100)).mm == pytest.approx(10.0)


def test_the_calibration_survives_being_written_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "us.dcm"
    us_multiframe(jpeg_ls=True).save_as(path, enforce_file_format=True)
    read = calibration_of(dcmread(path))
    assert read.measure((100, 100), (100, 200)).mm == pytest.approx(10.0)


def test_an_end_outside_every_region_gives_no_mm() -> None:
    calibration = calibration_of(us_image(regions=ONE_VIEW))
    # Column 20 is in the left margin, where the scanner writes its text.
    outside = calibration.measure((20.0, 100.0), (120.0, 100.0))
    assert outside == Measurement(100.0, None, "outside_regions")


def test_the_edges_of_a_region_are_the_far_sides_of_its_last_pixels() -> None:
    region = Region(40, 20, 279, 219, 0.1, 0.1)
    assert region.contains(40.0, 20.0)
    assert region.contains(279.9, 219.9)
    assert not region.contains(280.0, 100.0)
    assert not region.contains(39.9, 100.0)
    assert not region.contains(100.0, 220.0)


def test_a_line_between_views_of_different_scale_gives_no_mm() -> None:
    calibration = calibration_of(us_image(regions=TWO_VIEWS_DIFFERENT_SCALE))
    assert len(calibration.regions) == 2
    assert calibration.measure((50, 100), (250, 100)).status == "different_scale"
    # Within each view the view's own scale holds.
    assert calibration.measure((10, 100), (110, 100)).mm == pytest.approx(10.0)
    assert calibration.measure((170, 100), (270, 100)).mm == pytest.approx(5.0)


def test_a_line_between_two_views_of_one_scale_still_gives_no_mm() -> None:
    calibration = calibration_of(us_image(regions=TWO_VIEWS_SAME_SCALE))
    crossing = calibration.measure((150, 100), (170, 100))
    assert crossing == Measurement(20.0, None, "across_regions")


def test_scales_equal_but_for_rounding_are_one_scale() -> None:
    calibration = _with_regions(
        ScanRegion(0, 0, 159, 239, 0.01, 0.01),
        ScanRegion(160, 0, 319, 239, 0.01 * (1 + 1e-9), 0.01),
    )
    assert calibration.measure((10, 10), (300, 10)).status == "across_regions"


def test_a_doppler_spectrum_is_not_a_distance_and_is_left_out() -> None:
    spectrum = ScanRegion(
        0,
        160,
        319,
        239,
        0.01,
        0.5,
        spatial_format=SPATIAL_SPECTRAL,
        data_type=DATA_PW_SPECTRAL_DOPPLER,
        units_x=UNITS_SECONDS,
        units_y=UNITS_CM_PER_S,
    )
    calibration = _with_regions(ScanRegion(40, 0, 279, 159, 0.01, 0.01), spectrum)
    assert [r.bottom for r in calibration.regions] == [159]
    assert calibration.measure((100, 170), (100, 230)).status == "outside_regions"


@pytest.mark.parametrize(
    "nonsense",
    [
        ScanRegion(0, 0, 319, 239, 0.0, 0.01),
        ScanRegion(0, 0, 319, 239, 0.01, math.nan),
        ScanRegion(0, 0, 319, 239, math.inf, 0.01),
        ScanRegion(300, 0, 100, 239, 0.01, 0.01),
        ScanRegion(0, 200, 319, 100, 0.01, 0.01),
        ScanRegion(0, 0, 319, 239, 0.01, 0.01, units_x=UNITS_SECONDS),
    ],
    ids=["zero-delta", "nan-delta", "inf-delta", "inverted-x", "inverted-y", "wrong-units"],
)
def test_a_region_that_makes_no_sense_is_skipped(nonsense: ScanRegion) -> None:
    calibration = _with_regions(nonsense, ScanRegion(0, 0, 9, 9, 0.01, 0.01))
    assert calibration.regions == (Region(0, 0, 9, 9, 0.1, 0.1),)
    alone = calibration_of(us_image(regions=(nonsense,)))
    assert alone is UNCALIBRATED


def test_overlapping_regions_of_one_scale_measure_where_both_ends_share_one() -> None:
    # A colour-flow box drawn over the B-mode view, as scanners do: the same scale.
    calibration = _with_regions(
        ScanRegion(0, 0, 319, 239, 0.01, 0.01),
        ScanRegion(100, 50, 200, 150, 0.01, 0.01),
    )
    inside_both = calibration.measure((120, 100), (180, 100))
    assert inside_both.mm == pytest.approx(6.0)
    one_end_in_the_box = calibration.measure((120, 100), (300, 100))
    assert one_end_in_the_box.mm == pytest.approx(18.0)


def test_overlapping_regions_that_disagree_on_the_scale_give_no_mm() -> None:
    calibration = _with_regions(
        ScanRegion(0, 0, 319, 239, 0.01, 0.01),
        ScanRegion(100, 50, 200, 150, 0.02, 0.02),
    )
    # Both ends lie in both regions: the image says two things, so it says nothing.
    assert calibration.measure((120, 100), (180, 100)).status == "different_scale"
    # Only the large region holds both ends: it alone measures the line.
    assert calibration.measure((10, 10), (120, 10)).mm == pytest.approx(11.0)


# --- Pixel Spacing and no calibration -------------------------------------------------------


def test_pixel_spacing_is_the_row_spacing_then_the_column_spacing() -> None:
    ds = _bare_image(rows=100, columns=200)
    ds.PixelSpacing = [0.2, 0.5]  # 0.2 mm between rows (down), 0.5 mm between columns
    calibration = calibration_of(ds)
    assert calibration.source == "pixel_spacing"
    assert calibration.regions == (Region(0, 0, 199, 99, 0.5, 0.2),)
    assert calibration.measure((0, 0), (10, 0)).mm == pytest.approx(5.0)
    assert calibration.measure((0, 0), (0, 10)).mm == pytest.approx(2.0)
    assert calibration.measure((0, 0), (200, 0)).status == "outside_regions"


def test_usable_us_regions_win_over_pixel_spacing_and_pixel_spacing_stands_in_without_them() -> (
    None
):
    ds = us_image(regions=ONE_VIEW)
    ds.PixelSpacing = [0.3, 0.3]
    assert calibration_of(ds).source == "us_regions"
    ds.SequenceOfUltrasoundRegions = [
        ScanRegion(0, 0, 10, 10, 0.01, 0.01, units_x=UNITS_SECONDS).item()
    ]
    fallback = calibration_of(ds)
    assert fallback.source == "pixel_spacing"
    assert fallback.measure((0, 0), (10, 0)).mm == pytest.approx(3.0)


def test_imager_pixel_spacing_alone_does_not_calibrate() -> None:
    ds = _bare_image()
    ds.ImagerPixelSpacing = [0.1, 0.1]
    assert calibration_of(ds) is UNCALIBRATED


@pytest.mark.parametrize("spacing", [[0.0, 0.2], [0.2, -0.0], [0.2]], ids=str)
def test_unusable_pixel_spacing_does_not_calibrate(spacing: list[float]) -> None:
    ds = _bare_image()
    ds.PixelSpacing = spacing
    assert calibration_of(ds) is UNCALIBRATED


def test_a_grabbed_video_frame_has_no_scale_and_gives_pixels_only() -> None:
    context = CaptureContext(
        nhs_number="9990000018",
        family_name="Lovelace",
        given_name="Ada",
        birth_date=date(1960, 3, 14),
        sex="F",
        study_uid=new_uid(),
        series_uid=new_uid(),
        body_part="KNEE",
        laterality="L",
        operator="",
        when=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
    )
    grabbed = still(np.zeros((48, 64, 3), dtype=np.uint8), context)
    calibration = calibration_of(grabbed)
    assert calibration is UNCALIBRATED
    assert not calibration.calibrated
    assert calibration.measure((0, 0), (3, 4)) == Measurement(5.0, None, "uncalibrated")


# --- Annotations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mark",
    [
        Annotation("distance", 0, ((10.5, 20.25), (110.0, 20.25))),
        Annotation("arrow", 3, ((1.0, 2.0), (30.0, 40.0)), "effusion"),
        Annotation("text", 0, ((5.0, 5.0),), "Supraspinatus — long axis"),
    ],
    ids=["distance", "arrow", "text"],
)
def test_a_mark_comes_back_from_its_json_unchanged(mark: Annotation) -> None:
    stored = json.loads(json.dumps(mark.to_json()))
    assert Annotation.from_json(stored) == mark


def test_whole_number_coordinates_read_as_floats() -> None:
    read = Annotation.from_json({"kind": "arrow", "frame": 0, "points": [[1, 2], [3, 4]]})
    assert read.points == ((1.0, 2.0), (3.0, 4.0))
    assert all(isinstance(value, float) for point in read.points for value in point)
    assert read.text == ""


def _good() -> dict[str, object]:
    return {"kind": "distance", "frame": 0, "points": [[1.0, 2.0], [3.0, 4.0]], "text": ""}


def _changed(**changes: object) -> Callable[[], object]:
    def build() -> object:
        value = _good()
        value.update(changes)
        return value

    return build


@pytest.mark.parametrize(
    "bad",
    [
        lambda: "distance",
        lambda: [_good()],
        _changed(kind="circle"),
        _changed(kind=None),
        _changed(points=[[1.0, 2.0]]),
        _changed(points=[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
        _changed(kind="text", points=[[1.0, 2.0], [3.0, 4.0]], text="label"),
        _changed(points=[[1.0, 2.0], [3.0]]),
        _changed(points=[[1.0, math.nan], [3.0, 4.0]]),
        _changed(points=[[math.inf, 2.0], [3.0, 4.0]]),
        _changed(points=[[1.0, 2.0], ["3", 4.0]]),
        _changed(points=[[True, 2.0], [3.0, 4.0]]),
        _changed(points="1,2,3,4"),
        _changed(frame=-1),
        _changed(frame=1.5),
        _changed(frame=True),
        _changed(text="x" * 201),
        _changed(text=7),
        _changed(kind="text", points=[[1.0, 2.0]], text="   "),
        _changed(colour="red"),
    ],
    ids=[
        "not-an-object",
        "a-list",
        "unknown-kind",
        "no-kind",
        "distance-with-one-point",
        "distance-with-three-points",
        "text-with-two-points",
        "point-with-one-coordinate",
        "nan",
        "infinity",
        "coordinate-as-text",
        "coordinate-as-bool",
        "points-as-text",
        "negative-frame",
        "fractional-frame",
        "frame-as-bool",
        "text-over-200",
        "text-not-a-string",
        "blank-text-mark",
        "unknown-key",
    ],
)
def test_a_bad_mark_is_refused(bad: Callable[[], object]) -> None:
    with pytest.raises(ValidationError) as raised:
        Annotation.from_json(bad())
    assert raised.value.code == "image.bad_annotation"
    assert raised.value.field == "annotation"


def test_text_of_exactly_200_characters_is_kept() -> None:
    mark = Annotation.from_json(_changed(kind="text", points=[[0, 0]], text="y" * 200)())
    assert len(mark.text) == 200


def test_a_mark_made_directly_is_checked_too() -> None:
    with pytest.raises(ValidationError):
        Annotation("distance", 0, ((1.0, 2.0),))
    with pytest.raises(ValidationError):
        Annotation("arrow", -2, ((1.0, 2.0), (3.0, 4.0)))
    with pytest.raises(ValidationError):
        Annotation("arrow", 0, [(1.0, 2.0), (3.0, 4.0)])  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Annotation("text", 0, (7,), "label")  # type: ignore[arg-type]


# --- The test objects themselves ------------------------------------------------------------


def _require_dciodvfy() -> None:
    if shutil.which("dciodvfy") is None:
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail("dciodvfy missing in CI")
        pytest.skip("dciodvfy not installed")


@pytest.mark.parametrize(
    "build",
    [
        us_image,
        lambda: us_image(colour=False, regions=TWO_VIEWS_DIFFERENT_SCALE),
        lambda: us_image(accession="OS000000000042", study_uid=str(new_uid())),
        us_multiframe,
        lambda: us_multiframe(jpeg_ls=True),
        lambda: us_multiframe(jpeg_ls=True, colour=False, regions=TWO_VIEWS_SAME_SCALE),
    ],
    ids=[
        "us-rgb",
        "us-grey-two-views",
        "us-from-worklist",
        "us-multiframe",
        "us-multiframe-jpegls",
        "us-multiframe-jpegls-grey",
    ],
)
def test_each_simulated_scanner_object_passes_dciodvfy(
    build: Callable[[], Dataset], tmp_path: Path
) -> None:
    _require_dciodvfy()
    path = tmp_path / "scanner.dcm"
    build().save_as(path, enforce_file_format=True)
    checked = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
    report = checked.stdout + checked.stderr
    assert checked.returncode == 0, report
    assert "Error" not in report, report
    assert "Warning" not in report, report
    assert calibration_of(dcmread(path)).calibrated
