"""The video add-on as a separate program: found or plainly missing, and never trusted blindly.

A clip comes back whole or not at all: an add-on that dies, stops short, says too much,
hangs or is cancelled leaves the app with a refusal, never a partial clip, and no process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from clinic_app.domains.imaging.dicom import video
from clinic_app.domains.imaging.dicom.video import decode_mp4
from clinic_app.kernel.errors import ValidationError
from tests.support import clips

ROOT = Path(__file__).resolve().parents[3]
_GOOD_FACTS = {
    "protocol": 1,
    "frames": 3,
    "height": 2,
    "width": 2,
    "frame_time_ms": 40.0,
    "codec": "h264",
    "lossy": True,
    "method": "ISO_14496_10",
    "compressed_bytes": 10,
}


@pytest.fixture(scope="module")
def clip_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return clips.encode_clip(tmp_path_factory.mktemp("clip") / "bars.mp4", clips.bars(12))


def _fake_add_on(monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    """An add-on that reads the clip, then does what ``body`` says with ``out`` (its stdout)."""
    script = textwrap.dedent(
        """
        import json, os, struct, sys, time
        sys.stdin.buffer.read()
        out = sys.stdout.buffer
        def header(facts):
            body = json.dumps(facts).encode()
            out.write(struct.pack(">I", len(body)) + body)
            out.flush()
        """
    ) + textwrap.dedent(body)
    monkeypatch.setattr(video, "worker_command", lambda: [sys.executable, "-c", script])


def _refusal(data: bytes, **options: object) -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        decode_mp4(data, **options)  # type: ignore[arg-type]
    assert raised.value.field == "file"
    return raised.value


def _is_add_on(process: psutil.Process) -> bool:
    """A live child other than multiprocessing's own helpers (a fork server a server test in
    this same worker started lives as long as the worker, and is no add-on)."""
    try:
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return not any("multiprocessing" in part for part in process.cmdline())
    except psutil.NoSuchProcess:
        return False


def _no_add_on_left() -> None:
    # The add-on is a child of the test process until it is reaped: none may outlive a call.
    assert not [p for p in psutil.Process().children() if _is_add_on(p)]


def test_without_the_add_on_the_import_says_so_plainly(
    monkeypatch: pytest.MonkeyPatch, clip_bytes: bytes
) -> None:
    monkeypatch.setattr(video, "worker_command", lambda: None)
    assert _refusal(clip_bytes).code == "video.no_decoder"


def test_an_add_on_that_cannot_be_started_counts_as_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clip_bytes: bytes
) -> None:
    monkeypatch.setattr(video, "worker_command", lambda: [str(tmp_path / "onestop-video")])
    assert _refusal(clip_bytes).code == "video.no_decoder"


def test_run_from_source_the_add_on_is_there_when_pyav_is(monkeypatch: pytest.MonkeyPatch) -> None:
    assert video.worker_command() == [sys.executable, "-m", video.__name__ + "_worker"]
    monkeypatch.setattr(video.importlib.util, "find_spec", lambda name: None)
    assert video.worker_command() is None


@pytest.mark.skipif(sys.platform != "linux", reason="the Linux package's place")
def test_frozen_on_linux_the_add_on_is_its_package_s_program(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(video.sys, "frozen", True, raising=False)
    monkeypatch.setattr(video, "_LINUX_WORKER_HOME", tmp_path)
    assert video.worker_command() is None
    (tmp_path / "onestop-video").write_bytes(b"")
    assert video.worker_command() == [str(tmp_path / "onestop-video")]


@pytest.mark.parametrize(
    ("platform", "executable", "add_on"),
    [
        ("win32", "OneStop MSK/onestop.exe", "onestop-msk-video/onestop-video.exe"),
        (
            "darwin",
            "OneStop MSK.app/Contents/MacOS/onestop",
            "onestop-msk-video/onestop-video",
        ),
    ],
    ids=["windows", "macos"],
)
def test_frozen_on_windows_and_macos_the_add_on_is_in_a_folder_beside_the_app(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, platform: str, executable: str, add_on: str
) -> None:
    monkeypatch.setattr(video.sys, "frozen", True, raising=False)
    monkeypatch.setattr(video.sys, "platform", platform)
    monkeypatch.setattr(video.sys, "executable", str(tmp_path / executable))
    assert video.worker_command() is None
    (tmp_path / add_on).parent.mkdir(parents=True)
    (tmp_path / add_on).write_bytes(b"")
    assert video.worker_command() == [str(tmp_path / add_on)]


@pytest.mark.parametrize(
    "body",
    [
        # Dies half-way through the frames.
        "header(FACTS); out.write(bytes(12)); out.flush(); os._exit(1)",
        # Says it is done (exit 0) with frames missing.
        "header(FACTS); out.write(bytes(35))",
        # Sends every frame but more after them.
        "header(FACTS); out.write(bytes(37))",
        # Sends every frame and then fails.
        "header(FACTS); out.write(bytes(36)); out.flush(); sys.exit(3)",
        # Dies before a word.
        "os._exit(9)",
        # Garbles its header.
        "out.write(struct.pack('>I', 5) + b'{nope')",
        # Claims a header larger than any real one.
        "out.write(struct.pack('>I', 1 << 30))",
        # Speaks another protocol.
        "header({**FACTS, 'protocol': 2}); out.write(bytes(36))",
        # Gives facts that are not facts.
        "header({**FACTS, 'frames': -3}); out.write(bytes(36))",
        "header({**FACTS, 'lossy': 'yes'}); out.write(bytes(36))",
        # Refuses with a code it may not give, or a parameter it may not carry.
        "header({'protocol': 1, 'error': 'store.wrong_key', 'params': {}})",
        "header({'protocol': 1, 'error': 'video.unreadable', 'params': {'reason': 'x'}})",
        "header({'protocol': 1, 'error': 'video.no_video', 'params': {'path': '/x'}})",
    ],
    ids=[
        "dies-mid-stream",
        "short-stream",
        "long-stream",
        "fails-after",
        "dies-at-once",
        "garbled-header",
        "huge-header",
        "other-protocol",
        "negative-frames",
        "not-a-flag",
        "foreign-code",
        "unknown-reason",
        "unknown-parameter",
    ],
)
def test_an_add_on_that_goes_wrong_gives_a_damaged_refusal_never_part_of_a_clip(
    monkeypatch: pytest.MonkeyPatch, clip_bytes: bytes, body: str
) -> None:
    _fake_add_on(monkeypatch, f"FACTS = {_GOOD_FACTS!r}\n{body}\n")
    refusal = _refusal(clip_bytes)
    assert (refusal.code, refusal.params) == ("video.unreadable", {"reason": "damaged"})
    _no_add_on_left()


def test_the_fake_add_on_is_believed_when_it_does_everything_right(
    monkeypatch: pytest.MonkeyPatch, clip_bytes: bytes
) -> None:
    # The same script as above, done right: so the refusals above come from what went wrong.
    _fake_add_on(
        monkeypatch, f"FACTS = {_GOOD_FACTS!r}\nheader(FACTS); out.write(bytes(range(36)))\n"
    )
    decoded = decode_mp4(clip_bytes)
    assert decoded.frames.shape == (3, 2, 2, 3)
    assert decoded.frames.tobytes() == bytes(range(36))
    assert (decoded.codec, decoded.method, decoded.compressed_bytes) == ("h264", "ISO_14496_10", 10)


def test_an_add_on_s_own_refusal_reaches_the_app_as_the_app_s_error(
    monkeypatch: pytest.MonkeyPatch, clip_bytes: bytes
) -> None:
    refused = {"protocol": 1, "error": "video.too_long", "params": {"max_frames": 7}}
    _fake_add_on(monkeypatch, f"header({refused!r})\n")
    refusal = _refusal(clip_bytes)
    assert (refusal.code, refusal.params) == ("video.too_long", {"max_frames": 7})


def test_the_size_limits_apply_before_anything_is_allocated(
    monkeypatch: pytest.MonkeyPatch, clip_bytes: bytes
) -> None:
    # 100,000 frames of 4000 x 4000 would be 4.8 TB: refused from the header alone.
    huge = {**_GOOD_FACTS, "frames": 100_000, "height": 4000, "width": 4000}
    _fake_add_on(monkeypatch, f"header({huge!r}); time.sleep(30)\n")
    started = time.monotonic()
    refusal = _refusal(clip_bytes)
    assert (refusal.code, refusal.params) == ("video.too_long", {"max_frames": 31})
    assert time.monotonic() - started < 10
    _no_add_on_left()


def test_a_hung_add_on_is_stopped_when_the_time_is_up(
    monkeypatch: pytest.MonkeyPatch, clip_bytes: bytes
) -> None:
    _fake_add_on(
        monkeypatch, f"header({_GOOD_FACTS!r}); out.write(bytes(12)); out.flush()\ntime.sleep(60)\n"
    )
    started = time.monotonic()
    assert _refusal(clip_bytes, timeout=1.0).code == "video.timed_out"
    assert time.monotonic() - started < 10
    _no_add_on_left()


def test_an_add_on_that_never_reads_the_clip_is_stopped_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = "import time; time.sleep(60)"
    monkeypatch.setattr(video, "worker_command", lambda: [sys.executable, "-c", script])
    # Larger than a pipe holds, so writing it would block for good without the watchdog.
    assert _refusal(bytes(8 << 20), timeout=1.0).code == "video.timed_out"
    _no_add_on_left()


def test_a_cancelled_import_stops_the_add_on(
    monkeypatch: pytest.MonkeyPatch, clip_bytes: bytes
) -> None:
    _fake_add_on(monkeypatch, "time.sleep(60)\n")
    asked_at = time.monotonic() + 0.5
    refusal = _refusal(clip_bytes, cancelled=lambda: time.monotonic() > asked_at)
    assert refusal.code == "video.cancelled"
    assert time.monotonic() - asked_at < 5
    _no_add_on_left()


def test_the_add_on_takes_no_argument_but_the_two_limits(clip_bytes: bytes) -> None:
    command = video.worker_command()
    assert command is not None
    for extra in (["--input", "/etc/hostname"], ["--format", "avi"], ["clip.mp4"], []):
        limits = ["--max-frames", "10", "--max-bytes", "1000000"][: 4 if extra else 2]
        done = subprocess.run(
            [*command, *limits, *extra], input=clip_bytes, capture_output=True, check=False
        )
        assert done.returncode == 2
        assert done.stdout == b""


def test_the_app_decodes_a_clip_without_ever_loading_pyav(tmp_path: Path) -> None:
    clip = tmp_path / "bars.mp4"
    source = clips.bars(12)
    clips.encode_clip(clip, source)
    check = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        import clinic_app.domains.imaging.service.encoding as encoding
        decoded = encoding.read_clip(Path({str(clip)!r}).read_bytes())
        assert "av" not in sys.modules, "PyAV was loaded by the app"
        print(decoded.pixels.shape)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(source.shape)


def test_the_add_on_imports_nothing_of_the_app() -> None:
    # It is shipped apart, under its own licence: the app's code must not be inside it.
    source = (ROOT / "clinic_app/domains/imaging/dicom/video_worker.py").read_text()
    imported = {
        line.split()[1].split(".")[0]
        for line in source.splitlines()
        if line.startswith(("import ", "from "))
    }
    assert imported <= {
        "__future__", "argparse", "io", "json", "os", "struct", "sys", "dataclasses",
        "fractions", "typing", "av", "numpy",
    }  # fmt: skip


def _high_water_mark() -> str:
    # VmHWM starts again at exec (ru_maxrss would carry over the test runner's own peak).
    return "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])"


@pytest.mark.skipif(sys.platform != "linux", reason="reads the peak from /proc")
def test_peak_memory_of_the_app_stays_near_the_decoded_size(tmp_path: Path) -> None:
    clip = tmp_path / "sweep.mp4"
    source = clips.bars(120, width=640, height=480)  # 110.6 MB decoded
    clips.encode_clip(clip, source)
    check = textwrap.dedent(
        f"""
        import json, resource
        from pathlib import Path
        from clinic_app.domains.imaging.dicom.video import decode_mp4
        data = Path({str(clip)!r}).read_bytes()
        before = {_high_water_mark()} * 1024
        decoded = decode_mp4(data)
        peak = {_high_water_mark()} * 1024
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        print(json.dumps({{"decoded": decoded.frames.nbytes, "before": before, "peak": peak,
                           "add_on_peak": child}}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, check=True
    )
    figures = json.loads(done.stdout)
    assert figures["decoded"] == source.nbytes
    # One copy of the frames, not two: the growth is the decoded size and a little more.
    assert figures["peak"] - figures["before"] < 1.15 * figures["decoded"]
    # The add-on holds the frames it decoded until each is written: about one clip too.
    assert figures["add_on_peak"] < 2 * figures["decoded"]


def test_the_import_of_a_file_passes_its_cancel_on_to_the_add_on(
    monkeypatch: pytest.MonkeyPatch, clip_bytes: bytes
) -> None:
    from clinic_app.domains.imaging.service import encoding

    _fake_add_on(monkeypatch, "time.sleep(60)\n")
    started = time.monotonic()
    with pytest.raises(ValidationError) as raised:
        encoding.read_file(clip_bytes, cancelled=lambda: time.monotonic() > started + 0.3)
    assert raised.value.code == "video.cancelled"
    assert time.monotonic() - started < 5
    _no_add_on_left()
