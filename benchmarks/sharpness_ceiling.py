"""How sharp a perfect generator at a given native size can look in the pack, by issue 21's measure.

    python benchmarks/sharpness_ceiling.py [--players 200] [--sizes 96 128 160 192 224 256]

A generator that drew the painter's own faces exactly, but at N px, reaches build's 256 px
source by the same cubic upscale LearnedGenerator uses. Its sharpness ratio (variance of the
Laplacian over the face at the pack's 200 px height, generator.measures) against the painter
at 256 px is the most any N px model can score: the bar is 0.8, so a model that cannot reach
it by its size must grow before it trains on, or hand its faces to a second stage: the
last line doubles a perfect 128 px copy with the shipped upsampler (generator/upsampler)
instead of the cubic filter.
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np

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
    from facepack.core.quiet import import_keras
    from facepack.generator.learned import default_upsampler_path
    from facepack.generator.upsampler.evaluate import doubled

    upsampler = import_keras().saving.load_model(default_upsampler_path(), compile=False)
    halves = np.stack([cv2.resize(im, (128, 128), interpolation=cv2.INTER_AREA) for im in painted])
    ratio = sharpness(doubled(upsampler, halves)).mean() / reference
    print(f"a perfect 128 px copy doubled by the shipped upsampler: sharpness ratio {ratio:.3f}")


if __name__ == "__main__":
    main()
