"""Cut-out throughput: the learned segmenter (network + refinement) against the colour key.

    python benchmarks/bench_segmenter.py [--model PATH] [--images 32] [--size 256]

Prints images per second at batch 1 and batch 8, and the share of time spent in
the network versus the full-resolution refinement. Asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from facepack.core.quiet import import_keras
from facepack.generator import UI_BLUE, FaceRequest, load_generator
from facepack.segmenter.chroma import ChromaKeySegmenter


def timed(fn, images, repeat: int = 2) -> float:
    fn(images[:2])  # warm-up: graph tracing, allocations
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn(images)
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--images", type=int, default=32)
    ap.add_argument("--size", type=int, default=256)
    a = ap.parse_args()
    import_keras()
    from facepack.segmenter.learned import LearnedSegmenter

    images = [p.image for p in load_generator("painter", size=a.size).generate([FaceRequest(i, 25.0) for i in range(a.images)])]
    n = len(images)
    chroma = ChromaKeySegmenter(UI_BLUE)
    print(f"{n} painted portraits, {a.size} px")
    print(f"chroma            {n / timed(chroma.matte, images):7.1f} images/s")
    for batch in (1, 8):
        seg = LearnedSegmenter(a.model, background=UI_BLUE, batch_size=batch)
        total = timed(seg.matte, images)
        net = timed(seg.coarse, images)
        print(
            f"learned batch {batch}   {n / total:7.1f} images/s  (network {100 * net / total:.0f}%, refinement {100 * (total - net) / total:.0f}%)"
        )


if __name__ == "__main__":
    main()
