#!/usr/bin/env bash
# Training the traits generator on the lent GPU machine, in one run (JAX with CUDA, no TensorFlow,
# nothing to download there, at most 64 MiB carried, 10 minutes a command).
#
#   bash benchmarks/gpu_train_generator.sh --prepare   # here: wheels into .whl/, painted data into .gpudata/ (both git-ignored)
#   bash benchmarks/gpu_train_generator.sh             # there (device run, carry [".whl", ".gpudata"])
#
# Trains the traits run (runs/gan-traits, its networks carried without the optimizers' state) at
# SIZE px (default 128: the shipped upsampler doubles its faces to build's 256, README, The
# upsampler; SIZE=256 grows it instead, README, Growing to 256 px) under KERAS_BACKEND=jax in bfloat16 for
# TRAIN_S seconds (default 400), on portraits painted there at 256 px by one process per core
# (256 px data does not fit the carry: 41 KB a portrait). Exports the last checkpoint and leaves
# in $OUT the export, its card, log.csv and the last sample sheet. The checkpoint is larger than
# what comes back, so a later run goes on from the export (`--init .../face_gan.keras`).
# Without runs/gan-traits here (runs/ is not kept from one checkout to the next) it trains from
# scratch; INIT=path/to/face_gan.keras starts it from an earlier export instead.
set -euo pipefail
cd "$(dirname "$0")/.."
INIT=${INIT:-.gpudata/gan-traits}
if [ "${1:-}" = "--prepare" ]; then
    bash benchmarks/gpu_build.sh --prepare
    rm -rf .gpudata/gan-traits
    if [ -f runs/gan-traits/checkpoint/state.json ]; then
        mkdir -p .gpudata/gan-traits/checkpoint
        cp runs/gan-traits/checkpoint/*.weights.h5 runs/gan-traits/checkpoint/state.json .gpudata/gan-traits/checkpoint/
    else
        echo "no runs/gan-traits here: the device run trains from scratch"
    fi
    mkdir -p .gpudata && du -sh .gpudata .whl
    exit 0
fi
init=()
[ -e "$INIT" ] && init=(--init "$INIT")
target=$(mktemp -d)
python3 -m pip install --quiet --no-deps --no-index --target "$target" .whl/*.whl
export PYTHONPATH="$PWD:$target" KERAS_BACKEND=jax XLA_PYTHON_CLIENT_PREALLOCATE=false
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
DATA=$(mktemp -d)/painter256t
time python3 -m facepack dataset --painter "${PAINTED:-4000}" --size 256 --seed 0 --season 2026-11-21 --holdout 0.05 \
    --out "$DATA" --workers 0 --quiet
SIZE=${SIZE:-128}
grow=()
[ "$SIZE" = 256 ] && grow=(--channel-min 16)
run=$(mktemp -d)/gan-traits$SIZE
train=(python3 -m facepack train generator "$DATA" --out "$run" --traits --size "$SIZE" "${grow[@]}" "${init[@]}"
    --augment 0.4 --class-weight "${CLASS_WEIGHT:-0}" --learning-rate "${RATE:-0.002}" --batch-size "${BATCH:-64}" --steps 1000000
    --channel-max 128 --channel-base 2048 --checkpoint-every 250 --sample-every 1000 --inference-noise 0.5
    --precision mixed_bfloat16)
# No class head by default: beside the traits it drew every veteran grey from 32, its age group's
# first year (README, The class head against the traits); CLASS_WEIGHT=0.3 puts it back.
# FACE_CRITIC=1 trains with the face critic (README, A face critic).
[ "${FACE_CRITIC:-0}" = 1 ] && train+=(--face-critic)
# RECONSTRUCTION=10 trains with the VAE-GAN reconstruction term (README, Reconstruction).
[ "${RECONSTRUCTION:-0}" != 0 ] && train+=(--reconstruction "$RECONSTRUCTION")
# TRAIT_WEIGHT=5 trains with the trait head (README, Told the build, and a trait head).
[ "${TRAIT_WEIGHT:-0}" != 0 ] && train+=(--trait-weight "$TRAIT_WEIGHT")
timeout "${TRAIN_S:-400}" "${train[@]}" || true
"${train[@]}" --export-only
out=${OUT:-/tmp/out}
mkdir -p "$out"
cp "$run/face_gan.keras" "$run/face_gan.json" "$run/log.csv" "$out/"
last=$(ls "$run/samples" | tail -1)
cp "$run/samples/$last" "$out/samples_$last"
tail -3 "$run/log.csv"
