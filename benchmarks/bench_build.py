"""Speed and memory of the build pipeline, stage by stage. Prints numbers; asserts nothing.

    python benchmarks/bench_build.py [--faces 64] [--size 256]

Reports faces per second for the painter, the segmenter and compositing, and the
peak resident memory of a full `build` on a roster N times the example league,
which must stay flat as the roster grows (portraits are streamed in batches).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from facepack.build import BuildOptions, build_pack
from facepack.compose import compose_portrait, parse_background
from facepack.generator import FaceRequest, load_generator
from facepack.profiles import load_profile
from facepack.segmenter import load_segmenter

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "league.csv"


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:8.1f} /s  ({1000 * seconds / n:6.1f} ms each)"


def stages(faces: int, size: int) -> None:
    gen = load_generator("painter", size=size)
    seg = load_segmenter("chroma", background=gen.background)
    profile = load_profile("ehm")
    bg = parse_background("transparent", profile)
    reqs = [FaceRequest(seed=i, age=18 + i % 22, nationality="CAN") for i in range(faces)]
    t = time.perf_counter()
    portraits = gen.generate(reqs)
    t_gen = time.perf_counter() - t
    t = time.perf_counter()
    mattes = seg.matte([p.image for p in portraits])
    t_seg = time.perf_counter() - t
    t = time.perf_counter()
    for p, m in zip(portraits, mattes):
        compose_portrait(p.image, m, p.background, profile, bg)
    t_comp = time.perf_counter() - t
    print(f"painter  {size}px   {rate(faces, t_gen)}")
    print(f"chroma   {size}px   {rate(faces, t_seg)}")
    print(f"compose  157x200 {rate(faces, t_comp)}")


def full_build(copies: int) -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp) / "big.csv"
        rows = []
        for c in range(copies):
            for line in lines:
                cells = line.split(",")
                cells[0] = str(int(cells[0]) + c * 10_000)
                cells[2] = f"{cells[2]}{c}" if c else cells[2]
                rows.append(",".join(cells))
        roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
        t = time.perf_counter()
        report = build_pack(BuildOptions(roster=roster, out=Path(tmp) / "packs", season=date(2026, 11, 21)))
        dt = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"build    {report.count('built'):4d} faces {rate(report.count('built'), dt)}  peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--faces", type=int, default=64)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--copies", type=int, default=1, help="roster = the example league this many times")
    a = ap.parse_args()
    print(f"python {sys.version.split()[0]}")
    stages(a.faces, a.size)
    full_build(a.copies)
