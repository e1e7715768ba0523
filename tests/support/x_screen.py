"""Reading what an X server shows: window geometry from xwininfo, screenshots from xwd.

Pillow cannot read XWD files, so ``read_xwd`` parses the few layouts an Xvfb screen dump
takes (a TrueColor ZPixmap, 24 or 32 bits a pixel) into an RGB array.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np
import numpy.typing as npt
from PIL import Image

_HEADER_WORDS = 25
_ZPIXMAP = 2
_COLOUR_ENTRY_BYTES = 12
_LSB_FIRST = 0
_POLL_INTERVAL = 0.05


@dataclass(frozen=True)
class WindowGeometry:
    """Where a window is on the screen and whether it is shown, as xwininfo reports it."""

    x: int
    y: int
    width: int
    height: int
    viewable: bool


def parse_xwininfo(text: str) -> WindowGeometry:
    """Reads the output of ``xwininfo -name TITLE`` (or -id)."""

    def number(label: str) -> int:
        found = re.search(rf"^\s*{re.escape(label)}:\s*(-?\d+)", text, re.MULTILINE)
        if found is None:
            raise ValueError(f"xwininfo output has no {label!r}:\n{text}")
        return int(found.group(1))

    return WindowGeometry(
        x=number("Absolute upper-left X"),
        y=number("Absolute upper-left Y"),
        width=number("Width"),
        height=number("Height"),
        viewable="Map State: IsViewable" in text,
    )


def read_xwd(data: bytes) -> npt.NDArray[np.uint8]:
    """An XWD screen dump as an array of shape (height, width, 3), RGB."""
    header = struct.unpack(f">{_HEADER_WORDS}I", data[: _HEADER_WORDS * 4])
    header_size, _version, pixmap_format, _depth, width, height = header[:6]
    byte_order, bits_per_pixel, bytes_per_line = header[7], header[11], header[12]
    red_mask, green_mask, blue_mask = header[15], header[16], header[17]
    colours = header[19]
    if pixmap_format != _ZPIXMAP or bits_per_pixel not in (24, 32):
        raise ValueError(
            f"unsupported XWD layout: format {pixmap_format}, {bits_per_pixel} bits a pixel"
        )
    start = header_size + colours * _COLOUR_ENTRY_BYTES
    step = bits_per_pixel // 8
    rows = np.frombuffer(data, np.uint8, count=bytes_per_line * height, offset=start)
    pixels = rows.reshape(height, bytes_per_line)[:, : width * step].reshape(height, width, step)
    if byte_order != _LSB_FIRST:
        pixels = pixels[:, :, ::-1]
    # Little-endian pixels: byte k holds bits 8k..8k+7; find each channel's byte from its mask.
    channels = [(mask.bit_length() - 1) // 8 for mask in (red_mask, green_mask, blue_mask)]
    return np.ascontiguousarray(pixels[:, :, channels])


def save_png(pixels: npt.NDArray[np.uint8], path: Path) -> None:
    """Writes an RGB array as a PNG file."""
    Image.fromarray(pixels, "RGB").save(path)


class VirtualScreen:
    """An Xvfb screen of its own (black background) for one test or one measurement."""

    def __init__(self, size: tuple[int, int] = (1280, 800)) -> None:
        self.size = size
        self._process: subprocess.Popen[bytes] | None = None
        self.display = ""

    @staticmethod
    def missing_programs() -> list[str]:
        """Which of Xvfb, xwininfo and xwd are not installed (with their Debian packages)."""
        wanted = (("Xvfb", "xvfb"), ("xwininfo", "x11-utils"), ("xwd", "x11-apps"))
        return [f"{name} ({package})" for name, package in wanted if shutil.which(name) is None]

    def __enter__(self) -> VirtualScreen:
        read_end, write_end = os.pipe()
        width, height = self.size
        self._process = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_end),
                "-screen",
                "0",
                f"{width}x{height}x24",
                "-br",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_end)
        with os.fdopen(read_end) as announced:
            number = announced.readline().strip()
        if not number:
            self.__exit__(None, None, None)
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number}"
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)
        self._process = None

    def environment(self) -> dict[str, str]:
        """Variables that send a Qt app to this screen through xcb."""
        return {"DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb"}

    def find_window(self, title: str) -> WindowGeometry | None:
        """The window with this title if it is mapped now, else None."""
        found = subprocess.run(
            ["xwininfo", "-display", self.display, "-name", title],
            capture_output=True,
            text=True,
            check=False,
        )
        if found.returncode != 0:
            return None
        window = parse_xwininfo(found.stdout)
        return window if window.viewable else None

    def wait_for_window(
        self, title: str, *, timeout: float, alive: subprocess.Popen[bytes] | None = None
    ) -> WindowGeometry:
        """Polls until the window is mapped; fails early if ``alive`` (the app) exits."""
        deadline = time.monotonic() + timeout
        while True:
            window = self.find_window(title)
            if window is not None:
                return window
            if alive is not None and alive.poll() is not None:
                raise RuntimeError(f"the app exited ({alive.returncode}) before {title!r} showed")
            if time.monotonic() > deadline:
                raise TimeoutError(f"no window {title!r} within {timeout:g} s")
            time.sleep(_POLL_INTERVAL)

    def screenshot(self) -> npt.NDArray[np.uint8]:
        """The whole screen as an RGB array."""
        dump = subprocess.run(
            ["xwd", "-display", self.display, "-root", "-silent"], capture_output=True, check=True
        )
        return read_xwd(dump.stdout)
