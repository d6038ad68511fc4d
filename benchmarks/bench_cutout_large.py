"""`facepack cutout` on big pictures: time and peak memory of whole runs, as a user runs them.

    python benchmarks/bench_cutout_large.py [--runs 3]

Makes a 24-megapixel phone-like JPEG (4000x6000), an 81-megapixel PNG (9000x9000) and a
16-bit greyscale PNG, cuts each out with the colour key and with the learned segmenter in a
fresh process, and prints wall seconds (min/median/max over --runs) and peak resident memory
(Linux: VmHWM).
Every input is worked at MAX_SIDE (facepack/cutout.py) on its long side, so neither figure
should grow with the input's pixel count beyond decoding. Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image


def make_inputs(folder: Path) -> dict[str, Path]:
    rng = np.random.default_rng(0)
    h, w = 6000, 4000
    y, x = np.mgrid[0:h:8, 0:w:8]
    small = np.stack([x / w * 200 + 30, y / h * 150 + 50, np.full_like(x, 120.0)], -1)
    small[((x - w / 2) / (w * 0.3)) ** 2 + ((y - h * 0.55) / (h * 0.35)) ** 2 < 1] = (200, 150, 120)
    photo = np.asarray(Image.fromarray(small.astype(np.uint8)).resize((w, h), Image.BILINEAR)).astype(np.int16)
    photo += rng.integers(-6, 7, photo.shape, dtype=np.int16)  # sensor noise: JPEG cannot make it small
    paths = {
        "24 MP JPEG (4000x6000)": folder / "phone.jpg",
        "81 MP PNG (9000x9000)": folder / "huge.png",
        "16-bit grey PNG (200x300)": folder / "grey16.png",
    }
    Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)).save(paths["24 MP JPEG (4000x6000)"], quality=92)
    Image.new("L", (9000, 9000), 30).save(paths["81 MP PNG (9000x9000)"])
    Image.fromarray(np.linspace(0, 65535, 60000).reshape(300, 200).astype(np.uint16)).save(paths["16-bit grey PNG (200x300)"])
    return paths


# The child reports its own peak from /proc (VmHWM starts afresh at exec): ru_maxrss would carry over
# this process's memory from the fork, and RUSAGE_CHILDREN gives the largest child so far.
CHILD = """
import sys
from facepack.cli import main
sys.argv = ["facepack", *sys.argv[1:]]
try:
    main()
finally:
    hwm = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")]
    print("peak_kib", hwm[0], file=sys.stderr)
"""


def run_once(image: Path, out: Path, segmenter: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one `facepack cutout` process."""
    t = time.perf_counter()
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            "cutout",
            str(image),
            "--out",
            str(out),
            "--segmenter",
            segmenter,
            "--overwrite",
            "--quiet",
        ],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"cutout failed: {r.stderr.strip()}")
    peak = [int(line.split()[1]) for line in r.stderr.splitlines() if line.startswith("peak_kib")][-1]
    return wall, peak / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = make_inputs(folder)
        print(f"{'input':28} {'segmenter':9} {'wall s min/median/max':>24} {'peak RSS MiB':>13}")
        for segmenter in ("chroma", "learned"):
            for label, image in inputs.items():
                walls, peaks = [], []
                for _ in range(args.runs):
                    wall, peak = run_once(image, folder / f"out-{segmenter}", segmenter)
                    walls.append(wall)
                    peaks.append(peak)
                print(
                    f"{label:28} {segmenter:9} {min(walls):8.2f} {statistics.median(walls):7.2f} {max(walls):7.2f} "
                    f"{max(peaks):13.0f}"
                )


if __name__ == "__main__":
    main()
