"""A scanner pushes a long cine clip: how soon it is answered, and the memory it costs.

The clip is 1,200 frames of 640 x 480 colour ultrasound-like pictures, JPEG baseline (as
ultrasound machines send cine), made here. dcmtk's ``storescu`` pushes it to the app's Storage
SCP, running in its own process on a store of its own, and, in the same run, to dcmtk's
``storescp``. For each receiver: the seconds ``storescu`` took (association to release, so
the scanner's wait) and the receiving process's peak resident memory over what it held before
the push (its high-water mark is reset first). Targets: the app answers within 2 s and takes
at most 300 MB more. ``keep_seconds`` is the part of the app's answer spent checking the clip
(its header and first frame) and queueing it, sealed, in the receive spool;
``in_store_after_answer_seconds`` is when the spool's worker had it in the encrypted store,
counted from the answer (the scanner no longer waits for that).

Run: ``python -m tests.bench.bench_receive [--frames N] [--uncompressed] [--max-pdu BYTES]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from pydicom.encaps import encapsulate
from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit

from tests.support.dcmtk import dcmtk

WIDTH, HEIGHT = 640, 480
TARGET_S = 2.0
TARGET_EXTRA_MB = 300.0


def _frame(index: int, speckle: np.ndarray) -> np.ndarray:
    grey = np.roll(speckle, index * 3, axis=1).copy()
    top = 120 + (index * 2) % 240
    grey[top : top + 16, 60:580] = 210
    return np.repeat(grey[:, :, None], 3, axis=2)


def make_clip(path: Path, frames: int, *, compressed: bool = True) -> int:
    """Write the clip to ``path``, a frame at a time; its size in bytes."""
    from tests.support.us_image import us_multiframe

    rng = np.random.default_rng(5)
    speckle = rng.integers(0, 48, (HEIGHT, WIDTH), dtype=np.uint8)
    ds = us_multiframe(frames=1, colour=True)
    ds.Rows, ds.Columns = HEIGHT, WIDTH
    ds.NumberOfFrames = frames
    if compressed:
        pieces = []
        for index in range(frames):
            out = io.BytesIO()
            Image.fromarray(_frame(index, speckle)).save(out, "JPEG", quality=90)
            pieces.append(out.getvalue())
        ds.PixelData = encapsulate(pieces)
        ds["PixelData"].VR = "OB"
        ds.PhotometricInterpretation = "YBR_FULL_422"
        ds.LossyImageCompression = "01"
        ds.LossyImageCompressionMethod = "ISO_10918_1"
        ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    else:
        ds.PixelData = np.stack([_frame(i, speckle) for i in range(frames)]).tobytes()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.save_as(path, enforce_file_format=True)
    return path.stat().st_size


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status_kb(pid: int | str, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _reset_peak(pid: int | str) -> None:
    # Writing 5 to clear_refs resets the peak resident size (VmHWM), Linux 4.0 on.
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def serve(port: int, max_pdu: int | None) -> None:
    """The app's side, in its own process: a new store, its receive spool and the Storage SCP.

    Wired as the app wires them (the scanners' link): each object is written sealed into the
    spool as it arrives, checked, queued and answered; the spool's worker takes it into the
    store after. ``max_pdu`` overrides the PDU size the listener offers.
    """
    from clinic_app.bootstrap import create_clinic
    from clinic_app.domains.imaging.dicom.receive import MAX_PDU, StorageReceiver
    from clinic_app.domains.imaging.service.spool import SPOOL_FOLDER, ReceiveSpool, spool_key
    from tests.bench.common import private_home

    home = private_home()
    store = home / "clinic.db"
    services = create_clinic(store)
    key = spool_key(store)
    assert key is not None
    spool = ReceiveSpool(services.imaging, store.parent / SPOOL_FOLDER, key)
    taken = services.imaging.take_in
    arrived: list[float] = []

    def take_in(file: Any) -> Any:
        try:
            return taken(file)
        finally:
            # When the store had it, counted from the scanner's answer (printed for the reader).
            print(f"stored {time.perf_counter() - arrived[-1]:.2f}", flush=True)

    services.imaging.take_in = take_in  # type: ignore[method-assign]
    spool.start()

    def keep(received: bytes | Path) -> None:
        # How much of the scanner's wait is the app's own work (printed for the reader).
        started = time.perf_counter()
        try:
            spool.receive(received)
        finally:
            arrived.append(time.perf_counter())
            print(f"keep {arrived[-1] - started:.2f}", flush=True)

    receiver = StorageReceiver(
        keep, port=port, incoming=spool.open_incoming, max_pdu=max_pdu or MAX_PDU
    )
    receiver.start()
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "stop":
            break
    receiver.stop()
    spool.stop()
    services.close()


def _push(port: int, ae_title: str, clip: Path, syntax: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [dcmtk("storescu"), "-v", *syntax, "-aec", ae_title, "127.0.0.1", str(port), str(clip)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    took = time.perf_counter() - started
    answered = "Success" if "Store Response (Success)" in done.stdout + done.stderr else "failed"
    return took, answered


def _measure(
    receiver: subprocess.Popen[str], port: int, ae: str, clip: Path, syntax: list[str]
) -> dict[str, Any]:
    time.sleep(0.5)  # settle after start-up
    before_kb = _status_kb(receiver.pid, "VmRSS")
    _reset_peak(receiver.pid)
    took, answered = _push(port, ae, clip, syntax)
    time.sleep(0.2)
    peak_kb = _status_kb(receiver.pid, "VmHWM")
    return {
        "answered": answered,
        "seconds": round(took, 2),
        "rss_before_mb": round(before_kb / 1024, 1),
        "extra_mb": round(max(peak_kb - before_kb, 0) / 1024, 1),
    }


def _app(clip: Path, syntax: list[str], max_pdu: int | None) -> dict[str, Any]:
    port = _free_port()
    pdu = [] if max_pdu is None else ["--max-pdu", str(max_pdu)]
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.bench_receive", "--serve", str(port), *pdu],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        assert child.stdout is not None
        assert child.stdin is not None
        assert child.stdout.readline().strip() == "ready"
        figures = _measure(child, port, "ONESTOP", clip, syntax)
        # Of the scanner's wait, the seconds the app spent checking the clip and queueing it
        # sealed in the spool (the rest is the network, the clip sealed as it came).
        figures["keep_seconds"] = float(child.stdout.readline().split()[1])
        # And when the spool's worker had it in the store, counted from the answer.
        figures["in_store_after_answer_seconds"] = float(child.stdout.readline().split()[1])
        child.stdin.write("stop\n")
        child.stdin.flush()
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    return figures


def _storescp(clip: Path, folder: Path, syntax: list[str]) -> dict[str, Any]:
    port = _free_port()
    out = folder / "storescp"
    out.mkdir()
    child = subprocess.Popen(
        # +xa: accept every transfer syntax, as the app does.
        [dcmtk("storescp"), "+xa", "-aet", "STORESCP", "-od", str(out), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        return _measure(child, port, "STORESCP", clip, syntax)
    finally:
        child.terminate()
        child.wait(timeout=30)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Push the clip to the app and to storescp; print and return the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=1200)
    parser.add_argument("--uncompressed", action="store_true")
    parser.add_argument("--max-pdu", type=int, help="the PDU size the app's listener offers")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.max_pdu)
        return {}
    folder = Path(tempfile.mkdtemp(prefix="onestop-bench-receive-"))
    clip = folder / "clip.dcm"
    size = make_clip(clip, args.frames, compressed=not args.uncompressed)
    # -xy: propose JPEG baseline, the clip's own syntax (storescu would otherwise convert).
    syntax = [] if args.uncompressed else ["-xy"]
    app = _app(clip, syntax, args.max_pdu)
    peer = _storescp(clip, folder, syntax)
    figures = {
        "frames": args.frames,
        "size": f"{WIDTH}x{HEIGHT}",
        "syntax": "explicit VR little endian" if args.uncompressed else "JPEG baseline",
        "clip_mb": round(size / 1e6, 1),
        "app_max_pdu": args.max_pdu or "listener default (256 kB)",
        "app": app,
        "storescp": peer,
        "ratio_seconds_app_to_storescp": round(app["seconds"] / max(peer["seconds"], 1e-3), 2),
        "ratio_extra_mb_app_to_storescp": round(app["extra_mb"] / max(peer["extra_mb"], 0.1), 2),
        "target_met": app["answered"] == "Success"
        and app["seconds"] <= TARGET_S
        and app["extra_mb"] <= TARGET_EXTRA_MB,
    }
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
    sys.exit(0)
