"""Distances on ultrasound images in mm, only where the image says how big a pixel is.

A scanner's image may hold several views side by side, each with its own scale, described by
the US Region Calibration module (PS3.3 C.8.5.5). A distance is given in mm only when both ends
lie in one region that describes tissue in cm; anything else is reported as a pixel length
with the reason it has no mm, because a wrong number of mm is worse than none.

Points are ``(x, y)`` = (column, row) in image pixel coordinates, where pixel ``(c, r)``
covers the square ``[c, c + 1) x [r, r + 1)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydicom.dataset import Dataset

from clinic_app.kernel.errors import ValidationError

__all__ = [
    "ANNOTATION_KINDS",
    "MAX_ANNOTATION_TEXT",
    "UNCALIBRATED",
    "Annotation",
    "Calibration",
    "Measurement",
    "Region",
    "calibration_of",
]

#: Region Spatial Format "2D" (tissue or flow), PS3.3 C.8.5.5.1.1.
_SPATIAL_FORMAT_2D = 1
#: Physical Units "cm", PS3.3 C.8.5.5.1.15.
_UNITS_CM = 3
_MM_PER_CM = 10.0
#: Two scales closer than this (relative) are the same scale: the values come from the
#: scanner as doubles and may differ in the last bits between regions of one view.
_SCALE_TOLERANCE = 1e-6

#: What a person can put on an image.
ANNOTATION_KINDS = frozenset({"distance", "arrow", "text"})
_POINTS_PER_KIND = {"distance": 2, "arrow": 2, "text": 1}
#: A label, not a report: longer text belongs in the report.
MAX_ANNOTATION_TEXT = 200


@dataclass(frozen=True)
class Region:
    """A part of the image with one scale (a US region, or the whole image for Pixel Spacing).

    Attributes:
        left, top, right, bottom: the first and last pixel column and row, inclusive.
        mm_per_pixel_x: mm from one column to the next.
        mm_per_pixel_y: mm from one row to the next.
    """

    left: int
    top: int
    right: int
    bottom: int
    mm_per_pixel_x: float
    mm_per_pixel_y: float

    def contains(self, x: float, y: float) -> bool:
        """True when the point lies on one of the region's pixels."""
        # Pixel c covers [c, c + 1), so the last column's far edge is right + 1 (excluded).
        return self.left <= x < self.right + 1 and self.top <= y < self.bottom + 1

    def same_scale(self, other: Region) -> bool:
        """True when a pixel means the same length in both regions, in both directions."""
        return math.isclose(
            self.mm_per_pixel_x, other.mm_per_pixel_x, rel_tol=_SCALE_TOLERANCE
        ) and math.isclose(self.mm_per_pixel_y, other.mm_per_pixel_y, rel_tol=_SCALE_TOLERANCE)

    def length_mm(self, start: tuple[float, float], end: tuple[float, float]) -> float:
        """The distance between two points measured with this region's scale."""
        dx = (end[0] - start[0]) * self.mm_per_pixel_x
        dy = (end[1] - start[1]) * self.mm_per_pixel_y
        return math.hypot(dx, dy)


@dataclass(frozen=True)
class Measurement:
    """The length of a line drawn on an image.

    Attributes:
        pixels: the length in image pixels (always known).
        mm: the length in mm; set only when ``status`` is ``"mm"``.
        status: ``"mm"``; or why there is no mm: ``"uncalibrated"`` (the image has no scale),
            ``"outside_regions"`` (an end is outside every calibrated region),
            ``"different_scale"`` (the ends are in regions of different scale) or
            ``"across_regions"`` (the ends are in two separate views of the same scale).
    """

    pixels: float
    mm: float | None
    status: str


