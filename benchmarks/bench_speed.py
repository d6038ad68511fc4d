"""Where a build's time goes, and how near it comes to what the machine can do: one run prints it all.

    python benchmarks/bench_speed.py [--players 1000 10000] [--large 100000] [--keep DIR] [--runs 3] [--faces 256]
                                     [--sections peak networks stages pipeline scale]

peak      this machine's float32 matmul rate, 2048 x 2048, best of 5: NumPy's BLAS and TensorFlow's.
networks  each learned network's GFLOP per image (TensorFlow's profiler on its frozen graph) and its
          rate alone at build's batch shape (8), as GFLOP/s and as a share of the peak.
stages    each stage's share of a face's time, one batch after another on one thread: generate,
          the segmenter's network, refinement, composing, the likeness code, PNG encoding; for the
          default build (painter + learned cut-out) and the learned one.
pipeline  build's batched, threaded pipeline on --faces players against that one-stage-at-a-time
          shape and against --batch-size 1; the whole build's achieved GFLOP/s and CPU use.
scale     whole builds, each in a fresh process: the default and the learned build at --players,
          painter + colour key at --large; faces/s after start-up and peak RSS, min / median / max
          over --runs (builds of more than 1,000 players run once). With --keep the --large build's
          roster and pack stay in DIR: stopped part way, the same command completes the pack, keeping
          what was made (as a user's rerun does), and says how much was kept.

Asserts nothing. Numbers are for the machine it runs on; the README quotes which.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import build_once, write_roster  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
SEASON = date(2026, 11, 21)
BUILDS = (("painter", "learned"), ("learned", "learned"))  # the default build, then the learned one


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def best_rate(fn, flop: float, repeat: int = 5) -> float:
    fn()
    best = min(_timed(fn) for _ in range(repeat))
    return flop / best / 1e9


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def peak() -> float:
    """GFLOP/s of a float32 2048 x 2048 matmul, the better of NumPy's and TensorFlow's."""
    from facepack.core.quiet import import_keras

    import_keras()
    import tensorflow as tf

    n = 2048
    a = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
    flop = 2.0 * n**3
    numpy_rate = best_rate(lambda: a @ a, flop)
    ta = tf.constant(a)
    mm = tf.function(lambda x: tf.linalg.matmul(x, x))
    tf_rate = best_rate(lambda: mm(ta).numpy(), flop)
    print(f"peak      float32 matmul {n}x{n}: NumPy {numpy_rate:.0f} GFLOP/s, TensorFlow {tf_rate:.0f} GFLOP/s")
    return max(numpy_rate, tf_rate)


def graph_flops(model, inputs: list[np.ndarray]) -> float:
    """Floating-point operations of one call, counted by TensorFlow's profiler on the frozen graph."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    fn = tf.function(lambda *x: model(list(x) if len(x) > 1 else x[0], training=False), autograph=False)
    frozen = convert_variables_to_constants_v2(fn.get_concrete_function(*[tf.TensorSpec(i.shape, i.dtype) for i in inputs]))
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    return float(tf.compat.v1.profiler.profile(graph=frozen.graph, options=options).total_float_ops)


def generator_inputs(gen, b: int) -> list[np.ndarray]:
    return [
        np.zeros((b, gen.z_dim), np.float32),
        np.zeros(b, np.int32),
        np.zeros(b, np.int32),
        np.full((b, 1), gen.psi, np.float32),
    ]


