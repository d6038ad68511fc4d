"""A whole build on the GPU machine, and the two networks alone: faces per second and memory.

    KERAS_BACKEND=jax XLA_PYTHON_CLIENT_PREALLOCATE=false python benchmarks/bench_gpu.py [--players 10000]

Made for the lent GPU machine (JAX with CUDA, no TensorFlow, nothing to download); see
benchmarks/gpu_build.sh for carrying Keras there. Runs anywhere JAX does (on a CPU too, slowly).
Prints: the device, a build with both networks (the learned generator and cut-out; --generator
painter for build's default) of a synthetic roster of --players (wall time, faces/s, peak resident
memory), each network alone at batch 8 (build's shape on a CPU), 64 (on a GPU) and 256, and the
GPU memory JAX holds. Asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np


def roster(path: Path, players: int) -> None:
    rng = random.Random(0)
    firsts = ["Oskar", "Moritz", "Jack", "Chidi", "Lars", "Aleksi", "Ondřej", "Yuto", "Mathieu", "Elias", "Noah", "Matteo"]
    lasts = ["Björk", "Weiß", "Reilly", "Okafor", "Holm", "Lehtinen", "Novotný", "Nakamura", "Bouchard", "Rossi"]
    nations = ["SWE", "GER", "USA", "NGA", "FIN", "CZE", "JPN", "CAN", "RUS", "ITA"]
    lines = [
        f"{43000000 + i},{rng.choice(firsts)},{rng.choice(lasts)}{i},{rng.randint(1, 28)}.{rng.randint(1, 12)}."
        f"{rng.randint(1985, 2008)},{rng.choice(nations)},Team,C,1,Player"
        for i in range(players)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def network_rates(batches: tuple[int, ...]) -> None:
    from facepack.generator.learned import LearnedGenerator
    from facepack.segmenter.learned import LearnedSegmenter

    gen, seg = LearnedGenerator(), LearnedSegmenter()
    for b in batches:
        z = np.random.default_rng(0).standard_normal((b, gen.z_dim)).astype(np.float32)
        args = [z, np.zeros(b, np.int32), np.zeros(b, np.int32), np.full((b, 1), 0.8, np.float32)]
        x = np.random.default_rng(1).random((b, seg.size, seg.size, 3)).astype(np.float32) * 255
        for name, call in (
            ("generator", lambda args=args: gen.model.predict_on_batch(args)),
            ("segmenter", lambda x=x: seg.model.predict_on_batch(x)),
        ):
            np.asarray(call())  # compile
            calls = max(3, 2048 // b)
            t = time.perf_counter()
            for _ in range(calls):
                out = call()
            np.asarray(out)  # wait for the device
            print(f"  {name:9} batch {b:4d}: {calls * b / (time.perf_counter() - t):9.1f} images/s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--players", type=int, default=10_000)
    ap.add_argument("--batches", default="8,64,256")
    # Both networks, where a GPU does the work; the painter (build's default) paints on CPU cores.
    ap.add_argument("--generator", default="learned")
    a = ap.parse_args()
    from facepack.build import BuildOptions, build_pack, load_models
    from facepack.core.quiet import compute_device, import_keras

    keras = import_keras()
    print(f"device: {compute_device(keras)}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        roster(path, a.players)
        opts = BuildOptions(roster=path, out=Path(tmp) / "packs", season=date(2026, 11, 21), generator=a.generator)
        t = time.perf_counter()
        models = load_models(opts)
        start = time.perf_counter() - t
        t = time.perf_counter()
        report = build_pack(opts, models=models)
        wall = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        n = report.count("built")
        print(
            f"build ({a.generator} + learned cut-out, networks at batch {models.segmenter.batch_size}): {n} faces in {wall:.1f} s "
            f"after a {start:.1f} s start: {n / wall:.1f} faces/s end to end, peak RSS {peak:.0f} MB"
        )
    print("networks alone (compiled, predict_on_batch):")
    network_rates(tuple(int(b) for b in a.batches.split(",")))
    if keras.backend.backend() == "jax":
        import jax

        for d in jax.devices():
            stats = d.memory_stats() or {}
            if stats:
                print(
                    f"{d}: peak {stats.get('peak_bytes_in_use', 0) / 2**20:.0f} MiB in use of {stats.get('bytes_limit', 0) / 2**20:.0f}"
                )


if __name__ == "__main__":
    main()
