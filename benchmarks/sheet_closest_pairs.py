"""Pairs of different players by face distance, for calibrating "the same person" by eye.

Both generators paint the same held-out players; for each distance band (face_code RMS in Lab)
a few pairs of different players are shown side by side, labelled with their distance, so a
person can say below which distance two players read as one. That distance is SAME_PERSON in
facepack/generator/measures.py; the sheet also prints how many players each generator leaves
with a neighbour closer than each band's upper edge.

    python benchmarks/sheet_closest_pairs.py [--players 600] [--out docs/closest_pairs.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from facepack.core.likeness import distances, face_code
from facepack.generator import load_generator
from facepack.generator.measures import players

BANDS = ((0, 4), (4, 6), (6, 8), (8, 10), (10, 12), (12, 15))
PER_BAND = 3
TILE = 96


def pairs_sheet(images: list[np.ndarray], rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    d = distances(np.stack([face_code(i) for i in images]).astype(np.float64))
    iu = np.triu_indices(len(images), 1)
    flat = d[iu]
    rows, counts = [], {}
    near = d + np.diag(np.full(len(images), np.inf))
    for lo, hi in BANDS:
        counts[f"<{hi}"] = round(float((near.min(axis=1) < hi).mean()), 3)
        inside = np.flatnonzero((flat >= lo) & (flat < hi))
        picks = rng.choice(inside, min(PER_BAND, len(inside)), replace=False) if len(inside) else []
        tiles = []
        for k in picks:
            a, b = iu[0][k], iu[1][k]
            pair = np.hstack([cv2.resize(images[a], (TILE, TILE)), cv2.resize(images[b], (TILE, TILE))])
            cv2.putText(pair, f"{flat[k]:.1f}", (3, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 0), 1, cv2.LINE_AA)
            tiles.append(np.pad(pair, ((2, 2), (2, 2), (0, 0))))
        while len(tiles) < PER_BAND:
            tiles.append(np.zeros((TILE + 4, 2 * TILE + 4, 3), np.uint8))
        rows.append(np.hstack(tiles))
    return np.vstack(rows), counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--players", type=int, default=600)
    ap.add_argument("--out", type=Path, default=Path("docs/closest_pairs.png"))
    args = ap.parse_args()
    reqs = players(args.players, 2026)
    sheets = []
    for name in ("painter", "learned"):
        images = [p.image for p in load_generator(name, size=128).generate(reqs)]
        sheet, counts = pairs_sheet(images, np.random.default_rng(0))
        print(name, "share of players with a neighbour closer than:", counts)
        sheets.append(sheet)
    gap = np.full((sheets[0].shape[0], 12, 3), 255, np.uint8)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(args.out), np.hstack([sheets[0], gap, sheets[1]])[..., ::-1])
    print(args.out, "(painter left, learned right; rows: distance bands", BANDS, ")")


if __name__ == "__main__":
    main()
