"""How sharp a perfect generator at a given native size can look in the pack, by issue 21's measure.

    python benchmarks/sharpness_ceiling.py [--players 200] [--sizes 96 128 160 192 224 256]

A generator that drew the painter's own faces exactly, but at N px, reaches build's 256 px
source by the same cubic upscale LearnedGenerator uses. Its sharpness ratio (variance of the
Laplacian over the face at the pack's 200 px height, generator.measures) against the painter
at 256 px is the most any N px model can score: the bar is 0.8, so a model that cannot reach
it by its size must grow before it trains on.
"""

from __future__ import annotations

import argparse

import cv2

from facepack.generator import load_generator
from facepack.generator.measures import players, sharpness


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--players", type=int, default=200)
    ap.add_argument("--sizes", type=int, nargs="+", default=[96, 128, 160, 192, 224, 256])
    a = ap.parse_args()
    painted = [p.image[..., :3] for p in load_generator("painter", size=256).generate(players(a.players, 2026))]
    reference = sharpness(painted).mean()
    print(f"painter at 256 px, {a.players} held-out players: sharpness {reference:.1f}")
    for n in a.sizes:
        copies = [
            cv2.resize(cv2.resize(im, (n, n), interpolation=cv2.INTER_AREA), (256, 256), interpolation=cv2.INTER_CUBIC)
            for im in painted
        ]
        print(f"a perfect {n:3d} px copy: sharpness ratio {sharpness(copies).mean() / reference:.3f}")


if __name__ == "__main__":
    main()
