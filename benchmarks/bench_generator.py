"""Face generation throughput: the learned generator at batch 1, 8 and 32, op by op (eager) and as the
compiled graph build runs (predict_on_batch, at batch 8), and the painter.

    python benchmarks/bench_generator.py [--model runs/NAME/face_renderer.keras] [--faces 64]

Without --model it measures the shipped generator.

Prints faces per second (the network alone, at its native resolution). Asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from facepack.core.quiet import import_keras
from facepack.generator import FaceRequest, load_generator


def rate(fn, faces: int, repeat: int = 2) -> float:
    fn()  # warm-up: graph tracing, allocations
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return faces / best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=None, help="a .keras generator (default: the shipped one)")
    ap.add_argument("--faces", type=int, default=64)
    a = ap.parse_args()
    keras = import_keras()
    from facepack.generator.learned import LearnedGenerator

    gen = LearnedGenerator(a.model)
    res = int(gen.model.outputs[0].shape[1])
    print(f"learned generator {gen.path} ({res} px), keras backend {keras.backend.backend()}")
    for batch in (1, 8, 32):
        # The model's own inputs (z, age, complexion[, traits]) for `batch` players, and psi.
        conditions = [gen.condition(FaceRequest(i, 25.0)) for i in range(batch)]
        args = gen.inputs(conditions, batch) + [np.full((batch, 1), 0.8, np.float32)]
        calls = max(1, a.faces // batch)

        def eager(calls=calls, args=args):
            for _ in range(calls):
                gen.model(args, training=False)

        def graph(calls=calls, args=args):  # what build runs (LearnedGenerator.generate), at batch 8
            for _ in range(calls):
                gen.model.predict_on_batch(args)

        print(
            f"  batch {batch:2d}: eager {rate(eager, calls * batch):7.1f} faces/s, compiled graph {rate(graph, calls * batch):7.1f} faces/s"
        )
    painter = load_generator("painter", size=res)
    reqs = [FaceRequest(i, 25.0) for i in range(16)]
    print(f"painter ({res} px):  {rate(lambda: painter.generate(reqs), len(reqs)):7.1f} faces/s")


if __name__ == "__main__":
    main()
