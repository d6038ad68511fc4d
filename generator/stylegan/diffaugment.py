"""Differentiable augmentation (Zhao et al., 2020): the same random colour, translation and
cutout applied to real and generated images before the critic sees them, so that a few
thousand portraits are enough without the critic memorising them. keras.ops only.
"""

from __future__ import annotations

import keras
from keras import ops


def diff_augment(x, seed, p: float = 1.0):
    """x: (B, H, W, 3 or 4) in [-1, 1], a fourth channel being the matte (moved, never recoloured);
    seed: a keras.random.SeedGenerator; p: the share of images augmented, the rest passing as they are.

    Below 1 because the translation (up to 16 px at 128) is wider than the spread of where heads
    sit in a portrait set (a few px): a critic that only ever sees shifted images cannot tell a
    generator that puts every head in one place from the real spread, and the generator did
    exactly that (runs/gan-v3: a two-sample test of 0.92 fell to 0.76 once its faces were moved
    by the real spread)."""
    b, h, w = ops.shape(x)[0], ops.shape(x)[1], ops.shape(x)[2]
    x = ops.cast(x, "float32")  # a bfloat16 generator's output too: not every backend resamples in bfloat16
    if p <= 0.0:
        return x
    original = x
    x, matte = x[..., :3], x[..., 3:]
    # colour: brightness, saturation, contrast
    x = x + (keras.random.uniform((b, 1, 1, 1), seed=seed) - 0.5)
    mean = ops.mean(x, axis=-1, keepdims=True)
    x = (x - mean) * (keras.random.uniform((b, 1, 1, 1), seed=seed) * 2.0) + mean
    mean = ops.mean(x, axis=(1, 2, 3), keepdims=True)
    x = (x - mean) * (keras.random.uniform((b, 1, 1, 1), seed=seed) + 0.5) + mean
    x = ops.concatenate([x, matte], axis=-1)
    # translation by up to 1/8 of the side, whole pixels (resampling would blur the reals), reflected at
    # the border; gathers rather than an image transform, so the step compiles under XLA too
    shift = ops.cast(
        ops.round((keras.random.uniform((b, 2), seed=seed) - 0.5) * 0.25 * ops.cast(ops.stack([w, h]), "float32")), "int32"
    )
    x = _shift(x, shift[:, 1], axis=1)
    x = _shift(x, shift[:, 0], axis=2)
    # cutout: one square of half the side per image, set to zero
    yy = ops.cast(ops.arange(h), "float32")[None, :, None]
    xx = ops.cast(ops.arange(w), "float32")[None, None, :]
    centre = keras.random.uniform((b, 2), seed=seed) * ops.cast(ops.stack([w, h]), "float32")
    half = ops.cast(w, "float32") / 4.0
    inside = (ops.abs(xx - centre[:, 0, None, None]) < half) & (ops.abs(yy - centre[:, 1, None, None]) < half)
    x = x * (1.0 - ops.cast(inside, "float32"))[..., None]
    if p >= 1.0:
        return x
    return ops.where(keras.random.uniform((b, 1, 1, 1), seed=seed) < p, x, original)


def _shift(x, by, axis: int):
    """Move each image of x by `by` pixels (B,) along `axis` (1: rows, 2: columns), reflecting at the edges."""
    size = ops.shape(x)[axis]
    src = ops.arange(size)[None, :] - by[:, None]
    src = (size - 1) - ops.abs((size - 1) - ops.abs(src))  # reflect into [0, size)
    shape = [ops.shape(x)[0], 1, 1, 1]
    shape[axis] = size
    index = ops.broadcast_to(ops.reshape(src, shape), ops.shape(x))
    return ops.take_along_axis(x, index, axis=axis)