def networks(peak_rate: float) -> dict[str, float]:
    """GFLOP per image of each network, printed with its rate alone."""
    from facepack.generator.learned import LearnedGenerator
    from facepack.segmenter.learned import LearnedSegmenter

    gen, seg = LearnedGenerator(None), LearnedSegmenter()
    cases = {
        "generator": (gen.model, lambda b: generator_inputs(gen, b), gen.batch_size),
        "segmenter": (seg.model, lambda b: [np.zeros((b, seg.size, seg.size, 3), np.float32)], seg.batch_size),
    }
    per_image = {}
    for name, (model, inputs, b) in cases.items():
        gflop = graph_flops(model, inputs(1)) / 1e9
        per_image[name] = gflop
        rate = best_rate(partial(model.predict_on_batch, inputs(b)), gflop * 1e9 * b)
        print(
            f"networks  {name:9s} {gflop:.3f} GFLOP/image; alone at batch {b}: {rate / gflop:6.1f} images/s, "
            f"{rate:5.1f} GFLOP/s = {100 * rate / peak_rate:.0f} % of peak"
        )
    return per_image


def requests(n: int):
    from facepack.generator.base import FaceRequest

    nations = ("CAN", "SWE", "FIN", "USA", "NGA", "CZE", "GER", "JPN")
    return [FaceRequest(seed=1000 + 7919 * i, age=17.0 + (i * 7) % 22, nationality=nations[i % len(nations)]) for i in range(n)]


def stages(generator: str, segmenter: str, faces: int, batch: int = 8) -> float:
    """Seconds a face takes with the stages run one after another on one thread; prints the shares."""
    from PIL import Image

    from facepack.compose import compose_portrait, parse_background
    from facepack.core.likeness import face_code
    from facepack.generator import load_generator
    from facepack.profiles import load_profile
    from facepack.segmenter import load_segmenter
    from facepack.segmenter.refine import refine

    t = time.perf_counter()
    gen = load_generator(generator, size=256)
    seg = load_segmenter(segmenter, background=gen.background)
    start_up = time.perf_counter() - t
    profile = load_profile("ehm")
    ui = parse_background("ui", profile)
    spent: dict[str, float] = defaultdict(float)

    @contextmanager
    def clock(stage: str):
        t = time.perf_counter()
        yield
        spent[stage] += time.perf_counter() - t

    reqs = requests(faces + batch)
    for i in range(0, faces + batch, batch):
        if i == batch:
            spent.clear()  # the first batch warms up (graph tracing, caches)
        with clock("generate"):
            portraits = gen.generate(reqs[i : i + batch])
        images = [p.image for p in portraits]
        if hasattr(seg, "coarse"):
            with clock("segment: network"):
                coarse = seg.coarse(images)
            with clock("segment: refine"):
                mattes = [refine(im, c, seg.background) for im, c in zip(images, coarse)]
        else:
            with clock("segment"):
                mattes = seg.matte(images)
        with clock("compose"):
            pixels = [compose_portrait(p.image, m, p.background, profile, ui) for p, m in zip(portraits, mattes)]
        with clock("likeness code"):
            [face_code(px) for px in pixels]
        with clock("PNG encode"):
            [Image.fromarray(px).save(io.BytesIO(), format="PNG", compress_level=6) for px in pixels]
    total = sum(spent.values())
    shares = ", ".join(f"{k} {100 * v / total:.0f} % ({1000 * v / faces:.1f} ms)" for k, v in spent.items())
    print(
        f"stages    {generator} + {segmenter}: {1000 * total / faces:.1f} ms a face one stage at a time (start-up {start_up:.1f} s)"
    )
    print(f"          {shares}")
    return total / faces


def pipeline(generator: str, segmenter: str, faces: int, one_at_a_time: float, gflop_per_face: float, peak_rate: float) -> None:
    from facepack.build import BuildOptions

    for batch in (16, 1):
        with tempfile.TemporaryDirectory() as tmp:
            roster = Path(tmp) / "league.csv"
            write_roster(roster, faces)
            opts = BuildOptions(
                roster=roster, out=Path(tmp) / "packs", season=SEASON, generator=generator, segmenter=segmenter, batch_size=batch
            )
            marks = build_marks(opts)
            (t0, c0), (t1, c1) = marks[32], marks[-1]
            rate = (len(marks) - 33) / (t1 - t0)
            cores = (c1 - c0) / (t1 - t0)
        print(
            f"pipeline  {generator} + {segmenter}, --batch-size {batch:2d}: {rate:5.1f} faces/s "
            f"({rate * one_at_a_time:.2f}x one stage at a time), {cores:.2f} cores busy, "
            f"networks {rate * gflop_per_face:5.1f} GFLOP/s = {100 * rate * gflop_per_face / peak_rate:.0f} % of peak"
        )


