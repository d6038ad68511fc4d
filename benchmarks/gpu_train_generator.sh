#!/usr/bin/env bash
# Training the traits generator on the lent GPU machine, in one run (JAX with CUDA, no TensorFlow,
# nothing to download there, at most 64 MiB carried, 10 minutes a command).
#
#   bash benchmarks/gpu_train_generator.sh --prepare   # here: wheels into .whl/, painted data into .gpudata/ (both git-ignored)
#   bash benchmarks/gpu_train_generator.sh             # there (device run, carry [".whl", ".gpudata"])
#
# Trains `facepack train generator --traits` under KERAS_BACKEND=jax in bfloat16 for TRAIN_S seconds
# (default 400), exports the last checkpoint, and leaves in $OUT the export, its card, log.csv and
# the last sample sheet. The checkpoint (optimizers too) is larger than what comes back, so a run
# goes on from the export (`--init runs/NAME/face_gan.keras`: mapping and synthesis, a new critic).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=.gpudata/painter128t
if [ "${1:-}" = "--prepare" ]; then
    bash benchmarks/gpu_build.sh --prepare
    # 128 px, the network's own size: 3,000 portraits carry in about 40 MB.
    facepack dataset --painter "${PAINTED:-3000}" --size 128 --seed 0 --season 2026-11-21 --holdout 0.05 --out "$DATA" --overwrite
    du -sh "$DATA" .whl
    exit 0
fi
target=$(mktemp -d)
python3 -m pip install --quiet --no-deps --no-index --target "$target" .whl/*.whl
export PYTHONPATH="$PWD:$target" KERAS_BACKEND=jax XLA_PYTHON_CLIENT_PREALLOCATE=false
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
run=$(mktemp -d)/gan-traits
train=(python3 -m facepack train generator "$DATA" --out "$run" --traits --init generator/models/face_gan.keras
    --augment 0.4 --class-weight 0.3 --learning-rate "${RATE:-0.002}" --batch-size "${BATCH:-64}" --steps 1000000
    --channel-max 128 --channel-base 2048 --checkpoint-every 250 --sample-every 1000 --inference-noise 0.5
    --precision mixed_bfloat16)
timeout "${TRAIN_S:-400}" "${train[@]}" || true
"${train[@]}" --export-only
out=${OUT:-/tmp/out}
mkdir -p "$out"
cp "$run/face_gan.keras" "$run/face_gan.json" "$run/log.csv" "$out/"
last=$(ls "$run/samples" | tail -1)
cp "$run/samples/$last" "$out/samples_$last"
tail -3 "$run/log.csv"
