"""Peak memory of a whole build at 100,000 players in under an hour: the painter replaced by a stand-in.

    python benchmarks/bench_memory_at_scale.py [--players 100000]

A painter + colour-key build of 100,000 players takes about three hours on the 2-core machine,
more than a session (README, Speed). The painter holds nothing from one face to the next, so
what grows with the roster (the plan's duplicate tables, the likeness index, the manifest
writer) is measured as well with a stand-in that draws each face in a millisecond: a smooth
block of colours, unique to the player, on the UI blue, at the painter's 256 px. The colour
key, composition, likeness check, PNG writing and manifest are build's own. One fresh process;
prints peak RSS every 10,000 faces and at the end.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_scale import write_roster

CHILD = r"""
import json, resource, sys, time
from datetime import date
from pathlib import Path
import cv2
import numpy as np
from facepack.build import BuildOptions, Models, build_pack
from facepack.generator.base import UI_BLUE, Portrait
from facepack.segmenter import load_segmenter

class BlockFaces:
    name, background = "blocks", UI_BLUE
    def generate(self, requests):
        out = []
        for r in requests:
            img = np.full((256, 256, 3), UI_BLUE, np.uint8)
            colours = np.random.default_rng([r.seed, r.variant]).integers(0, 256, (6, 5, 3), dtype=np.uint8)
            img[48:, 56:200] = cv2.resize(colours, (144, 208), interpolation=cv2.INTER_LINEAR)
            out.append(Portrait(img, UI_BLUE))
        return out

roster, out = sys.argv[1:3]
faces = 0
def face(*_):
    global faces
    faces += 1
    if faces % 10000 == 0:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  {faces} faces  {time.perf_counter() - t0:.0f} s  peak RSS {rss:.0f} MB", file=sys.stderr, flush=True)
t0 = time.perf_counter()
models = Models(BlockFaces(), load_segmenter("chroma", background=UI_BLUE))
opts = BuildOptions(roster=Path(roster), out=Path(out), season=date(2026, 11, 21), generator="painter", segmenter="chroma")
report = build_pack(opts, models=models, on_face=face)
print(json.dumps({"built": report.count("built"), "wall_s": round(time.perf_counter() - t0),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--players", type=int, default=100_000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp) / f"league{a.players}.csv"
        write_roster(roster, a.players)
        run = subprocess.run(
            [sys.executable, "-c", CHILD, str(roster), str(Path(tmp) / "packs")], stdout=subprocess.PIPE, text=True
        )
        if run.returncode:
            sys.exit(run.returncode)
        r = json.loads(run.stdout.strip().splitlines()[-1])
        print(
            f"{a.players} players, stand-in faces + colour key: built {r['built']}, peak RSS {r['peak_rss_mb']} MB, {r['wall_s']} s"
        )


if __name__ == "__main__":
    main()
