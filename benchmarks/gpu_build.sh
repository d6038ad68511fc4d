#!/usr/bin/env bash
# The GPU build, prepared for the lent device machine (JAX with CUDA, Python 3.12, no TensorFlow,
# nothing to download there). What it lacks of facepack's needs is Keras and two of Keras's own
# (namex, optree); lxml, h5py, typer, rich, numpy, opencv and pillow are there already.
#
#   bash benchmarks/gpu_build.sh --prepare   # here: the three wheels into .whl/ (git-ignored; carry it)
#   bash benchmarks/gpu_build.sh             # there (device run with carry [".whl"]): install, then bench_gpu.py
#
# Prints the device, a 10,000-player build's faces/s and memory, each network alone at batch 8,
# 64 and 256, and the GPU memory JAX held (preallocation off, so the figure is what was used).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--prepare" ]; then
    python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
        -d .whl keras namex optree
    exit 0
fi
target=$(mktemp -d)
python3 -m pip install --quiet --no-deps --no-index --target "$target" .whl/*.whl
# The checkout itself is the package (facepack/__init__.py maps generator/, segmenter/, templates/).
export PYTHONPATH="$PWD:$target" KERAS_BACKEND=jax XLA_PYTHON_CLIENT_PREALLOCATE=false
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
python3 benchmarks/bench_gpu.py --players "${PLAYERS:-10000}"
