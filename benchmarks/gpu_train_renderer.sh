#!/usr/bin/env bash
# Training the renderer on the lent GPU machine, in one run (JAX with CUDA, no TensorFlow, nothing
# to download there, at most 64 MiB carried, 10 minutes a command).
#
#   bash benchmarks/gpu_train_renderer.sh --prepare   # here: the wheels into .whl/ (git-ignored)
#   bash benchmarks/gpu_train_renderer.sh             # there (device run, carry [".whl"])
#
# Paints PAINTED portraits (default 8000, as runs/data/painter256b) at 256 px there, one process
# per core, trains the renderer from scratch under KERAS_BACKEND=jax for TRAIN_S seconds (default
# 420) at BATCH (64), then exports its last checkpoint (the same command with --steps at the
# steps done: a finished run exports without training) and leaves in $OUT the export, its card,
# log.csv and the last sample sheet. The README's CPU command trains the same network.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--prepare" ]; then
    bash benchmarks/gpu_build.sh --prepare
    du -sh .whl
    exit 0
fi
target=$(mktemp -d)
python3 -m pip install --quiet --no-deps --no-index --target "$target" .whl/*.whl
export PYTHONPATH="$PWD:$target" KERAS_BACKEND=jax XLA_PYTHON_CLIENT_PREALLOCATE=false
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
DATA=$(mktemp -d)/painter256b
time python3 -m facepack dataset --painter "${PAINTED:-8000}" --size 256 --seed 0 --season 2026-11-21 \
    --out "$DATA" --workers 0 --quiet
run=$(mktemp -d)/renderer
EVERY=${EVERY:-250}
train=(python3 -m facepack train renderer "$DATA" --out "$run" --batch-size "${BATCH:-64}" --checkpoint-every "$EVERY")
timeout "${TRAIN_S:-420}" "${train[@]}" --steps 1000000 || true
done_steps=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['epoch'] * $EVERY)" "$run/state.json")
"${train[@]}" --steps "$done_steps"
out=${OUT:-/tmp/out}
mkdir -p "$out"
cp "$run/face_renderer.keras" "$run/face_renderer.json" "$run/log.csv" "$out/"
last=$(ls "$run/samples" | tail -1)
cp "$run/samples/$last" "$out/samples_$last"
tail -3 "$run/log.csv"
