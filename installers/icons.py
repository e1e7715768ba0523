"""The app's icon for Windows (.ico) and macOS (.icns), drawn from its SVG.

    python -m installers.icons SVG [--ico FILE] [--icns FILE]

Qt draws the SVG (the same renderer the app uses) at 1024 px; Pillow writes both formats from
that, each with the sizes its platform asks for. Runs on any build machine, with no display.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PIL import Image

ICO_SIZES = ((16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256))
_DRAWN_AT = 1024


class IconError(RuntimeError):
    """The SVG could not be drawn."""


def draw(svg: Path, size: int = _DRAWN_AT) -> Image.Image:
    """The SVG drawn on a transparent square of ``size`` pixels.

    Raises:
        IconError: Qt cannot read the SVG.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QImage, QPainter  # noqa: PLC0415 - build time only
    from PySide6.QtSvg import QSvgRenderer  # noqa: PLC0415
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415

    # A QApplication, not the bare QGuiApplication drawing needs: a process has one
    # application object for good, and one that later shows windows (the test run, which
    # draws icons for the packages) cannot make them on a QGuiApplication.
    _application = QApplication.instance() or QApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise IconError(f"{svg} is not an SVG Qt can draw")
    # Straight (not premultiplied) RGBA, the byte order Pillow reads.
    image = QImage(size, size, QImage.Format.Format_RGBA8888)
    image.fill(0)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    pixels = bytes(image.constBits())
    return Image.frombuffer(
        "RGBA", (size, size), pixels, "raw", "RGBA", image.bytesPerLine(), 1
    ).copy()


def write_ico(svg: Path, out: Path) -> Path:
    """A Windows icon with every size from 16 to 256 px."""
    out.parent.mkdir(parents=True, exist_ok=True)
    draw(svg).save(out, format="ICO", sizes=list(ICO_SIZES))
    return out


def write_icns(svg: Path, out: Path) -> Path:
    """A macOS icon with every size from 16 to 1024 px (Retina included)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    draw(svg).save(out, format="ICNS")
    return out


def main(argv: list[str] | None = None) -> int:
    """Writes the icons asked for; 1 with the reason on stderr when the SVG cannot be drawn."""
    parser = argparse.ArgumentParser(prog="python -m installers.icons")
    parser.add_argument("svg", type=Path)
    parser.add_argument("--ico", type=Path)
    parser.add_argument("--icns", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.ico:
            write_ico(args.svg, args.ico)
        if args.icns:
            write_icns(args.svg, args.icns)
    except IconError as error:
        sys.stderr.write(f"{error}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
