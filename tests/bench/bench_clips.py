"""What a clip costs to keep: stored megabytes per second of clip, and encode time.

The clip is the imaging benchmark's (300 frames of 1024 x 768 RGB at 30 frames a second,
synthetic speckle with a moving bright band: ``bench_dicom.frames_like_ultrasound``). It is
kept as the app keeps it, JPEG-LS lossless and JPEG baseline (lossy) at the given quality on
one thread and on every core; the baseline in the same run is dcmtk's ``dcmcjpeg`` making
JPEG baseline of the same frames at the same quality (writing its input is not timed).
Encode time is given as a ratio to the clip's own length: under 1 is faster than real time.
The machine's load is given too: the figures are only as quiet as the machine was. The mean
difference from the captured frames (0-255 scale) and the PSNR say how far the lossy
frames moved; they describe this synthetic clip, not a clinical threshold.

Run: ``python -m tests.bench.bench_clips [--frames N] [--quality Q]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from pydicom import dcmread
from pydicom.uid import ExplicitVRLittleEndian

from clinic_app.domains.imaging.dicom.capture import clip
from clinic_app.domains.imaging.dicom.clip_jpeg import DEFAULT_QUALITY, ClipCompression
from clinic_app.domains.imaging.service.encoding import dicom_bytes
from tests.bench.bench_dicom import _context, frames_like_ultrasound

FRAME_TIME_MS = 1000 / 30


def _timed(frames: np.ndarray, compression: ClipCompression | None) -> tuple[float, float, bytes]:
    """Wall-clock and processor seconds to make the clip's file, and the file."""
    started, cpu = time.perf_counter(), time.process_time()
    made = clip(frames, FRAME_TIME_MS, _context(), compression=compression)
    data = dicom_bytes(made)
    return time.perf_counter() - started, time.process_time() - cpu, data


def _difference(frames: np.ndarray, data: bytes) -> tuple[float, float]:
    """Mean absolute difference and PSNR (dB) of the decoded frames against the captured."""
    decoded = dcmread(io.BytesIO(data)).pixel_array
    error = decoded.astype(np.float32) - frames.astype(np.float32)
    mse = float(np.mean(error**2))
    psnr = float("inf") if mse == 0 else 10 * np.log10(255**2 / mse)
    return float(np.mean(np.abs(error))), psnr


def _main_thread_rate(work: Callable[[], object]) -> float:
    """Loops a second the calling thread makes while ``work`` runs on another thread."""
    done = threading.Event()

    def run() -> None:
        try:
            work()
        finally:
            done.set()

    worker = threading.Thread(target=run)
    started = time.perf_counter()
    worker.start()
    loops = 0
    while not done.is_set():
        loops += 1
    worker.join()
    return loops / (time.perf_counter() - started)


def gil_probe() -> dict[str, float]:
    """Whether each encoder lets Python run beside it (the interpreter lock given up).

    The main thread counts while one large frame is encoded on another thread, against
    counting while that thread sleeps: near 0 means the encoder holds the lock (a second
    thread cannot help it), near 1 (or what the machine's load leaves) means it gives it up.
    """
    import jpeg_ls as jpeg_ls_codec
    from PIL import Image

    frame = np.random.default_rng(3).integers(0, 255, (3000, 4000, 3), dtype=np.uint8)
    picture = Image.fromarray(frame, "RGB")
    small = frame[:1000, :1000].copy()
    idle = _main_thread_rate(lambda: time.sleep(0.6))

    def jpeg() -> None:
        picture.save(io.BytesIO(), "JPEG", quality=90, subsampling=1)

    def jpeg_ls() -> None:
        jpeg_ls_codec.encode(small)  # the codec pydicom's pyjpegls plug-in calls

    return {
        "jpeg_baseline_pillow": round(_main_thread_rate(jpeg) / idle, 2),
        "jpeg_ls_pyjpegls": round(_main_thread_rate(jpeg_ls) / idle, 2),
    }


def _dcmcjpeg(frames: np.ndarray, quality: int, folder: Path) -> tuple[float, int]:
    plain = clip(frames[:1], FRAME_TIME_MS, _context())  # a valid header, then the raw frames
    plain.decompress()
    plain.set_pixel_data(frames, "RGB", 8)
    plain.NumberOfFrames = len(frames)
    plain.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    plain.save_as(folder / "raw.dcm", enforce_file_format=True)
    started = time.perf_counter()
    subprocess.run(
        ["dcmcjpeg", "+eb", "+q", str(quality), str(folder / "raw.dcm"), str(folder / "j.dcm")],
        check=True,
    )
    return time.perf_counter() - started, (folder / "j.dcm").stat().st_size


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Keep the clip each way; print and return the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--quality", type=int, default=DEFAULT_QUALITY)
    args = parser.parse_args(argv)
    frames = frames_like_ultrasound(args.frames)
    seconds_of_clip = args.frames * FRAME_TIME_MS / 1000
    cores = os.cpu_count() or 1
    results: dict[str, Any] = {
        "frames": args.frames,
        "clip_seconds": round(seconds_of_clip, 2),
        "raw_mb": round(frames.nbytes / 1e6, 1),
        "cores": cores,
        "quality": args.quality,
        "load_average_before": round(os.getloadavg()[0], 2),
    }
    ways = {
        "lossless": None,
        "lossy_1_thread": ClipCompression(lossy=True, quality=args.quality, workers=1),
        f"lossy_{cores}_threads": ClipCompression(lossy=True, quality=args.quality, workers=cores),
    }
    for name, compression in ways.items():
        seconds, cpu_seconds, data = _timed(frames, compression)
        mean_error, psnr = _difference(frames, data)
        results[name] = {
            "encode_s": round(seconds, 2),
            "encode_to_real_time": round(seconds / seconds_of_clip, 2),
            # Processor time over wall time: above 1 when more than one core worked at once.
            "cores_busy": round(cpu_seconds / seconds, 2),
            "stored_mb": round(len(data) / 1e6, 1),
            "stored_mb_per_clip_second": round(len(data) / 1e6 / seconds_of_clip, 2),
            "mean_abs_difference": round(mean_error, 2),
            "psnr_db": round(psnr, 1) if np.isfinite(psnr) else "lossless",
        }
    folder = Path(tempfile.mkdtemp(prefix="onestop-bench-clips-"))
    dcmtk_s, dcmtk_bytes = _dcmcjpeg(frames, args.quality, folder)
    results["dcmcjpeg"] = {
        "encode_s": round(dcmtk_s, 2),
        "encode_to_real_time": round(dcmtk_s / seconds_of_clip, 2),
        "stored_mb_per_clip_second": round(dcmtk_bytes / 1e6 / seconds_of_clip, 2),
    }
    both = results[f"lossy_{cores}_threads"]["encode_s"]
    results["python_runs_beside_encoder"] = gil_probe()
    results["load_average_after"] = round(os.getloadavg()[0], 2)
    results["speed_up_every_core_to_one"] = round(results["lossy_1_thread"]["encode_s"] / both, 2)
    results["ratio_app_every_core_to_dcmcjpeg"] = round(both / dcmtk_s, 2)
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
    sys.exit(0)
