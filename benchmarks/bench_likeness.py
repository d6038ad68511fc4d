"""The look-alike check at pack sizes up to 100,000: comparing with every face against FaceIndex.

    python benchmarks/bench_likeness.py [--painted 300] [--queries 200] [--threshold 5.0]

Codes come from painted portraits (their real spread of colours), each copied many times with
a jitter of a few Lab units, so that a pack of N faces is N distinct but realistic codes.
Prints milliseconds per new face for both ways, the index's cells and the memory its codes
take, and the answers' agreement. Asserts nothing.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from facepack.core.likeness import SAME_PERSON, FaceIndex, face_code
from facepack.generator import FaceRequest, load_generator


def every_face(code: np.ndarray, others: list[np.ndarray]) -> float:
    """facepack 0.1's check: the distance to every face so far, stacked anew for each new face."""
    return float(np.sqrt(((np.stack(others) - code) ** 2).mean(axis=1)).min())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--painted", type=int, default=300)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--threshold", type=float, default=SAME_PERSON, help="build's: likeness.SAME_PERSON")
    a = ap.parse_args()
    painter = load_generator("painter", size=128)
    real = np.stack([face_code(p.image) for p in painter.generate([FaceRequest(s, 18 + s % 22, None) for s in range(a.painted)])])
    rng = np.random.default_rng(0)
    print(f"{a.painted} painted codes; threshold {a.threshold}; {a.queries} new faces timed at each size")
    print(f"{'pack':>8} {'every face ms':>14} {'FaceIndex ms':>13} {'cells':>7} {'held MB':>8} {'agree':>6}")
    for n in (1_000, 10_000, 100_000):
        codes = (real[rng.integers(0, len(real), n)] + rng.normal(0, 4.0, (n, real.shape[1]))).astype(np.float32)
        queries = (real[rng.integers(0, len(real), a.queries)] + rng.normal(0, 4.0, (a.queries, real.shape[1]))).astype(
            np.float32
        )
        index = FaceIndex(a.threshold)
        for c in codes:
            index.add(c)
        others = list(codes)
        t = time.perf_counter()
        slow = [every_face(q, others) < a.threshold for q in queries[: max(5, a.queries // 10)]]
        brute_ms = 1000 * (time.perf_counter() - t) / len(slow)
        t = time.perf_counter()
        fast = [index.too_close(q) for q in queries]
        index_ms = 1000 * (time.perf_counter() - t) / len(fast)
        # The verdicts agree where no distance lies within the kept codes' rounding (0.002) of the threshold.
        agree = all(x == y for x, y in zip(slow, fast))
        held = sum(b.nbytes for cell in index.cells.values() for b in cell.blocks) / 1e6
        print(f"{n:8d} {brute_ms:14.2f} {index_ms:13.3f} {len(index.cells):7d} {held:8.1f} {str(agree):>6}")


if __name__ == "__main__":
    main()