@dataclass(frozen=True)
class Calibration:
    """How an image's pixels map to mm.

    Attributes:
        source: ``"us_regions"`` (US Region Calibration), ``"pixel_spacing"`` (Pixel Spacing
            over the whole image) or ``"none"``.
        regions: the calibrated parts of the image; empty when uncalibrated.
    """

    source: str
    regions: tuple[Region, ...]

    @property
    def calibrated(self) -> bool:
        """True when at least some of the image can be measured in mm."""
        return bool(self.regions)

    def regions_at(self, point: tuple[float, float]) -> tuple[Region, ...]:
        """The calibrated regions a point lies in (several when regions overlap)."""
        return tuple(region for region in self.regions if region.contains(*point))

    def measure(self, start: tuple[float, float], end: tuple[float, float]) -> Measurement:
        """Measure the line from ``start`` to ``end``.

        Overlapping regions: the line is measured in mm only with a region holding both ends
        (a region is a rectangle, so it then holds the whole line). If several regions hold
        both ends they must agree on the scale, or the answer is ``"different_scale"``: the
        image itself is ambiguous and no number is given rather than a guessed one.
        """
        pixels = math.hypot(end[0] - start[0], end[1] - start[1])
        if not self.regions:
            return Measurement(pixels, None, "uncalibrated")
        at_start = self.regions_at(start)
        at_end = self.regions_at(end)
        if not at_start or not at_end:
            return Measurement(pixels, None, "outside_regions")
        shared = [region for region in at_start if region in at_end]
        if shared:
            first = shared[0]
            if all(first.same_scale(other) for other in shared[1:]):
                return Measurement(pixels, first.length_mm(start, end), "mm")
            return Measurement(pixels, None, "different_scale")
        if all(a.same_scale(b) for a in at_start for b in at_end):
            return Measurement(pixels, None, "across_regions")
        return Measurement(pixels, None, "different_scale")


#: An image with no known scale.
UNCALIBRATED = Calibration("none", ())


def calibration_of(ds: Dataset) -> Calibration:
    """Read how big a pixel is from an image's header.

    US Region Calibration comes first, as it is what an ultrasound scanner writes and it can
    differ between views in one image; regions that do not describe tissue in cm (Doppler
    spectra, M-mode, other units) or that make no sense are left out. Without any usable
    region, Pixel Spacing (0028,0030) calibrates the whole image. Otherwise the image is
    uncalibrated, as frames grabbed from video are.
    """
    regions = _us_regions(ds)
    if regions:
        return Calibration("us_regions", regions)
    whole = _pixel_spacing_region(ds)
    if whole is not None:
        return Calibration("pixel_spacing", (whole,))
    # Imager Pixel Spacing (0018,1164) is deliberately not read: it is the spacing at the
    # detector of a projection image, not a size in the patient, and an ultrasound image has
    # no detector plane for it to describe.
    return UNCALIBRATED


def _us_regions(ds: Dataset) -> tuple[Region, ...]:
    """The regions of the Sequence of Ultrasound Regions that give tissue distances in mm."""
    items = ds.get("SequenceOfUltrasoundRegions")
    if not items:
        return ()
    regions: list[Region] = []
    for item in items:
        region = _us_region(item)
        if region is not None:
            regions.append(region)
    return tuple(regions)


def _us_region(item: Dataset) -> Region | None:
    """One ultrasound region as a Region, or None when it cannot give a tissue distance."""
    describes_tissue_in_cm = (
        _as_int(item.get("RegionSpatialFormat")) == _SPATIAL_FORMAT_2D
        and _as_int(item.get("PhysicalUnitsXDirection")) == _UNITS_CM
        and _as_int(item.get("PhysicalUnitsYDirection")) == _UNITS_CM
    )
    if not describes_tissue_in_cm:
        return None
    # The deltas are signed (per positive pixel step); only their size matters for a length.
    delta_x = _positive(item.get("PhysicalDeltaX"))
    delta_y = _positive(item.get("PhysicalDeltaY"))
    if delta_x is None or delta_y is None:
        return None
    bounds = [
        _as_int(item.get(keyword))
        for keyword in (
            "RegionLocationMinX0",
            "RegionLocationMinY0",
            "RegionLocationMaxX1",
            "RegionLocationMaxY1",
        )
    ]
    left, top, right, bottom = bounds
    if left is None or top is None or right is None or bottom is None:
        return None
    if left < 0 or top < 0 or right < left or bottom < top:
        return None
    return Region(left, top, right, bottom, delta_x * _MM_PER_CM, delta_y * _MM_PER_CM)


def _pixel_spacing_region(ds: Dataset) -> Region | None:
    """The whole image as one region scaled by Pixel Spacing, or None without it."""
    spacing = ds.get("PixelSpacing")
    rows = _as_int(ds.get("Rows"))
    columns = _as_int(ds.get("Columns"))
    if spacing is None or rows is None or columns is None or rows < 1 or columns < 1:
        return None
    try:
        values = list(spacing)
    except TypeError:
        return None
    if len(values) != 2:
        return None
    # PS3.3 10.7.1.3: the first value is between rows (a step in y), the second between
    # columns (a step in x). Reading them the other way round stretches every oblique line.
    row_spacing = _positive(values[0])
    column_spacing = _positive(values[1])
    if row_spacing is None or column_spacing is None:
        return None
    return Region(0, 0, columns - 1, rows - 1, column_spacing, row_spacing)


