"""Whole builds at growing roster sizes: faces per second and peak memory, one process per build.

    python benchmarks/bench_scale.py --players 1000 10000 [--generator painter] [--segmenter chroma]

Each size is built in a fresh process (so its peak resident memory is its own) from a
synthetic EHM roster of that many players (names, birth dates and nations drawn from a
fixed seed), into a temporary folder. Prints players, wall seconds, faces per second after
start-up (the first 32 faces' time taken off) and peak RSS. Memory must stay flat as the
roster grows: portraits are streamed in batches, never held for the whole roster.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

NATIONS = ("CAN", "USA", "SWE", "FIN", "RUS", "CZE", "SVK", "GER", "SUI", "LAT", "NOR", "DEN", "NGA", "JPN", "FRA")

CHILD = r"""
import json, resource, sys, time
from datetime import date
from pathlib import Path
from facepack.build import BuildOptions, build_pack
roster, out, generator, segmenter = sys.argv[1:5]
# A count and three times, not a time a face: the build's own memory is what is measured.
faces, t33, last, lap, lap_cpu, kept = 0, None, None, None, None, 0
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
def start(todo):
    global kept, lap, lap_cpu
    kept = players - todo  # a resumed build keeps what an earlier, stopped one wrote
    lap, lap_cpu = time.perf_counter(), cpu()
def face(*_):
    global faces, t33, last, lap, lap_cpu
    faces += 1
    last = time.perf_counter()
    if faces == 33:
        t33 = last
    if faces % 5000 == 0:  # a long build shows how it goes (to stderr)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        busy = (cpu() - lap_cpu) / (last - lap)
        print(f"  {kept + faces} faces in the pack ({faces} made)  {last - t0:.0f} s  {5000 / (last - lap):.1f} faces/s "
              f"and {busy:.2f} cores busy lately  peak RSS {rss:.0f} MB", file=sys.stderr, flush=True)
        lap, lap_cpu = last, cpu()
t0 = time.perf_counter()
players = sum(1 for _ in open(roster, encoding="utf-8"))
report = build_pack(
    BuildOptions(roster=Path(roster), out=Path(out), season=date(2026, 11, 21), generator=generator, segmenter=segmenter),
    on_start=start,
    on_face=face,
)
wall = time.perf_counter() - t0
built = report.count("built")
steady = (faces - 33) / (last - t33) if faces > 64 else float("nan")
with open(report.pack / "manifest.csv", encoding="utf-8") as f:  # a line at a time: it runs to megabytes
    redrawn = sum("re-drawn" in line for line in f)
rss_now = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS")) / 1024  # at the end (Linux)
print(json.dumps({"built": built, "kept": report.count("kept"), "redrawn": redrawn, "wall_s": round(wall, 1), "faces_per_s": round(steady, 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "end_rss_mb": round(rss_now)}))
"""


def write_roster(path: Path, players: int) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    with path.open("w", encoding="utf-8") as f:
        for i in range(players):
            d, m, y = int(rng.integers(1, 29)), int(rng.integers(1, 13)), int(rng.integers(1977, 2009))
            f.write(f"{50_000_000 + i},First{i},Last{i},{d}.{m}.{y},{rng.choice(NATIONS)},Club{i % 40},C,{i % 99},Player\n")


def build_once(players: int, generator: str, segmenter: str, keep: Path | None = None) -> dict | None:
    """One build of a synthetic roster in a fresh process: built, kept, redrawn, wall_s, faces_per_s,
    peak_rss_mb. With `keep`, roster and pack stay in that folder, so a build stopped part way
    (a 100,000-player painter build outlasts a working session on 2 cores) is completed by the same
    call later: the pack's finished faces are kept, as a user's rerun keeps them, and the build goes on."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        roster = folder / f"league{players}.csv"
        if not roster.exists():
            write_roster(roster, players)
        run = subprocess.run(
            [sys.executable, "-c", CHILD, str(roster), str(folder / "packs"), generator, segmenter],
            stdout=subprocess.PIPE,
            text=True,
        )
        if run.returncode:
            return None
        return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--players", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--generator", default="painter")
    ap.add_argument("--segmenter", default="chroma")
    a = ap.parse_args()
    print(f"generator {a.generator}, segmenter {a.segmenter}")
    for n in a.players:
        r = build_once(n, a.generator, a.segmenter)
        if r is None:
            continue
        print(
            f"{n:7d} players  built {r['built']:7d} (re-drawn {r['redrawn']})  {r['wall_s']:8.1f} s  "
            f"{r['faces_per_s']:6.1f} faces/s  peak RSS {r['peak_rss_mb']} MB (at the end {r['end_rss_mb']} MB)"
        )


if __name__ == "__main__":
    main()
