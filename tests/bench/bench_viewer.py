"""The image viewer on a long clip: first frame on screen, and memory while it plays.

The clip is the one ``bench_dicom`` makes: 300 frames of 1024 x 768 RGB, ultrasound-like
speckle, JPEG-LS lossless in a Multi-frame True Color Secondary Capture at 30 fps.

(a) Time from ``show_object(data)`` to the first frame painted (the viewer's
    ``frame_shown`` signal, sent from its paint event). Baseline in the same run: pydicom
    decoding that one frame alone from the same bytes. Target: 300 ms.
(b) Peak resident memory above what the process used before the clip was opened, while the
    clip plays through once, and again once every frame is decoded and kept; against the
    size of the clip decoded (frames x 1024 x 768 x 3 bytes). Target: 2x. The stored bytes
    are already in memory before the baseline is taken, as they are in the app.

Each measurement runs in a fresh child process (offscreen Qt), so memory freed by building
the clip cannot be reused and hide what the viewer takes.

Run: ``python -m tests.bench.bench_viewer [--frames N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench.bench_dicom import HEIGHT, WIDTH, _context, frames_like_ultrasound

FRAME_TIME_MS = 1000 / 30
ROOT = Path(__file__).resolve().parents[2]
_MODULE = (sys.executable, "-m", "tests.bench.bench_viewer")


def _status_kib(field: str) -> int:
    """A memory figure of this process from /proc (Linux), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    """Start the kernel's peak-memory count afresh (Linux 4.0+); False where not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _build_clip(frames: int, folder: Path) -> Path:
    """Wrap the benchmark frames as the app does and save them once."""
    from clinic_app.domains.imaging.dicom.capture import clip

    path = folder / f"clip-{frames}.dcm"
    if not path.exists():
        clip(frames_like_ultrasound(frames), FRAME_TIME_MS, _context()).save_as(
            path, enforce_file_format=True
        )
    return path


# ---------------------------------------------------------------------- in the child


def _wait(app: Any, milliseconds: int, until: Any = None) -> None:
    """Run the Qt event loop for a while (or until ``until()``), without spinning."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    loop = QEventLoop()
    stop = QTimer()
    stop.setSingleShot(True)
    stop.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may end 5 % early
    stop.timeout.connect(loop.quit)
    stop.start(milliseconds)
    if until is not None:
        poll = QTimer()
        poll.timeout.connect(lambda: until() and loop.quit())
        poll.start(1)
    loop.exec()


def _first_frame(path: Path, runs: int) -> dict[str, Any]:
    """(a): open the clip ``runs`` times; time to the first painted frame and the baseline."""
    from pydicom.pixels import pixel_array
    from PySide6.QtWidgets import QApplication

    from ui.common import theme
    from ui.common.image_viewer import ImageViewer

    app = QApplication.instance() or QApplication([sys.argv[0]])
    theme.apply_theme(app)  # type: ignore[arg-type]
    data = path.read_bytes()
    decode_ms: list[float] = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        pixel_array(io.BytesIO(data), index=0)
        decode_ms.append((time.perf_counter() - started) * 1000)
    decode_ms = decode_ms[1:]  # the first call imports the decoder

    viewer = ImageViewer()
    viewer.resize(1280, 960)
    viewer.show()
    _wait(app, 200)
    shown: list[float] = []
    viewer.frame_shown.connect(lambda _index: shown.append(time.perf_counter()))
    first_ms: list[float] = []
    for _ in range(runs + 1):
        shown.clear()
        started = time.perf_counter()
        viewer.show_object(data)
        _wait(app, 5000, until=lambda: bool(shown))
        first_ms.append((shown[0] - started) * 1000)
        viewer.close_source()
        viewer.clear()
        _wait(app, 50)
    first_ms = first_ms[1:]  # the first opening also warms Qt's image and font caches
    viewer.close()
    return {
        "first_frame_ms_median": round(statistics.median(first_ms), 1),
        "first_frame_ms_max": round(max(first_ms), 1),
        "pydicom_one_frame_decode_ms_median": round(statistics.median(decode_ms), 1),
        "ratio_first_frame_to_one_frame_decode": round(
            statistics.median(first_ms) / statistics.median(decode_ms), 2
        ),
    }


