"""The same held-out players from the learned generator (above) and the painter (below), by age band.

    python benchmarks/sheet_side_by_side.py [--per-band 8] [--model runs/NAME/face_gan.keras] [--out docs/side_by_side.jpg]

Three bands, as a modder sees a roster: 18-21, 24-30 and 33-40. Each player is drawn at
build's 256 px and shown at the pack's 200 px height, learned face above the painter's.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from facepack.generator import load_generator
from facepack.generator.base import FaceRequest
from facepack.generator.measures import NATIONS

BANDS = ((18, 21), (24, 30), (33, 40))
TILE = 160


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-band", type=int, default=8)
    ap.add_argument("--model", type=Path, default=None, help="another learned generator (.keras); the shipped one by default")
    ap.add_argument("--out", type=Path, default=Path("docs/side_by_side.jpg"))
    a = ap.parse_args()
    rng = np.random.default_rng(21)
    learned, painter = load_generator("learned", size=256, model=a.model), load_generator("painter", size=256)
    rows = []
    for lo, hi in BANDS:
        reqs = [
            FaceRequest(int(rng.integers(2**62)), float(rng.uniform(lo, hi)), str(rng.choice(NATIONS))) for _ in range(a.per_band)
        ]
        for gen in (learned, painter):
            tiles = [cv2.resize(p.image, (TILE, TILE), interpolation=cv2.INTER_AREA) for p in gen.generate(reqs)]
            rows.append(np.hstack(tiles))
        label = np.full((22, rows[-1].shape[1], 3), 255, np.uint8)
        cv2.putText(label, f"ages {lo}-{hi}: learned above, painter below", (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1)
        rows.insert(len(rows) - 2, label)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(a.out), np.vstack(rows)[..., ::-1])
    print(a.out)


if __name__ == "__main__":
    main()