def _as_int(value: object) -> int | None:
    """An integer attribute value, or None when absent or not a whole number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        number = float(str(value))
    except ValueError:
        return None
    if not math.isfinite(number) or not number.is_integer():
        return None
    return int(number)


def _positive(value: object) -> float | None:
    """The size of a numeric value, or None when absent, zero or not a finite number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = abs(float(str(value)))
    except ValueError:
        return None
    if not math.isfinite(number) or number == 0.0:
        return None
    return number


@dataclass(frozen=True)
class Annotation:
    """A mark a person puts on an image, kept apart from its pixels.

    Attributes:
        kind: ``"distance"``, ``"arrow"`` or ``"text"``.
        frame: the 0-based frame it belongs to.
        points: image pixel coordinates ``(x, y)``; two for a distance or an arrow (an arrow
            points from the first to the second), one for a text.
        text: the words of a text mark, or an optional label of the others.
    """

    kind: str
    frame: int
    points: tuple[tuple[float, float], ...]
    text: str = ""

    def __post_init__(self) -> None:
        """Refuse a mark that could not be drawn or would not survive a round trip."""
        if self.kind not in ANNOTATION_KINDS:
            raise _bad_annotation("kind")
        if isinstance(self.frame, bool) or not isinstance(self.frame, int) or self.frame < 0:
            raise _bad_annotation("frame")
        # Tuples only: the mark is frozen and hashable, and a list inside would break both.
        if (
            not isinstance(self.points, tuple)
            or len(self.points) != _POINTS_PER_KIND[self.kind]
            or not all(_is_point(point) for point in self.points)
        ):
            raise _bad_annotation("points")
        if not isinstance(self.text, str) or len(self.text) > MAX_ANNOTATION_TEXT:
            raise _bad_annotation("text")
        if self.kind == "text" and not self.text.strip():
            raise _bad_annotation("text")

    def to_json(self) -> dict[str, Any]:
        """The annotation as plain JSON values."""
        return {
            "kind": self.kind,
            "frame": self.frame,
            "points": [[float(x), float(y)] for x, y in self.points],
            "text": self.text,
        }

    @classmethod
    def from_json(cls, value: object) -> Annotation:
        """Read an annotation written by :meth:`to_json`, refusing anything else.

        Raises:
            ValidationError: ``image.bad_annotation`` (field ``annotation``) for a value of the
                wrong shape, an unknown kind or key, a negative frame, the wrong number of
                points, a coordinate that is not a finite number, or overlong text.
        """
        if not isinstance(value, dict):
            raise _bad_annotation("type")
        # Unknown keys are refused so that a misspelt key is not silently dropped.
        if not set(value) <= {"kind", "frame", "points", "text"}:
            raise _bad_annotation("keys")
        kind = value.get("kind")
        frame = value.get("frame")
        raw_points = value.get("points")
        text = value.get("text", "")
        if not isinstance(kind, str):
            raise _bad_annotation("kind")
        if not isinstance(raw_points, list | tuple):
            raise _bad_annotation("points")
        points: list[tuple[float, float]] = []
        for raw in raw_points:
            if not isinstance(raw, list | tuple) or len(raw) != 2:
                raise _bad_annotation("points")
            x, y = raw
            if not (_is_coordinate(x) and _is_coordinate(y)):
                raise _bad_annotation("points")
            points.append((float(x), float(y)))
        if isinstance(frame, bool) or not isinstance(frame, int):
            raise _bad_annotation("frame")
        if not isinstance(text, str):
            raise _bad_annotation("text")
        return cls(kind, frame, tuple(points), text)


def _is_point(value: object) -> bool:
    """True for a tuple of two finite coordinates."""
    return isinstance(value, tuple) and len(value) == 2 and all(_is_coordinate(v) for v in value)


def _is_coordinate(value: object) -> bool:
    """True for a finite int or float (bool excluded, though Python counts it as an int)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _bad_annotation(reason: str) -> ValidationError:
    return ValidationError("image.bad_annotation", field="annotation", reason=reason)