def build_marks(opts) -> list[tuple[float, float]]:
    """(wall, CPU) seconds as each face of a build is handed on."""
    from facepack.build import build_pack

    marks: list[tuple[float, float]] = []
    build_pack(opts, on_face=lambda *_: marks.append((time.perf_counter(), cpu_seconds())))
    return marks


def scale(sizes: list[int], large: int, runs: int, keep: Path | None = None) -> None:
    plan = [(n, "painter", "learned") for n in sizes] + [(n, "learned", "learned") for n in sizes]
    plan += [(large, "painter", "chroma")] if large else []
    for n, generator, segmenter in plan:
        where = keep if n == large else None  # a kept pack is built once: a second run would only keep it
        repeat = runs if n <= 1000 and where is None else 1  # the longer builds once: 10,000 default faces take 10 minutes here
        results = [r for r in (build_once(n, generator, segmenter, where) for _ in range(repeat)) if r]
        if not results:
            print(f"scale     {n:7d} players, {generator} + {segmenter}: failed")
            continue
        rates = sorted(r["faces_per_s"] for r in results)
        rss = sorted(r["peak_rss_mb"] for r in results)
        print(
            f"scale     {n:7d} players, {generator} + {segmenter}: faces/s {rates[0]:.1f} / {statistics.median(rates):.1f} / "
            f"{rates[-1]:.1f}, peak RSS {rss[0]} / {statistics.median(rss):.0f} / {rss[-1]} MB "
            f"(min / median / max of {len(results)}; at the end {results[0]['end_rss_mb']} MB; re-drawn {results[0]['redrawn']}, "
            f"{results[0]['wall_s']:.0f} s{_kept(results[0])})"
        )


def _kept(result: dict) -> str:
    """A completed build says how much of the pack an earlier, stopped run of it had made."""
    return f"; {result['built']} made in this run, {result['kept']} kept from an earlier one" if result.get("kept") else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--players", type=int, nargs="*", default=[1000, 10000])
    ap.add_argument("--large", type=int, default=100_000, help="players of the painter + colour-key build (0: none)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument(
        "--keep",
        type=Path,
        help="folder for the --large build's roster and pack: stopped, the same command completes it later",
    )
    ap.add_argument("--faces", type=int, default=256, help="faces for the stage and pipeline measures")
    ap.add_argument("--sections", nargs="+", default=["peak", "networks", "stages", "pipeline", "scale"])
    ap.add_argument("--builds", nargs="+", default=[f"{g}+{s}" for g, s in BUILDS], help="generator+segmenter pairs to time")
    a = ap.parse_args()
    print(f"{os.cpu_count()} CPUs; {sys.version.split()[0]}")
    peak_rate = peak() if {"peak", "networks", "pipeline"} & set(a.sections) else float("nan")
    per_image = networks(peak_rate) if {"networks", "pipeline"} & set(a.sections) else {}
    for generator, segmenter in (b.split("+") for b in a.builds):
        if not {"stages", "pipeline"} & set(a.sections):
            break
        one = stages(generator, segmenter, a.faces)
        if "pipeline" in a.sections:
            gflop = per_image["segmenter"] + (per_image["generator"] if generator == "learned" else 0.0)
            pipeline(generator, segmenter, a.faces, one, gflop, peak_rate)
    if "scale" in a.sections:
        scale(a.players, a.large, a.runs, a.keep)


if __name__ == "__main__":
    main()