def _playing(path: Path) -> dict[str, Any]:
    """(b): play the clip through once, then let every frame be decoded; peak memory."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.common import theme
    from ui.common.image_viewer import ImageViewer

    app = QApplication.instance() or QApplication([sys.argv[0]])
    theme.apply_theme(app)  # type: ignore[arg-type]
    data = path.read_bytes()
    viewer = ImageViewer()
    viewer.resize(1280, 960)
    viewer.show()
    _wait(app, 200)

    peak = [0]
    sampler = QTimer()
    sampler.timeout.connect(lambda: peak.__setitem__(0, max(peak[0], _status_kib("VmRSS"))))
    before_kib = _status_kib("VmRSS")
    kernel_peak = _reset_peak()
    if not kernel_peak:
        # Sampling costs the player turns at the interpreter lock, so only as a fallback.
        sampler.start(10)

    painted: list[tuple[float, int]] = []
    viewer.frame_shown.connect(lambda index: painted.append((time.monotonic(), index)))
    viewer.show_object(data)
    _wait(app, 5000, until=lambda: bool(painted))
    source = viewer.source
    assert source is not None
    count, decoded = source.count, source.decoded_bytes
    started = time.monotonic()
    viewer.play()
    _wait(app, round(count * FRAME_TIME_MS))
    viewer.pause()
    played_s = time.monotonic() - started
    during_play_kib = max(peak[0], _status_kib("VmHWM") if kernel_peak else 0)
    cached_after_play = source.cached_count

    first_play = [(t, i) for t, i in painted if t >= started]

    _wait(app, 120_000, until=lambda: source.cached_count == count)
    all_decoded_s = time.monotonic() - started
    # Once more from the start, now that every frame is kept.
    viewer.set_frame(0)
    again = time.monotonic()
    viewer.play()
    _wait(app, round(count * FRAME_TIME_MS))
    viewer.pause()
    second_play = [(t, i) for t, i in painted if t >= again]
    whole_kib = max(peak[0], _status_kib("VmHWM") if kernel_peak else 0)
    sampler.stop()
    viewer.close_source()
    lags = _lags(first_play, started, count)
    lags_again = _lags(second_play, again, count)
    return {
        "frames": count,
        "decoded_clip_mb": round(decoded / 1e6, 1),
        "stored_clip_mb": round(len(data) / 1e6, 1),
        "rss_before_open_mb": round(before_kib * 1024 / 1e6, 1),
        "peak_rss_increase_playing_once_mb": round((during_play_kib - before_kib) * 1024 / 1e6, 1),
        "ratio_playing_once_to_decoded_clip": round(
            (during_play_kib - before_kib) * 1024 / decoded, 2
        ),
        "peak_rss_increase_all_frames_kept_mb": round((whole_kib - before_kib) * 1024 / 1e6, 1),
        "ratio_all_frames_kept_to_decoded_clip": round(
            (whole_kib - before_kib) * 1024 / decoded, 2
        ),
        "first_play_s": round(played_s, 2),
        "first_play_frames_painted": len(first_play),
        "first_play_frames_decoded_by_its_end": cached_after_play,
        "first_play_paint_lag_frames_median": statistics.median(lags),
        "first_play_paint_lag_frames_max": max(lags),
        "seconds_until_every_frame_decoded": round(all_decoded_s, 1),
        "second_play_frames_painted": len(second_play),
        "second_play_paint_lag_frames_max": max(lags_again),
        "kernel_peak_counter": kernel_peak,
    }


def _lags(painted: list[tuple[float, int]], started: float, count: int) -> list[int]:
    """How many frames behind the clock each painted frame was (dropped frames, no slowing)."""
    lags = [
        (int((when - started) * 1000 // FRAME_TIME_MS) - index) % count for when, index in painted
    ]
    return lags or [0]


# ---------------------------------------------------------------------- in the parent


def _child(kind: str, path: Path, runs: int) -> dict[str, Any]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run(
        [*_MODULE, "--child", kind, str(path), "--runs", str(runs)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} run failed ({done.returncode}): {done.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Build the clip once, measure each part in its own process, print and return figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, path = args.child[0], Path(args.child[1])
        figures = _first_frame(path, args.runs) if kind == "first" else _playing(path)
        print(json.dumps(figures))
        return figures

    folder = Path(tempfile.mkdtemp(prefix="onestop-bench-viewer-"))
    path = _build_clip(args.frames, folder)
    figures = {
        "clip": f"{args.frames} frames, {WIDTH} x {HEIGHT} RGB, JPEG-LS lossless, 30 fps",
        "first_frame": _child("first", path, args.runs),
        "memory": _child("play", path, args.runs),
        "target_first_frame_ms": 300,
        "target_ratio_memory_to_decoded_clip": 2.0,
    }
    print(json.dumps(figures, indent=2))
    path.unlink()
    folder.rmdir()
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
    sys.exit(0)
